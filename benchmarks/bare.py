"""The least a pure-Python autograd node can do: the floor that table 1 of the benchmarks measures.

``BareValue`` has the data layout of ``engine.Value`` (one slotted object per node, six slots, plus
the tuple of its parents; no closure, no per-node dict or set) and nothing more: no finite checks,
no operation table, no ``no_grad``, and only the five operations the benchmarks' MLP-like graph uses (``+``, ``*``,
``** number``, ``relu``, and ``+``/``*`` with a number on the left), each written out by hand.

It lives with the benchmarks, outside the installed package, and answers one question of
theirs: of the time our engine takes, how much would any pure-Python engine with this layout
pay anyway (allocating the nodes, Python's cyclic collector scanning them, the interpreter's
dispatch), and how much is the engine's own doing (its checks, its table, its API)?
"""

from __future__ import annotations

from typing import Any

_new = object.__new__

# What made a node; 0 for a leaf.
LEAF, ADD, MUL, POWK, RELU = 0, 1, 2, 3, 4


class BareValue:
    """A scalar node: data, grad, and the operation and inputs that made it."""

    __slots__ = ("data", "grad", "label", "op", "parents", "constant")  # the layout of engine.Value

    data: float
    grad: float
    label: str
    op: int
    parents: tuple[BareValue, ...]
    constant: Any  # the exponent of POWK, else None

    def __init__(self, data: float) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = ""
        self.op = LEAF
        self.parents = ()
        self.constant = None

    def __add__(self, other: BareValue | float) -> BareValue:
        if type(other) is not BareValue:
            other = BareValue(other)  # type: ignore[arg-type]
        out = _new(BareValue)
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        out.op = ADD
        out.parents = (self, other)
        out.constant = None
        return out

    def __mul__(self, other: BareValue | float) -> BareValue:
        if type(other) is not BareValue:
            other = BareValue(other)  # type: ignore[arg-type]
        out = _new(BareValue)
        out.data = self.data * other.data
        out.grad = 0.0
        out.label = ""
        out.op = MUL
        out.parents = (self, other)
        out.constant = None
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def __pow__(self, k: float) -> BareValue:
        out = _new(BareValue)
        out.data = self.data**k
        out.grad = 0.0
        out.label = ""
        out.op = POWK
        out.parents = (self,)
        out.constant = k
        return out

    def relu(self) -> BareValue:
        out = _new(BareValue)
        x = self.data
        out.data = x if x > 0.0 else 0.0
        out.grad = 0.0
        out.label = ""
        out.op = RELU
        out.parents = (self,)
        out.constant = None
        return out

    def backward(self) -> None:
        """The chain rule over the nodes operations made, right to left (as ``engine.Value.backward``)."""
        if self.op == LEAF:
            self.grad += 1.0
            return
        order: list[BareValue] = []
        visited: set[BareValue] = set()
        stack: list[Any] = [self]  # None marks "inputs of the node below are placed"
        while stack:
            node = stack.pop()
            if node is None:
                node = stack.pop()
                node.grad = 0.0
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append(node)
            stack.append(None)
            for p in reversed(node.parents):
                if p.op != LEAF and p not in visited:
                    stack.append(p)
        self.grad = 1.0
        for node in reversed(order):
            op, g = node.op, node.grad
            if op == ADD:
                a, b = node.parents
                a.grad += g
                b.grad += g
            elif op == MUL:
                a, b = node.parents
                a.grad += g * b.data
                b.grad += g * a.data
            elif op == POWK:
                (a,) = node.parents
                k = node.constant
                a.grad += g * k * a.data ** (k - 1)
            elif node.data > 0.0:  # RELU
                node.parents[0].grad += g

    def __repr__(self) -> str:
        return f"BareValue(data={self.data}, grad={self.grad})"
