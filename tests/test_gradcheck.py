"""gradcheck: central differences, the largest relative error, and the text's analytic formulas."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_lr import Value, ops
from micrograd_lr.gradcheck import (
    StepTooSmallError,
    analytic_one_sample,
    assert_gradients_close,
    check_gradients,
    numerical_gradient,
    relative_error,
    report,
    rounding_floor,
)
from micrograd_lr.logistic import LogisticRegression, one_sample

finite = st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False)


def test_central_differences_are_exact_for_quadratics() -> None:
    """(f(θ + ε) − f(θ − ε)) / 2ε has no truncation error for a polynomial of degree 2."""

    def f(t: np.ndarray) -> float:
        return float(3.0 * t[0] ** 2 - 2.0 * t[0] * t[1] + 0.5 * t[1])

    theta = np.array([1.5, -2.0])
    grad = numerical_gradient(f, theta, eps=1e-3)
    assert grad == pytest.approx([6.0 * 1.5 - 2.0 * -2.0, -2.0 * 1.5 + 0.5], rel=1e-10)
    assert theta.tolist() == [1.5, -2.0]  # untouched


def test_numerical_gradient_keeps_the_array_shape() -> None:
    theta = np.arange(6.0).reshape(3, 2)
    grad = numerical_gradient(lambda t: float((t**2).sum()), theta)
    assert grad.shape == (3, 2)
    assert np.allclose(grad, 2.0 * theta, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_on_values_restores_them_and_records_no_graph() -> None:
    x, y = Value(2.0, "x"), Value(-1.0, "y")
    built: list[Value] = []

    def f() -> Value:
        out = x * x * y + y.exp()
        built.append(out)
        return out

    grad = numerical_gradient(f, [x, y])
    assert grad == pytest.approx([2 * 2.0 * -1.0, 2.0**2 + math.exp(-1.0)], rel=1e-8)
    assert (x.data, y.data) == (2.0, -1.0)
    assert (x.grad, y.grad) == (0.0, 0.0)
    assert all(out.op is None for out in built)  # evaluated under no_grad: no graph kept


@given(finite, finite, finite)
def test_check_gradients_passes_correct_autograd(a: float, b: float, c: float) -> None:
    x, y, z = Value(a), Value(b), Value(c)

    def f() -> Value:
        return (x * y).tanh() + (z * x).sigmoid() * y - (x - z) ** 2 / 4

    error = check_gradients(f, [x, y, z])
    assert error < 1e-6
    # and it left the autograd gradients in place
    out = f()
    x.grad = y.grad = z.grad = 0.0
    out.backward()
    grads = (x.grad, y.grad, z.grad)
    check_gradients(f, [x, y, z])
    assert (x.grad, y.grad, z.grad) == grads


def test_the_default_floor_keeps_rounding_noise_from_reading_as_error() -> None:
    """Gradients near 0 are pure rounding noise to central differences; relative to 1e-12 they look wrong."""
    x, y, z = Value(1e-5), Value(0.02734375), Value(1e-5)

    def f() -> Value:
        return (x * y).tanh() + (z * x).sigmoid() * y - (x - z) ** 2 / 4

    assert check_gradients(f, [x, y, z]) < 1e-7
    assert check_gradients(f, [x, y, z], tiny=1e-12) > 1e-6
    assert rounding_floor(0.5, 1e-6) == pytest.approx(1.1e-2)
    assert rounding_floor(0.0, 1e-6) == 1e-12
    assert rounding_floor(0.0, 1e-6, 2.0) == pytest.approx(4.4e-2)


def test_the_floor_covers_the_rounding_of_theta_plus_eps() -> None:
    """f(θ) = 0 with a zero gradient component: what the quotient sees is θ ± ε rounded."""
    x, y, z = Value(1.0), Value(0.0), Value(1.0)

    def f() -> Value:
        return (x * y).tanh() + (z * x).sigmoid() * y - (x - z) ** 2 / 4

    assert f().data == 0.0
    assert check_gradients(f, [x, y, z]) < 1e-7
    assert check_gradients(f, [x, y, z], tiny=1e-12) > 1e-6


def test_check_gradients_catches_a_wrong_derivative_in_the_graph() -> None:
    """A sigmoid node whose local derivative forgets a factor: σ(1 − σ) becomes (1 − σ)."""
    wrong = dataclasses.replace(ops.SIGMOID, local=lambda xs, out, k: (1.0 - out,))
    w = [Value(0.3), Value(-0.7)]
    x = [1.5, 2.0]

    def f(broken: bool) -> Value:
        z = w[0] * x[0] + w[1] * x[1]
        a = z.sigmoid()
        if broken:
            a.op = wrong
        return a * 3.0

    assert check_gradients(lambda: f(False), w) < 1e-8
    assert check_gradients(lambda: f(True), w) > 0.1


def test_check_gradients_catches_a_wrong_formula() -> None:
    """dw = x·dz is right; dw = x·a (forgetting − y) is caught."""
    X = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -1.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    model = LogisticRegression.from_params([[0.2], [-0.4]], 0.1)
    theta = np.array([0.2, -0.4, 0.1])

    def J(t: np.ndarray) -> float:
        return LogisticRegression.from_params(t[:2], float(t[2])).cost(X, Y).data

    def gradient(t: np.ndarray, forget_y: bool) -> np.ndarray:
        z = t[:2] @ X + t[2]
        a = 1.0 / (1.0 + np.exp(-z))
        dz = a if forget_y else a - Y[0]
        return np.append(X @ dz / 3, dz.mean())

    assert check_gradients(J, theta, lambda t: gradient(t, False)) < 1e-7
    assert check_gradients(J, theta, lambda t: gradient(t, True)) > 0.1
    assert check_gradients(lambda: model.cost(X, Y), model.parameters()) < 1e-7
    assert check_gradients(lambda: model.cost(X, Y), model.parameters(), gradient(theta, True)) > 0.1


def test_relative_error_and_its_floor() -> None:
    assert relative_error(1.0, 1.0 + 1e-9).item() == pytest.approx(1e-9, rel=1e-6)
    assert relative_error(0.0, 0.0).item() == 0.0
    assert relative_error(0.0, 1e-12, tiny=1e-8).item() == pytest.approx(1e-4)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_bad_arguments() -> None:
    v = Value(1.0)
    with pytest.raises(ValueError, match="eps must be a positive finite number, got 0"):
        numerical_gradient(lambda: v, [v], eps=0)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value"):
        numerical_gradient(lambda: v, [v, 2.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least one parameter"):
        numerical_gradient(lambda: v, [])
    with pytest.raises(TypeError, match="float dtype, got dtype int64"):
        numerical_gradient(lambda t: 0.0, np.array([1, 2]))
    with pytest.raises(TypeError, match="f must return a number or a Value, got str"):
        numerical_gradient(lambda: "x", [v])
    with pytest.raises(TypeError, match="grad is required when params is an array"):
        check_gradients(lambda t: 0.0, np.array([1.0]))
    with pytest.raises(TypeError, match="f must return a Value for autograd, got float"):
        check_gradients(lambda: 1.0, [v])
    with pytest.raises(ValueError, match=r"grad must have 1 entries \(shape \(1,\)\), got shape \(2,\)"):
        check_gradients(lambda t: 0.0, np.array([1.0]), np.zeros(2))


# ---------------------------------------------------------------- the analytic formulas


def test_analytic_one_sample_by_hand() -> None:
    """x = (1, 2), w = (0.5, −0.2), b = 0.1: z = 0.2, a = σ(0.2); y = 1."""
    ref = analytic_one_sample([1.0, 2.0], 1, [0.5, -0.2], 0.1)
    a = 1.0 / (1.0 + math.exp(-0.2))
    assert ref["z"] == pytest.approx(0.2, rel=1e-15)
    assert ref["a"] == pytest.approx(a, rel=1e-15)
    assert ref["L"] == pytest.approx(-math.log(a), rel=1e-14)
    assert ref["da"] == pytest.approx(-1.0 / a, rel=1e-14)
    assert ref["dz"] == pytest.approx(a - 1.0, rel=1e-14)
    assert ref["dw"].shape == (2, 1)
    assert ref["dw"][:, 0] == pytest.approx([a - 1.0, 2.0 * (a - 1.0)], rel=1e-14)
    assert ref["db"] == ref["dz"]


@given(st.lists(finite, min_size=1, max_size=5), st.sampled_from([0, 1]), st.data())
def test_analytic_equals_autograd_on_the_literal_graph(x: list[float], y: int, data: st.DataObject) -> None:
    w = data.draw(st.lists(finite, min_size=len(x), max_size=len(x)))
    b = data.draw(finite)
    nodes = one_sample(x, y, w, b)  # literal graph, literal loss: |z| ≤ 48 here, so σ does not saturate
    nodes["L"].backward()
    ref = analytic_one_sample(x, y, w, b)
    scale = 1.0 + sum(abs(wi * xi) for wi, xi in zip(w, x)) + abs(b)
    assert abs(nodes["z"].grad - ref["dz"]) <= 1e-13 * scale
    assert nodes["a"].grad == pytest.approx(ref["da"], rel=1e-10)
    assert abs(nodes["b"].grad - ref["db"]) <= 1e-13 * scale
    for j, xj in enumerate(x, 1):
        assert abs(nodes[f"w{j}"].grad - ref["dw"][j - 1, 0]) <= 1e-13 * scale * (1.0 + abs(xj))
        assert nodes[f"x{j}"].grad == pytest.approx(w[j - 1] * ref["dz"], rel=1e-12, abs=1e-13 * scale)


def test_analytic_da_is_infinite_only_where_a_saturates_on_the_wrong_side() -> None:
    assert analytic_one_sample([800.0], 0, [1.0], 0.0)["da"] == math.inf  # a = 1.0, y = 0: −log(1 − a) blows up
    assert analytic_one_sample([-800.0], 1, [1.0], 0.0)["da"] == -math.inf
    right = analytic_one_sample([800.0], 1, [1.0], 0.0)
    assert right["da"] == -1.0 and right["dz"] == 0.0 and right["L"] == 0.0
    wrong = analytic_one_sample([800.0], 0, [1.0], 0.0)
    assert wrong["L"] == 800.0 and wrong["dz"] == 1.0


def test_analytic_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"x and w must both have n > 0 entries, got shapes \(2,\) and \(3,\)"):
        analytic_one_sample([1.0, 2.0], 1, [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match=r"y must be a label 0 or 1, got 0\.5"):
        analytic_one_sample([1.0], 0.5, [1.0], 0.0)
    with pytest.raises(ValueError, match="x and w must be finite"):
        analytic_one_sample([math.nan], 1, [1.0], 0.0)


# ---------------------------------------------------------------- a check that cannot pass a wrong gradient


def test_a_step_too_small_for_the_function_is_refused_naming_one_that_works() -> None:
    """At ε = 1e-17, θ ± ε rounds to θ: the differences say 0 where a³ has slope 12."""
    a = Value(2.0)
    with pytest.raises(StepTooSmallError, match=r"eps = 1e-17 is too small.*use eps = 1e-08 or larger") as info:
        check_gradients(lambda: a * a * a, [a], eps=1e-17)
    assert check_gradients(lambda: a * a * a, [a], eps=info.value.working_eps) < 1e-7
    assert isinstance(info.value, ValueError)


def test_a_gradient_100_times_too_large_never_passes() -> None:
    a = Value(2.0)
    with pytest.raises(ValueError, match="too small for this function"):
        check_gradients(lambda: a * a * a, [a], lambda: [1200.0], eps=1e-12)
    for eps in (1e-8, 1e-6, 1e-4):
        assert check_gradients(lambda: a * a * a, [a], lambda: [1200.0], eps=eps) > 0.98


def test_a_constant_offset_does_not_hide_half_the_gradient() -> None:
    """f = 1000 + 0.01·Σt²: the offset's rounding is measured against the gradient's scale, not f's."""
    theta = np.array([0.3, -0.64, 0.1, 0.5])

    def f(t: np.ndarray) -> float:
        return 1000.0 + 0.01 * float((t**2).sum())

    def half(t: np.ndarray) -> np.ndarray:
        return 0.01 * t

    with pytest.raises(StepTooSmallError, match=r"use eps = 0\.001 or larger"):
        check_gradients(f, theta, half)  # the default ε = 1e-6 cannot resolve 0.02·t under 1000
    assert check_gradients(f, theta, half, eps=1e-3) == pytest.approx(0.5, rel=1e-6)
    assert check_gradients(f, theta, lambda t: 0.02 * t, eps=1e-3) < 1e-7


def test_the_floor_is_capped_by_the_gradients_own_scale() -> None:
    theta = np.array([1.0, 2.0])
    result = report(lambda t: float(t @ t), theta, lambda t: 2.0 * t * np.array([1.0, 1.02]), tiny=1e9)
    assert result.floor == pytest.approx(0.01 * 4.08)
    assert result.largest == pytest.approx(0.02 / 1.02, rel=1e-6)
    assert not result.passed(1e-3)


def _problem(data: st.DataObject, n: int) -> tuple[np.ndarray, Callable[[np.ndarray], float], np.ndarray, float]:
    """A smooth f(θ) = c₀ + s·Σ cₖ sin(θₖ/L) at random magnitudes s, L and offsets c₀; its gradient; and L."""
    L = 10.0 ** data.draw(st.integers(-6, 6), "log10 L")
    s = 10.0 ** data.draw(st.integers(-8, 8), "log10 s")
    c0 = data.draw(st.sampled_from([0.0, 1.0, -1.0]), "offset sign") * s * 10.0 ** data.draw(st.integers(-4, 4))
    c = np.array(data.draw(st.lists(st.floats(0.5, 2.0), min_size=n, max_size=n), "c"))
    theta = L * np.array(data.draw(st.lists(st.floats(-3.0, 3.0), min_size=n, max_size=n), "θ/L"))

    def f(t: np.ndarray) -> float:
        return c0 + s * float(np.sum(c * np.sin(t / L)))

    return theta, f, s * c * np.cos(theta / L) / L, L


@given(st.data(), st.integers(1, 4))
def test_any_accepted_step_catches_a_planted_error_of_one_percent(data: st.DataObject, n: int) -> None:
    theta, f, g, L = _problem(data, n)
    j = data.draw(st.sampled_from([k for k in range(n) if abs(g[k]) >= 0.01 * np.max(np.abs(g))]), "component")
    delta = data.draw(st.floats(0.01, 100.0), "planted") * data.draw(st.sampled_from([1.0, -1.0]))
    wrong = g.copy()
    wrong[j] *= 1.0 + delta
    eps = L * 10.0 ** data.draw(st.integers(-20, -2), "log10 eps/L")
    try:
        result = report(f, theta, wrong, eps=eps)
    except StepTooSmallError:
        return  # refused: nothing passed
    assert not result.passed(1e-3)
    assert j in result.failing(1e-3)
    assert result.largest >= 0.005


@given(st.data(), st.integers(1, 4))
def test_correct_gradients_pass_across_magnitudes(data: st.DataObject, n: int) -> None:
    theta, f, g, L = _problem(data, n)
    eps = 1e-5 * L
    try:
        result = report(f, theta, g, eps=eps)
    except StepTooSmallError as exc:
        assert exc.working_eps > eps
        result = report(f, theta, g, eps=exc.working_eps)
    if result.eps <= 1e-3 * L:  # beyond that, the truncation error (ε/L)²/6 of the differences shows
        assert result.passed(1e-6), result.table()


def test_report_and_assert_gradients_close_show_the_worst_first() -> None:
    x, y, z = Value(0.7, "x"), Value(-1.3, "y"), Value(0.2)

    def f() -> Value:
        return (x * y).tanh() + x**2 + z * y

    right = report(f, [x, y, z])
    assert right.names == ("x", "y", "[2]") and right.passed() and right.largest < 1e-8
    true = right.autograd.copy()
    wrong = true * np.array([1.0, 1.5, 1.001])
    with pytest.raises(AssertionError) as info:
        assert_gradients_close(f, [x, y, z], wrong)
    text = str(info.value)
    assert text.startswith("Gradients are not close: 2 of 3 components differ by more than tol = 1e-06")
    lines = text.splitlines()
    assert lines[1].split() == ["parameter", "autograd", "numerical", "rel.", "error"]
    assert [line.split()[0] for line in lines[2:5]] == ["y", "[2]", "x"]
    assert lines[2].endswith("FAIL") and lines[3].endswith("FAIL") and not lines[4].endswith("FAIL")
    assert float(lines[2].split()[1]) == pytest.approx(wrong[1], rel=1e-8)
    assert float(lines[2].split()[2]) == pytest.approx(true[1], rel=1e-8)
    assert max(len(line) for line in lines) <= 100
    assert assert_gradients_close(f, [x, y, z]).passed()
    grid = report(lambda t: float((t**3).sum()), np.ones((2, 2)), lambda t: 3 * t**2)
    assert grid.names == ("[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]")


def test_a_tolerance_that_would_pass_a_wrong_gradient_is_refused() -> None:
    x = Value(1.0)
    for tol in (0.01, 1.0, -1e-9, math.nan, math.inf):
        with pytest.raises(ValueError, match="tol must be"):
            assert_gradients_close(lambda: x * x, [x], tol=tol)
