"""The scalar autograd engine: a computation graph of ``Value`` nodes.

Every operation on a ``Value`` computes its result left to right and records a
new node that remembers the operation and the nodes it came from.
``backward()`` then walks the graph right to left and applies the chain rule,
using the local derivatives declared once in ``ops.TABLE``.

The text's example, J = 3(a + bc)::

    >>> a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    >>> J = 3 * (a + b * c)
    >>> J.backward()
    >>> J.data, a.grad, b.grad, c.grad
    (33.0, 3.0, 6.0, 9.0)

Numbers: every ``Value`` holds a finite float.  NaN or infinity given to
``Value(...)`` is a ``ValueError``; an operation whose result would be
infinite or not real raises (``OverflowError``, ``ValueError`` or
``ZeroDivisionError``) naming the operation and its operands, so no NaN ever
enters a graph or a gradient silently.

Gradients: ``backward()`` adds into the gradients of leaves (nodes no
operation made, such as parameters), so gradients of several backward passes
sum, as in PyTorch; the gradients of intermediate nodes are recomputed from
zero on every call.  ``zero_grad()`` clears every gradient of a graph.
"""

from __future__ import annotations

import gc
import math
import numbers
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Union

from . import ops
from .ops import Op

Number = Union[int, float]
Operand = Union["Value", int, float]


class Value:
    """One number in a computation graph, with the gradient of the output w.r.t. it.

    ``data``      the number
    ``grad``      ∂output/∂this, after ``backward()``
    ``label``     a name for pictures ("" if none)
    ``op``        the ``ops.Op`` that made this node, ``None`` for a leaf
    ``parents``   the inputs of that operation, in order; ``()`` for a leaf
    ``constant``  the operation's constant: the exponent k of ``a ** k``, the label y
                  of ``logistic_loss(y)``, the numbers x of ``dot(w, x)``; for a leaf
                  made from a plain number inside an operation (the 2 of ``2 * a``),
                  that number; otherwise ``None``
    """

    # One slotted object per node (no per-node dict), plus its tuple of parents.
    __slots__ = ("data", "grad", "label", "op", "parents", "constant")

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r:.80}")
        self.data = _number(data, "data")
        self.grad = 0.0
        self.label = label
        self.op: Op | None = None
        self.parents: tuple[Value, ...] = ()
        self.constant: Any = None

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # ------------------------------------------------------------ operations, left to right
    # Each one computes its result and records it in the graph (see _apply below).

    def __add__(self, other: Operand) -> Value:
        return _apply(ops.ADD, self, _as_value(other, "right operand of add"))

    def __radd__(self, other: Operand) -> Value:
        return _apply(ops.ADD, _as_value(other, "left operand of add"), self)

    def __sub__(self, other: Operand) -> Value:
        return _apply(ops.SUB, self, _as_value(other, "right operand of sub"))

    def __rsub__(self, other: Operand) -> Value:
        return _apply(ops.SUB, _as_value(other, "left operand of sub"), self)

    def __mul__(self, other: Operand) -> Value:
        return _apply(ops.MUL, self, _as_value(other, "right operand of mul"))

    def __rmul__(self, other: Operand) -> Value:
        return _apply(ops.MUL, _as_value(other, "left operand of mul"), self)

    def __truediv__(self, other: Operand) -> Value:
        return _apply(ops.DIV, self, _as_value(other, "right operand of div"))

    def __rtruediv__(self, other: Operand) -> Value:
        return _apply(ops.DIV, _as_value(other, "left operand of div"), self)

    def __pow__(self, other: Operand) -> Value:
        """a ** b with a Value exponent (op pow); a ** k with a plain number k (op powk)."""
        if isinstance(other, Value):
            return _apply(ops.POW, self, other)
        return _apply(ops.POWK, self, constant=_number(other, "exponent"))

    def __rpow__(self, other: Operand) -> Value:
        return _apply(ops.POW, _as_value(other, "left operand of pow"), self)

    def __neg__(self) -> Value:
        return _apply(ops.NEG, self)

    def exp(self) -> Value:
        return _apply(ops.EXP, self)

    def log(self) -> Value:
        return _apply(ops.LOG, self)

    def tanh(self) -> Value:
        return _apply(ops.TANH, self)

    def sigmoid(self) -> Value:
        return _apply(ops.SIGMOID, self)

    def relu(self) -> Value:
        return _apply(ops.RELU, self)

    def logistic_loss(self, y: Number) -> Value:
        """The cross-entropy loss L(a, y) = −(y log a + (1 − y) log(1 − a)) of a = σ(z), from z = self.

        One node whose local derivative is the text's dz = a − y.  Finite for every
        finite z, even where σ(z) rounds to 0 or 1 and the literal form would take log 0.
        """
        t = _number(y, "y")
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"y must be a label in [0, 1] (0 or 1 in the text), got {t!r}")
        return _apply(ops.XENT, self, constant=t)

    # ------------------------------------------------------------ backward, right to left

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, at the current values (from ``ops.TABLE``)."""
        if self.op is None:
            return ()
        inputs = [parent.data for parent in self.parents]
        return tuple(self.op.local(inputs, self.data, self.constant))

    def _backward(self) -> None:
        """One step of the chain rule: add ∂out/∂self · ∂self/∂p into the gradient of each parent p."""
        for parent, d in zip(self.parents, self.local_grads()):
            parent.grad += self.grad * d
            if not math.isfinite(parent.grad):
                raise _gradient_error(self, parent, d)

    def backward(self) -> None:
        """Backpropagate from this node: fill ``grad`` of every node it depends on.

        Walks the nodes operations made right to left (reverse topological order)
        and takes one step of the chain rule at each.  Intermediate gradients
        start from zero; leaf gradients accumulate across calls.  If a step fails
        (a gradient that overflows, a derivative that is infinite), it raises and
        every leaf keeps the gradient it had before the call.
        """
        order = topological_order(self)
        steps = [node for node in order if node.op is not None]
        leaf_grads = [(node, node.grad) for node in order if node.op is None]
        for node in steps:
            node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self = 1 (a leaf's gradient accumulates too)
        try:
            for node in reversed(steps):
                node._backward()
        except Exception:
            for leaf, grad in leaf_grads:  # no half-updated leaf gradient is left behind
                leaf.grad = grad
            raise

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    # ------------------------------------------------------------ micrograd's names
    # micrograd's Value keeps its inputs in `_prev` (a set) and its operation in `_op` (a string).

    @property
    def _prev(self) -> set[Value]:
        return set(self.parents)

    @property
    def _op(self) -> str:
        return "" if self.op is None else self.op.symbol


def _apply(op: Op, *parents: Value, constant: Any = None) -> Value:
    """Compute ``op`` on the parents' values (the forward pass) and record the result node."""
    data = op.forward([parent.data for parent in parents], constant)
    if not math.isfinite(data):  # never let inf or nan into a graph
        raise OverflowError(f"{op.name}: the result is not a finite number ({data!r})")
    out = Value(data)
    if is_grad_enabled():
        out.op, out.parents, out.constant = op, parents, constant
    return out


def _as_value(x: Operand, what: str) -> Value:
    """``x`` itself if it is a Value; a plain number becomes a constant leaf (named ``what`` in errors)."""
    if isinstance(x, Value):
        return x
    leaf = Value(_number(x, what))
    leaf.constant = leaf.data
    return leaf


def _number(data: object, what: str) -> float:
    """``data`` as a finite float, or a clear TypeError/ValueError naming ``what``."""
    if isinstance(data, bool) or not isinstance(data, (float, int, numbers.Real)):  # Fraction, NumPy reals too
        hint = " (use Value.data to get the number)" if isinstance(data, Value) else ""
        raise TypeError(f"{what} must be a real number (int or float), got {type(data).__name__}: {data!r:.80}{hint}")
    try:
        x = float(data)
    except OverflowError:
        raise ValueError(f"{what} must be finite, got an int too large for a float (beyond ±1.8e308)") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


def vsum(values: Iterable[Operand]) -> Value:
    """One n-ary sum node: a₁ + … + aₙ (plain numbers become constant leaves)."""
    inputs = [x if isinstance(x, Value) else _as_value(x, f"input {i} of sum") for i, x in enumerate(values)]
    if not inputs:
        return Value(0.0)
    return _apply(ops.SUM, *inputs)


def dot(w: Sequence[Operand], x: Sequence[Operand]) -> Value:
    """One dot-product node: w₁x₁ + … + wₙxₙ, the heart of z = wᵀx + b.

    If every xᵢ is a plain number (data), they are kept as the node's constant
    and only w becomes parents; otherwise both sides are parents.
    """
    if len(w) != len(x):
        raise ValueError(f"dot: w and x must have equal length, got len(w)={len(w)} and len(x)={len(x)}")
    ws = [wi if isinstance(wi, Value) else _as_value(wi, f"w[{i}] of dot") for i, wi in enumerate(w)]
    if any(isinstance(xi, Value) for xi in x):
        xs = [xi if isinstance(xi, Value) else _as_value(xi, f"x[{i}] of dot") for i, xi in enumerate(x)]
        return _apply(ops.DOT, *ws, *xs)
    return _apply(ops.DOT, *ws, constant=tuple(_number(xi, "x") for xi in x))


# ---------------------------------------------------------------- the order of the graph


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs before outputs: the order the forward pass ran.

    Iterative depth-first search (no recursion), so a graph a million nodes deep
    is fine.  ``backward()`` walks the nodes operations made in the reverse of this order.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Any] = [root]  # Values to visit, and None: "the inputs of the Value under me are placed"
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            stack += [node, None, *reversed(node.parents)]  # its inputs first, then the node itself
    return order


# ---------------------------------------------------------------- errors of backward()


def _gradient_error(node: Value, parent: Value, d: float) -> FloatingPointError:
    """The error of a chain-rule step whose result is not a finite number, naming where it happened."""
    assert node.op is not None
    out, inp = _short(node), _short(parent)
    return FloatingPointError(
        f"backward: the gradient of {_describe(parent)} became {parent.grad!r} in the step through "
        f"{_describe(node)} (value {node.data!r}): ∂out/∂{out} = {node.grad!r} times "
        f"∂{out}/∂{inp} = {d!r} ({node.op.name}: {node.op.derivative}). "
        "Every leaf keeps the gradient it had before this backward()."
    )


def _short(node: Value) -> str:
    return node.label or (node.op.name if node.op is not None else repr(node.data))


def _describe(node: Value) -> str:
    if node.label:
        return repr(node.label)
    return f"the {node.op.name} node" if node.op is not None else f"the leaf {node.data!r}"


# ---------------------------------------------------------------- switches


class _ThreadState(threading.local):
    no_grad_depth = 0  # how many no_grad() blocks this thread has open


_state = _ThreadState()


@contextmanager
def no_grad() -> Iterator[None]:
    """Record no graph inside the block (for prediction and parameter updates).

    Results made inside are leaves: they hold a value but remember no parents.
    The setting is per thread and is restored on exit, also on exceptions.
    """
    _state.no_grad_depth += 1
    try:
        yield
    finally:
        _state.no_grad_depth -= 1


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` in this thread."""
    return _state.no_grad_depth == 0


_gc_lock = threading.Lock()
_gc_pausers = 0  # how many gc_paused() blocks are open, in any thread
_gc_was_enabled = False  # the collector's state when the first of them opened


@contextmanager
def gc_paused() -> Iterator[None]:
    """Opt in to pausing Python's cyclic garbage collector while a big graph is built.

    A graph is acyclic: reference counting alone frees it, so the collector
    only costs time here (it rescans every live node as the graph grows).  The
    collector's previous state is restored when the last open block exits, in
    whichever thread, also on exceptions.  Cycles made elsewhere meanwhile are
    collected after the block.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
