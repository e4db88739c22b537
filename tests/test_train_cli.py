"""``micrograd-lr train``: both engines on small problems, the course's files, the output, bad options."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from micrograd_lr import cli, data
from micrograd_lr.commands import CommandError, train
from micrograd_lr.vectorized import model


def run_train(*argv: str) -> int:
    """Parse and run ``train`` with its own parser (so the tests do not depend on cli.COMMANDS)."""
    parser = argparse.ArgumentParser(prog="micrograd-lr")
    sub = parser.add_subparsers(dest="command", required=True)
    train.register(sub)
    args = parser.parse_args(["train", *argv])
    return int(args.func(args))


def accuracies(out: str) -> tuple[float, float]:
    train_acc = re.search(r"^train accuracy: ([\d.]+) %$", out, re.MULTILINE)
    test_acc = re.search(r"^test accuracy: ([\d.]+) %$", out, re.MULTILINE)
    assert train_acc and test_acc, out
    return float(train_acc.group(1)), float(test_acc.group(1))


def cost_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Cost after iteration")]


def test_vectorized_prints_what_model_computes(capsys: pytest.CaptureFixture[str]) -> None:
    """Training in runs of 100 iterations gives exactly the trajectory of one model() call."""
    assert run_train("--iterations", "201", "--max-samples", "40", "--image-size", "16") == 0
    out = capsys.readouterr().out
    train_x, train_y, test_x, test_y, _ = data.load_dataset()
    d = model(
        data.scale(data.flatten(data.downsample(train_x[:40], 16))),
        train_y[:, :40],
        data.scale(data.flatten(data.downsample(test_x[:40], 16))),
        test_y[:, :40],
        num_iterations=201,
        learning_rate=0.005,
    )
    assert cost_lines(out) == [f"Cost after iteration {100 * i}: {c:f}" for i, c in enumerate(d["costs"])]
    assert cost_lines(out)[0] == "Cost after iteration 0: 0.693147"
    expected_train = 100 * np.mean(d["Y_prediction_train"] == train_y[:, :40])
    expected_test = 100 * np.mean(d["Y_prediction_test"] == test_y[:, :40])
    assert accuracies(out) == (round(expected_train, 1), round(expected_test, 1))
    assert "40 training and 40 test pictures, 16×16×3 → n = 768 features" in out


def test_both_engines_print_the_same_costs_and_accuracies(capsys: pytest.CaptureFixture[str]) -> None:
    """The Value graph and NumPy run the same gradient descent: same costs (6 decimals), same accuracies."""
    common = ("--iterations", "201", "--max-samples", "12", "--image-size", "4", "--learning-rate", "0.5")
    assert run_train("--engine", "scalar", *common) == 0
    scalar = capsys.readouterr().out
    assert run_train("--engine", "vectorized", *common) == 0
    vector = capsys.readouterr().out
    assert "engine: scalar (the Value graph)" in scalar and "engine: vectorized (NumPy, float64)" in vector
    assert len(cost_lines(scalar)) == 3
    assert cost_lines(scalar) == cost_lines(vector)
    assert accuracies(scalar) == accuracies(vector)
    assert "4×4×3 → n = 48 features" in scalar


def test_the_scalar_engine_shrinks_pictures_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_train("--engine", "scalar", "--iterations", "2", "--max-samples", "5", "--quiet") == 0
    out = capsys.readouterr().out
    assert "8×8×3 → n = 192 features" in out
    train_acc, test_acc = accuracies(out)
    assert 0 <= train_acc <= 100 and 0 <= test_acc <= 100


def test_quiet_prints_only_the_summary_and_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_train("--iterations", "3", "--max-samples", "20", "--quiet", "--dtype", "float32") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith("data: the embedded synthetic pictures (seed 0)")
    assert lines[0].endswith("20 training and 20 test pictures, 64×64×3 → n = 12288 features")
    assert "float32" in lines[1] and lines[2].startswith("train accuracy") and lines[3].startswith("test accuracy")
    assert captured.err == ""


def test_the_progress_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the bar is drawn for a terminal only
    assert run_train("--iterations", "120", "--max-samples", "10") == 0
    captured = capsys.readouterr()
    assert "training" in captured.err and re.search(r"\d+/120", captured.err)
    assert "it/s" not in captured.out and "|" not in captured.out


def test_seed_changes_the_embedded_pictures(capsys: pytest.CaptureFixture[str]) -> None:
    run_train("--iterations", "1", "--max-samples", "10", "--quiet", "--seed", "3")
    assert "(seed 3)" in capsys.readouterr().out


def test_the_courses_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h5py = pytest.importorskip("h5py")
    images, labels = data.synthetic_cats(16, seed=11)
    paths = {}
    for name, part in (("train", slice(0, 10)), ("test", slice(10, 16))):
        paths[name] = tmp_path / f"{name}_catvnoncat.h5"
        with h5py.File(paths[name], "w") as f:
            f.create_dataset(f"{name}_set_x", data=images[part])
            f.create_dataset(f"{name}_set_y", data=labels[0, part])
            f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
    assert run_train("--train", str(paths["train"]), "--test", str(paths["test"]), "--iterations", "101") == 0
    out = capsys.readouterr().out
    assert "train_catvnoncat.h5" in out and "10 training and 6 test pictures" in out
    assert len(cost_lines(out)) == 2
    accuracies(out)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--train", "a.h5"], "both --train and --test"),
        (["--test", "b.h5"], "both --train and --test"),
        (["--iterations", "-1"], "--iterations"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--learning-rate", "nan"], "--learning-rate"),
        (["--max-samples", "0"], "--max-samples"),
        (["--image-size", "0"], "--image-size"),
        (["--image-size", "5"], "divide"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_options_are_named(argv: list[str], words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        run_train("--quiet", "--iterations", "1", "--max-samples", "5", *argv)  # later options win


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("h5py")
    with pytest.raises(CommandError, match=r"nothing\.h5") as info:
        run_train("--train", str(tmp_path / "nothing.h5"), "--test", str(tmp_path / "nothing.h5"))
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_through_the_micrograd_lr_command(capsys: pytest.CaptureFixture[str]) -> None:
    if "train" not in cli.COMMANDS:
        pytest.skip("train is not registered in micrograd_lr.cli.COMMANDS yet")
    assert cli.main(["train", "--iterations", "3", "--max-samples", "8", "--quiet"]) == 0
    accuracies(capsys.readouterr().out)
    assert cli.main(["train", "--train", "only.h5"]) == 2
    assert "both --train and --test" in capsys.readouterr().err


@pytest.mark.parametrize("alpha", ["1e305", "1e307"])
def test_a_learning_rate_that_diverges_is_said_in_the_commands_words(
    alpha: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["train", "--learning-rate", alpha, "--quiet", "--iterations", "300"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith(f"micrograd-lr train: error: --learning-rate {float(alpha):g} is too large for this data")
    assert "at iteration" in err and "try a smaller --learning-rate" in err
    assert "Traceback" not in err and "w contains" not in err and "accuracy" not in captured.out


# ------------------------------------------------------------------ as people use it


def test_no_bar_frames_in_a_log_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_train("--iterations", "120", "--max-samples", "10") == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err and "it/s" not in captured.err and "training" not in captured.err
    assert "Cost after iteration 100" in captured.out


def test_one_iteration_is_said_in_the_singular(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_train("--iterations", "1", "--max-samples", "10", "--quiet") == 0
    out = capsys.readouterr().out
    assert "1 iteration\n" in out and "1 iterations" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--image-size", "5"], "--image-size must divide the pictures' 64 pixels"),
        (["--plot", "cost.jpg"], "--plot cost.jpg: the file name must end with .svg, .png or .pdf"),
        (["--show-errors", "wrong"], "--show-errors wrong"),
    ],
)
def test_messages_name_the_option_typed(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert cli.main(["train", "--iterations", "1", "--max-samples", "4", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_long_scalar_run_says_so_up_front(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from micrograd_lr.commands import train

    seen: list[str] = []

    def stop(*_args: object, **_kwargs: object) -> None:
        seen.append(capsys.readouterr().err)  # what was said before training started
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "train_scalar", stop)
    with pytest.raises(KeyboardInterrupt):
        run_train("--engine", "scalar", "--image-size", "64")
    assert "may take roughly" in seen[0] and "minutes" in seen[0]
    assert "--engine tape" in seen[0] and "--engine vectorized" in seen[0]
    monkeypatch.setattr(train, "train_vectorized", stop)
    with pytest.raises(KeyboardInterrupt):
        run_train("--max-samples", "10")  # a quick run says nothing of the sort
    assert "may take" not in seen[1]


def test_plot_saves_the_cost_curve_and_show_errors_the_wrong_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    curve, wrong = tmp_path / "cost.svg", tmp_path / "out" / "wrong.png"
    argv = ["--iterations", "300", "--max-samples", "40", "--plot", str(curve), "--show-errors", str(wrong)]
    assert run_train(*argv) == 0
    out = capsys.readouterr().out
    assert curve.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "cost J(w, b)" in curve.read_text()
    assert wrong.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    count = re.search(r"wrote .*wrong\.png: (\d+) test pictures? classified wrong", out)
    assert count is not None, out
    accuracy = float(re.search(r"test accuracy: ([\d.]+) %", out).group(1))  # type: ignore[union-attr]
    assert int(count.group(1)) == round(40 * (100 - accuracy) / 100)
