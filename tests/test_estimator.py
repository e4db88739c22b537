"""LogisticRegressionGD: the vectorized path in scikit-learn's conventions (samples as rows)."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from micrograd_lr.vectorized import LogisticRegressionGD, NotFittedError, model, sigmoid


def separable(m: int = 80, n: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples as ROWS (m, n); y = 1 where x1 − x2 > 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X[:, 0] - X[:, 1] > 0).astype(np.int64)
    return X, y


@st.composite
def row_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    m = draw(st.integers(2, 12))
    n = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-3, 3)))
    y = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, 1)))
    return X, y


def test_constructor_stores_its_parameters_unchanged() -> None:
    lr = np.float32(0.25)
    est = LogisticRegressionGD(num_iterations=7, learning_rate=lr)
    assert est.learning_rate is lr and est.num_iterations == 7
    assert est.get_params() == {"num_iterations": 7, "learning_rate": lr}
    assert LogisticRegressionGD().get_params() == {"num_iterations": 2000, "learning_rate": 0.5}
    assert repr(est).startswith("LogisticRegressionGD(num_iterations=7")


def test_set_params_sets_known_names_and_rejects_others() -> None:
    est = LogisticRegressionGD()
    assert est.set_params(num_iterations=10, learning_rate=0.1) is est
    assert est.get_params() == {"num_iterations": 10, "learning_rate": 0.1}
    with pytest.raises(ValueError, match="invalid parameter 'alpha'"):
        est.set_params(alpha=0.1)


def test_fit_sets_the_fitted_attributes() -> None:
    X, y = separable()
    est = LogisticRegressionGD(num_iterations=250, learning_rate=0.5)
    assert est.fit(X, y) is est
    assert est.coef_.shape == (1, 4) and est.intercept_.shape == (1,)
    assert len(est.costs_) == 3 and est.costs_[0] == pytest.approx(math.log(2))
    np.testing.assert_array_equal(est.classes_, [0, 1])
    assert est.n_features_in_ == 4
    assert est.score(X, y) >= 0.95


@settings(max_examples=40)
@given(row_problems(), st.integers(1, 150), st.floats(0.01, 1.0))
def test_fit_equals_model_on_the_transposed_data(problem: tuple[np.ndarray, np.ndarray], k: int, alpha: float) -> None:
    X, y = problem
    est = LogisticRegressionGD(num_iterations=k, learning_rate=alpha).fit(X, y)
    d = model(X.T, y.reshape(1, -1), X.T, y.reshape(1, -1), num_iterations=k, learning_rate=alpha)
    np.testing.assert_allclose(est.coef_, d["w"].T, rtol=1e-12, atol=1e-15)
    assert est.intercept_[0] == pytest.approx(d["b"], rel=1e-12, abs=1e-15)
    assert est.costs_ == pytest.approx(d["costs"], rel=1e-12)
    np.testing.assert_array_equal(est.predict(X), d["Y_prediction_train"].ravel())


@settings(max_examples=40)
@given(row_problems())
def test_predict_proba_predict_and_score_agree(problem: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = problem
    est = LogisticRegressionGD(num_iterations=30, learning_rate=0.3).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (X.shape[0], 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(proba[:, 1], sigmoid(X @ est.coef_.ravel() + est.intercept_[0]), rtol=1e-12)
    labels = est.predict(X)
    assert labels.shape == (X.shape[0],)
    np.testing.assert_array_equal(labels, (proba[:, 1] > 0.5).astype(int))
    assert est.score(X, y) == pytest.approx(np.mean(labels == y))


def test_float32_rows_give_float32_coefficients() -> None:
    X, y = separable()
    est = LogisticRegressionGD(num_iterations=20).fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32 and est.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_using_it_before_fit_raises_not_fitted() -> None:
    est = LogisticRegressionGD()
    for method in (est.predict, est.predict_proba):
        with pytest.raises(NotFittedError, match="not fitted"):
            method(np.ones((2, 3)))
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize(
    ("X", "y", "error", "words"),
    [
        (np.ones(5), np.zeros(5), ValueError, ["X", "(m, n)", "(5,)"]),
        (np.ones((5, 2)), np.zeros((1, 5)), ValueError, ["y", "(5,)", "(1, 5)", "ravel"]),
        (np.ones((5, 2)), np.zeros(4), ValueError, ["y", "(5,)", "(4,)"]),
        (np.ones((5, 2)), np.array([0, 1, 2, 1, 0]), ValueError, ["y", "0 or 1", "2"]),
        (np.array([[1.0, np.nan]] * 5), np.zeros(5), ValueError, ["X", "NaN"]),
        (np.ones((0, 2)), np.zeros(0), ValueError, ["X", "empty"]),
        ([["a", "b"]] * 5, np.zeros(5), TypeError, ["X", "real numbers"]),
        (None, np.zeros(5), TypeError, ["X", "None"]),
    ],
)
def test_fit_rejects_bad_input_by_name(X: Any, y: Any, error: type[Exception], words: list[str]) -> None:
    with pytest.raises(error) as info:
        LogisticRegressionGD(num_iterations=2).fit(X, y)
    message = str(info.value)
    assert message.startswith(words[0]), message
    for word in words[1:]:
        assert word in message, message


def test_predict_rejects_a_different_number_of_features() -> None:
    X, y = separable(n=4)
    est = LogisticRegressionGD(num_iterations=5).fit(X, y)
    with pytest.raises(
        ValueError, match=r"^X has 3 features, but LogisticRegressionGD is expecting 4 .*n_features_in_ = 4"
    ):
        est.predict(X[:, :3])


def test_bad_hyperparameters_fail_at_fit_by_name() -> None:
    X, y = separable()
    with pytest.raises(ValueError, match=r"^learning_rate"):
        LogisticRegressionGD(learning_rate=-1.0).fit(X, y)
    with pytest.raises(TypeError, match=r"^num_iterations"):
        LogisticRegressionGD(num_iterations=2.5).fit(X, y)  # type: ignore[arg-type]


def test_importing_and_fitting_does_not_import_sklearn() -> None:
    code = (
        "import sys, numpy as np\n"
        "from micrograd_lr.vectorized import LogisticRegressionGD\n"
        "LogisticRegressionGD(num_iterations=5).fit(np.eye(4), np.array([0, 1, 0, 1])).predict_proba(np.eye(4))\n"
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- with scikit-learn


def test_clone_gives_an_unfitted_copy_with_the_same_parameters() -> None:
    base = pytest.importorskip("sklearn.base")
    X, y = separable()
    est = LogisticRegressionGD(num_iterations=30, learning_rate=0.2).fit(X, y)
    copy = base.clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    assert not hasattr(copy, "coef_")
    assert base.is_classifier(est)


def test_cross_val_score_runs_and_scores_well_on_a_separable_problem() -> None:
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = separable(m=100)
    scores = model_selection.cross_val_score(LogisticRegressionGD(num_iterations=300), X, y, cv=5)
    assert scores.shape == (5,)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores.mean() >= 0.9
    auc = model_selection.cross_val_score(LogisticRegressionGD(num_iterations=300), X, y, cv=3, scoring="roc_auc")
    assert auc.mean() >= 0.95


def test_in_a_pipeline_with_a_scaler() -> None:
    pipeline = pytest.importorskip("sklearn.pipeline")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X, y = separable()
    pipe = pipeline.make_pipeline(preprocessing.StandardScaler(), LogisticRegressionGD(num_iterations=200))
    assert pipe.fit(X * 100 + 5, y).score(X * 100 + 5, y) >= 0.95


# ---------------------------------------------------------------- scikit-learn's own checks, and its conventions


def test_scikit_learns_check_estimator_passes() -> None:
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        # it says it does not inherit from BaseEstimator: by design, the estimator needs no scikit-learn
        warnings.simplefilter("ignore", UserWarning)
        results = check_estimator(LogisticRegressionGD(num_iterations=100), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:300]) for r in results if r["status"] == "failed"]
    assert failed == []
    assert len(results) > 40


@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog"]), np.array([-1, 1]), np.array([False, True]), np.array([3.0, 7.0])],
)
def test_any_two_labels_map_through_classes(labels: np.ndarray) -> None:
    X, y01 = separable()
    y = labels[y01.astype(int)]
    est = LogisticRegressionGD(num_iterations=200).fit(X, y)
    np.testing.assert_array_equal(est.classes_, labels)
    assert est.predict(X).dtype == labels.dtype
    assert est.score(X, y) == LogisticRegressionGD(num_iterations=200).fit(X, y01).score(X, y01)
    np.testing.assert_array_equal(est.coef_, LogisticRegressionGD(num_iterations=200).fit(X, y01).coef_)


def test_sklearn_style_refusals_say_what_is_wrong() -> None:
    X, y = separable()
    est = LogisticRegressionGD(num_iterations=5)
    with pytest.raises(ValueError, match=r"got 3: \[0, 1, 2\]\. Only binary classification is supported\."):
        est.fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        est.fit(X, np.linspace(0.0, 1.0, len(y)))
    with pytest.raises(ValueError, match=r"only one class \(\['cat'\]\)"):
        est.fit(X, np.array(["cat"] * len(y)))
    with pytest.raises(ValueError, match=r"found 0 feature\(s\) \(shape=\(5, 0\)\) while a minimum of 1 is required"):
        est.fit(np.ones((5, 0)), np.zeros(5))
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        est.fit(X, None)
    with pytest.raises(ValueError, match="Complex data not supported"):
        est.fit(X + 0j, y)
    est.fit(X, y)
    with pytest.raises(ValueError, match=r"got shape \(4,\)\. Reshape your data"):
        est.predict(X[0])
    with pytest.raises(TypeError, match="float"):
        est.fit(np.array([[{"a": 1}, 2.0]] * len(y), dtype=object), y)
    as_objects = LogisticRegressionGD(num_iterations=5).fit(X.astype(object), y)
    np.testing.assert_array_equal(as_objects.coef_, est.coef_)


def test_a_column_vector_y_warns_and_fits_as_its_ravel() -> None:
    X, y = separable()
    with pytest.warns(UserWarning, match="A column-vector y was passed"):
        est = LogisticRegressionGD(num_iterations=20).fit(X, y.reshape(-1, 1))
    np.testing.assert_array_equal(est.coef_, LogisticRegressionGD(num_iterations=20).fit(X, y).coef_)


def test_sparse_input_is_refused_with_a_message_that_says_so() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    X, y = separable()
    with pytest.raises(TypeError, match="does not support sparse input"):
        LogisticRegressionGD(num_iterations=5).fit(sparse.csr_matrix(X), y)


def test_not_fitted_is_scikit_learns_error_when_it_is_loaded() -> None:
    exceptions = pytest.importorskip("sklearn.exceptions")
    with pytest.raises(exceptions.NotFittedError, match="not fitted"):
        LogisticRegressionGD().predict(np.ones((2, 3)))
    with pytest.raises(NotFittedError):
        LogisticRegressionGD().decision_function(np.ones((2, 3)))


def test_a_learning_rate_that_overflows_raises_instead_of_leaving_nan_coefficients() -> None:
    X, y = separable()
    est = LogisticRegressionGD(learning_rate=1e308)
    with pytest.raises(OverflowError, match=r"diverged at iteration \d+ with learning_rate 1e\+308: .*overflowed"):
        est.fit(X * 1e10, y)
    assert not hasattr(est, "coef_")
