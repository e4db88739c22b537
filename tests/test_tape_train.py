"""The tape's training helpers: logistic regression equals the vectorized path; an MLP trains over a batch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd_lr import data as cats
from micrograd_lr import vectorized
from micrograd_lr.engine import Value
from micrograd_lr.logistic import LogisticRegression
from micrograd_lr.nn import MLP
from micrograd_lr.tape import Tape, fit_mlp


def _cats(n: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x, y = cats.synthetic_cats(m, seed=seed)
    return np.ascontiguousarray(cats.scale(cats.flatten(x))[:n]), y.astype(np.float64)


def test_one_step_at_cat_size_equals_vectorized_propagate() -> None:
    X, Y = _cats(12288, 209)
    rng = np.random.default_rng(0)
    w, b = rng.normal(0.0, 0.01, (12288, 1)), 0.1
    model = LogisticRegression.from_params(w, b)
    costs = model.fit(X, Y, num_iterations=1, learning_rate=1e-9, engine="tape")
    grads, cost = vectorized.propagate(w, b, X, Y)
    assert costs[0] == pytest.approx(cost, rel=1e-12)
    scale = np.abs(X).mean() + 1e-300  # dw sums terms of size |x|·|a − y|/m
    got = np.array([p.grad for p in model.w])
    assert np.max(np.abs(got - grads["dw"].ravel())) <= 1e-12 * scale
    assert model.b.grad == pytest.approx(grads["db"], rel=1e-12, abs=1e-15)


@pytest.mark.slow
def test_2000_iterations_give_vectorized_optimizes_cost_history() -> None:
    X, Y = _cats(300, 60)
    model = LogisticRegression(300)
    costs = model.fit(X, Y, num_iterations=2000, learning_rate=0.005, engine="tape")
    params, _, reference = vectorized.optimize(np.zeros((300, 1)), 0.0, X, Y, num_iterations=2000, learning_rate=0.005)
    assert len(reference) == 20
    for got, want in zip(costs[::100], reference):
        assert got == pytest.approx(want, rel=1e-9)
    w, _ = model.get_weights()
    assert np.allclose(w.ravel(), np.asarray(params["w"]).ravel(), rtol=1e-9, atol=1e-12)


def test_fit_with_the_tape_checks_its_engine_argument() -> None:
    X, Y = _cats(10, 4)
    with pytest.raises(ValueError, match="engine must be"):
        LogisticRegression(10).fit(X, Y, engine="fast")
    with pytest.raises(ValueError, match="stable loss only"):
        LogisticRegression(10).fit(X, Y, engine="tape", literal=True)


def test_fit_mlp_takes_the_same_steps_as_the_value_engine() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    fast, slow = MLP(2, [4, 4, 1], seed=3), MLP(2, [4, 4, 1], seed=3)
    run = fit_mlp(fast, X, y, steps=3, learning_rate=lambda k: 0.5 - 0.1 * k, alpha=1e-3)
    for k in range(3):  # the same loop on the Value engine
        params = slow.parameters()
        scores = [slow([Value(a), Value(b)]) for a, b in X.tolist()]  # one output unit: one Value
        losses = [(1 - float(t) * s).relu() for s, t in zip(scores, y)]
        cost = Value(0.0) + sum(losses) * (1.0 / len(losses)) + 1e-3 * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        cost.backward()
        assert run.costs[k] == pytest.approx(cost.data, rel=1e-12)
        for p in params:
            p.data -= (0.5 - 0.1 * k) * p.grad
    for a, b in zip(fast.parameters(), slow.parameters()):
        assert math.isclose(a.data, b.data, rel_tol=1e-10, abs_tol=1e-12)
    assert Tape(fast([Value(0.1), Value(0.2)])).run().output == pytest.approx(
        slow([Value(0.1), Value(0.2)]).data, rel=1e-10
    )
