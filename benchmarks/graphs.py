"""The graphs of the engine benchmarks, built by the same code with any library's ``Value`` class.

An MLP-like graph (layers of weighted sums, then ReLU or a tanh-like squash) and a deep chain,
using only ``+``, ``*``, ``** number`` and ``relu()``, which karpathy's micrograd, our engine and
the bare node of ``benchmarks.bare`` all have with the same node counts.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .bare import BareValue
from .harness import INSTALL_HINT

# A Value class as the graph builders see it: called with one float, gives a leaf node.
ValueClass = Callable[[float], Any]

LIBRARIES = ("ours", "micrograd", "bare")


def load_micrograd() -> ValueClass | None:
    """karpathy's ``micrograd.engine.Value``, or None when the bench extra is not installed."""
    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        return None
    return MicrogradValue


def value_class(lib: str) -> ValueClass:
    """The ``Value`` class of a library: "ours", "micrograd", or "bare" (``BareValue``, the floor)."""
    if lib == "ours":
        from micrograd_lr.engine import Value

        return Value
    if lib == "bare":
        return BareValue
    if lib == "micrograd":
        micrograd = load_micrograd()
        if micrograd is None:
            raise RuntimeError(f"micrograd is not installed ({INSTALL_HINT})")
        return micrograd
    raise ValueError(f"lib must be one of {LIBRARIES}, got {lib!r}")


@dataclass
class MLPGraph:
    """The leaves of an MLP-like graph: inputs, and per layer a weight matrix and biases (all nodes)."""

    inputs: list[Any]
    weights: list[list[list[Any]]]
    biases: list[list[Any]]


def mlp_shape(nodes: int, width: int) -> int:
    """The number of layers that gives an MLP-like graph of about ``nodes`` nodes at ``width``."""
    per_layer = 3 * width * width + 4 * width  # weights, products and sums, biases, nonlinearity
    return max(1, round(nodes / per_layer))


def mlp_numbers(
    width: int, depth: int, seed: int = 0
) -> tuple[list[float], list[list[list[float]]], list[list[float]]]:
    """Seeded numbers for the leaves, the same for every library (uniform, scaled by fan-in)."""
    rng = random.Random(seed)
    scale = math.sqrt(6.0 / width)
    inputs = [rng.uniform(-1.0, 1.0) for _ in range(width)]
    weights = [[[rng.uniform(-scale, scale) for _ in range(width)] for _ in range(width)] for _ in range(depth)]
    biases = [[rng.uniform(-0.1, 0.1) for _ in range(width)] for _ in range(depth)]
    return inputs, weights, biases


def mlp_leaves(value: ValueClass, width: int, depth: int, seed: int = 0) -> MLPGraph:
    inputs, weights, biases = mlp_numbers(width, depth, seed)
    return MLPGraph(
        inputs=[value(x) for x in inputs],
        weights=[[[value(w) for w in row] for row in layer] for layer in weights],
        biases=[[value(b) for b in layer] for layer in biases],
    )


def squash(v: Any) -> Any:
    """v / √(1 + v²), a tanh-like bounded nonlinearity built from ops both libraries have (×, +, **)."""
    return v * (1 + v**2) ** -0.5


def mlp_forward(g: MLPGraph) -> Any:
    """Build the graph: each layer is weighted sums w₁x₁ + … + wₖxₖ + b, then ReLU or squash, alternately.

    Only ``+``, ``*``, ``**`` (number exponent) and ``relu()`` are used, which both libraries have
    with the same node counts; karpathy's micrograd 0.1.0 has no ``tanh``.  The output is the sum
    of the last layer.
    """
    x = g.inputs
    for layer, (weights, biases) in enumerate(zip(g.weights, g.biases)):
        out = []
        for row, b in zip(weights, biases):
            act = row[0] * x[0]
            for w, xi in zip(row[1:], x[1:]):
                act = act + w * xi
            act = act + b
            out.append(act.relu() if layer % 2 == 0 else squash(act))
        x = out
    total = x[0]
    for xi in x[1:]:
        total = total + xi
    return total


def chain(value: ValueClass, depth: int) -> tuple[Any, Any, Any]:
    """A chain ``depth`` deep: v₀ = x, vᵢ = vᵢ₋₁ + c.  Returns (x, c, v_depth); ∂v/∂x = 1, ∂v/∂c = depth."""
    x, c = value(0.5), value(0.001)
    v = x
    for _ in range(depth):
        v = v + c
    return x, c, v


def _children(node: Any) -> Sequence[Any] | set[Any]:
    """The inputs of a node in either library: ours has ``parents``; micrograd has ``_prev``."""
    parents = getattr(node, "parents", None)
    return node._prev if parents is None else parents


def count_nodes(root: Any) -> int:
    """The exact number of distinct nodes ``root`` depends on (itself included), without recursion."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in _children(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)
