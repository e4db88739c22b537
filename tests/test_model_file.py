"""Saving and loading a trained model: the same numbers come back; a bad file is refused, naming file and key."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from micrograd_lr import model_file, vectorized
from micrograd_lr.model_file import ModelFileError

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=25)
@given(
    arrays(np.float64, st.integers(1, 40).map(lambda n: (n, 1)), elements=finite),
    finite,
    st.lists(st.floats(0, 10), max_size=5),
    st.text(st.characters(blacklist_characters="\x00"), max_size=30),
)
def test_what_is_saved_comes_back(w: np.ndarray, b: float, costs: list[float], source: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = model_file.save(
            Path(folder) / "m.npz", w, b, learning_rate=0.005, num_iterations=7, costs=costs, data_source=source
        )
        got = model_file.load(path)
    assert np.array_equal(got.w, w) and got.b == b and got.n == w.shape[0]
    assert got.learning_rate == 0.005 and got.num_iterations == 7 and list(got.costs) == costs
    assert got.data_source == source and got.image_shape is None and list(got.classes) == ["non-cat", "cat"]


def test_the_name_is_kept_as_given(tmp_path: Path) -> None:
    path = model_file.save(tmp_path / "model", [[1.0]], 0.0)  # NumPy would have written model.npz
    assert path == tmp_path / "model" and path.is_file() and not (tmp_path / "model.npz").exists()
    assert model_file.load(path).w.shape == (1, 1)


def test_course_path_save_model_and_load_model_predict_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    X = rng.random((12, 30))
    Y = (X[0] > X[1]).astype(float).reshape(1, 30)
    d = vectorized.model(X, Y, X, Y, num_iterations=300, learning_rate=0.5)
    path = vectorized.save_model(tmp_path / "m.npz", d, image_shape=(2, 2, 3), data_source="random")
    back = vectorized.load_model(path)
    assert np.array_equal(back["w"], d["w"]) and back["b"] == d["b"] and back["costs"] == d["costs"]
    assert back["image_shape"] == (2, 2, 3) and back["num_iterations"] == 300 and back["learning_rate"] == 0.5
    assert np.array_equal(vectorized.predict(back["w"], back["b"], X), d["Y_prediction_train"])


def test_estimator_save_and_load_predict_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 5))
    y = np.where(X[:, 0] - X[:, 2] > 0, "spam", "ham")
    est = vectorized.LogisticRegressionGD(num_iterations=200, learning_rate=0.3).fit(X, y)
    est.save(tmp_path / "e.npz")
    back = vectorized.LogisticRegressionGD.load(tmp_path / "e.npz")
    assert list(back.classes_) == ["ham", "spam"] and back.n_features_in_ == 5
    assert np.array_equal(back.predict(X), est.predict(X))
    np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
    assert back.get_params() == est.get_params() and back.costs_ == est.costs_


def test_an_estimator_of_pictures_keeps_their_size(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    X = rng.random((30, 12))  # each row a 2 × 2 × 3 picture, unrolled
    est = vectorized.LogisticRegressionGD(num_iterations=50).fit(X, (X[:, 0] > 0.5).astype(int))
    assert model_file.load(est.save(tmp_path / "e.npz", image_shape=(2, 2, 3))).image_shape == (2, 2, 3)
    with pytest.raises(ValueError, match="holds 48 numbers, but w has n = 12"):
        est.save(tmp_path / "f.npz", image_shape=(4, 4, 3))


def test_an_unfitted_estimator_is_not_saved(tmp_path: Path) -> None:
    with pytest.raises(vectorized.NotFittedError):
        vectorized.LogisticRegressionGD().save(tmp_path / "e.npz")


def _good(tmp_path: Path) -> dict[str, Any]:
    model_file.save(tmp_path / "good.npz", np.ones((12, 1)), 0.5, image_shape=(2, 2, 3))
    with np.load(tmp_path / "good.npz") as f:
        return {k: f[k] for k in f.files}


def _write(path: Path, arrays: dict[str, Any]) -> Path:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a: a.pop("w"), ["'w' is missing"]),
        (lambda a: a.pop("classes"), ["'classes' is missing"]),
        (lambda a: a.update(w=np.ones(12)), ["'w' has shape (12,)", "(n, 1)"]),
        (lambda a: a.update(w=np.ones((12, 2))), ["'w' has shape (12, 2)"]),
        (lambda a: a.update(w=np.array([[1.0]] * 11 + [[np.nan]])), ["'w' holds nan at index (11, 0)", "finite"]),
        (lambda a: a.update(w=np.array([[np.inf]] * 12)), ["'w' holds inf"]),
        (lambda a: a.update(w=np.array([["a"]] * 12)), ["'w' has dtype <U1"]),
        (lambda a: a.update(b=np.array([1.0, 2.0])), ["'b' has shape (2,)"]),
        (lambda a: a.update(b=np.array(np.nan)), ["'b' is nan"]),
        (lambda a: a.update(image_shape=np.array([64, 64, 3])), ["'image_shape' is (64, 64, 3)", "n = 12"]),
        (lambda a: a.update(image_shape=np.array([[2, 2, 3]])), ["'image_shape' has shape (1, 3)"]),
        (lambda a: a.update(format=np.array("something else")), ["'format' is 'something else'"]),
        (lambda a: a.update(costs=np.ones((2, 2))), ["'costs' has shape (2, 2)"]),
        (lambda a: a.update(classes=np.array(["cat"])), ["'classes' has shape (1,)"]),
    ],
)
def test_a_bad_key_is_named_with_the_file(tmp_path: Path, change: Any, words: list[str]) -> None:
    arrays = _good(tmp_path)
    change(arrays)
    path = _write(tmp_path / "bad.npz", arrays)
    with pytest.raises(ModelFileError) as info:
        model_file.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: key ")
    for word in words:
        assert word in message, message


def test_pickled_objects_are_never_loaded(tmp_path: Path) -> None:
    arrays = _good(tmp_path)
    arrays["w"] = np.array([[object()]] * 12, dtype=object)  # stored with pickle inside the archive
    path = _write(tmp_path / "pickled.npz", arrays)
    with pytest.raises(ModelFileError, match=r"key 'w' holds pickled Python objects.*allow_pickle=False"):
        model_file.load(path)
    with pytest.raises(ValueError, match="classes"):  # and never written either
        model_file.save(tmp_path / "x.npz", [[1.0]], 0.0, classes=np.array([object(), object()], dtype=object))


def test_files_that_are_not_model_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.npz: no such model file"):
        model_file.load(tmp_path / "missing.npz")
    with pytest.raises(ModelFileError, match="is a folder"):
        model_file.load(tmp_path)
    (tmp_path / "text.npz").write_text("w = 1")
    with pytest.raises(ModelFileError, match=r"text.npz: not a model file"):
        model_file.load(tmp_path / "text.npz")
    np.save(tmp_path / "one.npy", np.ones((3, 1)))
    with pytest.raises(ModelFileError, match=r"one.npy: holds one array \(.npy\)"):
        model_file.load(tmp_path / "one.npy")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("w.npy", b"not an array")
    (tmp_path / "zip.npz").write_bytes(buffer.getvalue())
    with pytest.raises(ModelFileError, match=r"zip\.npz"):
        model_file.load(tmp_path / "zip.npz")


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"w": [[np.nan]]}, "w must be finite"),
        ({"w": [[1.0]], "b": float("inf")}, "b must be finite"),
        ({"w": np.ones((12, 1)), "image_shape": (2, 2, 4)}, "image_shape"),
        ({"w": np.ones((12, 1)), "image_shape": (4, 4, 3)}, "holds 48 numbers, but w has n = 12"),
        ({"w": [[1.0]], "costs": [[1.0]]}, "costs must be a 1-D"),
        ({"w": [[1.0]], "num_iterations": -1}, "num_iterations"),
        ({"w": [[1.0]], "data_source": "a\x00"}, "NUL"),
    ],
)
def test_save_refuses_what_load_would_refuse(tmp_path: Path, kwargs: dict[str, Any], word: str) -> None:
    kwargs.setdefault("b", 0.0)
    with pytest.raises(ValueError, match=word):
        model_file.save(tmp_path / "m.npz", **kwargs)
    assert not (tmp_path / "m.npz").exists()
