"""``micrograd-lr gradcheck``: the same gradients four ways, on a random problem.

dw, db and J of logistic regression by autograd on the ``Value`` graph (fused and
literal loss), by the text's explicit loop, by ``vectorized.propagate`` and by central
finite differences, with the largest relative error against autograd.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import numpy as np

from ..gradcheck import MAX_TOL, GradientReport, StepTooSmallError, numerical_gradient, relative_error, report
from ..logistic import LogisticRegression, explicit_loop
from . import CommandError

Row = tuple[str, np.ndarray, float, float]  # name, dw (n, 1), db, J
NUMERICAL = "central differences"


MAX_N = 200
"""The largest --n: central differences evaluate J 2(n + 1) times, each over n·m numbers, so the time
grows as n²·m (n = 1000 took seconds)."""

MAX_WORK = 4_000_000
"""The largest 2(n + 1)·n·m, the numbers central differences go through (about a second)."""

MAX_SHOW = 3
"""The most dw columns that keep the table within 100 columns."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="compare autograd, the explicit loop, vectorized and numerical gradients on a random problem",
        description=(
            "Logistic regression on a random problem (X of shape (n, m), Y of shape (1, m)): dw, db and J "
            "computed by autograd on the Value graph, by the text's explicit loop over m samples, by "
            "vectorized.propagate and by central finite differences, with the largest relative error. "
            "The last line says PASS or FAIL; the exit status is 1 on FAIL."
        ),
    )
    p.add_argument("--n", type=int, default=4, help=f"number of features n, 1 to {MAX_N} (default: 4)")
    p.add_argument("--m", type=int, default=10, help="number of samples m (default: 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random problem (default: 0)")
    p.add_argument("--eps", type=float, default=1e-6, help="step of the central differences (default: 1e-6)")
    p.add_argument(
        "--tol",
        type=float,
        default=1e-6,
        help=f"FAIL (exit status 1) if a relative error exceeds this, 0 to {MAX_TOL:g} (default: 1e-6)",
    )
    p.add_argument(
        "--show", type=int, default=MAX_SHOW, help=f"how many components of dw to print, 0 to {MAX_SHOW} (default: 3)"
    )
    p.set_defaults(func=run)


def check_options(args: argparse.Namespace) -> None:
    """Usage errors naming the option: sizes, the step, the tolerance and the columns shown."""
    if args.n < 1 or args.m < 1:
        raise CommandError(f"--n and --m must be at least 1, got n={args.n}, m={args.m}")
    if args.n > MAX_N:
        raise CommandError(
            f"--n must be at most {MAX_N}, got {args.n}: central differences evaluate J 2(n + 1) times over "
            "n·m numbers each, so the time grows as n²·m"
        )
    work = 2 * (args.n + 1) * args.n * args.m
    if work > MAX_WORK:
        raise CommandError(
            f"--n {args.n} with --m {args.m} is too big: central differences would go through 2(n + 1)·n·m = "
            f"{work:,} numbers on the Value graph (at most {MAX_WORK:,}); make --m or --n smaller"
        )
    if not (math.isfinite(args.eps) and args.eps > 0.0):
        raise CommandError(f"--eps must be a positive finite number, got {args.eps!r}")
    if not 0.0 <= args.tol <= MAX_TOL:  # also refuses nan
        raise CommandError(
            f"--tol must be between 0 and {MAX_TOL:g}, got {args.tol!r}: a larger tolerance would let a "
            "gradient wrong by 1 % pass"
        )
    if not 0 <= args.show <= MAX_SHOW:
        raise CommandError(f"--show must be between 0 and {MAX_SHOW}, got {args.show}: the table fits 100 columns")


def random_problem(n: int, m: int, seed: int) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """(w, b, X, Y) drawn from ``numpy.random.default_rng(seed)``: X, w normal, Y in {0, 1}."""
    if n < 1 or m < 1:
        raise CommandError(f"--n and --m must be at least 1, got n={n}, m={m}")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(np.float64)
    w = rng.normal(scale=0.5, size=(n, 1))
    b = float(rng.normal(scale=0.5))
    return w, b, X, Y


def _autograd(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, *, stable: bool, literal: bool) -> Row:
    model = LogisticRegression.from_params(w, b)
    J = model.cost(X, Y, stable=stable, literal=literal)
    J.backward()
    name = "autograd, fused loss" if stable else "autograd, literal loss"
    return name, np.array([[p.grad] for p in model.w]), model.b.grad, J.data


def _numerical(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, eps: float) -> Row:
    model = LogisticRegression.from_params(w, b)
    try:
        grad = numerical_gradient(lambda: model.cost(X, Y), model.parameters(), eps)
    except StepTooSmallError as exc:  # pragma: no cover - numerical_gradient itself does not refuse
        raise CommandError(str(exc)) from None
    return NUMERICAL, grad[:-1].reshape(-1, 1), float(grad[-1]), model.cost(X, Y).data


def numerical_report(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, eps: float) -> GradientReport:
    """``gradcheck.report`` of autograd's (dw, db) against central differences; a step too small is --eps's fault."""
    model = LogisticRegression.from_params(w, b)
    names = [*(f"dw[{j}]" for j in range(w.shape[0])), "db"]
    try:
        return report(lambda: model.cost(X, Y), model.parameters(), eps=eps, names=names)
    except StepTooSmallError as exc:
        raise CommandError(
            f"--eps {eps:g} is too small for this problem: rounding in J would swamp the differences; "
            f"use --eps {exc.working_eps:g} or larger"
        ) from None


def compute_rows(
    w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6
) -> tuple[list[Row], list[str]]:
    """Every way that ran, and the names of those that could not (e.g. the literal loss at log 0)."""
    from .. import vectorized  # imported here so the rest works while vectorized is missing

    def vec() -> Row:
        grads, cost = vectorized.propagate(w, b, X, Y)
        return "vectorized.propagate", np.asarray(grads["dw"], dtype=np.float64), float(grads["db"]), float(cost)

    def loop() -> Row:
        grads, cost = explicit_loop(w, b, X, Y)
        return "explicit loop", grads["dw"], grads["db"], cost

    ways: list[tuple[str, Callable[[], Row]]] = [
        ("autograd, fused loss", lambda: _autograd(w, b, X, Y, stable=True, literal=False)),
        ("autograd, literal loss", lambda: _autograd(w, b, X, Y, stable=False, literal=True)),
        ("explicit loop", loop),
        ("vectorized.propagate", vec),
        (NUMERICAL, lambda: _numerical(w, b, X, Y, eps)),
    ]
    rows: list[Row] = []
    failed: list[str] = []
    for name, way in ways:
        try:
            rows.append(way())
        except (ValueError, ArithmeticError) as exc:
            if name == "autograd, fused loss":
                raise
            failed.append(f"{name}: {exc}")
    return rows, failed


def largest_relative_error(rows: list[Row], check: GradientReport) -> list[float]:
    """For each row, the largest relative error of (dw, db, J) against the first row.

    |g − g₀| / max(|g|, |g₀|, 1e-8) for the exact ways; for central differences the error of
    ``gradcheck.report`` (whose floor is where their rounding starts, at most 1 % of the gradient's scale).
    """
    _, dw0, db0, J0 = rows[0]
    ref = np.concatenate([dw0.reshape(-1), [db0, J0]])
    out = []
    for name, dw, db, J in rows:
        if name == NUMERICAL:
            out.append(max(check.largest, float(relative_error(J, J0, 1e-8))))
            continue
        got = np.concatenate([dw.reshape(-1), [db, J]])
        out.append(float(np.max(relative_error(got, ref, 1e-8))))
    return out


def _table(rows: list[Row], errors: list[float], show: int) -> list[str]:
    n = rows[0][1].shape[0]
    k = max(0, min(show, n))
    head = [*(f"dw[{j}]" for j in range(k)), "db", "J"]
    name_width = max(len(r[0]) for r in rows)
    lines = ["  " + " " * name_width + "".join(f"{h:>13}" for h in head) + f"{'rel. error':>11}"]
    for (name, dw, db, J), err in zip(rows, errors):
        cells = [f"{float(dw[j, 0]):>13.6g}" for j in range(k)]
        cells += [f"{db:>13.6g}", f"{J:>13.6g}", f"{err:>11.2e}"]
        lines.append(f"  {name:<{name_width}}" + "".join(cells))
    return lines


def run(args: argparse.Namespace) -> int:
    check_options(args)
    w, b, X, Y = random_problem(args.n, args.m, args.seed)
    check = numerical_report(w, b, X, Y, args.eps)
    rows, failed = compute_rows(w, b, X, Y, args.eps)
    errors = largest_relative_error(rows, check)
    print(f"Logistic regression gradients on a random problem: n = {args.n}, m = {args.m}, seed = {args.seed}")
    print("  J = (1/m) Σ L(a, y),  dw = ∂J/∂w,  db = ∂J/∂b")
    print("  rel. error: the largest |g − g₀| / max(|g|, |g₀|, floor) of dw, db, J against the first row;")
    print(f"  floor = 1e-8, or {check.floor:.1e} for central differences (below it they carry only rounding)")
    print()
    for line in _table(rows, errors, args.show):
        print(line)
    for note in failed:
        print(f"  (not computed: {note})")
    exact_ok = all(err <= args.tol for (name, *_), err in zip(rows, errors) if name != NUMERICAL)
    numerical_ok = check.passed(args.tol) and errors[-1] <= args.tol + float(np.max(check.allowance()))
    worst = max(errors)
    print()
    print(f"largest relative error: {worst:.2e} (tolerance {args.tol:g})")
    if not numerical_ok:
        print("central differences disagree with autograd:")
        print("\n".join("  " + line for line in check.table(args.tol, limit=5).splitlines()))
    ok = exact_ok and numerical_ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1
