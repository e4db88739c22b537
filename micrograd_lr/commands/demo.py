"""``micrograd-lr demo``: the main job, a walk through the text."""

from __future__ import annotations

import argparse

from ..engine import Value, topological_order


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="walk through the text: computation graph, backward, logistic regression")
    p.set_defaults(func=run)


def _describe(node: Value) -> str:
    if node.op is None:
        return f"{node.label or 'const'} = {node.data:g}"
    names = " ".join(p.label or f"{p.data:g}" for p in node.parents)
    return f"{node.label} = {node.op.name}({names}) = {node.data:g}"


def computation_graph() -> None:
    """The text's example J = 3(a + bc): forward left to right, gradients right to left."""
    print("Computation graph: J = 3(a + bc) with a = 5, b = 3, c = 2")
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    u = b * c
    u.label = "u"
    v = a + u
    v.label = "v"
    J = 3 * v
    J.label = "J"
    order = topological_order(J)
    print("  forward, left to right:")
    for node in order:
        if node.op is not None:
            print(f"    {_describe(node)}")
    J.backward()
    print("  backward, right to left:")
    for node in reversed(order):
        if node.label:
            print(f"    dJ/d{node.label} = {node.grad:g}")


def run(args: argparse.Namespace) -> int:
    computation_graph()
    return 0
