"""The operation table: every operation of the engine, declared once.

Each entry holds the forward rule, the local derivative of the output with
respect to each input, a symbol for pictures and a short formula text.
``engine.Value.backward`` multiplies these local derivatives by the gradient
arriving from the right (the chain rule); ``viz`` writes them on the edges.

Local-derivative signatures, by arity:

* unary:    ``local(x, out, k) -> float``           (k: the op's constant, e.g. an exponent)
* binary:   ``local(x, y, out) -> (d/dx, d/dy)``
* variadic: ``local(xs, out, k) -> sequence``       (one entry per input)

This module knows nothing about ``Value``; it works on plain floats.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

UNARY = 1
BINARY = 2
VARIADIC = -1


@dataclass(frozen=True, slots=True)
class Op:
    """One row of the table: how to compute an operation and differentiate it."""

    name: str
    symbol: str
    arity: int
    formula: str
    derivative: str
    forward: Callable[..., float]
    local: Callable[..., Any]

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.formula}; {self.derivative})"


def _fmt(x: float) -> str:
    return repr(float(x))


# ---------------------------------------------------------------- forward rules
# Domain errors are raised here, naming the operation and the operand's value.


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"div: division by zero ({_fmt(x)} / {_fmt(y)})")
    return x / y


def _pow(x: float, y: float) -> float:
    if x <= 0.0:
        raise ValueError(
            f"pow: a Value exponent needs a base > 0 (its derivative uses log(base)), "
            f"got base {_fmt(x)}; use a plain number as exponent for other bases"
        )
    return _checked_pow("pow", x, y)


def _checked_pow(name: str, x: float, k: float) -> float:
    if x == 0.0 and k < 0.0:
        raise ZeroDivisionError(f"{name}: 0 ** {_fmt(k)} is a division by zero")
    if x < 0.0 and not float(k).is_integer():
        raise ValueError(f"{name}: {_fmt(x)} ** {_fmt(k)} is not real (negative base, non-integer exponent)")
    try:
        return float(x**k)
    except OverflowError:
        raise OverflowError(f"{name}: {_fmt(x)} ** {_fmt(k)} overflows a float") from None


def _powk(x: float, k: float) -> float:
    return _checked_pow("powk", x, k)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({_fmt(x)}) overflows a float (x > 709.78)") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: operand must be > 0, got {_fmt(x)}")
    return math.log(x)


def _sigmoid(x: float) -> float:
    # Never exponentiates a positive number, so it cannot overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(t: float) -> float:
    # log(1 + e^t) = max(t, 0) + log(1 + e^−|t|): finite and accurate for every finite t.
    return (t if t > 0.0 else 0.0) + math.log1p(math.exp(-abs(t)))


def _logistic_loss(z: float, y: float) -> float:
    # L(σ(z), y) = −(y log σ(z) + (1 − y) log(1 − σ(z))) = y·softplus(−z) + (1 − y)·softplus(z),
    # since −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z).  (softplus(z) − y·z is the
    # same number, but cancels catastrophically for y = 1 and large z.)
    return y * _softplus(-z) + (1.0 - y) * _softplus(z)


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


def _sum(xs: Sequence[float], k: object = None) -> float:
    return math.fsum(xs)


def _dot(xs: Sequence[float], k: Sequence[float] | None = None) -> float:
    # w·x as the text writes it: w1x1 + ... + wnxn, correctly rounded.  With k,
    # the second factor is a sequence of plain numbers (data, not parameters).
    if k is None:
        n = len(xs) // 2
        return math.fsum(map(operator.mul, xs[:n], xs[n:]))
    return math.fsum(map(operator.mul, xs, k))


# ---------------------------------------------------------- local derivatives


def _d_pow(x: float, y: float, out: float) -> tuple[float, float]:
    return y * out / x, out * math.log(x)


def _d_powk(x: float, out: float, k: float) -> float:
    if k == 0.0:
        return 0.0
    if x == 0.0 and k < 1.0:
        raise ZeroDivisionError(f"powk: the derivative of x ** {_fmt(k)} is infinite at x = 0.0")
    return k * x ** (k - 1.0)


def _d_log(x: float, out: float, k: object) -> float:
    d = 1.0 / x
    if d == math.inf:
        raise OverflowError(f"log: the derivative 1/x overflows at x = {_fmt(x)}")
    return d


def _d_sum(xs: Sequence[float], out: float, k: object) -> tuple[float, ...]:
    return (1.0,) * len(xs)


def _d_dot(xs: Sequence[float], out: float, k: Sequence[float] | None) -> Sequence[float]:
    if k is not None:
        return k  # d(w·x)/dw_i = x_i
    n = len(xs) // 2
    return tuple(xs[n:]) + tuple(xs[:n])  # d/dw_i = x_i, d/dx_i = w_i


# ------------------------------------------------------------------ the table

ADD = Op("add", "+", BINARY, "a + b", "∂/∂a = 1, ∂/∂b = 1", operator.add, lambda x, y, out: (1.0, 1.0))
SUB = Op("sub", "−", BINARY, "a − b", "∂/∂a = 1, ∂/∂b = −1", operator.sub, lambda x, y, out: (1.0, -1.0))
MUL = Op("mul", "×", BINARY, "a · b", "∂/∂a = b, ∂/∂b = a", operator.mul, lambda x, y, out: (y, x))
DIV = Op("div", "÷", BINARY, "a / b", "∂/∂a = 1/b, ∂/∂b = −a/b²", _div, lambda x, y, out: (1.0 / y, -out / y))
POW = Op("pow", "^", BINARY, "a ** b", "∂/∂a = b·a^(b−1), ∂/∂b = a^b·ln a", _pow, _d_pow)

NEG = Op("neg", "−", UNARY, "−a", "∂/∂a = −1", operator.neg, lambda x, out, k: -1.0)
POWK = Op("powk", "^k", UNARY, "a ** k", "∂/∂a = k·a^(k−1)", _powk, _d_powk)
EXP = Op("exp", "exp", UNARY, "exp(a)", "∂/∂a = exp(a)", _exp, lambda x, out, k: out)
LOG = Op("log", "log", UNARY, "log(a)", "∂/∂a = 1/a", _log, _d_log)
TANH = Op("tanh", "tanh", UNARY, "tanh(a)", "∂/∂a = 1 − tanh²(a)", math.tanh, lambda x, out, k: 1.0 - out * out)
SIGMOID = Op(
    "sigmoid",
    "σ",
    UNARY,
    "σ(a) = 1/(1 + e^−a)",
    "∂/∂a = σ(a)(1 − σ(a))",
    _sigmoid,
    lambda x, out, k: out * (1.0 - out),
)
RELU = Op(
    "relu", "ReLU", UNARY, "max(0, a)", "∂/∂a = 1 if a > 0 else 0", _relu, lambda x, out, k: 1.0 if x > 0.0 else 0.0
)

XENT = Op(
    "xent",
    "L",
    UNARY,
    "L(σ(z), y) = y·softplus(−z) + (1 − y)·softplus(z)",
    "∂L/∂z = σ(z) − y = a − y",
    _logistic_loss,
    lambda z, out, y: _sigmoid(z) - y,
)

SUM = Op("sum", "Σ", VARIADIC, "a₁ + … + aₙ", "∂/∂aᵢ = 1", _sum, _d_sum)
DOT = Op("dot", "·", VARIADIC, "w₁x₁ + … + wₙxₙ", "∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ", _dot, _d_dot)

TABLE: dict[str, Op] = {
    op.name: op for op in (ADD, SUB, MUL, DIV, POW, NEG, POWK, EXP, LOG, TANH, SIGMOID, RELU, XENT, SUM, DOT)
}
"""Every operation by name."""
