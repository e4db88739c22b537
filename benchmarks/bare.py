"""The least a pure-Python autograd node can do: the floor that table 1 of the benchmarks measures.

``BareValue`` has the data layout of ``engine.Value`` (one slotted object per node, six slots, no
closure and no per-node container) and nothing more: no finite checks, no operation table, no
``no_grad``, and only the five operations the benchmarks' MLP-like graph uses (``+``, ``*``,
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

    __slots__ = ("data", "grad", "label", "op", "_a", "_b")  # the layout of engine.Value

    data: float
    grad: float
    label: str
    op: int
    _a: Any  # first input, or None for a leaf
    _b: Any  # second input, or the exponent of POWK, or None

    def __init__(self, data: float) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = ""
        self.op = LEAF
        self._a = self._b = None

    @property
    def parents(self) -> tuple[BareValue, ...]:
        if self.op == LEAF:
            return ()
        if self.op in (ADD, MUL):
            return (self._a, self._b)
        return (self._a,)

    def __add__(self, other: BareValue | float) -> BareValue:
        if type(other) is not BareValue:
            other = BareValue(other)  # type: ignore[arg-type]
        out = _new(BareValue)
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        out.op = ADD
        out._a = self
        out._b = other
        return out

    def __mul__(self, other: BareValue | float) -> BareValue:
        if type(other) is not BareValue:
            other = BareValue(other)  # type: ignore[arg-type]
        out = _new(BareValue)
        out.data = self.data * other.data
        out.grad = 0.0
        out.label = ""
        out.op = MUL
        out._a = self
        out._b = other
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def __pow__(self, k: float) -> BareValue:
        out = _new(BareValue)
        out.data = self.data**k
        out.grad = 0.0
        out.label = ""
        out.op = POWK
        out._a = self
        out._b = k
        return out

    def relu(self) -> BareValue:
        out = _new(BareValue)
        x = self.data
        out.data = x if x > 0.0 else 0.0
        out.grad = 0.0
        out.label = ""
        out.op = RELU
        out._a = self
        out._b = None
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
            if node.op <= MUL:
                b = node._b
                if b.op != LEAF and b not in visited:
                    stack.append(b)
            a = node._a
            if a.op != LEAF and a not in visited:
                stack.append(a)
        self.grad = 1.0
        for node in reversed(order):
            op, g, a = node.op, node.grad, node._a
            if op == ADD:
                a.grad += g
                node._b.grad += g
            elif op == MUL:
                b = node._b
                a.grad += g * b.data
                b.grad += g * a.data
            elif op == POWK:
                k = node._b
                a.grad += g * k * a.data ** (k - 1)
            elif node.data > 0.0:  # RELU
                a.grad += g

    def __repr__(self) -> str:
        return f"BareValue(data={self.data}, grad={self.grad})"
