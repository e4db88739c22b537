"""Gradient checking: central finite differences, and the text's analytic formulas.

A gradient from ``backward()`` (or from any formula) is checked against

    ∂f/∂θⱼ ≈ (f(θ + ε eⱼ) − f(θ − ε eⱼ)) / 2ε

component by component, with the relative error |a − n| / max(|a|, |n|, tiny), where tiny
is a floor below which the difference quotient's own rounding error dominates.

The analytic section gives the text's gradients of one sample of logistic regression:
da = −y/a + (1 − y)/(1 − a), dz = a − y, dw = x·dz, db = dz.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np

from . import ops, validation
from .engine import Value, no_grad
from .validation import InputError, InputTypeError

__all__ = ["analytic_one_sample", "check_gradients", "numerical_gradient", "relative_error", "rounding_floor"]

Params = Union[Sequence[Value], np.ndarray]
Objective = Callable[..., Any]  # f() -> float | Value for Value params, f(theta) -> float for an array


def _scalar(out: object, what: str) -> float:
    """The number f returned (a float, an int or a Value), or a TypeError."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, np.ndarray) and out.size == 1:
        out = out.reshape(()).item()
    if isinstance(out, numbers.Real):
        return float(out)
    raise InputTypeError(f"{what} must return a number or a Value, got {validation.describe(out)}")


def _value_params(params: Sequence[Value]) -> list[Value]:
    out = list(params)
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise InputTypeError(
                f"params[{i}] must be a Value (or pass params as a float ndarray), got {validation.describe(p)}"
            )
    if not out:
        raise InputError("params must hold at least one parameter, got an empty list")
    return out


def _array_params(params: np.ndarray) -> np.ndarray:
    if params.dtype.kind != "f":
        raise InputTypeError(f"params as an array must have a float dtype, got dtype {params.dtype}")
    if params.size == 0:
        raise InputError(f"params must hold at least one parameter, got shape {params.shape}")
    return validation.finite("params", params)


def numerical_gradient(f: Objective, params: Params, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(θ + ε) − f(θ − ε)) / 2ε for each parameter θⱼ.

    ``params`` is either a list of ``Value`` leaves, then ``f()`` is called with no
    arguments and reads them (it may return a float or a ``Value``; it is evaluated
    under ``no_grad``), or a float ndarray θ, then ``f(θ′)`` is called with a perturbed
    copy.  Returns an ndarray: shape (len(params),) for Values, θ's shape for an array.
    The parameters are left exactly as they came.
    """
    h = validation.positive("eps", eps)
    if not callable(f):
        raise InputTypeError(f"f must be callable, got {validation.describe(f)}")
    if isinstance(params, np.ndarray):
        theta = _array_params(params)
        result: np.ndarray = np.zeros(theta.shape, dtype=np.float64)
        flat = result.reshape(-1)
        for j in range(theta.size):
            plus = theta.copy()
            plus.reshape(-1)[j] += h
            minus = theta.copy()
            minus.reshape(-1)[j] -= h
            flat[j] = (_scalar(f(plus), "f") - _scalar(f(minus), "f")) / (2.0 * h)
        return result
    values = _value_params(params)
    grad: np.ndarray = np.zeros(len(values), dtype=np.float64)
    with no_grad():
        for j, p in enumerate(values):
            saved = p.data
            try:
                p.data = saved + h
                f_plus = _scalar(f(), "f")
                p.data = saved - h
                f_minus = _scalar(f(), "f")
            finally:
                p.data = saved
            grad[j] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray | float, n: np.ndarray | float, tiny: float = 1e-8) -> np.ndarray:
    """|a − n| / max(|a|, |n|, tiny), element by element."""
    aa = np.asarray(a, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    if aa.shape != nn.shape:
        raise InputError(f"the two gradients must have the same shape, got {aa.shape} and {nn.shape}")
    out: np.ndarray = np.abs(aa - nn) / np.maximum(np.maximum(np.abs(aa), np.abs(nn)), tiny)
    return out


def rounding_floor(f_value: float, eps: float, theta_grad: float = 0.0) -> float:
    """The default ``tiny``: 1e8 times the rounding error of a difference quotient.

    f(θ ± ε) is known only to about ε_mach·(|f| + max|θ|·max|∇f|) (the rounding of f, and
    of θⱼ ± ε itself), so the quotient carries an error of about that over ε: ~1e-10·|f|
    for ε = 1e-6.  ``theta_grad`` is max|θ|·max|∇f|.  Gradient components below the floor,
    2.2e-8·(|f| + theta_grad)/ε, are compared in absolute terms, so that rounding noise
    there reads as ~1e-8, not as a relative error of 1.
    """
    return max(1e-12, 2.2e-8 * (abs(f_value) + abs(theta_grad)) / eps)


def check_gradients(
    f: Objective,
    params: Params,
    grad: Callable[..., Any] | np.ndarray | Sequence[float] | None = None,
    *,
    eps: float = 1e-6,
    tiny: float | None = None,
) -> float:
    """The largest relative error |a − n| / max(|a|, |n|, tiny) between a gradient a and central differences n.

    With Value ``params`` and no ``grad``, a comes from autograd: ``f()`` must return a
    ``Value``; the parameters' gradients are zeroed, ``backward()`` runs, and they are
    left holding ∂f/∂θ.  Otherwise ``grad`` gives a: an array, or a callable called like
    ``f`` (``grad()`` for Values, ``grad(θ)`` for an array θ).  ``tiny`` defaults to
    ``rounding_floor`` (≈ 0.02·(|f| + max|θ|·max|a|) for ε = 1e-6), below which central
    differences carry no relative accuracy.  Small means they agree: ≲ 1e-7 for smooth functions with
    the default ε; a wrong derivative gives ≳ 1e-3.
    """
    numeric = numerical_gradient(f, params, eps)
    if grad is None:
        if isinstance(params, np.ndarray):
            raise InputTypeError("grad is required when params is an array (autograd needs Value params)")
        values = _value_params(params)
        out = f()
        if not isinstance(out, Value):
            raise InputTypeError(f"f must return a Value for autograd, got {validation.describe(out)}")
        for p in values:
            p.grad = 0.0
        out.backward()
        f_value = out.data
        analytic = np.array([p.grad for p in values], dtype=np.float64)
    else:
        if isinstance(params, np.ndarray):
            f_value = _scalar(f(params.copy()), "f")
            given = grad(params.copy()) if callable(grad) else grad
        else:
            with no_grad():
                f_value = _scalar(f(), "f")
            given = grad() if callable(grad) else grad
        analytic = np.asarray(given, dtype=np.float64)
        if analytic.size != numeric.size:
            raise InputError(
                f"grad must have {numeric.size} entries (shape {numeric.shape}), got shape {analytic.shape}"
            )
        analytic = analytic.reshape(numeric.shape)
    if not np.all(np.isfinite(analytic)):
        raise InputError("the gradient to check must be finite, got NaN or infinity")
    if tiny is None:
        theta = (
            params.reshape(-1) if isinstance(params, np.ndarray) else np.array([p.data for p in _value_params(params)])
        )
        floor = rounding_floor(f_value, eps, float(np.max(np.abs(theta)) * np.max(np.abs(analytic))))
    else:
        floor = float(tiny)
    return float(np.max(relative_error(analytic, numeric, floor)))


# ---------------------------------------------------------------- the text's analytic formulas


def analytic_one_sample(x: Any, y: float, w: Any, b: float) -> dict[str, Any]:
    """The text's backward pass for one sample, by formula.

        z = wᵀx + b,  a = σ(z),  L = −(y log a + (1 − y) log(1 − a)),
        da = −y/a + (1 − y)/(1 − a),  dz = a − y,  dw = x·dz,  db = dz.

    x and w have shape (n,) or (n, 1).  Returns floats "z", "a", "L", "da", "dz", "db"
    and "dw" as an ndarray of shape (n, 1).  L is computed from z (log(1 + e^∓z)) so
    it stays finite; da is ±inf where a rounds to the wrong end (0 with y = 1, or 1 with y = 0).
    """
    xs = validation.array("x", x).astype(np.float64).reshape(-1)
    ws = validation.array("w", w).astype(np.float64).reshape(-1)
    if xs.shape != ws.shape or xs.size == 0:
        raise InputError(f"x and w must both have n > 0 entries, got shapes {np.shape(x)} and {np.shape(w)}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ws))):
        raise InputError("x and w must be finite, got NaN or infinity")
    yf = validation.label("y", y)
    bf = validation.real("b", b)
    z = math.fsum(float(v) for v in ws * xs) + bf
    a = ops.sigmoid(z)
    L = ops.logistic_loss(z, yf)  # −log a = log(1 + e^−z) if y = 1, −log(1 − a) = log(1 + e^z) if y = 0
    da = 0.0
    if yf != 0.0:
        da += -yf / a if a > 0.0 else -math.inf
    if yf != 1.0:
        da += (1.0 - yf) / (1.0 - a) if a < 1.0 else math.inf
    dz = a - yf
    return {"z": z, "a": a, "L": L, "da": da, "dz": dz, "dw": (xs * dz).reshape(-1, 1), "db": dz}
