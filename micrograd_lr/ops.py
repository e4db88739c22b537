"""The operation table: every operation of the engine, declared once.

Each row says how to compute the operation (``forward``) and how its output
changes with each of its inputs (``local``, the local derivatives), with a
symbol and formula text for pictures.  ``engine.Value.backward`` multiplies
the local derivatives by the gradient arriving from the right: that is the
chain rule.  ``viz`` writes them on the edges, the expression parser offers the
rows that name a ``function``, and the tests check every row against finite
differences of its own forward rule.

One signature for every row, whatever the number of inputs:

* ``forward(xs, k) -> out``: ``xs`` the input values in order, ``k`` the
  operation's constant (the exponent of ``a ** k``, the label y of the loss,
  the data x of a dot product) or ``None``;
* ``local(xs, out, k) -> (∂out/∂x₁, ∂out/∂x₂, ...)``: one derivative per input.

Each row also has an array form, used by ``tape`` to replay a graph over many
nodes or samples at once: ``array_forward(xs, k)`` and ``array_local(xs, out, k)``
take NumPy arrays where the scalar forms take floats (``xs[i]`` the i-th input
for every node and sample, ``k`` broadcastable to them, for ``dot`` stacked
like ``xs``) and return arrays (local derivatives may be broadcastable rather
than full size).  They do not check domains: a result outside them is NaN or
infinity, which the tape reports.  The tests hold both forms equal.

This module knows nothing about ``Value``; it works on floats and arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Floats = Sequence[float]


@dataclass(frozen=True, slots=True, kw_only=True)
class Op:
    """One row of the table: how to compute an operation and differentiate it.

    ``constant`` names the operation's constant in ``formula`` and ``derivative``
    (``"k"``, ``"y"``), and ``picture`` is how a drawing writes the operation
    with that constant filled in (``"^{k}"``); ``function`` is the name under
    which the expression parser offers a one-input operation (``"exp"``).

    ``expr`` and ``expr_local`` say ``forward`` and ``local`` again in a small
    expression language that both Python and the step-through page (JavaScript)
    evaluate: numbers, ``+ - * /``, brackets, the inputs ``a``, ``b`` (or the list
    ``xs`` and the input's index ``i`` for rows with any number of inputs, whose
    ``expr_local`` is one expression for every input), the constant ``k`` (or its
    name), ``out``, and the functions listed in ``stepper.FUNCTIONS``.  The tests
    hold them equal to ``forward`` and ``local`` for every row.
    """

    name: str
    symbol: str
    formula: str
    derivative: str
    forward: Callable[[Floats, Any], float]
    local: Callable[[Floats, float, Any], Sequence[float]]
    constant: str = ""
    picture: str = ""
    function: str = ""
    array_forward: Callable[[Any, Any], Any] = lambda xs, k: _no_array_form()
    array_local: Callable[[Any, Any, Any], Any] = lambda xs, out, k: _no_array_form()
    expr: str = ""
    expr_local: tuple[str, ...] = ()

    def text(self, constant: Any, fmt: Callable[[float], str] = repr) -> str:
        """The operation as a picture writes it: ``^2`` for ``a ** 2``, else its symbol."""
        if self.picture and isinstance(constant, float):
            return self.picture.format(**{self.constant: fmt(constant)})
        return self.symbol

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.formula}; {self.derivative})"


def _no_array_form() -> Any:
    raise NotImplementedError("this operation has no array form (add array_forward and array_local to its row)")


def _fmt(x: float) -> str:
    return repr(float(x))


# ---------------------------------------------------------------- forward rules
# A domain error is raised here, naming the operation and the operand's value.


def _div(xs: Floats, k: None) -> float:
    x, y = xs
    if y == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({_fmt(x)} / {_fmt(y)})")
    return x / y


def _checked_pow(name: str, x: float, k: float) -> float:
    if x == 0.0 and k < 0.0:
        raise ZeroDivisionError(f"{name}: 0 ** {_fmt(k)} is a division by zero")
    if x < 0.0 and not float(k).is_integer():
        raise ValueError(f"{name}: {_fmt(x)} ** {_fmt(k)} is not real (negative base, non-integer exponent)")
    try:
        return float(x**k)
    except OverflowError:
        raise OverflowError(f"{name}: {_fmt(x)} ** {_fmt(k)} overflows a float") from None


def _pow(xs: Floats, k: None) -> float:
    x, y = xs
    if x <= 0.0:
        raise ValueError(
            f"pow: a Value exponent needs a base > 0 (its derivative uses log(base)), "
            f"got base {_fmt(x)}; use a plain number as exponent for other bases"
        )
    return _checked_pow("pow", x, y)


def _powk(xs: Floats, k: float) -> float:
    return _checked_pow("powk", xs[0], k)


def _exp(xs: Floats, k: None) -> float:
    try:
        return math.exp(xs[0])
    except OverflowError:
        raise OverflowError(f"exp: exp({_fmt(xs[0])}) overflows a float (x > 709.78)") from None


def _log(xs: Floats, k: None) -> float:
    if xs[0] <= 0.0:
        raise ValueError(f"log: operand must be > 0, got {_fmt(xs[0])}")
    return math.log(xs[0])


def sigmoid(x: float) -> float:
    """σ(x) = 1/(1 + e^−x), computed without ever exponentiating a positive number."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(t: float) -> float:
    """log(1 + e^t) = max(t, 0) + log(1 + e^−|t|): finite and accurate for every finite t."""
    return (t if t > 0.0 else 0.0) + math.log1p(math.exp(-abs(t)))


def logistic_loss(z: float, y: float) -> float:
    """L(σ(z), y) = −(y log σ(z) + (1 − y) log(1 − σ(z))), computed from z.

    Since −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), this is
    y·softplus(−z) + (1 − y)·softplus(z): finite for every finite z.
    """
    return y * softplus(-z) + (1.0 - y) * softplus(z)


def _d_pow(xs: Floats, out: float, k: None) -> tuple[float, float]:
    x, y = xs
    return y * out / x, out * math.log(x)


def _d_powk(xs: Floats, out: float, k: float) -> tuple[float]:
    x = xs[0]
    if k == 0.0:
        return (0.0,)
    if x == 0.0 and k < 1.0:
        raise ZeroDivisionError(f"powk: the derivative of x ** {_fmt(k)} is infinite at x = 0.0")
    try:
        return (k * x ** (k - 1.0),)
    except OverflowError:
        raise OverflowError(f"powk: the derivative k·x^(k−1) of x ** {_fmt(k)} overflows at x = {_fmt(x)}") from None


def _d_log(xs: Floats, out: float, k: None) -> tuple[float]:
    d = 1.0 / xs[0]
    if d == math.inf:
        raise OverflowError(f"log: the derivative 1/x overflows at x = {_fmt(xs[0])}")
    return (d,)


def _dot(xs: Floats, k: Floats | None) -> float:
    """w₁x₁ + … + wₙxₙ, correctly rounded.  Without k, xs holds w then x; with k, xs is w and k is x."""
    if k is None:
        n = len(xs) // 2
        return math.fsum(w * x for w, x in zip(xs[:n], xs[n:]))
    return math.fsum(w * x for w, x in zip(xs, k))


def _d_dot(xs: Floats, out: float, k: Floats | None) -> Floats:
    if k is not None:
        return k  # ∂z/∂wᵢ = xᵢ
    n = len(xs) // 2
    return (*xs[n:], *xs[:n])  # ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ


# ------------------------------------------------------------------ array forms
# The same rules over NumPy arrays (no domain checks: the tape checks results).


def _array_sigmoid(x: Any) -> Any:
    e = np.exp(-np.abs(x))  # never exponentiates a positive number
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _array_softplus(t: Any) -> Any:
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def _same(k: Any) -> Any:
    """k as one number when every node of a group has the same one (NumPy's power is faster by a number)."""
    if isinstance(k, np.ndarray) and k.size and (k == k.flat[0]).all():
        return float(k.flat[0])
    return k


def _array_powk(xs: Any, k: Any) -> Any:
    return xs[0] ** _same(k)


def _array_powk_local(xs: Any, out: Any, k: Any) -> tuple[Any]:
    k = _same(k)
    if isinstance(k, float):
        return (np.zeros_like(xs[0]) if k == 0.0 else k * xs[0] ** (k - 1.0),)
    return (np.where(k == 0.0, 0.0, k * xs[0] ** (k - 1.0)),)


def _array_dot(xs: Any, k: Any) -> Any:
    if k is None:
        n = len(xs) // 2
        return np.sum(np.multiply(xs[:n], xs[n:]), axis=0)
    return np.sum(np.multiply(xs, k), axis=0)


def _array_dot_local(xs: Any, out: Any, k: Any) -> Any:
    if k is not None:
        return k
    n = len(xs) // 2
    return np.concatenate((xs[n:], xs[:n]))  # ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ


# ------------------------------------------------------------------ the table
# Inputs are called a, b (or aᵢ) in the formulas; derivative texts are checked
# against the code by the tests.

ADD = Op(
    name="add",
    symbol="+",
    formula="a + b",
    derivative="∂/∂a = 1, ∂/∂b = 1",
    forward=lambda xs, k: xs[0] + xs[1],
    local=lambda xs, out, k: (1.0, 1.0),
    array_forward=lambda xs, k: xs[0] + xs[1],
    array_local=lambda xs, out, k: (1.0, 1.0),
    expr="a + b",
    expr_local=("1", "1"),
)
SUB = Op(
    name="sub",
    symbol="−",
    formula="a − b",
    derivative="∂/∂a = 1, ∂/∂b = −1",
    forward=lambda xs, k: xs[0] - xs[1],
    local=lambda xs, out, k: (1.0, -1.0),
    array_forward=lambda xs, k: xs[0] - xs[1],
    array_local=lambda xs, out, k: (1.0, -1.0),
    expr="a - b",
    expr_local=("1", "-1"),
)
MUL = Op(
    name="mul",
    symbol="×",
    formula="a · b",
    derivative="∂/∂a = b, ∂/∂b = a",
    forward=lambda xs, k: xs[0] * xs[1],
    local=lambda xs, out, k: (xs[1], xs[0]),
    array_forward=lambda xs, k: xs[0] * xs[1],
    array_local=lambda xs, out, k: (xs[1], xs[0]),
    expr="a * b",
    expr_local=("b", "a"),
)
DIV = Op(
    name="div",
    symbol="÷",
    formula="a / b",
    derivative="∂/∂a = 1/b, ∂/∂b = −a/b²",
    forward=_div,
    local=lambda xs, out, k: (1.0 / xs[1], -out / xs[1]),
    array_forward=lambda xs, k: xs[0] / xs[1],
    array_local=lambda xs, out, k: (1.0 / xs[1], -out / xs[1]),
    expr="a / b",
    expr_local=("1 / b", "-out / b"),
)
POW = Op(
    name="pow",
    symbol="^",
    formula="a ** b",
    derivative="∂/∂a = b·a^(b−1), ∂/∂b = a^b·ln(a)",
    forward=_pow,
    local=_d_pow,
    array_forward=lambda xs, k: xs[0] ** xs[1],
    array_local=lambda xs, out, k: (xs[1] * out / xs[0], out * np.log(xs[0])),
    expr="pow(a, b)",
    expr_local=("b * out / a", "out * log(a)"),
)
NEG = Op(
    name="neg",
    symbol="−",
    formula="−a",
    derivative="∂/∂a = −1",
    forward=lambda xs, k: -xs[0],
    local=lambda xs, out, k: (-1.0,),
    array_forward=lambda xs, k: -xs[0],
    array_local=lambda xs, out, k: (-1.0,),
    expr="-a",
    expr_local=("-1",),
)
POWK = Op(
    name="powk",
    symbol="^k",
    formula="a ** k",
    derivative="∂/∂a = k·a^(k−1)",
    forward=_powk,
    local=_d_powk,
    array_forward=_array_powk,
    array_local=_array_powk_local,
    constant="k",
    picture="^{k}",
    expr="pow(a, k)",
    expr_local=("k * pow(a, k - 1)",),
)
EXP = Op(
    name="exp",
    symbol="exp",
    formula="exp(a)",
    derivative="∂/∂a = exp(a)",
    forward=_exp,
    local=lambda xs, out, k: (out,),
    array_forward=lambda xs, k: np.exp(xs[0]),
    array_local=lambda xs, out, k: (out,),
    function="exp",
    expr="exp(a)",
    expr_local=("out",),
)
LOG = Op(
    name="log",
    symbol="log",
    formula="log(a)",
    derivative="∂/∂a = 1/a",
    forward=_log,
    local=_d_log,
    array_forward=lambda xs, k: np.log(xs[0]),
    array_local=lambda xs, out, k: (1.0 / xs[0],),
    function="log",
    expr="log(a)",
    expr_local=("1 / a",),
)
TANH = Op(
    name="tanh",
    symbol="tanh",
    formula="tanh(a)",
    derivative="∂/∂a = 1 − tanh²(a)",
    forward=lambda xs, k: math.tanh(xs[0]),
    local=lambda xs, out, k: (1.0 - out * out,),
    array_forward=lambda xs, k: np.tanh(xs[0]),
    array_local=lambda xs, out, k: (1.0 - out * out,),
    function="tanh",
    expr="tanh(a)",
    expr_local=("1 - out * out",),
)
SIGMOID = Op(
    name="sigmoid",
    symbol="σ",
    formula="σ(a) = 1/(1 + e^−a)",
    derivative="∂/∂a = σ(a)(1 − σ(a))",
    forward=lambda xs, k: sigmoid(xs[0]),
    local=lambda xs, out, k: (out * (1.0 - out),),
    array_forward=lambda xs, k: _array_sigmoid(xs[0]),
    array_local=lambda xs, out, k: (out * (1.0 - out),),
    function="sigmoid",
    expr="sigmoid(a)",
    expr_local=("out * (1 - out)",),
)
RELU = Op(
    name="relu",
    symbol="ReLU",
    formula="max(0, a)",
    derivative="∂/∂a = 1 if a > 0 else 0",
    forward=lambda xs, k: xs[0] if xs[0] > 0.0 else 0.0,
    local=lambda xs, out, k: (1.0 if xs[0] > 0.0 else 0.0,),
    array_forward=lambda xs, k: np.where(xs[0] > 0.0, xs[0], 0.0),
    array_local=lambda xs, out, k: (np.where(xs[0] > 0.0, 1.0, 0.0),),
    function="relu",
    expr="max(0, a)",
    expr_local=("step(a)",),
)
XENT = Op(
    name="xent",
    symbol="L",
    formula="L(σ(a), y) = y·softplus(−a) + (1 − y)·softplus(a)",
    derivative="∂/∂a = σ(a) − y  (the text's dz = a − y)",
    forward=lambda xs, y: logistic_loss(xs[0], y),
    local=lambda xs, out, y: (sigmoid(xs[0]) - y,),  # as the text and the vectorized path compute it
    array_forward=lambda xs, y: y * _array_softplus(-xs[0]) + (1.0 - y) * _array_softplus(xs[0]),
    array_local=lambda xs, out, y: (_array_sigmoid(xs[0]) - y,),
    constant="y",
    picture="L (y={y})",
    expr="y * softplus(-a) + (1 - y) * softplus(a)",
    expr_local=("sigmoid(a) - y",),
)
SUM = Op(
    name="sum",
    symbol="Σ",
    formula="a₁ + … + aₙ",
    derivative="∂/∂aᵢ = 1",
    forward=lambda xs, k: math.fsum(xs),
    local=lambda xs, out, k: (1.0,) * len(xs),
    array_forward=lambda xs, k: np.sum(xs, axis=0),
    array_local=lambda xs, out, k: np.ones(np.shape(xs)),
    expr="sum(xs)",
    expr_local=("1",),
)
DOT = Op(
    name="dot",
    symbol="·",
    formula="w₁x₁ + … + wₙxₙ",
    derivative="∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ",
    forward=_dot,
    local=_d_dot,
    array_forward=_array_dot,
    array_local=_array_dot_local,
    constant="x",
    expr="dot(xs, k)",
    expr_local=("partner(xs, k, i)",),
)

TABLE: dict[str, Op] = {
    op.name: op for op in (ADD, SUB, MUL, DIV, POW, NEG, POWK, EXP, LOG, TANH, SIGMOID, RELU, XENT, SUM, DOT)
}
"""Every operation by name."""

FUNCTIONS: dict[str, Op] = {op.function: op for op in TABLE.values() if op.function}
"""The one-input operations offered by name to the expression parser: exp, log, tanh, sigmoid, relu."""
