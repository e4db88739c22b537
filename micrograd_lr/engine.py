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
import numbers
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from threading import get_ident
from typing import Any, Union

from . import ops
from .ops import BINARY, UNARY, Op

Number = Union[int, float]
Operand = Union["Value", int, float]

_get_data = attrgetter("data")


# Threads inside no_grad(), by ident, with their nesting depth.  Empty in the
# common case, so an operation checks it with one truth test.
_no_grad_threads: dict[int, int] = {}
_no_grad_lock = threading.Lock()


@contextmanager
def no_grad() -> Iterator[None]:
    """Record no graph inside the block (for prediction and parameter updates).

    Results made inside are leaves: they hold a value but remember no parents.
    The setting is per thread and is restored on exit, also on exceptions.
    """
    me = get_ident()
    with _no_grad_lock:
        _no_grad_threads[me] = _no_grad_threads.get(me, 0) + 1
    try:
        yield
    finally:
        with _no_grad_lock:
            depth = _no_grad_threads.pop(me) - 1
            if depth:
                _no_grad_threads[me] = depth


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` in this thread."""
    return get_ident() not in _no_grad_threads


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


def _number(data: object, what: str) -> float:
    """``data`` as a finite float, or a clear TypeError/ValueError naming ``what``."""
    if type(data) is float:
        x = data
    elif isinstance(data, numbers.Real):  # int, bool, Fraction, NumPy real scalars
        x = float(data)
    else:
        hint = " (use Value.data to get the number)" if isinstance(data, Value) else ""
        raise TypeError(f"{what} must be a real number (int or float), got {type(data).__name__}: {data!r:.80}{hint}")
    if x - x != 0.0:
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


_new = object.__new__


def _node(op: Op, data: float, a: Any, b: Any) -> Value:
    """The result node of ``op``: remembers op and inputs, unless inside ``no_grad``."""
    if data - data != 0.0:  # inf or nan: never let it into a graph
        raise OverflowError(f"{op.name}: the result is not a finite number ({data!r})")
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _no_grad_threads and get_ident() in _no_grad_threads:
        out.op = out._a = out._b = None
    else:
        out.op = op
        out._a = a
        out._b = b
    return out


def _variadic_local(op: Op, inputs: tuple[Value, ...], out: float, k: Any) -> Sequence[float]:
    """∂out/∂input for each input of a variadic node, from the table."""
    if op is ops.DOT and k is not None:
        return k  # a dot product with data x: ∂z/∂wᵢ = xᵢ, no need to read the inputs
    return op.local(list(map(_get_data, inputs)), out, k)


def _operand(x: Any, op: Op, side: str) -> Value:
    if isinstance(x, Value):
        return x
    return Value(_number(x, f"{side} operand of {op.name}"))


def _binary_method(op: Op, *, reflected: bool = False) -> Callable[[Value, Operand], Value]:
    """The method computing ``self <op> other`` (reflected: ``other <op> self``) from its table row."""
    forward = op.forward
    if reflected:

        def method(self: Value, other: Operand) -> Value:
            left = _operand(other, op, "left")
            return _node(op, forward(left.data, self.data), left, self)

    else:

        def method(self: Value, other: Operand) -> Value:
            if type(other) is not Value:
                other = _operand(other, op, "right")
            return _node(op, forward(self.data, other.data), self, other)

    method.__doc__ = f"{op.formula}  ({op.derivative})"
    return method


def _unary_method(op: Op) -> Callable[[Value], Value]:
    """The method computing ``op(self)`` from its table row."""
    forward = op.forward

    def method(self: Value) -> Value:
        return _node(op, forward(self.data), self, None)

    method.__doc__ = f"{op.formula}  ({op.derivative})"
    return method


class Value:
    """One number in a computation graph, with the gradient of the output w.r.t. it.

    Attributes users read: ``data`` (the value), ``grad`` (∂output/∂this after
    ``backward()``), ``label`` (a name for pictures), ``op`` (the ``ops.Op``
    that made it, ``None`` for a leaf) and ``parents`` (its inputs, in order).
    """

    # One slotted object per node: no per-node dict, tuple or closure, so a
    # node costs little memory and is freed by reference counting alone.
    # _a, _b: the first and second input of a binary op.  A unary op keeps its
    # input in _a and its constant, if any (the exponent of powk, the label y
    # of the loss), in _b; a variadic op keeps the tuple of its inputs in _a and
    # its constants, if any (the numbers x of a dot product with data), in _b.
    __slots__ = ("data", "grad", "label", "op", "_a", "_b")

    data: float
    grad: float
    label: str
    op: Op | None
    _a: Any  # Value, or tuple[Value, ...] for a variadic op, or None
    _b: Any  # Value, or the op's constant, or None

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float or data - data != 0.0:
            data = _number(data, "data")
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r:.80}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = self._a = self._b = None

    # ------------------------------------------------------------ graph facts

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the operation that made this node, in order; () for a leaf."""
        op = self.op
        if op is None:
            return ()
        if op.arity == UNARY:
            return (self._a,)
        if op.arity == BINARY:
            return (self._a, self._b)
        return self._a

    @property
    def constant(self) -> Any:
        """The constant of the operation that made this node, if it has one, else None.

        The exponent k of ``a ** k``, the label y of ``logistic_loss(y)``, the data
        x of a dot product with plain numbers.
        """
        op = self.op
        return None if op is None or op.arity == BINARY else self._b

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, at the current values (from ``ops.TABLE``)."""
        op = self.op
        if op is None:
            return ()
        a = self._a
        if op.arity == UNARY:
            return (op.local(a.data, self.data, self._b),)
        if op.arity == BINARY:
            return tuple(op.local(a.data, self._b.data, self.data))
        return tuple(_variadic_local(op, a, self.data, self._b))

    # micrograd compatibility: its Value keeps `_prev` (a set) and `_op` (a string).
    @property
    def _prev(self) -> set[Value]:
        return set(self.parents)

    @property
    def _op(self) -> str:
        return "" if self.op is None else self.op.symbol

    def _backward(self) -> None:
        """One step of the chain rule: add self.grad · ∂self/∂p into each parent p."""
        g = self.grad
        for p, d in zip(self.parents, self.local_grads()):
            p.grad += g * d

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # ------------------------------------------------------------ operations
    # Each method is made from its row of ops.TABLE (see _binary_method below).

    __add__ = _binary_method(ops.ADD)
    __radd__ = _binary_method(ops.ADD, reflected=True)
    __sub__ = _binary_method(ops.SUB)
    __rsub__ = _binary_method(ops.SUB, reflected=True)
    __mul__ = _binary_method(ops.MUL)
    __rmul__ = _binary_method(ops.MUL, reflected=True)
    __truediv__ = _binary_method(ops.DIV)
    __rtruediv__ = _binary_method(ops.DIV, reflected=True)
    __rpow__ = _binary_method(ops.POW, reflected=True)
    __neg__ = _unary_method(ops.NEG)
    exp = _unary_method(ops.EXP)
    log = _unary_method(ops.LOG)
    tanh = _unary_method(ops.TANH)
    sigmoid = _unary_method(ops.SIGMOID)
    relu = _unary_method(ops.RELU)

    def __pow__(self, other: Operand) -> Value:
        """a ** b: with a Value exponent, op pow; with a number k, op powk (a ** k)."""
        if isinstance(other, Value):
            return _node(ops.POW, ops.POW.forward(self.data, other.data), self, other)
        k = _number(other, "exponent")
        return _node(ops.POWK, ops.POWK.forward(self.data, k), self, k)

    def logistic_loss(self, y: Number) -> Value:
        """The cross-entropy loss of logistic regression, computed stably from z = self.

        L(a, y) = −(y log a + (1 − y) log(1 − a)) with a = σ(z), as one node whose
        local derivative is the text's dz = a − y.  Finite for every finite z, even
        where σ(z) rounds to 0 or 1 and the literal form would take log(0).
        """
        t = _number(y, "y")
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"y must be a label in [0, 1] (0 or 1 in the text), got {t!r}")
        return _node(ops.XENT, ops.XENT.forward(self.data, t), self, t)

    # ------------------------------------------------------------ backward

    def backward(self) -> None:
        """Backpropagate from this node: fill ``grad`` of every node it depends on.

        Walks the graph right to left (reverse topological order) applying the
        chain rule with the local derivatives of ``ops.TABLE``.  Intermediate
        gradients start from zero; leaf gradients accumulate across calls.
        """
        if self.op is None:  # a leaf: ∂self/∂self = 1, and nothing to its left
            self.grad += 1.0
            return
        # Only the nodes operations made take a step of the chain rule; leaves just receive.
        order = _topological_order(self, leaves=False, zero_grads=True)
        self.grad = 1.0
        for node in reversed(order):
            op: Op = node.op  # type: ignore[assignment]  # never None: the order holds no leaves
            g = node.grad
            a = node._a
            if op.arity == BINARY:
                b = node._b
                da, db = op.local(a.data, b.data, node.data)
                a.grad += g * da
                b.grad += g * db
            elif op.arity == UNARY:
                a.grad += g * op.local(a.data, node.data, node._b)
            else:
                for p, d in zip(a, _variadic_local(op, a, node.data, node._b)):
                    p.grad += g * d

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0


def _as_value(x: Operand) -> Value:
    return x if isinstance(x, Value) else Value(x)


def vsum(values: Iterable[Operand]) -> Value:
    """One n-ary sum node: a₁ + … + aₙ (plain numbers become constant leaves)."""
    parents = tuple(map(_as_value, values))
    if not parents:
        return Value(0.0)
    return _node(ops.SUM, ops.SUM.forward(list(map(_get_data, parents))), parents, None)


_VALUE_ONLY = frozenset({Value})
_FLOAT_ONLY = frozenset({float})


def _all_finite(xs: Sequence[Any]) -> bool:
    """True if the floats xs are surely all finite: their sum is (a NaN or an infinity would make it
    NaN or infinite; a sum that overflows only sends finite numbers down the checked path)."""
    total = sum(xs, 0.0)
    return total - total == 0.0


def dot(w: Sequence[Operand], x: Sequence[Operand]) -> Value:
    """One dot-product node: w₁x₁ + … + wₙxₙ, the heart of z = wᵀx + b.

    If every xᵢ is a plain number (data), they are kept as the node's constants
    and only w becomes parents; otherwise both sides are parents.
    """
    if len(w) != len(x):
        raise ValueError(f"dot: w and x must have equal length, got len(w)={len(w)} and len(x)={len(x)}")
    ws = tuple(w) if set(map(type, w)) <= _VALUE_ONLY else tuple(map(_as_value, w))
    if set(map(type, x)) <= _FLOAT_ONLY and _all_finite(x):
        # fast path: x is plain floats (a column of X from ndarray.tolist()), checked at C speed
        k = tuple(x)
        return _node(ops.DOT, ops.DOT.forward(list(map(_get_data, ws)), k), ws, k)
    if not any(isinstance(xi, Value) for xi in x):
        k = tuple(_number(xi, f"x[{i}]") for i, xi in enumerate(x))
        return _node(ops.DOT, ops.DOT.forward(list(map(_get_data, ws)), k), ws, k)
    parents = ws + tuple(map(_as_value, x))
    return _node(ops.DOT, ops.DOT.forward(list(map(_get_data, parents))), parents, None)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs before outputs: the order the forward pass ran.

    Iterative depth-first search (no recursion), so a graph a million nodes deep
    is fine.  ``backward()`` walks this list in reverse.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    return _topological_order(root, leaves=True, zero_grads=False)


def _topological_order(root: Value, *, leaves: bool, zero_grads: bool) -> list[Value]:
    """Depth-first, inputs before outputs.  leaves: include the leaves (backward() needs only the
    nodes operations made, a third fewer in an MLP); zero_grads: set grad = 0 on each node placed."""
    order: list[Value] = []
    place = order.append
    visited: set[Value] = set()
    visit = visited.add
    stack: list[Any] = [root]  # nodes to visit; None marks "inputs of the node below are placed"
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is None:
            node = pop()
            if zero_grads:
                node.grad = 0.0
            place(node)
            continue
        if node in visited:
            continue
        visit(node)
        op = node.op
        if op is None:  # a leaf has no inputs: place it now
            place(node)
            continue
        push(node)
        push(None)
        arity = op.arity
        if arity == BINARY:
            b = node._b
            if (leaves or b.op is not None) and b not in visited:
                push(b)
            a = node._a
            if (leaves or a.op is not None) and a not in visited:
                push(a)
        elif arity == UNARY:
            a = node._a
            if (leaves or a.op is not None) and a not in visited:
                push(a)
        else:
            stack.extend([p for p in reversed(node._a) if (leaves or p.op is not None) and p not in visited])
    return order
