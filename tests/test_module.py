"""Module and the one gradient-descent step θ := θ − α ∂J/∂θ that every fit on the Value graph takes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_lr import Value
from micrograd_lr.logistic import LogisticRegression
from micrograd_lr.module import DivergenceError, Module, gradient_descent_step
from micrograd_lr.nn import MLP, Layer, Neuron, fit_mse
from micrograd_lr.validation import InputError

small = st.floats(-1e3, 1e3, allow_nan=False)


@given(st.lists(st.tuples(small, small), min_size=1, max_size=6), st.floats(1e-4, 10.0))
def test_the_step_moves_each_parameter_against_its_gradient(pairs: list[tuple[float, float]], alpha: float) -> None:
    params = [Value(d, f"w{j}") for j, (d, _) in enumerate(pairs)]
    for p, (_, g) in zip(params, pairs):
        p.grad = g
    gradient_descent_step(params, alpha)
    for p, (d, g) in zip(params, pairs):
        assert p.data == d - alpha * g  # exactly the text's w := w − α dw
        assert p.grad == g  # the gradient is left for the caller to zero


def test_the_step_records_nothing_on_the_graph() -> None:
    w = Value(1.0, "w")
    J = w * w
    J.backward()
    gradient_descent_step([w], 0.25)
    assert w.data == 0.5 and w.parents == () and w.op is None


def test_a_step_that_leaves_the_finite_numbers_is_a_divergence_error() -> None:
    w = Value(1e308, "w1")
    w.grad = -1e308
    with pytest.raises(DivergenceError, match=r"diverged: w1 = inf \(learning_rate 10\.0 is too large\)"):
        gradient_descent_step([w], 10.0)
    assert issubclass(DivergenceError, OverflowError)


@pytest.mark.parametrize("alpha", [0.0, -1.0, math.inf, math.nan])
def test_the_step_checks_its_learning_rate(alpha: float) -> None:
    w = Value(1.0)
    with pytest.raises(InputError, match=r"^learning_rate must be"):
        gradient_descent_step([w], alpha)
    assert w.data == 1.0


class Line(Module):
    """ŷ = a·x + c: the smallest Module."""

    def __init__(self) -> None:
        self.a, self.c = Value(0.0, "a"), Value(0.0, "c")

    def parameters(self) -> list[Value]:
        return [self.a, self.c]


def test_a_module_needs_parameters() -> None:
    with pytest.raises(TypeError, match="abstract"):
        Module()  # type: ignore[abstract]


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_a_module_learns_a_line_with_zero_grad_and_step(slope: float, intercept: float) -> None:
    line = Line()
    xs = [-1.0, 0.0, 1.0, 2.0]
    for _ in range(300):
        J = sum(((line.a * x + line.c) - (slope * x + intercept)) ** 2 for x in xs) / len(xs)
        line.zero_grad()
        assert all(p.grad == 0.0 for p in line.parameters())
        J.backward()  # type: ignore[union-attr]
        line.step(0.1)
    assert line.a.data == pytest.approx(slope, abs=1e-6) and line.c.data == pytest.approx(intercept, abs=1e-6)


def test_every_model_on_the_graph_is_a_module() -> None:
    for model in (Neuron(2), Layer(2, 3), MLP(2, [3, 1]), LogisticRegression(2)):
        assert isinstance(model, Module)
        params = model.parameters()
        for p in params:
            p.grad = 1.0
        before = [p.data for p in params]
        model.step(0.5)
        assert [p.data for p in params] == [d - 0.5 for d in before]
        model.zero_grad()
        assert all(p.grad == 0.0 for p in params)


def test_fits_raise_divergence_error() -> None:
    """The first step already overflows (α·∂J/∂w > 1.8e308) while every forward value is small."""
    with pytest.raises(DivergenceError, match=r"w1 = -?inf"):
        LogisticRegression(1).fit(np.array([[4.0]]), np.array([[1.0]]), num_iterations=3, learning_rate=1e308)
    with pytest.raises(DivergenceError):
        fit_mse(MLP(1, [1], seed=0), [[1000.0, 2000.0]], [1.0, 2.0], num_iterations=3, learning_rate=1e307)
