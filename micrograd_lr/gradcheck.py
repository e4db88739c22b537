"""Gradient checking: central finite differences, and the text's analytic formulas.

A gradient from ``backward()`` (or from any formula) is checked against

    ∂f/∂θⱼ ≈ (f(θ + ε eⱼ) − f(θ − ε eⱼ)) / 2ε

component by component, with the relative error |a − n| / max(|a|, |n|, floor), where the
floor is where the difference quotient's own rounding error starts to dominate, never more
than a hundredth of the gradient's own scale max(|a|, |n|).  A step ε so small that rounding
in f(θ ± ε) would swamp the difference is refused, naming one that works: no step and no
floor can make a gradient wrong by 1 % pass.  ``report`` gives the table per component, and
``assert_gradients_close`` raises an ``AssertionError`` showing it.

The analytic section gives the text's gradients of one sample of logistic regression:
da = −y/a + (1 − y)/(1 − a), dz = a − y, dw = x·dz, db = dz.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from . import ops, validation
from .engine import Value, no_grad
from .validation import InputError, InputTypeError

__all__ = [
    "GradientReport",
    "StepTooSmallError",
    "analytic_one_sample",
    "assert_gradients_close",
    "check_gradients",
    "numerical_gradient",
    "relative_error",
    "report",
    "rounding_floor",
]

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
    """1e8 times the rounding error of a difference quotient: the floor's first choice.

    f(θ ± ε) is known only to about ε_mach·(|f| + max|θ|·max|∇f|) (the rounding of f, and
    of θⱼ ± ε itself), so the quotient carries an error of about that over ε: ~1e-10·|f|
    for ε = 1e-6.  ``theta_grad`` is max|θ|·max|∇f|.  This returns 2.2e-8·(|f| + theta_grad)/ε
    (at least 1e-12), so that rounding noise below it reads as ~1e-8.  ``check_gradients``
    caps it at a hundredth of the gradient's own scale (see ``report``).
    """
    return max(1e-12, 2.2e-8 * (abs(f_value) + abs(theta_grad)) / eps)


MACHINE_EPS = 2.220446049250313e-16
"""ε_mach of float64: the relative rounding of one operation."""

FLOOR_CAP = 1e-2
"""The floor never exceeds this fraction of the gradient's scale max(|a|, |n|): no floor can hide
an error of 1 % in a component that large."""

NOISE_LIMIT = 1e-6
"""The largest rounding noise η, as a fraction of the gradient's scale, a step ε may leave.  Above it
ε is too small for the function and the check refuses; below it η reads as at most 1e-4 of the floor."""

MAX_TOL = 1e-3
"""The largest tolerance ``assert_gradients_close`` and the command accept: with more, an error of
1 % could pass."""


class StepTooSmallError(InputError):
    """ε is too small for the function's scale: rounding in f(θ ± ε) would swamp the difference.

    ``working_eps`` is a step that would do (a power of ten).
    """

    def __init__(self, message: str, working_eps: float) -> None:
        super().__init__(message)
        self.working_eps = working_eps


@dataclass(frozen=True)
class GradientReport:
    """The comparison of a gradient a with central differences n, component by component.

    ``errors[j]`` = |aⱼ − nⱼ| / max(|aⱼ|, |nⱼ|, floor); ``noise`` = η, the rounding a difference
    quotient may carry, ε_mach·(|f| + max|θ|·scale)/ε; ``scale`` = max over j of |aⱼ| and |nⱼ|.
    A component passes a tolerance tol when errors[j] ≤ tol + 10η / max(|aⱼ|, |nⱼ|, floor).
    ``str(report)`` is the table, the worst component first.
    """

    names: tuple[str, ...]
    autograd: np.ndarray
    numerical: np.ndarray
    errors: np.ndarray
    floor: float
    noise: float
    scale: float
    eps: float
    f_value: float

    @property
    def largest(self) -> float:
        """The largest relative error over the components."""
        return float(np.max(self.errors))

    def allowance(self) -> np.ndarray:
        """What rounding alone may add to each relative error: 10η / max(|aⱼ|, |nⱼ|, floor) (≤ 1e-3)."""
        denominator = np.maximum(np.maximum(np.abs(self.autograd), np.abs(self.numerical)), self.floor)
        out: np.ndarray = 10.0 * self.noise / denominator
        return out

    def failing(self, tol: float = 1e-6) -> np.ndarray:
        """The indices (into the flattened gradient) of the components beyond ``tol``, the worst first."""
        bad = np.flatnonzero(self.errors > _tolerance(tol) + self.allowance())
        out: np.ndarray = bad[np.argsort(-self.errors[bad], kind="stable")]
        return out

    def passed(self, tol: float = 1e-6) -> bool:
        """Whether every component agrees to ``tol`` (plus its rounding allowance)."""
        return self.failing(tol).size == 0

    def table(self, tol: float = 1e-6, limit: int = 20) -> str:
        """Per component: name, autograd, numerical, relative error, the worst first (at most ``limit`` rows)."""
        tol = _tolerance(tol)
        order = np.argsort(-self.errors, kind="stable")
        bad = set(self.failing(tol).tolist())
        width = max(9, *(len(self.names[j]) for j in order[:limit]))
        width = min(width, 30)
        lines = [
            f"{'parameter':<{width}}  {'autograd':>16}  {'numerical':>16}  {'rel. error':>10}",
        ]
        for j in order[:limit]:
            mark = "  FAIL" if j in bad else ""
            name = self.names[j] if len(self.names[j]) <= width else self.names[j][: width - 1] + "…"
            lines.append(
                f"{name:<{width}}  {self.autograd.flat[j]:>16.9g}  {self.numerical.flat[j]:>16.9g}"
                f"  {self.errors[j]:>10.2e}{mark}"
            )
        if len(order) > limit:
            lines.append(f"... {len(order) - limit} more, all with smaller errors")
        lines.append(f"eps = {self.eps:g}; rounding noise of the differences ≈ {self.noise:.1g};")
        lines.append(f"components below floor = {self.floor:.2g} are compared in absolute terms")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _tolerance(tol: object, name: str = "tol") -> float:
    """tol as a float with 0 ≤ tol ≤ MAX_TOL."""
    t = validation.real(name, tol)
    if not 0.0 <= t <= MAX_TOL:
        raise InputError(
            f"{name} must be between 0 and {MAX_TOL:g}, got {t!r}: a larger tolerance would let a gradient "
            "wrong by 1 % pass"
        )
    return t


def _names(params: Params, given: Sequence[str] | None, size: int) -> tuple[str, ...]:
    if given is not None:
        names = tuple(str(n) for n in given)
        if len(names) != size:
            raise InputError(f"names must have one name per parameter ({size}), got {len(names)}")
        return names
    if isinstance(params, np.ndarray):
        if params.ndim == 1:
            return tuple(f"[{j}]" for j in range(size))
        return tuple("[" + ", ".join(map(str, idx)) + "]" for idx in np.ndindex(params.shape))
    return tuple(p.label or f"[{j}]" for j, p in enumerate(_value_params(params)))


def _working_eps(eps: float, noise: float, scale: float) -> float:
    """A power of ten ≥ the step at which η would be a tenth of the limit (η scales as 1/ε)."""
    needed = eps * noise / (0.1 * NOISE_LIMIT * scale)
    return float(10.0 ** math.ceil(math.log10(needed)))


def report(
    f: Objective,
    params: Params,
    grad: Callable[..., Any] | np.ndarray | Sequence[float] | None = None,
    *,
    eps: float = 1e-6,
    tiny: float | None = None,
    names: Sequence[str] | None = None,
) -> GradientReport:
    """Compare a gradient a with central differences n, component by component (see ``check_gradients``).

    The relative error of component j is |aⱼ − nⱼ| / max(|aⱼ|, |nⱼ|, floor).  The floor is
    ``tiny`` if given, else ``rounding_floor``; either way at most a hundredth of the gradient's
    scale max(|a|, |n|), so it never hides an error of 1 % in a component that large.  A step ε
    whose rounding noise η = ε_mach·(|f| + max|θ|·scale)/ε exceeds 1e-6 of that scale is refused
    with ``StepTooSmallError`` (a ``ValueError``) naming a step that works.
    """
    h = validation.positive("eps", eps)
    numeric = numerical_gradient(f, params, h)
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
    if not np.all(np.isfinite(numeric)) or not math.isfinite(f_value):
        raise InputError("f must stay finite at θ and θ ± eps, got NaN or infinity; try a smaller eps")
    theta = params.reshape(-1) if isinstance(params, np.ndarray) else np.array([p.data for p in _value_params(params)])
    a, n = analytic.reshape(-1), numeric.reshape(-1)
    scale = float(max(np.max(np.abs(a)), np.max(np.abs(n))))
    theta_max = float(np.max(np.abs(theta)))
    noise = MACHINE_EPS * (abs(f_value) + theta_max * scale) / h
    if scale > 0.0 and noise > NOISE_LIMIT * scale:
        working = _working_eps(h, noise, scale)
        raise StepTooSmallError(
            f"eps = {h:g} is too small for this function: the rounding of f (|f| = {abs(f_value):.3g}, "
            f"max|θ| = {theta_max:.3g}) over 2·eps is ≈ {noise:.2g}, more than {NOISE_LIMIT:g} of the gradient's "
            f"scale {scale:.3g}, so the differences could not tell a wrong gradient; use eps = {working:g} "
            "or larger",
            working,
        )
    if tiny is None:
        floor = rounding_floor(f_value, h, theta_max * scale)
    else:
        floor = validation.positive("tiny", tiny)
    if scale > 0.0:
        floor = min(floor, FLOOR_CAP * scale)
    errors = relative_error(a, n, floor)
    return GradientReport(
        names=_names(params, names, a.size),
        autograd=a,
        numerical=n,
        errors=errors,
        floor=floor,
        noise=noise,
        scale=scale,
        eps=h,
        f_value=f_value,
    )


def check_gradients(
    f: Objective,
    params: Params,
    grad: Callable[..., Any] | np.ndarray | Sequence[float] | None = None,
    *,
    eps: float = 1e-6,
    tiny: float | None = None,
) -> float:
    """The largest relative error |a − n| / max(|a|, |n|, floor) between a gradient a and central differences n.

    With Value ``params`` and no ``grad``, a comes from autograd: ``f()`` must return a
    ``Value``; the parameters' gradients are zeroed, ``backward()`` runs, and they are
    left holding ∂f/∂θ.  Otherwise ``grad`` gives a: an array, or a callable called like
    ``f`` (``grad()`` for Values, ``grad(θ)`` for an array θ).  The floor is ``tiny`` or
    ``rounding_floor``, capped at a hundredth of the gradient's scale max(|a|, |n|), so an
    error of 1 % in any component that large reads ≳ 1e-2.  An ``eps`` too small for f's scale
    raises ``StepTooSmallError`` naming one that works.  Small means they agree: ≲ 1e-7 for
    smooth, well-scaled functions with the default ε.  ``report(...)`` gives the table behind
    this number.
    """
    return report(f, params, grad, eps=eps, tiny=tiny).largest


def assert_gradients_close(
    f: Objective,
    params: Params,
    grad: Callable[..., Any] | np.ndarray | Sequence[float] | None = None,
    *,
    tol: float = 1e-6,
    eps: float = 1e-6,
    names: Sequence[str] | None = None,
) -> GradientReport:
    """Raise ``AssertionError`` with the table of ``report`` if any component differs by more than ``tol``.

    A component j passes when |aⱼ − nⱼ| / max(|aⱼ|, |nⱼ|, floor) ≤ tol + 10η / max(|aⱼ|, |nⱼ|, floor),
    η the rounding noise of the differences (never more than 1e-3 in all).  ``tol`` may be at most
    1e-3.  Returns the report when every component passes.
    """
    tol = _tolerance(tol)
    result = report(f, params, grad, eps=eps, names=names)
    bad = result.failing(tol)
    if bad.size:
        raise AssertionError(
            f"Gradients are not close: {bad.size} of {result.errors.size} components differ by more than "
            f"tol = {tol:g}\n" + result.table(tol)
        )
    return result


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
