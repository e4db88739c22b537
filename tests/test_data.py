"""The data: the embedded synthetic cats, the course's HDF5 layout, flatten, scale and downsample."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from micrograd_lr import data
from micrograd_lr.data import downsample, flatten, load_dataset, scale, synthetic_cats

# ----------------------------------------------------------------------------- synthetic_cats


def test_shapes_dtypes_and_labels() -> None:
    images, labels = synthetic_cats(30, seed=4)
    assert images.shape == (30, 64, 64, 3) and images.dtype == np.uint8
    assert labels.shape == (1, 30) and labels.dtype == np.int64
    assert set(np.unique(labels)) == {0, 1}
    assert labels.sum() == 10  # cat_fraction 72/209 by default: round(30 · 72/209) = 10


@settings(max_examples=10)
@given(st.integers(0, 40), st.floats(0, 1), st.integers(0, 2**32))
def test_the_number_of_cats_is_round_cat_fraction_times_m(m: int, fraction: float, seed: int) -> None:
    images, labels = synthetic_cats(m, seed=seed, cat_fraction=fraction)
    assert images.shape == (m, 64, 64, 3) and labels.shape == (1, m)
    assert labels.sum() == round(fraction * m)


@settings(max_examples=8)
@given(st.integers(0, 2**63))
def test_same_seed_same_bytes_other_seed_other_pictures(seed: int) -> None:
    a_images, a_labels = synthetic_cats(12, seed=seed)
    b_images, b_labels = synthetic_cats(12, seed=seed)
    assert a_images.tobytes() == b_images.tobytes() and a_labels.tobytes() == b_labels.tobytes()
    c_images, _ = synthetic_cats(12, seed=seed + 1)
    assert a_images.tobytes() != c_images.tobytes()


def test_every_picture_is_different_and_not_blank() -> None:
    images, _labels = synthetic_cats(60, seed=0)
    flat = images.reshape(60, -1)
    assert len({row.tobytes() for row in flat}) == 60
    assert flat.std(axis=1).min() > 10  # each picture has visible structure, not a flat colour
    assert 20 < images.mean() < 235


def test_cats_differ_from_non_cats_on_average_where_the_face_is() -> None:
    """Cat faces sit in the middle: the mean cat differs more from the mean non-cat there than at the edges."""
    images, labels = synthetic_cats(300, seed=9)
    gray = images.astype(float).mean(axis=3)
    diff = np.abs(gray[labels[0] == 1].mean(axis=0) - gray[labels[0] == 0].mean(axis=0))
    centre = diff[24:44, 20:44].mean()
    corners = np.concatenate([diff[:8, :8].ravel(), diff[:8, -8:].ravel()]).mean()
    assert centre > corners


@pytest.mark.parametrize(
    ("kwargs", "error", "word"),
    [
        ({"m": -1}, ValueError, "m must"),
        ({"m": 2.0}, TypeError, "m must"),
        ({"m": 3, "cat_fraction": 1.5}, ValueError, "cat_fraction"),
        ({"m": 3, "cat_fraction": "half"}, TypeError, "cat_fraction"),
        ({"m": 3, "seed": -2}, ValueError, "seed"),
        ({"m": 3, "seed": 1.5}, TypeError, "seed"),
    ],
)
def test_synthetic_cats_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=word):
        synthetic_cats(**kwargs)


def test_logistic_regression_learns_the_embedded_cats_well_but_not_perfectly(trained_cats: dict[str, Any]) -> None:
    """The text's picture: training accuracy high, test accuracy clearly lower (float32, 2000 iterations)."""
    _, train_y, _, test_y, _ = load_dataset()
    d = trained_cats
    train_acc = 100 * np.mean(d["Y_prediction_train"] == train_y)
    test_acc = 100 * np.mean(d["Y_prediction_test"] == test_y)
    assert train_acc >= 95
    assert 65 <= test_acc <= 90
    assert train_acc - test_acc >= 5


def test_embedded_set_has_the_course_statistics() -> None:
    """72 of 209 training pictures are cats (34 %), 33 of 50 test pictures; the mean pixel is about 0.40."""
    train_x, train_y, test_x, test_y, _ = load_dataset()
    assert int(train_y.sum()) == 72 and int(test_y.sum()) == 33
    assert 0.38 <= train_x.mean() / 255 <= 0.42 and 0.36 <= test_x.mean() / 255 <= 0.42


def test_embedded_set_trains_like_the_real_one(trained_cats: dict[str, Any]) -> None:
    """α = 0.005 from zeros: log 2, a swing above it in the first steps, then every printed cost lower;
    test accuracy below train accuracy."""
    every = trained_cats["costs_every_iteration"]
    printed = trained_cats["costs"]  # every 100 iterations, as the course prints them
    assert printed == every[::100] and len(printed) == 20
    assert abs(printed[0] - np.log(2)) < 1e-6
    assert np.all(np.diff(printed) < 0)
    assert max(every[:20]) > every[0] + 0.02  # the first steps overshoot
    assert max(every[100:]) < every[0]  # and have settled by the first printed cost
    _, train_y, _, test_y, _ = load_dataset()
    train_acc = 100 * np.mean(trained_cats["Y_prediction_train"] == train_y)
    test_acc = 100 * np.mean(trained_cats["Y_prediction_test"] == test_y)
    assert test_acc < train_acc


# ----------------------------------------------------------------------------- load_dataset


def test_load_dataset_embedded_like_the_course() -> None:
    train_x, train_y, test_x, test_y, classes = load_dataset()
    assert train_x.shape == (209, 64, 64, 3) and test_x.shape == (50, 64, 64, 3)
    assert train_x.dtype == test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50) and train_y.dtype == np.int64
    np.testing.assert_array_equal(classes, np.array([b"non-cat", b"cat"]))
    assert classes[1].decode("utf-8") == "cat"
    again = load_dataset()
    for before, after in zip((train_x, train_y, test_x, test_y), again[:4]):
        np.testing.assert_array_equal(before, after)
    train_set = {p.tobytes() for p in train_x}
    assert not any(p.tobytes() in train_set for p in test_x)  # the test pictures are new ones
    other = load_dataset(seed=1)
    assert other[0].tobytes() != train_x.tobytes()
    np.testing.assert_array_equal(train_x, synthetic_cats(209, seed=0)[0])


def test_load_dataset_needs_both_paths_or_neither(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both train_path and test_path"):
        load_dataset(tmp_path / "train_catvnoncat.h5")
    with pytest.raises(ValueError, match="both train_path and test_path"):
        load_dataset(None, tmp_path / "test_catvnoncat.h5")


def write_course_files(folder: Path, m_train: int = 6, m_test: int = 4, **overrides: Any) -> tuple[Path, Path]:
    """Two small files in the course's layout; ``overrides`` replace datasets by name (None removes one)."""
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(0)
    content: dict[str, Any] = {
        "train_set_x": rng.integers(0, 256, (m_train, 64, 64, 3), dtype=np.uint8),
        "train_set_y": rng.integers(0, 2, m_train).astype(np.int64),
        "test_set_x": rng.integers(0, 256, (m_test, 64, 64, 3), dtype=np.uint8),
        "test_set_y": rng.integers(0, 2, m_test).astype(np.int64),
        "list_classes": np.array([b"non-cat", b"cat"]),
    }
    content.update(overrides)
    train, test = folder / "train_catvnoncat.h5", folder / "test_catvnoncat.h5"
    with h5py.File(train, "w") as f:
        for key in ("train_set_x", "train_set_y", "list_classes"):
            if content[key] is not None:
                f.create_dataset(key, data=content[key])
    with h5py.File(test, "w") as f:
        for key in ("test_set_x", "test_set_y", "list_classes"):
            if content[key] is not None:
                f.create_dataset(key, data=content[key])
    return train, test


def test_load_dataset_reads_the_course_layout(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    train, test = write_course_files(tmp_path)
    train_x, train_y, test_x, test_y, classes = load_dataset(train, test)
    with h5py.File(train) as f:
        np.testing.assert_array_equal(train_x, f["train_set_x"][()])
        np.testing.assert_array_equal(train_y, f["train_set_y"][()].reshape(1, -1))
    with h5py.File(test) as f:
        np.testing.assert_array_equal(test_x, f["test_set_x"][()])
        np.testing.assert_array_equal(test_y, f["test_set_y"][()].reshape(1, -1))
    assert train_y.shape == (1, 6) and test_y.shape == (1, 4) and train_y.dtype == np.int64
    np.testing.assert_array_equal(classes, [b"non-cat", b"cat"])
    assert load_dataset(str(train), str(test))[0].shape == (6, 64, 64, 3)  # str paths work too


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    _, test = write_course_files(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"nowhere\.h5.*no such file"):
        load_dataset(tmp_path / "nowhere.h5", test)


def test_a_file_that_is_not_hdf5_is_named(tmp_path: Path) -> None:
    train, _ = write_course_files(tmp_path)
    bogus = tmp_path / "test_catvnoncat.h5"
    bogus.write_text("not hdf5")
    with pytest.raises(OSError, match=r"test_catvnoncat\.h5: not a readable HDF5 file"):
        load_dataset(train, bogus)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"train_set_x": None}, ["train_catvnoncat.h5", "'train_set_x' is missing"]),
        ({"test_set_y": None}, ["test_catvnoncat.h5", "'test_set_y' is missing"]),
        ({"list_classes": None}, ["test_catvnoncat.h5", "'list_classes' is missing"]),
        ({"train_set_x": np.zeros((6, 64, 64, 3), dtype=np.float32)}, ["'train_set_x'", "float32", "uint8"]),
        ({"test_set_x": np.zeros((4, 64, 64), dtype=np.uint8)}, ["'test_set_x'", "(4, 64, 64)"]),
        ({"train_set_y": np.zeros(5, dtype=np.int64)}, ["'train_set_y'", "(5,)", "(6,)"]),
        ({"train_set_y": np.array([0, 1, 2, 0, 1, 0])}, ["'train_set_y'", "0 or 1"]),
        ({"test_set_y": np.zeros((1, 4), dtype=np.int64)}, ["'test_set_y'", "(1, 4)"]),
    ],
)
def test_a_wrong_layout_is_named(tmp_path: Path, overrides: dict[str, Any], words: list[str]) -> None:
    train, test = write_course_files(tmp_path, **overrides)
    with pytest.raises(ValueError) as info:
        load_dataset(train, test)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_without_h5py_the_message_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    train, test = write_course_files(tmp_path)
    monkeypatch.setitem(sys.modules, "h5py", None)  # makes `import h5py` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'micrograd_lr\[h5\]'"):
        load_dataset(train, test)
    assert load_dataset()[0].shape == (209, 64, 64, 3)  # the embedded set needs no h5py


def test_the_module_does_not_import_h5py_at_import_time() -> None:
    source = Path(data.__file__).read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not any("h5py" in line for line in top_level)


# ----------------------------------------------------------------------------- flatten, scale, downsample


@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.just(3))))
def test_flatten_puts_each_picture_in_a_column(images: np.ndarray) -> None:
    X = flatten(images)
    m = images.shape[0]
    assert X.shape == (images[0].size, m)
    for i in range(m):
        np.testing.assert_array_equal(X[:, i], images[i].ravel())
    np.testing.assert_array_equal(X, images.reshape(m, -1).T)


def test_flatten_of_cats_gives_12288_features() -> None:
    images, _ = synthetic_cats(3, seed=0)
    assert flatten(images).shape == (12288, 3)


@pytest.mark.parametrize("bad", [np.zeros((64, 64, 3)), np.zeros((2, 12288)), np.array([[[["a"]]]])])
def test_flatten_rejects_what_is_not_a_stack_of_pictures(bad: np.ndarray) -> None:
    with pytest.raises((ValueError, TypeError), match="images must"):
        flatten(bad)


@given(hnp.arrays(np.uint8, hnp.array_shapes(max_dims=2, max_side=20)))
def test_scale_divides_by_255(X: np.ndarray) -> None:
    out = scale(X)
    assert out.dtype == np.float64 and out.shape == X.shape
    np.testing.assert_array_equal(out, X.astype(np.float64) / 255)
    assert out.min(initial=0.0) >= 0.0 and out.max(initial=1.0) <= 1.0
    out32 = scale(X, np.float32)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out, rtol=1e-6)


def test_scale_accepts_pixels_of_other_types_in_range_and_never_modifies_its_input() -> None:
    X = np.array([[0, 255], [51, 102]], dtype=np.int64)
    np.testing.assert_array_equal(scale(X), [[0.0, 1.0], [0.2, 0.4]])
    Xf = np.array([[0.0, 255.0]])
    scale(Xf)
    np.testing.assert_array_equal(Xf, [[0.0, 255.0]])


@pytest.mark.parametrize(
    ("X", "dtype", "error", "word"),
    [
        (np.array([[0.0, 256.0]]), np.float64, ValueError, "[0, 255]"),
        (np.array([[-1, 3]]), np.float64, ValueError, "[0, 255]"),
        (np.array([[np.nan, 3.0]]), np.float64, ValueError, "NaN"),
        (np.array([["a"]]), np.float64, TypeError, "dtype"),
        (np.zeros((2, 2), dtype=np.uint8), np.int32, TypeError, "floating"),
    ],
)
def test_scale_rejects_what_are_not_pixels(X: np.ndarray, dtype: Any, error: type[Exception], word: str) -> None:
    with pytest.raises(error, match=None) as info:
        scale(X, dtype)
    assert word in str(info.value)


def test_downsample_averages_blocks() -> None:
    images = np.zeros((2, 4, 4, 3), dtype=np.uint8)
    images[0, :2, :2] = 200  # the top-left block of picture 0
    images[1, 0, 0] = 100  # one pixel of a 2 × 2 block: mean 25
    small = downsample(images, 2)
    assert small.shape == (2, 2, 2, 3) and small.dtype == np.uint8
    assert (small[0, 0, 0] == 200).all() and (small[0, 1:, :] == 0).all()
    assert (small[1, 0, 0] == 25).all()
    np.testing.assert_array_equal(downsample(images, 4), images)
    with pytest.raises(ValueError, match="divide"):
        downsample(images, 3)
    with pytest.raises(ValueError, match="uint8"):
        downsample(images.astype(float), 2)


# ----------------------------------------------------------------------------- hostile HDF5 files


def _hostile(folder: Path, name: str, build: Any) -> Path:
    """A file with the course's other datasets in order, where ``build(f)`` writes the hostile part."""
    h5py = pytest.importorskip("h5py")
    path = folder / name
    with h5py.File(path, "w") as f:
        build(f)
    return path


def _good_test_file(folder: Path) -> Path:
    return write_course_files(folder)[1]


def _declared_only(shape: tuple[int, ...], dtype: str) -> Any:
    def build(f: Any) -> None:
        f.create_dataset("train_set_x", shape=shape, dtype=dtype)  # no bytes written: the file stays tiny
        f.create_dataset("train_set_y", shape=(shape[0],), dtype="i8")

    return build


@pytest.mark.parametrize(
    ("shape", "dtype", "words"),
    [
        ((20000, 64, 64, 3), "f8", ["'train_set_x'", "(20000, 64, 64, 3)", "float64", "uint8"]),
        ((2_000_000, 64, 64, 3), "u1", ["'train_set_x'", "2000000 pictures", "limit", "max_bytes"]),
    ],
)
def test_a_tiny_file_declaring_a_huge_dataset_is_refused_at_once(
    tmp_path: Path, shape: tuple[int, ...], dtype: str, words: list[str]
) -> None:
    import time
    import tracemalloc

    train = _hostile(tmp_path, "huge.h5", _declared_only(shape, dtype))
    assert train.stat().st_size < 10_000
    test = _good_test_file(tmp_path)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as info:
            load_dataset(train, test)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0 and peak < 50 * 2**20, (seconds, peak)
    for word in words:
        assert word in str(info.value), str(info.value)
    assert "huge.h5" in str(info.value)


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    train, test = write_course_files(tmp_path, m_train=6, m_test=4)
    with pytest.raises(ValueError, match=r"train_catvnoncat\.h5.*6 pictures.*limit"):
        load_dataset(train, test, max_bytes=5 * 12288)
    assert load_dataset(train, test, max_bytes=6 * 12288)[0].shape == (6, 64, 64, 3)
    assert data.MAX_BYTES >= 100 * 2**20  # far above the course's 2.5 MB
    with pytest.raises(ValueError, match="max_bytes"):
        load_dataset(train, test, max_bytes=0)


def test_a_folder_is_not_called_missing(tmp_path: Path) -> None:
    test = _good_test_file(tmp_path)
    folder = tmp_path / "pictures.h5"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=r"pictures\.h5: is a folder, expected.*'train_set_x'"):
        load_dataset(folder, test)


def test_an_external_link_is_refused_whether_its_file_exists_or_not(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    real_train, test = write_course_files(tmp_path)

    for target in (tmp_path / "gone.h5", real_train):

        def build(f: Any, target: Path = target) -> None:
            f["train_set_x"] = h5py.ExternalLink(str(target), "/train_set_x")
            f.create_dataset("train_set_y", data=np.zeros(6, dtype=np.int64))

        train = _hostile(tmp_path, "linked.h5", build)
        with pytest.raises(ValueError) as info:
            load_dataset(train, test)
        message = str(info.value)
        assert "linked.h5" in message and "'train_set_x'" in message and "external link" in message
        assert target.name in message and "other files" in message


def test_external_raw_storage_cannot_make_the_loader_read_another_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(bytes(range(256)) * 48 * 2)  # 2 pictures' worth of someone else's bytes
    test = _good_test_file(tmp_path)

    def build(f: Any) -> None:
        f.create_dataset("train_set_x", shape=(2, 64, 64, 3), dtype="u1", external=[(str(secret), 0, 2 * 12288)])
        f.create_dataset("train_set_y", data=np.zeros(2, dtype=np.int64))

    train = _hostile(tmp_path, "external.h5", build)
    with pytest.raises(ValueError) as info:
        load_dataset(train, test)
    message = str(info.value)
    assert "external.h5" in message and "'train_set_x'" in message and "secret.bin" in message
    assert "other files" in message


def test_a_virtual_dataset_and_a_soft_link_are_refused(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    real_train, test = write_course_files(tmp_path)

    def virtual(f: Any) -> None:
        layout = h5py.VirtualLayout(shape=(6, 64, 64, 3), dtype="u1")
        layout[:] = h5py.VirtualSource(str(real_train), "train_set_x", shape=(6, 64, 64, 3))
        f.create_virtual_dataset("train_set_x", layout)
        f.create_dataset("train_set_y", data=np.zeros(6, dtype=np.int64))

    def soft(f: Any) -> None:
        f.create_dataset("pictures", data=np.zeros((6, 64, 64, 3), dtype=np.uint8))
        f["train_set_x"] = h5py.SoftLink("/pictures")
        f.create_dataset("train_set_y", data=np.zeros(6, dtype=np.int64))

    for name, build, word in (("virtual.h5", virtual, "virtual dataset"), ("soft.h5", soft, "SoftLink")):
        with pytest.raises(ValueError, match=rf"{name}: .*'train_set_x'.*{word}"):
            load_dataset(_hostile(tmp_path, name, build), test)


def test_a_group_is_not_called_missing(tmp_path: Path) -> None:
    def build(f: Any) -> None:
        f.create_group("train_set_x")
        f.create_dataset("train_set_y", data=np.zeros(6, dtype=np.int64))

    train = _hostile(tmp_path, "grouped.h5", build)
    with pytest.raises(ValueError, match=r"grouped\.h5: 'train_set_x' is a group, expected a dataset 'train_set_x'"):
        load_dataset(train, _good_test_file(tmp_path))


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"train_set_x": np.zeros((0, 64, 64, 3), np.uint8), "train_set_y": np.zeros(0, np.int64)}, ["no pictures"]),
        ({"train_set_x": np.zeros((20, 1, 1, 3), np.uint8), "train_set_y": np.zeros(20, np.int64)}, ["(20, 1, 1, 3)"]),
        ({"test_set_x": np.zeros((0, 64, 64, 3), np.uint8), "test_set_y": np.zeros(0, np.int64)}, ["'test_set_x'"]),
        ({"list_classes": np.array([0, 1])}, ["'list_classes'", "int64", "strings"]),
        ({"list_classes": np.array([b"non-cat", b"cat", b"dog"])}, ["'list_classes'", "(3,)", "(2,)"]),
        ({"test_set_y": np.array([0, 1, 0, -1])}, ["'test_set_y'", "-1", "0 or 1"]),
        ({"train_set_y": np.array([0.0, 1, 0, 1, 0, 1])}, ["'train_set_y'", "float64", "integer"]),
    ],
)
def test_what_is_not_the_course_layout_is_refused(tmp_path: Path, overrides: dict[str, Any], words: list[str]) -> None:
    train, test = write_course_files(tmp_path, **overrides)
    with pytest.raises(ValueError) as info:
        load_dataset(train, test)
    message = str(info.value)
    assert ("train_catvnoncat.h5" in message) or ("test_catvnoncat.h5" in message)
    for word in words:
        assert word in message, message


def test_class_names_stored_as_variable_length_strings_load_as_bytes(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    names = np.array(["non-cat", "cat"], dtype=h5py.string_dtype())
    train, test = write_course_files(tmp_path, list_classes=names)
    classes = load_dataset(train, test)[4]
    np.testing.assert_array_equal(classes, [b"non-cat", b"cat"])
