"""The vectorized NumPy path: sigmoid, initialize_with_zeros, propagate, optimize, predict, model, bad input.

Tolerances, stated once:

* propagate against the text's formulas written out with ``math`` sample by sample: relative 1e-12;
* dw, db against central differences of the cost (step h = 1e-6): |error| ≤ 1e-7 + 1e-6·|g|;
* the stable cost against the literal −(y log a + (1 − y) log(1 − a)) where that is finite and well
  conditioned (|z| ≤ 18): relative 1e-6.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from micrograd_lr import vectorized
from micrograd_lr.vectorized import initialize_with_zeros, model, optimize, predict, propagate, sigmoid


@contextmanager
def no_float_warnings() -> Iterator[None]:
    """Overflow, invalid operations and division by zero raise; any warning is an error."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


@st.composite
def problems(draw: st.DrawFn, scale: float = 3.0, max_n: int = 4, max_m: int = 6) -> tuple[Any, ...]:
    """(w, b, X, Y): n features, m samples as columns, labels 0/1."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    real = st.floats(-scale, scale, allow_nan=False, allow_infinity=False)
    w = draw(hnp.arrays(np.float64, (n, 1), elements=real))
    b = draw(real)
    X = draw(hnp.arrays(np.float64, (n, m), elements=real))
    Y = draw(hnp.arrays(np.int64, (1, m), elements=st.integers(0, 1))).astype(np.float64)
    return w, b, X, Y


def reference(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray) -> tuple[list[float], float, float]:
    """The text's algorithm over m samples, one at a time, with math: (dw, db, J)."""
    n, m = X.shape
    J, db = 0.0, 0.0
    dw = [0.0] * n
    for i in range(m):
        z = sum(w[j, 0] * X[j, i] for j in range(n)) + b
        a = 1 / (1 + math.exp(-z))
        y = Y[0, i]
        # L = −(y log a + (1 − y) log(1 − a)) = softplus(z) − y z = softplus(t) with t = (1 − 2y) z for y ∈ {0, 1},
        # computed as log1p(e^(−|t|)) + max(t, 0) so that neither 1 − a nor a subtraction loses digits
        t = z if y == 0 else -z
        J += math.log1p(math.exp(-abs(t))) + max(t, 0.0)
        dz = a - y
        for j in range(n):
            dw[j] += X[j, i] * dz
        db += dz
    return [d / m for d in dw], db / m, J / m


# ----------------------------------------------------------------------------- sigmoid


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_sigmoid_is_in_0_1_without_warnings_for_any_finite_z(z: float) -> None:
    with no_float_warnings():
        a = sigmoid(z)
        arr = sigmoid(np.array([z, -z]))
    assert 0.0 <= a <= 1.0
    assert not math.isnan(a)
    assert arr.shape == (2,)


@given(st.floats(-700, 700))
def test_sigmoid_matches_the_formula(z: float) -> None:
    expected = 1 / (1 + math.exp(-z))
    assert math.isclose(float(sigmoid(z)), expected, rel_tol=1e-14, abs_tol=0.0)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=st.floats(-1e6, 1e6)))
def test_sigmoid_is_symmetric_and_monotone(z: np.ndarray) -> None:
    with no_float_warnings():
        a, a_neg = sigmoid(z), sigmoid(-z)
    np.testing.assert_allclose(a_neg, 1.0 - a, rtol=0, atol=2**-52)
    order = np.argsort(z, axis=None)
    assert np.all(np.diff(a.ravel()[order]) >= 0)
    assert a.shape == z.shape


def test_sigmoid_saturates_to_exactly_1_and_0() -> None:
    with no_float_warnings():
        assert sigmoid(1000.0) == 1.0
        assert sigmoid(-1000.0) == 0.0
        assert sigmoid(0) == 0.5
        np.testing.assert_array_equal(sigmoid(np.array([-1e308, 1e308])), [0.0, 1.0])
        assert sigmoid(np.float32(-200.0)) == 0.0


def test_sigmoid_keeps_shape_and_dtype() -> None:
    assert sigmoid(np.zeros((2, 3), dtype=np.float32)).dtype == np.float32
    assert sigmoid(np.zeros((2, 3))).dtype == np.float64
    assert sigmoid(np.arange(3)).dtype == np.float64
    assert sigmoid(np.float32(1.0)).dtype == np.float32
    assert np.ndim(sigmoid(2.0)) == 0 and isinstance(sigmoid(2.0), float)
    assert sigmoid(np.array(2.0)).shape == ()
    z = np.array([-1.0, 2.0])
    sigmoid(z)
    np.testing.assert_array_equal(z, [-1.0, 2.0])  # the input is left as it was


@pytest.mark.parametrize("bad", ["1.0", None, np.array(["a"]), np.array([1, None], dtype=object), True])
def test_sigmoid_rejects_non_numbers(bad: Any) -> None:
    with pytest.raises(TypeError, match="z must be"):
        sigmoid(bad)


# ----------------------------------------------------------------------------- initialize_with_zeros


@given(st.integers(1, 50))
def test_initialize_with_zeros(dim: int) -> None:
    w, b = initialize_with_zeros(dim)
    assert w.shape == (dim, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


@pytest.mark.parametrize(("dim", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError), ("4", TypeError)])
def test_initialize_with_zeros_rejects_bad_dim(dim: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="dim"):
        initialize_with_zeros(dim)


# ----------------------------------------------------------------------------- propagate


def test_propagate_on_a_small_problem() -> None:
    w, b = np.array([[1.0], [2.0]]), 2.0
    X, Y = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), np.array([[1, 0, 1]])
    grads, cost = propagate(w, b, X, Y)
    dw, db, J = reference(w, b, X, Y.astype(float))
    np.testing.assert_allclose(grads["dw"], np.array(dw).reshape(2, 1), rtol=1e-12)
    assert math.isclose(grads["db"], db, rel_tol=1e-12)
    assert math.isclose(cost, J, rel_tol=1e-12)
    assert math.isclose(cost, 5.801545319394553, rel_tol=1e-12)  # the value learners know from the course
    assert grads["dw"].shape == (2, 1) and type(grads["db"]) is float and type(cost) is float


@given(problems())
def test_propagate_equals_the_texts_loop_over_samples(problem: tuple[Any, ...]) -> None:
    w, b, X, Y = problem
    grads, cost = propagate(w, b, X, Y)
    dw, db, J = reference(w, b, X, Y)
    np.testing.assert_allclose(grads["dw"].ravel(), dw, rtol=1e-12, atol=1e-15)
    assert math.isclose(grads["db"], db, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(cost, J, rel_tol=1e-12)


@given(problems())
def test_propagate_gradients_match_central_differences(problem: tuple[Any, ...]) -> None:
    w, b, X, Y = problem
    grads, _ = propagate(w, b, X, Y)
    h = 1e-6

    def J(w_: np.ndarray, b_: float) -> float:
        return propagate(w_, b_, X, Y)[1]

    for j in range(w.shape[0]):
        plus, minus = w.copy(), w.copy()
        plus[j, 0] += h
        minus[j, 0] -= h
        numeric = (J(plus, b) - J(minus, b)) / (2 * h)
        assert abs(grads["dw"][j, 0] - numeric) <= 1e-7 + 1e-6 * abs(numeric)
    numeric_b = (J(w, b + h) - J(w, b - h)) / (2 * h)
    assert abs(grads["db"] - numeric_b) <= 1e-7 + 1e-6 * abs(numeric_b)


@given(problems(scale=2.0))
def test_cost_equals_the_literal_cross_entropy_where_finite(problem: tuple[Any, ...]) -> None:
    w, b, X, Y = problem
    _, cost = propagate(w, b, X, Y)
    with np.errstate(all="ignore"):
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        literal = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
    if math.isfinite(literal):
        assert math.isclose(cost, literal, rel_tol=1e-6, abs_tol=1e-12)


@given(st.floats(40, 1e6), st.integers(0, 1))
def test_cost_stays_finite_when_predictions_saturate(z: float, y: int) -> None:
    """With a = σ(±z) rounded to 1 or 0, the literal loss is inf or 0; the cost is softplus: exact."""
    X = np.array([[z, -z]])
    Y = np.array([[y, y]])
    with no_float_warnings():
        grads, cost = propagate(np.array([[1.0]]), 0.0, X, Y)
    assert math.isfinite(cost)
    # one of the two samples is on the wrong side by |z|: L ≈ z; the other is right: L ≈ 0
    assert math.isclose(cost, z / 2, rel_tol=1e-12)
    assert all(math.isfinite(v) for v in [grads["db"], *grads["dw"].ravel()])


# ----------------------------------------------------------------------------- optimize


def loop_of_propagate(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, k: int, alpha: float) -> tuple[Any, ...]:
    """The course's optimize, written with propagate: k steps, costs every 100."""
    costs = []
    grads: dict[str, Any] = {}
    for i in range(k):
        grads, cost = propagate(w, b, X, Y)
        w = w - alpha * grads["dw"]
        b = b - alpha * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return w, b, grads, costs


@settings(max_examples=25)
@given(problems(), st.integers(1, 230), st.floats(0.001, 0.5))
def test_optimize_equals_a_loop_of_propagate(problem: tuple[Any, ...], k: int, alpha: float) -> None:
    w, b, X, Y = problem
    params, grads, costs = optimize(w, b, X, Y, num_iterations=k, learning_rate=alpha)
    w_ref, b_ref, grads_ref, costs_ref = loop_of_propagate(w, b, X, Y, k, alpha)
    np.testing.assert_allclose(params["w"], w_ref, rtol=1e-9, atol=1e-12)
    assert math.isclose(params["b"], b_ref, rel_tol=1e-9, abs_tol=1e-12)
    np.testing.assert_allclose(grads["dw"], grads_ref["dw"], rtol=1e-9, atol=1e-12)
    assert math.isclose(grads["db"], grads_ref["db"], rel_tol=1e-9, abs_tol=1e-12)
    assert len(costs) == len(costs_ref) == math.ceil(k / 100)
    np.testing.assert_allclose(costs, costs_ref, rtol=1e-9)


@settings(max_examples=30)
@given(problems())
def test_optimize_does_not_modify_the_callers_w(problem: tuple[Any, ...]) -> None:
    w, b, X, Y = problem
    before = w.copy()
    params, _, _ = optimize(w, b, X, Y, num_iterations=5, learning_rate=0.1)
    np.testing.assert_array_equal(w, before)
    assert params["w"] is not w
    assert type(params["b"]) is float


@settings(max_examples=30)
@given(problems(max_n=3, max_m=8))
def test_cost_never_rises_with_a_small_enough_step(problem: tuple[Any, ...]) -> None:
    """J is convex with ∇J Lipschitz by L ≤ σ_max([X; 1])² / (4m): a step α ≤ 1/L never raises it."""
    w, b, X, Y = problem
    Xb = np.vstack([X, np.ones((1, X.shape[1]))])
    L = np.linalg.norm(Xb, 2) ** 2 / (4 * X.shape[1])
    _, _, costs = optimize(w, b, X, Y, num_iterations=401, learning_rate=1.0 / L)
    assert len(costs) == 5
    assert all(later <= earlier + 1e-12 for earlier, later in itertools.pairwise(costs))


def test_optimize_costs_are_taken_every_100_iterations_before_the_step() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 20))
    Y = (rng.random((1, 20)) < 0.5).astype(float)
    w, b = initialize_with_zeros(4)
    _, _, costs = optimize(w, b, X, Y, num_iterations=250, learning_rate=0.1)
    assert len(costs) == 3
    assert costs[0] == pytest.approx(math.log(2), rel=1e-15)  # J at w = 0, b = 0
    for j in (1, 2):
        params, _, _ = optimize(w, b, X, Y, num_iterations=100 * j, learning_rate=0.1)
        assert costs[j] == pytest.approx(propagate(params["w"], params["b"], X, Y)[1], rel=1e-12)


def test_optimize_with_zero_iterations_changes_nothing() -> None:
    w, b = np.array([[0.5], [-1.0]]), 0.25
    X, Y = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[1, 0]])
    params, grads, costs = optimize(w, b, X, Y, num_iterations=0)
    np.testing.assert_array_equal(params["w"], w)
    assert params["b"] == b and costs == []
    expected, _ = propagate(w, b, X, Y)
    np.testing.assert_allclose(grads["dw"], expected["dw"], rtol=1e-15)


def test_optimize_prints_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    X, Y = np.array([[1.0, -1.0]]), np.array([[1, 0]])
    w, b = initialize_with_zeros(1)
    optimize(w, b, X, Y, num_iterations=201, learning_rate=0.1)
    assert capsys.readouterr().out == ""
    _, _, costs = optimize(w, b, X, Y, num_iterations=201, learning_rate=0.1, print_cost=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after iteration {100 * j}: {c:f}" for j, c in enumerate(costs)]
    assert lines[0] == "Cost after iteration 0: 0.693147"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_precision_of_X_is_kept_throughout(dtype: type[np.floating[Any]]) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 12)).astype(dtype)
    Y = (rng.random((1, 12)) < 0.5).astype(dtype)
    w, b = initialize_with_zeros(5)  # float64, as the course's
    params, grads, costs = optimize(w, b, X, Y, num_iterations=150, learning_rate=0.1)
    assert params["w"].dtype == dtype and grads["dw"].dtype == dtype
    assert type(params["b"]) is float and type(grads["db"]) is float
    assert all(type(c) is float for c in costs)
    g, _ = propagate(w.astype(dtype), 0.0, X, Y)
    assert g["dw"].dtype == dtype
    assert predict(params["w"], params["b"], X).dtype == dtype
    result = model(X, Y, X, Y, num_iterations=10)
    assert result["w"].dtype == dtype


def test_float32_and_float64_agree() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 30))
    Y = (X[0] - X[1] > 0).astype(np.float64).reshape(1, 30)
    w, b = initialize_with_zeros(6)
    p64, _, c64 = optimize(w, b, X, Y, num_iterations=300, learning_rate=0.1)
    p32, _, c32 = optimize(w, b, X.astype(np.float32), Y.astype(np.float32), num_iterations=300, learning_rate=0.1)
    np.testing.assert_allclose(p32["w"], p64["w"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c32, c64, rtol=1e-5)


def test_integer_X_is_computed_in_float64() -> None:
    X, Y = np.array([[1, 2, -3]]), np.array([[1, 1, 0]])
    params, _, _ = optimize(np.zeros((1, 1)), 0.0, X, Y, num_iterations=3, learning_rate=0.1)
    assert params["w"].dtype == np.float64


def test_optimize_validates_once_not_every_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = vectorized._samples  # the check of X, first of the checks optimize makes

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(vectorized, "_samples", counting)
    optimize(np.zeros((2, 1)), 0.0, np.ones((2, 3)), np.array([[1, 0, 1]]), num_iterations=300)
    assert len(calls) == 1


def test_optimize_with_saturating_predictions_gives_no_warnings() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(scale=1e3, size=(3, 40))
    Y = (X[0] > 0).astype(float).reshape(1, 40)
    with no_float_warnings():
        params, grads, costs = optimize(np.zeros((3, 1)), 0.0, X, Y, num_iterations=200, learning_rate=5.0)
    assert all(math.isfinite(c) for c in costs)
    assert np.isfinite(params["w"]).all() and math.isfinite(grads["db"])


# ----------------------------------------------------------------------------- predict and model


@given(problems(scale=5.0))
def test_predict_is_1_exactly_where_a_exceeds_one_half(problem: tuple[Any, ...]) -> None:
    w, b, X, _ = problem
    Y_hat = predict(w, b, X)
    a = sigmoid(w.T @ X + b)
    assert Y_hat.shape == (1, X.shape[1]) and Y_hat.dtype == np.float64
    np.testing.assert_array_equal(Y_hat, (a > 0.5).astype(float))
    assert set(np.unique(Y_hat)) <= {0.0, 1.0}


def test_predict_threshold_at_z_0_gives_0() -> None:
    X = np.array([[-1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(predict(np.array([[1.0]]), 0.0, X), [[0.0, 0.0, 1.0]])


def test_model_learns_a_separable_problem_and_returns_the_courses_keys() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 60))
    Y = (X[0] + 0.5 * X[1] > 0).astype(np.int64).reshape(1, 60)
    d = model(X[:, :40], Y[:, :40], X[:, 40:], Y[:, 40:], num_iterations=1000, learning_rate=0.5)
    assert set(d) == {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b", "learning_rate", "num_iterations"}
    assert d["Y_prediction_train"].shape == (1, 40) and d["Y_prediction_test"].shape == (1, 20)
    assert d["w"].shape == (3, 1) and type(d["b"]) is float
    assert d["learning_rate"] == 0.5 and d["num_iterations"] == 1000 and len(d["costs"]) == 10
    assert np.mean(d["Y_prediction_train"] == Y[:, :40]) >= 0.95
    assert np.mean(d["Y_prediction_test"] == Y[:, 40:]) >= 0.85
    assert d["costs"][-1] < d["costs"][0]


# ----------------------------------------------------------------------------- bad input

GOOD_W, GOOD_X, GOOD_Y = np.zeros((2, 1)), np.ones((2, 3)), np.array([[0, 1, 1]])


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"X": np.ones(3)}, ValueError, ["X", "2-D", "(3,)"]),
        ({"X": np.ones((3, 3))}, ValueError, ["w", "(3, 1)", "(2, 1)"]),
        ({"w": np.zeros(2)}, ValueError, ["w", "(2,)", "(n, 1)"]),
        ({"Y": np.array([[0], [1], [1]])}, ValueError, ["Y", "(1, 3)", "(3, 1)", "reshape"]),
        ({"Y": np.array([[0, 1]])}, ValueError, ["Y", "(1, 3)", "(1, 2)"]),
        ({"Y": np.array([[0, 2, 1]])}, ValueError, ["Y", "0 or 1", "2"]),
        ({"Y": np.array([[0, 0.5, 1]])}, ValueError, ["Y", "0 or 1", "0.5"]),
        ({"X": np.array([[1.0, np.nan, 1.0], [1.0, 1.0, 1.0]])}, ValueError, ["X", "NaN or infinite", "(0, 1)"]),
        ({"X": np.array([[1.0, 1.0, 1.0], [1.0, 1.0, np.inf]])}, ValueError, ["X", "NaN or infinite", "inf"]),
        ({"X": np.ones((2, 0)), "Y": np.ones((1, 0))}, ValueError, ["X", "m = 0"]),
        ({"X": [["a", "b", "c"], ["d", "e", "f"]]}, TypeError, ["X", "dtype", "real numbers"]),
        ({"X": np.array([[1, None, 2], [1, 2, 3]], dtype=object)}, TypeError, ["X", "object"]),
        ({"X": None}, TypeError, ["X", "None"]),
        ({"X": "pictures"}, TypeError, ["X", "string"]),
        ({"Y": None}, TypeError, ["Y", "None"]),
        ({"w": None}, TypeError, ["w", "None"]),
        ({"w": np.array([[np.nan], [0.0]])}, ValueError, ["w", "NaN"]),
        ({"b": "0"}, TypeError, ["b", "real number"]),
        ({"b": None}, TypeError, ["b", "None"]),
        ({"b": float("nan")}, ValueError, ["b", "finite"]),
        ({"b": np.zeros(2)}, TypeError, ["b", "(2,)"]),
    ],
)
@pytest.mark.parametrize("function", ["propagate", "optimize"])
def test_bad_input_is_named_with_what_came_and_what_was_expected(
    kwargs: dict[str, Any], error: type[Exception], words: list[str], function: str
) -> None:
    args = {"w": GOOD_W, "b": 0.0, "X": GOOD_X, "Y": GOOD_Y, **kwargs}
    with pytest.raises(error) as info:
        getattr(vectorized, function)(**args)
    message = str(info.value)
    assert message.startswith(words[0]), message
    for word in words[1:]:
        assert word in message, message


def test_predict_and_model_name_their_arguments() -> None:
    with pytest.raises(ValueError, match=r"^X has 3 features|^w must have shape"):
        predict(GOOD_W, 0.0, np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"^X_test has 3 features .*expected n = 2"):
        model(GOOD_X, GOOD_Y, np.ones((3, 4)), np.array([[0, 1, 0, 1]]))
    with pytest.raises(ValueError, match=r"^Y_train must hold labels 0 or 1"):
        model(GOOD_X, np.array([[0, 1, 3]]), GOOD_X, GOOD_Y)
    with pytest.raises(ValueError, match=r"^Y_test must have shape \(1, m\) = \(1, 3\)"):
        model(GOOD_X, GOOD_Y, GOOD_X, np.array([[0], [1], [1]]))
    with pytest.raises(TypeError, match=r"^X_train must hold real numbers"):
        model(np.array([["a"]]), GOOD_Y, GOOD_X, GOOD_Y)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"learning_rate": -0.1}, ValueError, "learning_rate"),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate"),
        ({"num_iterations": -1}, ValueError, "num_iterations"),
        ({"num_iterations": 10.5}, TypeError, "num_iterations"),
        ({"num_iterations": True}, TypeError, "num_iterations"),
    ],
)
def test_optimize_rejects_bad_settings(kwargs: dict[str, Any], error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=f"^{name} must be"):
        optimize(GOOD_W, 0.0, GOOD_X, GOOD_Y, **kwargs)


def test_the_module_imports_nothing_else_of_the_package_but_validation() -> None:
    """vectorized stands alone on NumPy: its one import of the package is validation, which imports none."""
    import ast
    from pathlib import Path

    from micrograd_lr import validation

    for module, allowed in ((vectorized, {"validation"}), (validation, set())):
        assert module.__file__ is not None
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level > 0:
                    names = {node.module} if node.module else {alias.name for alias in node.names}
                    assert node.level == 1 and names <= allowed, ast.dump(node)
                else:
                    assert not (node.module or "").startswith("micrograd_lr")
            if isinstance(node, ast.Import):
                assert all(not alias.name.startswith("micrograd_lr") for alias in node.names)


# ---------------------------------------------------------------- no NaN or infinity comes back silently


def _pictures(dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    from micrograd_lr import data

    train_x, train_y, *_ = data.load_dataset(seed=0)
    return data.scale(data.flatten(train_x), dtype), train_y.astype(dtype)


@pytest.mark.parametrize(
    ("dtype", "alpha", "iteration"),
    [(np.float64, 1e305, 1), (np.float32, 1e35, 1)],
)
def test_gradient_descent_that_overflows_says_when_with_what_rate_and_what(
    dtype: type, alpha: float, iteration: int
) -> None:
    """Pixel-scale X (0 … 255) with a huge α: w leaves the finite numbers; no NaN weights or costs come back."""
    X, Y = _pictures(dtype)
    w, b = initialize_with_zeros(X.shape[0])
    with no_float_warnings(), pytest.raises(vectorized.DivergedError) as info:
        optimize(w, b, X * dtype(255), Y, 2000, alpha)
    error = info.value
    assert isinstance(error, OverflowError)
    assert (error.iteration, error.learning_rate, error.what) == (iteration, alpha, "z")
    assert str(error).startswith(f"gradient descent diverged at iteration {iteration} with learning_rate {alpha!r}: ")
    assert "z = wᵀx + b overflowed" in str(error) and np.dtype(dtype).name in str(error)


def test_propagate_with_an_overflowing_z_says_so() -> None:
    X = np.full((2, 3), 1e308)
    with no_float_warnings(), pytest.raises(vectorized.NonFiniteError, match=r"^z = wᵀx \+ b overflowed \(got inf\)"):
        propagate(np.ones((2, 1)), 0.0, X, np.array([[1, 0, 1]]))
    with no_float_warnings(), pytest.raises(OverflowError, match=r"overflowed \(got inf\) for sample 0"):
        predict(np.ones((2, 1)), 0.0, X)


def test_the_step_that_overflows_w_is_named() -> None:
    X = np.array([[1e300, -1e300, 2e300]])
    with no_float_warnings(), pytest.raises(vectorized.DivergedError) as info:
        optimize(np.zeros((1, 1)), 0.0, X, np.array([[1, 0, 0]]), 10, 1e308)
    assert info.value.iteration == 0 and info.value.what == "w"
    assert "the step w[0] := w[0] − α·(" in str(info.value)


@given(problems())
def test_a_1d_label_vector_gives_the_same_results_as_a_row(problem: tuple[np.ndarray, ...]) -> None:
    w, b_drawn, X, Y = problem
    b = float(b_drawn)
    assert propagate(w, b, X, Y.ravel())[1] == propagate(w, b, X, Y)[1]
    row, flat = optimize(w, b, X, Y, 3, 0.1), optimize(w, b, X, Y.ravel(), 3, 0.1)
    assert np.array_equal(row[0]["w"], flat[0]["w"]) and row[0]["b"] == flat[0]["b"] and row[2] == flat[2]
    assert np.array_equal(row[1]["dw"], flat[1]["dw"])
    a = model(X, Y, X, Y, 3, 0.1)
    c = model(X, Y.ravel(), X, Y.ravel(), 3, 0.1)
    assert np.array_equal(a["w"], c["w"]) and np.array_equal(a["Y_prediction_test"], c["Y_prediction_test"])
