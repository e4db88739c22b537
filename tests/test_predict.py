"""Your own picture through a saved model: prepared as the course prepares its pictures, bad files named.

Every picture here is made by the test with Pillow, in tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from micrograd_lr import data, images, model_file, vectorized
from micrograd_lr.cli import main

SHAPE = (4, 6, 3)  # a small, not square picture size: n = 72
RED, BLUE = (230, 20, 20), (20, 20, 230)


def redness_model(path: Path) -> Path:
    """w = +1 on every red value, −1 on every blue one, b = 0: red pictures are y = 1, blue ones y = 0."""
    w = np.zeros(SHAPE)
    w[:, :, 0], w[:, :, 2] = 1.0, -1.0
    return model_file.save(path, w.reshape(-1, 1), 0.0, image_shape=SHAPE, classes=("blue", "red"))


def plain(colour: tuple[int, ...], size: tuple[int, int] = (30, 20), mode: str = "RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def predict(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, list[str], list[str]]:
    code = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


# ----------------------------------------------------------------------------- preparing a picture


@settings(max_examples=15)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9), st.just(3))))
def test_a_picture_of_the_model_size_becomes_the_x_the_training_pictures_became(pixels: np.ndarray) -> None:
    """Lossless PNG at the model's size: x = data.scale(data.flatten(picture)), row by row, R G B per pixel."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.png"
        Image.fromarray(pixels).save(path)
        x = images.picture_to_x(path, pixels.shape)
    assert x.shape == (pixels.size, 1)
    np.testing.assert_array_equal(x, data.scale(data.flatten(pixels[np.newaxis])))
    assert x[0, 0] == pixels[0, 0, 0] / 255 and x[1, 0] == pixels[0, 0, 1] / 255  # R then G of pixel (1, 1)


def test_any_size_is_resized_to_the_model_size(tmp_path: Path) -> None:
    plain(RED, (640, 480)).save(tmp_path / "big.png")
    x = images.picture_to_x(tmp_path / "big.png", SHAPE)
    assert x.shape == (72, 1)
    np.testing.assert_allclose(x.reshape(SHAPE), np.broadcast_to(np.array(RED) / 255, SHAPE), atol=1 / 255)


def test_grey_and_transparent_pictures_become_rgb(tmp_path: Path) -> None:
    plain((100,), mode="L").save(tmp_path / "grey.png")
    assert np.all(images.picture_to_x(tmp_path / "grey.png", SHAPE) == 100 / 255)  # three equal channels
    plain((0, 0, 0, 0), mode="RGBA").save(tmp_path / "clear.png")
    assert np.all(images.picture_to_x(tmp_path / "clear.png", SHAPE) == 1.0)  # see-through is white
    plain((0, 0), mode="LA").save(tmp_path / "clear_grey.png")
    assert np.all(images.picture_to_x(tmp_path / "clear_grey.png", SHAPE) == 1.0)
    p = plain((3,), mode="P")
    p.info["transparency"] = 3
    p.save(tmp_path / "palette.gif", transparency=3)
    assert np.all(images.picture_to_x(tmp_path / "palette.gif", SHAPE) == 1.0)
    Image.fromarray(np.full((5, 5), 65535, dtype=np.uint16)).save(tmp_path / "deep.png")  # 16-bit grey
    assert np.all(images.picture_to_x(tmp_path / "deep.png", SHAPE) == 1.0)


# ----------------------------------------------------------------------------- the command


def test_every_common_format_is_classified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = redness_model(tmp_path / "m.npz")
    plain(RED).save(tmp_path / "red.png")
    plain(BLUE).save(tmp_path / "blue.jpg", quality=95)
    plain(RED).save(tmp_path / "red.webp", lossless=True)
    frames = [plain(RED).convert("P"), plain(BLUE).convert("P")]
    frames[0].save(tmp_path / "animated.gif", save_all=True, append_images=frames[1:])  # red first, then blue
    code, out, err = predict(
        capsys, model, *(tmp_path / n for n in ("red.png", "blue.jpg", "red.webp", "animated.gif"))
    )
    assert code == 0 and err == []
    got = [re.fullmatch(r"(.+): a = σ\(wᵀx \+ b\) = (\S+) → y = (\d) \((\w+)\)", line) for line in out]
    assert all(got), out
    assert [(Path(m[1]).name, m[3], m[4]) for m in got if m] == [
        ("red.png", "1", "red"),
        ("blue.jpg", "0", "blue"),
        ("red.webp", "1", "red"),
        ("animated.gif", "1", "red"),  # the first frame
    ]
    assert all(0.0 <= float(m[2]) <= 1.0 for m in got if m)


def test_bad_files_are_named_one_line_each_and_the_others_classified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = redness_model(tmp_path / "m.npz")
    plain(RED).save(tmp_path / "red.png")
    plain(BLUE).save(tmp_path / "blue.png")
    (tmp_path / "notes.png").write_text("not a picture")
    whole = (tmp_path / "red.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[: len(whole) // 2])
    plain(RED, (100, 100)).save(tmp_path / "cut.jpg")
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "cut.jpg").read_bytes()[:300])
    plain(RED, (60, 60)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 3600 pixels: over the limit
    (tmp_path / "folder").mkdir()
    bad = ["notes.png", "cut.png", "cut.jpg", "bomb.png", "folder", "missing.webp"]
    names = ["red.png", *bad[:3], "blue.png", *bad[3:]]
    code, out, err = predict(capsys, model, *(tmp_path / n for n in names))
    assert code == 1  # some pictures could not be read
    assert [Path(line.split(":")[0]).name for line in out] == ["red.png", "blue.png"]
    assert len(err) == len(bad)
    for name, line in zip(bad, err):
        assert line.startswith(f"micrograd-lr predict: error: {tmp_path / name}: "), line
        assert "Traceback" not in line
    reasons = dict(zip(bad, err))
    assert "not a picture" in reasons["notes.png"]
    assert "truncated" in reasons["cut.png"] and "truncated" in reasons["cut.jpg"]
    assert "over Pillow's limit of 1000" in reasons["bomb.png"] and "decompression bomb" in reasons["bomb.png"]
    assert "is a folder" in reasons["folder"] and "no such file" in reasons["missing.webp"]


def test_a_model_that_cannot_be_used_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain(RED).save(tmp_path / "red.png")
    code, _out, err = predict(capsys, tmp_path / "none.npz", tmp_path / "red.png")
    assert code == 2 and "none.npz: no such model file" in err[0]
    model_file.save(tmp_path / "rows.npz", np.ones((72, 1)), 0.0)  # no picture size
    code, _out, err = predict(capsys, tmp_path / "rows.npz", tmp_path / "red.png")
    assert code == 2 and "'image_shape' is empty" in err[0]
    code, _out, err = predict(capsys, tmp_path / "red.png", tmp_path / "red.png")
    assert code == 2 and "not a model file" in err[0]


def test_train_save_then_predict_gives_the_training_picture_its_own_a(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """train --save writes what predict needs; a training picture saved as PNG gets a = σ(wᵀx + b) of its column."""
    model, weights = tmp_path / "cats.npz", tmp_path / "w.svg"
    argv = ["train", "--iterations", "150", "--max-samples", "24", "--quiet", "--save", model]
    assert main([*map(str, argv), "--plot-weights", str(weights)]) == 0
    out = capsys.readouterr().out
    assert f"saved the model to {model}" in out and f"drew w in {weights}" in out
    assert weights.read_bytes().startswith(b"<?xml") and b"w of the red channel" in weights.read_bytes()
    saved = vectorized.load_model(model)
    assert saved["image_shape"] == (64, 64, 3) and saved["num_iterations"] == 150
    assert (
        saved["learning_rate"] == 0.005 and len(saved["costs"]) == 2 and saved["costs"][0] == pytest.approx(np.log(2))
    )
    assert "embedded synthetic pictures (seed 0)" in saved["data_source"]
    assert [bytes(c) for c in saved["classes"]] == [b"non-cat", b"cat"]

    train_x, _y, _tx, _ty, _c = data.load_dataset()
    Image.fromarray(train_x[5]).save(tmp_path / "five.png")
    code, lines, _err = predict(capsys, model, tmp_path / "five.png")
    a = float(vectorized.sigmoid(float((saved["w"].T @ data.scale(data.flatten(train_x[5:6])))[0, 0]) + saved["b"]))
    assert code == 0 and lines == [
        f"{tmp_path / 'five.png'}: a = σ(wᵀx + b) = {a:.4f} → y = {int(a > 0.5)} "
        + ("(cat)" if a > 0.5 else "(non-cat)")
    ]


def test_a_smaller_model_reads_pictures_at_its_own_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "small.npz"
    argv = ["train", "--iterations", "20", "--max-samples", "10", "--image-size", "8", "--quiet", "--save", model]
    assert main(list(map(str, argv))) == 0
    capsys.readouterr()
    assert model_file.load(model).image_shape == (8, 8, 3)
    plain(RED, (64, 64)).save(tmp_path / "red.png")
    code, lines, _err = predict(capsys, model, tmp_path / "red.png")
    assert code == 0 and len(lines) == 1


def test_plot_weights_format_is_checked_before_training(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--plot-weights", "w.gif"]) == 2
    captured = capsys.readouterr()
    assert "--plot-weights must end in .svg, .png, .pdf" in captured.err and "accuracy" not in captured.out
