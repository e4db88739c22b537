"""The text's logistic regression graph for one sample, forward and backward.

    z = w1x1 + w2x2 + b,   a = σ(z),   L(a, y) = −(y log a + (1 − y) log(1 − a))

The forward pass runs left to right; ``backward()`` runs right to left and leaves
∂L/∂node in every node's ``grad``.  Autograd must equal the text's formulas:
da = −y/a + (1 − y)/(1 − a), dz = a − y, dw = x·dz, db = dz.

Run: python examples/one_sample_graph.py
"""

from __future__ import annotations

import math

from micrograd_lr.engine import topological_order
from micrograd_lr.gradcheck import analytic_one_sample
from micrograd_lr.logistic import one_sample


def main() -> None:
    x, y = [1.0, 2.0], 1.0
    w, b = [0.5, -0.2], 0.1
    nodes = one_sample(x, y, w, b)  # the literal graph: w1x1, w2x2, z, a, then L as the text writes it
    L = nodes["L"]

    print("Forward, left to right:")
    for node in topological_order(L):
        if node.label and node.op is not None:
            print(f"  {node.label:<10} = {node.data: .6f}")

    L.backward()
    print("Backward, right to left (autograd):")
    for name in ("L", "a", "z", "w1", "w2", "b"):
        print(f"  dL/d{name:<3} = {nodes[name].grad: .6f}")

    ref = analytic_one_sample(x, y, w, b)
    print("The text's formulas (analytic):")
    print(f"  da = −y/a + (1 − y)/(1 − a) = {ref['da']: .6f}")
    print(f"  dz = a − y                  = {ref['dz']: .6f}")
    print(f"  dw = x·dz                   = [{ref['dw'][0, 0]: .6f}, {ref['dw'][1, 0]: .6f}]")
    print(f"  db = dz                     = {ref['db']: .6f}")

    pairs = [
        (nodes["a"].grad, ref["da"]),
        (nodes["z"].grad, ref["dz"]),
        (nodes["w1"].grad, ref["dw"][0, 0]),
        (nodes["w2"].grad, ref["dw"][1, 0]),
        (nodes["b"].grad, ref["db"]),
    ]
    same = all(math.isclose(g, r, rel_tol=1e-12, abs_tol=1e-15) for g, r in pairs)
    print(f"autograd = analytic: {same}")


if __name__ == "__main__":
    main()
