"""The proof of equality: logistic regression computed four ways gives the same numbers.

For random small problems (n features, m samples, w, b, X, Y), these agree on dw, db and J:

* autograd on the Value graph, fused loss (one ``dot`` node per sample, ``logistic_loss``);
* autograd on the Value graph, literal loss and literal graph (one product node per wⱼxⱼ,
  σ, then −(y log a + (1 − y) log(1 − a)));
* the text's explicit loop over samples i and features j;
* ``vectorized.propagate``;
* central finite differences of J.

Tolerances.  The exact implementations sum the same terms in different orders, so they
may differ by a few rounding errors of the terms summed: we require

    |g₁ − g₂| ≤ 1e-13 · S,

where S is the size of what was summed: S = (1/m) Σᵢ |xᵢⱼ| (1 + ζᵢ) for dwⱼ and
S = (1/m) Σᵢ (1 + ζᵢ) for db and J, with ζᵢ = Σⱼ |wⱼ xᵢⱼ| + |b| bounding |z⁽ⁱ⁾|.  Double
precision gives about 1e-15 · S, so 1e-13 leaves room for sums of a few dozen terms and
nothing more.  Central differences (ε = 1e-6) carry a truncation error O(ε²) and a rounding
error ~1e-16 · S / ε with S the size of J's terms (the S of db and J), so they must agree
to 1e-7 relative plus 1e-8 · S.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from micrograd_lr import Value, vectorized
from micrograd_lr.gradcheck import analytic_one_sample, numerical_gradient
from micrograd_lr.logistic import LogisticRegression, explicit_loop, one_sample

EXACT = 1e-13  # tolerance between exact implementations, relative to the size S of the terms summed
FD_REL, FD_ABS = 1e-7, 1e-8  # central differences: relative, and absolute relative to S
EPS = 1e-6

Problem = tuple[np.ndarray, float, np.ndarray, np.ndarray]


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def problems(draw: Any, max_n: int = 6, max_m: int = 8, x_max: float = 5.0, w_max: float = 3.0) -> Problem:
    """(w (n, 1), b, X (n, m), Y (1, m)) with labels in {0, 1}."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    X = draw(hnp.arrays(np.float64, (n, m), elements=_floats(-x_max, x_max)))
    w = draw(hnp.arrays(np.float64, (n, 1), elements=_floats(-w_max, w_max)))
    b = draw(_floats(-w_max, w_max))
    Y = draw(hnp.arrays(np.float64, (1, m), elements=st.sampled_from([0.0, 1.0])))
    return w, b, X, Y


def sizes(w: np.ndarray, b: float, X: np.ndarray) -> tuple[np.ndarray, float]:
    """S for dw (shape (n, 1)) and S for db and J (see the module docstring)."""
    zeta = np.abs(w * X).sum(axis=0) + abs(b)  # (m,): bounds |z⁽ⁱ⁾|
    s_dw = (np.abs(X) * (1.0 + zeta)).mean(axis=1, keepdims=True)
    s_b = float((1.0 + zeta).mean())
    return s_dw, s_b


def autograd(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray, **form: bool) -> tuple[np.ndarray, float, float]:
    model = LogisticRegression.from_params(w, b)
    J = model.cost(X, Y, **form)
    J.backward()
    return np.array([[p.grad] for p in model.w]), model.b.grad, J.data


def assert_same(
    got: tuple[np.ndarray, float, float], ref: tuple[np.ndarray, float, float], s_dw: np.ndarray, s_b: float
) -> None:
    dw, db, J = got
    dw0, db0, J0 = ref
    assert dw.shape == dw0.shape
    assert np.all(np.abs(dw - dw0) <= EXACT * s_dw), (dw, dw0)
    assert abs(db - db0) <= EXACT * s_b, (db, db0)
    assert abs(J - J0) <= EXACT * s_b, (J, J0)


def _saturates(w: np.ndarray, b: float, X: np.ndarray) -> bool:
    """True if σ(z) rounds to exactly 0 or 1 for some sample (the literal loss takes log 0 there)."""
    z = (w * X).sum(axis=0) + b
    a = np.array([Value(float(v)).sigmoid().data for v in z])
    return bool(np.any((a == 0.0) | (a == 1.0)))


@given(problems())
def test_autograd_loop_and_vectorized_give_the_same_gradients_and_cost(problem: Problem) -> None:
    w, b, X, Y = problem
    s_dw, s_b = sizes(w, b, X)
    fused = autograd(w, b, X, Y)
    grads, cost = explicit_loop(w, b, X, Y)
    loop = (grads["dw"], grads["db"], cost)
    vgrads, vcost = vectorized.propagate(w, b, X, Y)
    vec = (np.asarray(vgrads["dw"]), float(vgrads["db"]), float(vcost))
    assert isinstance(grads["db"], float) and isinstance(cost, float)
    assert grads["dw"].shape == vec[0].shape == w.shape
    assert_same(loop, fused, s_dw, s_b)
    assert_same(vec, fused, s_dw, s_b)
    assert_same(vec, loop, s_dw, s_b)
    assert all(math.isfinite(v) for v in (fused[1], fused[2], loop[2], vec[2]))


@given(problems())
def test_the_literal_graph_gives_the_same_gradients_wherever_it_is_finite(problem: Problem) -> None:
    """One product node per wⱼxⱼ and the literal loss: the same dw and db; J to the accuracy of log(1 − a)."""
    w, b, X, Y = problem
    s_dw, s_b = sizes(w, b, X)
    fused = autograd(w, b, X, Y)
    try:
        literal = autograd(w, b, X, Y, stable=False, literal=True)
    except ValueError as exc:  # log 0: only where σ(z) rounded to 0 or 1
        assert "log" in str(exc)
        assert _saturates(w, b, X)
        return
    assert np.all(np.abs(literal[0] - fused[0]) <= EXACT * s_dw)
    assert abs(literal[1] - fused[1]) <= EXACT * s_b
    # The literal loss rounds a (relative error ε) before taking log(1 − a): for y = 0 that is an
    # absolute error up to ε·a/(1 − a) per sample, which is what "agree" can mean for it.
    z = (w * X).sum(axis=0) + b
    a = 1.0 / (1.0 + np.exp(-z))
    conditioning = float(np.mean(np.where(Y[0] == 0.0, a / (1.0 - a), 1.0)))
    assert abs(literal[2] - fused[2]) <= EXACT * s_b + 4 * 2.2e-16 * conditioning


@given(problems(max_n=4, max_m=6, x_max=3.0, w_max=2.0))
def test_central_differences_agree_with_autograd(problem: Problem) -> None:
    w, b, X, Y = problem
    _, s_b = sizes(w, b, X)
    model = LogisticRegression.from_params(w, b)
    J = model.cost(X, Y)
    J.backward()
    auto = np.array([p.grad for p in model.parameters()])
    numeric = numerical_gradient(lambda: model.cost(X, Y), model.parameters(), EPS)
    floor = FD_ABS * s_b  # the rounding error of J(θ ± ε), ~1e-16·S, divided by 2ε
    assert np.all(np.abs(auto - numeric) <= FD_REL * np.abs(auto) + floor), (auto, numeric)
    # The same against the vectorized cost as a function of θ = (w, b).
    theta = np.append(w.reshape(-1), b)
    n = w.shape[0]

    def vcost(t: np.ndarray) -> float:
        return float(vectorized.propagate(t[:n].reshape(n, 1), float(t[n]), X, Y)[1])

    numeric_v = numerical_gradient(vcost, theta, EPS)
    assert np.all(np.abs(auto - numeric_v) <= FD_REL * np.abs(auto) + floor)


@given(problems(max_m=1), st.booleans())
def test_one_sample_graph_equals_the_text_formulas(problem: Problem, stable: bool) -> None:
    """dz = a − y, dw = x·dz, db = dz on the text's graph; and da = −y/a + (1 − y)/(1 − a) on the literal one."""
    w, b, X, Y = problem
    x, y = X[:, 0], float(Y[0, 0])
    s_dw, s_b = sizes(w, b, X)
    try:
        nodes = one_sample(x, y, w, b, literal=not stable, stable=stable)
    except ValueError:
        assert not stable and _saturates(w, b, X)
        return
    nodes["L"].backward()
    ref = analytic_one_sample(x, y, w, b)
    assert abs(nodes["z"].data - ref["z"]) <= EXACT * s_b
    assert abs(nodes["z"].grad - ref["dz"]) <= EXACT * s_b
    assert abs(nodes["b"].grad - ref["db"]) <= EXACT * s_b
    dw = np.array([[nodes[f"w{j}"].grad] for j in range(1, len(x) + 1)])
    assert np.all(np.abs(dw - ref["dw"]) <= EXACT * s_dw)
    if not stable:
        da = ref["da"]
        assert math.isclose(nodes["a"].grad, da, rel_tol=1e-9), (nodes["a"].grad, da)


@settings(max_examples=40)
@given(
    problems(max_n=4, max_m=6, x_max=2.0, w_max=1.0),
    st.integers(1, 230),
    _floats(0.001, 0.3),
)
def test_fit_and_optimize_take_the_same_steps(problem: Problem, k: int, alpha: float) -> None:
    """k steps of w := w − α dw, b := b − α db from the same start land on the same w, b and costs."""
    w, b, X, Y = problem
    model = LogisticRegression.from_params(w, b)
    costs = model.fit(X, Y, num_iterations=k, learning_rate=alpha)
    params, grads, vcosts = vectorized.optimize(w.copy(), b, X, Y, num_iterations=k, learning_rate=alpha)
    w_k, b_k = model.get_weights()
    assert len(costs) == k
    assert len(vcosts) == len(costs[::100])
    np.testing.assert_allclose(costs[::100], vcosts, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(w_k, params["w"], rtol=1e-9, atol=1e-11)
    assert math.isclose(b_k, float(params["b"]), rel_tol=1e-9, abs_tol=1e-11)
    # the parameters keep the gradients of the last step, as optimize returns them
    np.testing.assert_allclose([[p.grad] for p in model.w], grads["dw"], rtol=1e-9, atol=1e-11)


@given(_floats(-745.0, 745.0), st.sampled_from([0.0, 1.0]))
def test_literal_and_stable_loss_agree_where_both_are_finite(z: float, y: float) -> None:
    zv = Value(z)
    stable = zv.logistic_loss(y)
    stable.backward()
    assert math.isfinite(stable.data) and stable.data >= 0.0
    a = zv.sigmoid().data
    assert math.isclose(zv.grad, a - y, rel_tol=1e-12, abs_tol=1e-300)  # the fused node's dz = a − y
    if 0.0 < a < 1.0:
        literal = -(y * math.log(a) + (1.0 - y) * math.log(1.0 - a))
        # a carries a relative rounding error δ (ε, more where a is subnormal): log a is known to δ,
        # log(1 − a) to δ·a/(1 − a); the fused y·softplus(−z) + (1 − y)·softplus(z) to ε·(1 + |z|)
        delta = 2.2e-16 + 5e-324 / a
        error = 2.2e-16 * (1.0 + abs(z)) + delta * (a / (1.0 - a) if y == 0.0 else 1.0)
        assert abs(stable.data - literal) <= 4.0 * error, (z, y, stable.data, literal)
        L = _literal_node(z, y)
        assert abs(L.data - stable.data) <= 4.0 * error
    else:
        # σ saturated: the literal form takes log 0 (a ValueError), the stable one stays finite,
        # ≈ 0 on the right side and ≈ |z| on the wrong side.
        with pytest.raises(ValueError, match="log"):
            _literal_node(z, y)
        wrong_side = (a == 1.0) != (y == 1.0)
        expected = abs(z) if wrong_side else 0.0
        assert abs(stable.data - expected) <= 1e-12 * (1.0 + abs(z)) + (0.0 if wrong_side else 1e-15)


def _literal_node(z: float, y: float) -> Value:
    a = Value(z).sigmoid()
    return -(y * a.log() + (1 - y) * (1 - a).log())


@pytest.mark.parametrize("z", [40.0, 100.0, 700.0, -40.0, -100.0, -700.0])
def test_training_on_saturated_samples_stays_finite_with_the_stable_loss(z: float) -> None:
    """Where σ(wᵀx + b) rounds to 0 or 1, the fused cost and its gradients stay finite; the literal one raises."""
    X = np.array([[1.0, -1.0]])
    Y = np.array([[0.0, 0.0]])
    model = LogisticRegression.from_params([[z]], 0.0)
    J = model.cost(X, Y)
    J.backward()
    assert math.isfinite(J.data) and J.data > 0.0
    assert math.isfinite(model.w[0].grad) and math.isfinite(model.b.grad)
    assert math.isclose(J.data, abs(z) / 2, rel_tol=1e-12)  # one sample on the wrong side: L ≈ |z|
    with pytest.raises(ValueError, match="log"):
        model.cost(X, Y, stable=False)
    _, cost = explicit_loop([[z]], 0.0, X, Y)
    assert math.isclose(cost, J.data, rel_tol=1e-12)
