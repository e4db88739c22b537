"""Logistic regression on the Value graph: the one-sample graph, the model, the explicit loop, bad input."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from micrograd_lr import Value, topological_order
from micrograd_lr.logistic import LogisticRegression, explicit_loop, one_sample


def separable(n: int = 3, m: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples as columns; the label is 1 where the first feature plus half the second is positive."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    Y = (X[0] + 0.5 * X[1] > 0).astype(np.float64).reshape(1, m)
    return X, Y


# ---------------------------------------------------------------- the one-sample graph


def test_one_sample_literal_graph_reads_like_the_text() -> None:
    nodes = one_sample([1.0, 2.0], 1, [0.5, -0.2], 0.1)
    assert set(nodes) == {"w1", "w2", "x1", "x2", "b", "y", "z", "a", "L"}
    for key, node in nodes.items():
        assert node.label == key
    for leaf in ("w1", "w2", "x1", "x2", "b", "y"):
        assert nodes[leaf].op is None
    z, a, L = nodes["z"], nodes["a"], nodes["L"]
    # z = w1x1 + w2x2 + b: one sum node over two product nodes and b
    assert z.op is not None and z.op.name == "sum"
    products = z.parents[:-1]
    assert [p.label for p in products] == ["w1x1", "w2x2"]
    assert all(p.op is not None and p.op.name == "mul" for p in products)
    assert products[0].parents == (nodes["w1"], nodes["x1"])
    assert z.parents[-1] is nodes["b"]
    assert a.op is not None and a.op.name == "sigmoid" and a.parents == (z,)
    assert math.isclose(z.data, 0.5 * 1.0 - 0.2 * 2.0 + 0.1)
    assert math.isclose(a.data, 1 / (1 + math.exp(-z.data)))
    assert math.isclose(L.data, -math.log(a.data))
    order = topological_order(L)
    assert order[-1] is L and a in order and nodes["y"] in order
    # the forward pass runs left to right: z before a before L
    assert order.index(z) < order.index(a) < order.index(L)


def test_one_sample_fused_graph_is_small() -> None:
    nodes = one_sample([1.0, 2.0, 3.0], 0, [0.1, 0.2, 0.3], -0.5, literal=False, stable=True)
    L, z = nodes["L"], nodes["z"]
    assert L.op is not None and L.op.name == "xent" and L.parents == (z,)
    wx = z.parents[0]
    assert wx.op is not None and wx.op.name == "dot" and wx.label == "wᵀx"
    assert wx.parents == (nodes["w1"], nodes["w2"], nodes["w3"], nodes["x1"], nodes["x2"], nodes["x3"])
    assert z.parents[1] is nodes["b"]
    # w, x, b, wᵀx, z, L: nothing else on the path to L
    assert len(topological_order(L)) == 3 + 3 + 1 + 3
    L.backward()
    assert nodes["a"] not in topological_order(L)
    dz = nodes["a"].data - 0.0
    assert math.isclose(z.grad, dz)
    assert [nodes[f"w{j}"].grad for j in (1, 2, 3)] == pytest.approx([1.0 * dz, 2.0 * dz, 3.0 * dz])


@pytest.mark.parametrize(("literal", "stable"), [(True, False), (True, True), (False, False), (False, True)])
def test_one_sample_forms_agree(literal: bool, stable: bool) -> None:
    ref = one_sample([0.3, -1.2], 1, [2.0, 0.7], 0.25)
    ref["L"].backward()
    nodes = one_sample(np.array([[0.3], [-1.2]]), 1.0, np.array([[2.0], [0.7]]), 0.25, literal=literal, stable=stable)
    nodes["L"].backward()
    assert nodes["L"].data == pytest.approx(ref["L"].data, rel=1e-14)
    for key in ("w1", "w2", "b", "z"):
        assert nodes[key].grad == pytest.approx(ref[key].grad, rel=1e-14)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([1.0, 2.0], 1, [1.0], 0.0), ValueError, r"w must have n = 2 entries"),
        (([1.0, 2.0], 2, [1.0, 1.0], 0.0), ValueError, r"y must be a label 0 or 1, got 2\.0"),
        (([1.0, float("nan")], 1, [1.0, 1.0], 0.0), ValueError, r"x must be finite, got nan at index \(1,\)"),
        (([1.0, 2.0], 1, [1.0, 1.0], float("inf")), ValueError, r"b must be finite"),
        (([1.0, 2.0], 1, [1.0, 1.0], "0"), TypeError, r"b must be a real number .* got str"),
        ((["a", "b"], 1, [1.0, 1.0], 0.0), TypeError, r"x must hold real numbers"),
        (([[1.0, 2.0], [3.0, 4.0]], 1, [1.0, 1.0], 0.0), ValueError, r"x must be a vector of shape \(n, 1\) or \(n,\)"),
        (([], 1, [], 0.0), ValueError, r"x must be a vector"),
    ],
)
def test_one_sample_rejects_bad_input(args: tuple[Any, ...], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        one_sample(*args)


# ---------------------------------------------------------------- the model


def test_initialize_with_zeros_and_labels() -> None:
    model = LogisticRegression(3)
    assert [p.label for p in model.parameters()] == ["w1", "w2", "w3", "b"]
    assert all(p.data == 0.0 and p.op is None for p in model.parameters())
    w, b = model.get_weights()
    assert w.shape == (3, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0
    # with w = 0 and b = 0 every a is exactly 0.5, which is not > 0.5: the label is 0
    X = np.ones((3, 4))
    assert model.predict_proba(X).tolist() == [[0.5] * 4]
    assert model.predict(X).tolist() == [[0.0] * 4]


def test_from_params_and_get_weights_round_trip() -> None:
    w = np.array([[0.5], [-1.5]])
    model = LogisticRegression.from_params(w, -0.25)
    w2, b2 = model.get_weights()
    assert np.array_equal(w2, w) and b2 == -0.25
    w2[0, 0] = 99.0  # a copy, not the leaves
    assert model.w[0].data == 0.5
    assert LogisticRegression.from_params([0.5, -1.5], -0.25).get_weights()[0].tolist() == w.tolist()


def test_cost_is_one_sum_node_over_m_losses_divided_by_m() -> None:
    X, Y = separable(m=5)
    model = LogisticRegression.from_params([[0.3], [-0.2], [0.1]], 0.05)
    J = model.cost(X, Y)
    assert J.label == "J" and J.op is not None and J.op.name == "div"
    total, m = J.parents
    assert m.data == 5.0
    assert total.op is not None and total.op.name == "sum" and len(total.parents) == 5
    losses = total.parents
    assert all(L.op is not None and L.op.name == "xent" for L in losses)
    assert [L.label for L in losses] == [f"L({i})" for i in range(1, 6)]
    zs = [L.parents[0] for L in losses]
    assert all(z.label == "z" and z.parents[0].op is not None and z.parents[0].op.name == "dot" for z in zs)
    # the per-sample losses sum to m·J
    single = [model.loss(X[:, i], Y[0, i]).data for i in range(5)]
    assert math.fsum(single) / 5 == pytest.approx(J.data, rel=1e-15)


def test_literal_cost_has_one_product_node_per_feature() -> None:
    X, Y = separable(n=2, m=3)
    model = LogisticRegression.from_params([[0.3], [-0.2]], 0.05)
    J = model.cost(X, Y, literal=True, stable=False)
    ops = [node.op.name for node in topological_order(J) if node.op is not None]
    assert ops.count("mul") >= 2 * 3
    assert "dot" not in ops and "xent" not in ops and ops.count("log") == 2 * 3
    assert J.data == pytest.approx(model.cost(X, Y).data, rel=1e-13)


def test_fit_lowers_the_cost_and_learns_a_separable_set() -> None:
    X, Y = separable()
    model = LogisticRegression(3)
    seen: list[tuple[int, float]] = []
    costs = model.fit(X, Y, num_iterations=300, learning_rate=0.5, callback=lambda i, c: seen.append((i, c)))
    assert len(costs) == 300
    assert costs[0] == pytest.approx(math.log(2.0))  # w = 0, b = 0: every a = 1/2
    assert all(later <= earlier + 1e-15 for earlier, later in itertools.pairwise(costs))  # convex, small α: monotone
    assert costs[-1] < 0.2
    assert seen == list(enumerate(costs))
    assert (model.predict(X) == Y).mean() >= 0.95
    proba = model.predict_proba(X)
    assert proba.shape == (1, 40) and np.all((proba > 0) & (proba < 1))
    assert np.array_equal(model.predict(X), (proba > 0.5).astype(np.float64))


def test_fit_zeros_the_gradients_at_every_step() -> None:
    """Leaf gradients accumulate across backward calls; fit must clear them before every step."""
    X, Y = separable(m=10)
    w, b = np.zeros((3, 1)), 0.0
    for _ in range(3):  # the reference: every step on fresh leaves
        ref = LogisticRegression.from_params(w, b)
        J = ref.cost(X, Y)
        J.backward()
        w = w - 0.1 * np.array([[p.grad] for p in ref.w])
        b = b - 0.1 * ref.b.grad
    model = LogisticRegression(3)
    for p in model.parameters():
        p.grad = 1e6  # stale gradients from an earlier backward()
    model.fit(X, Y, num_iterations=3, learning_rate=0.1)
    w_fit, b_fit = model.get_weights()
    assert np.array_equal(w_fit, w) and b_fit == b
    # after fit the leaves hold ∂J/∂θ of the last step
    assert [p.grad for p in model.parameters()] == [p.grad for p in ref.parameters()]


def test_fit_with_zero_iterations_changes_nothing() -> None:
    X, Y = separable(m=4)
    model = LogisticRegression.from_params([[1.0], [2.0], [3.0]], 4.0)
    assert model.fit(X, Y, num_iterations=0) == []
    assert model.get_weights()[0].tolist() == [[1.0], [2.0], [3.0]]


def test_fit_reports_divergence_instead_of_nan() -> None:
    X = np.array([[1e150, -1e150]])
    Y = np.array([[0.0, 1.0]])
    with pytest.raises(OverflowError):
        LogisticRegression(1).fit(X, Y, num_iterations=5, learning_rate=1e200)


def test_library_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    X, Y = separable(m=6)
    model = LogisticRegression(3)
    model.fit(X, Y, num_iterations=5)
    model.predict(X)
    explicit_loop(np.zeros((3, 1)), 0.0, X, Y)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("X", "Y", "error", "match"),
    [
        (np.ones((2, 4)), np.ones((1, 4)), ValueError, r"X must have n = 3 rows .* got shape \(2, 4\)"),
        (np.ones((3, 4)), np.ones((1, 3)), ValueError, r"Y must have shape \(1, m\) = \(1, 4\) .* got shape \(1, 3\)"),
        (np.ones((3, 4)), np.ones(4), ValueError, r"Y must have shape \(1, m\) = \(1, 4\) .* got shape \(4,\)"),
        (np.ones((3, 4)), np.full((1, 4), 2.0), ValueError, r"Y must hold labels 0 or 1, got 2\.0 at column 0"),
        (np.ones((3, 4)), np.array([[0, 1, 0.5, 1]]), ValueError, r"got 0\.5 at column 2"),
        (np.full((3, 4), np.nan), np.ones((1, 4)), ValueError, r"X must be finite, got nan"),
        (np.array([[1, 1], [1, np.inf], [1, 1]]), np.ones((1, 2)), ValueError, r"X must be finite, got inf at index"),
        (np.ones((3, 0)), np.ones((1, 0)), ValueError, r"at least one sample"),
        (np.ones(3), np.ones((1, 1)), ValueError, r"X must have shape \(n, m\)"),
        ([["a"] * 4] * 3, np.ones((1, 4)), TypeError, r"X must hold real numbers, got dtype <U1"),
        (np.ones((3, 4)), [[None] * 4], TypeError, r"Y must hold real numbers"),
        (np.ones((3, 4), dtype=complex), np.ones((1, 4)), TypeError, r"X must hold real numbers, got dtype complex"),
    ],
)
def test_bad_samples_name_the_argument(X: Any, Y: Any, error: type[Exception], match: str) -> None:
    model = LogisticRegression(3)
    with pytest.raises(error, match=match):
        model.cost(X, Y)
    with pytest.raises(error, match=match):
        model.fit(X, Y, num_iterations=1)
    if np.shape(X)[:1] == (2,):  # the loop takes n from X, so w is the one that does not fit
        match = r"w must have n = 2 entries \(shape \(2, 1\)\) to match X of shape \(2, 4\), got shape \(3, 1\)"
    with pytest.raises(error, match=match):
        explicit_loop(np.zeros((3, 1)), 0.0, X, Y)


def test_bad_parameters_and_settings() -> None:
    with pytest.raises(TypeError, match=r"n \(the number of features\) must be an int, got float"):
        LogisticRegression(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1, got 0"):
        LogisticRegression(0)
    with pytest.raises(ValueError, match=r"w must be a vector of shape \(n, 1\) or \(n,\), got shape \(2, 2\)"):
        LogisticRegression.from_params(np.ones((2, 2)), 0.0)
    with pytest.raises(TypeError, match=r"b must be a real number"):
        LogisticRegression.from_params(np.ones((2, 1)), None)  # type: ignore[arg-type]
    X, Y = separable(m=3)
    model = LogisticRegression(3)
    with pytest.raises(ValueError, match=r"learning_rate must be a positive finite number, got -0\.1"):
        model.fit(X, Y, learning_rate=-0.1)
    with pytest.raises(ValueError, match=r"learning_rate must be finite"):
        model.fit(X, Y, learning_rate=float("nan"))
    with pytest.raises(ValueError, match=r"num_iterations must be at least 0, got -1"):
        model.fit(X, Y, num_iterations=-1)
    with pytest.raises(TypeError, match=r"num_iterations must be an int, got float"):
        model.fit(X, Y, num_iterations=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"callback must be callable"):
        model.fit(X, Y, callback=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"X must have shape \(n, m\) = \(3, m\)"):
        model.predict(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"w must have n = 3 entries"):
        explicit_loop(np.zeros((2, 1)), 0.0, X, Y)
    with pytest.raises(TypeError, match=r"b must be a number, got a Value"):
        explicit_loop(np.zeros((3, 1)), Value(0.0), X, Y)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the explicit loop


def test_explicit_loop_on_a_hand_computed_example() -> None:
    """Two samples, one feature, w = 0, b = 0: every a = 1/2, dz = 1/2 − y."""
    X = np.array([[2.0, -4.0]])
    Y = np.array([[1.0, 0.0]])
    grads, cost = explicit_loop(np.zeros((1, 1)), 0.0, X, Y)
    assert cost == pytest.approx(math.log(2.0), rel=1e-15)
    # dw = (1/m)(x1 dz1 + x2 dz2) = (2·(−1/2) + (−4)·(1/2)) / 2 = −3/2;  db = (−1/2 + 1/2) / 2 = 0
    assert grads["dw"].tolist() == [[-1.5]]
    assert grads["db"] == 0.0
    assert set(grads) == {"dw", "db"}
    assert type(grads["db"]) is float and type(cost) is float


@given(
    hnp.arrays(np.float64, (3, 5), elements=st.floats(-10, 10, allow_subnormal=False)),
    hnp.arrays(np.float64, (1, 5), elements=st.sampled_from([0.0, 1.0])),
)
def test_explicit_loop_is_one_sample_at_a_time(X: np.ndarray, Y: np.ndarray) -> None:
    """The m-sample loop is the mean of the one-sample graphs' gradients (dz = a − y, dw = x·dz, db = dz)."""
    w, b = np.array([[0.5], [-0.25], [1.0]]), 0.125
    grads, cost = explicit_loop(w, b, X, Y)
    dws, dbs, Ls = [], [], []
    for i in range(5):
        nodes = one_sample(X[:, i], Y[0, i], w, b, literal=False, stable=True)
        nodes["L"].backward()
        dws.append([nodes[f"w{j}"].grad for j in (1, 2, 3)])
        dbs.append(nodes["b"].grad)
        Ls.append(nodes["L"].data)
    scale = 1.0 + float(np.abs(X).max()) * 2.0
    assert np.allclose(grads["dw"][:, 0], np.mean(dws, axis=0), rtol=0.0, atol=1e-14 * scale)
    assert grads["db"] == pytest.approx(np.mean(dbs), abs=1e-14 * scale)
    assert cost == pytest.approx(np.mean(Ls), abs=1e-13 * (1.0 + float(np.abs(X).max()) * 2.0))
