"""``micrograd-lr gradcheck``: the same gradients four ways, on a random problem.

dw, db and J of logistic regression by autograd on the ``Value`` graph (fused and
literal loss), by the text's explicit loop, by ``vectorized.propagate`` and by central
finite differences, with the largest relative error against autograd.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

from ..gradcheck import numerical_gradient, relative_error, rounding_floor
from ..logistic import LogisticRegression, explicit_loop
from . import CommandError

Row = tuple[str, np.ndarray, float, float]  # name, dw (n, 1), db, J
NUMERICAL = "central differences"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="compare autograd, the explicit loop, vectorized and numerical gradients on a random problem",
        description=(
            "Logistic regression on a random problem (X of shape (n, m), Y of shape (1, m)): dw, db and J "
            "computed by autograd on the Value graph, by the text's explicit loop over m samples, by "
            "vectorized.propagate and by central finite differences, with the largest relative error."
        ),
    )
    p.add_argument("--n", type=int, default=4, help="number of features n (default: 4)")
    p.add_argument("--m", type=int, default=10, help="number of samples m (default: 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random problem (default: 0)")
    p.add_argument("--eps", type=float, default=1e-6, help="step of the central differences (default: 1e-6)")
    p.add_argument(
        "--tol",
        type=float,
        default=1e-6,
        help="exit with status 1 if the largest relative error exceeds this (default: 1e-6)",
    )
    p.add_argument("--show", type=int, default=4, help="how many components of dw to print (default: 4)")
    p.set_defaults(func=run)


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
    grad = numerical_gradient(lambda: model.cost(X, Y), model.parameters(), eps)
    return NUMERICAL, grad[:-1].reshape(-1, 1), float(grad[-1]), model.cost(X, Y).data


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


def _floor(row: Row, theta: np.ndarray, eps: float) -> float:
    """``rounding_floor`` of J at θ = (w, b), with the autograd gradient of the row."""
    _, dw, db, J = row
    return rounding_floor(J, eps, float(np.max(np.abs(theta)) * np.max(np.abs(np.append(dw.reshape(-1), db)))))


def largest_relative_error(rows: list[Row], theta: np.ndarray, eps: float = 1e-6) -> list[float]:
    """For each row, the largest relative error |g − g₀| / max(|g|, |g₀|, tiny) of (dw, db, J) against the first row.

    tiny is 1e-8 for the exact ways, and ``gradcheck.rounding_floor`` for central differences,
    which cannot resolve components below it.
    """
    _, dw0, db0, J0 = rows[0]
    ref = np.concatenate([dw0.reshape(-1), [db0, J0]])
    out = []
    for name, dw, db, J in rows:
        got = np.concatenate([dw.reshape(-1), [db, J]])
        tiny = _floor(rows[0], theta, eps) if name == NUMERICAL else 1e-8
        out.append(float(np.max(relative_error(got, ref, tiny))))
    return out


def _table(rows: list[Row], errors: list[float], show: int) -> list[str]:
    n = rows[0][1].shape[0]
    k = max(0, min(show, n))
    head = [*(f"dw[{j}]" for j in range(k)), "db", "J", "rel. error"]
    name_width = max(len(r[0]) for r in rows)
    lines = ["  " + " " * name_width + "".join(f"{h:>22}" for h in head)]
    for (name, dw, db, J), err in zip(rows, errors):
        cells = [f"{float(dw[j, 0]):>22.15g}" for j in range(k)]
        cells += [f"{db:>22.15g}", f"{J:>22.15g}", f"{err:>22.2e}"]
        lines.append(f"  {name:<{name_width}}" + "".join(cells))
    return lines


def run(args: argparse.Namespace) -> int:
    w, b, X, Y = random_problem(args.n, args.m, args.seed)
    rows, failed = compute_rows(w, b, X, Y, args.eps)
    theta = np.append(w.reshape(-1), b)
    errors = largest_relative_error(rows, theta, args.eps)
    tiny = _floor(rows[0], theta, args.eps)
    print(f"Logistic regression gradients on a random problem: n = {args.n}, m = {args.m}, seed = {args.seed}")
    print("  J = (1/m) Σ L(a, y),  dw = ∂J/∂w,  db = ∂J/∂b")
    print("  rel. error: the largest |g − g₀| / max(|g|, |g₀|, tiny) over dw, db and J, against the first row;")
    print(f"  tiny = 1e-8, or {tiny:.1e} for central differences (below it they carry only rounding)")
    print()
    for line in _table(rows, errors, args.show):
        print(line)
    for note in failed:
        print(f"  (not computed: {note})")
    worst = max(errors)
    print()
    print(f"largest relative error: {worst:.2e} (tolerance {args.tol:g})")
    return 0 if worst <= args.tol else 1
