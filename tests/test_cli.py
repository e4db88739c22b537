"""The command's error policy: a user's bad input is one line and exit status 2; a bug keeps its traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from micrograd_lr import cli, gallery, vectorized, viz
from micrograd_lr.commands import CommandError
from micrograd_lr.expr import ExpressionError
from micrograd_lr.module import DivergenceError
from micrograd_lr.validation import InputError, InputTypeError


def _planted_bug(*_args: Any, **_kwargs: Any) -> None:
    return None + 1  # type: ignore[operator,return-value]  # a TypeError, as a real bug would raise


@pytest.mark.parametrize(
    ("target", "argv"),
    [
        ((viz, "save"), ["graph", "a*b", "--set", "a=2", "b=3", "-o", "{tmp}/g.svg"]),
        ((gallery, "write_all"), ["figures", "--out", "{tmp}/figs"]),
        ((vectorized, "optimize"), ["train", "--iterations", "2", "--max-samples", "4", "--quiet"]),
    ],
)
def test_a_bug_inside_a_command_keeps_its_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: tuple[object, str],
    argv: list[str],
) -> None:
    monkeypatch.setattr(*target, _planted_bug)
    with pytest.raises(TypeError, match="unsupported operand") as info:
        cli.main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    assert not isinstance(info.value, cli.USAGE_ERRORS)
    assert "error:" not in capsys.readouterr().err  # nothing was printed as if it were a usage error


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["graph", "a +", "-o", "{tmp}/g.svg"], "not a valid expression"),  # ExpressionError
        (["graph", "a", "--set", "a=one", "-o", "{tmp}/g.svg"], "must be a number"),  # CommandError
        (["graph", "log(a)", "--set", "a=1e-320", "-o", "{tmp}/g.svg"], "overflows"),  # backward at a user's number
        (["graph", "a+b+c", "--set", "a=1", "b=1", "c=1", "--max-nodes", "2", "-o", "{tmp}/g.svg"], "--max-nodes"),
        (["graph", "a", "--set", "a=1", "-o", "{tmp}/a-file/g.dot"], "cannot write"),  # OSError, on purpose
        (["train", "--train", "{tmp}/none.h5", "--test", "{tmp}/none.h5"], "none.h5"),
        (["train", "--image-size", "5", "--max-samples", "2"], "divide"),  # InputError from data.downsample
        (["gradcheck", "--n", "0"], "at least 1"),
        (["demo", "--iterations", "-1"], "--iterations"),
        (["figures", "--out", "{tmp}/f", "nope"], "no figures called nope"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    if argv[0] == "train" and "--train" in argv:
        pytest.importorskip("h5py")
    (tmp_path / "a-file").write_text("a file, not a folder\n")
    code = cli.main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"micrograd-lr {argv[0]}: error: ") and err.count("\n") == 1, err
    assert words in err
    assert "Traceback" not in err


def test_the_usage_errors_are_the_projects_own() -> None:
    for cls in cli.USAGE_ERRORS:
        assert cls.__module__.startswith("micrograd_lr.")
    assert issubclass(CommandError, InputError) and issubclass(InputError, ValueError)
    assert issubclass(InputTypeError, TypeError) and issubclass(ExpressionError, ValueError)
    assert issubclass(DivergenceError, OverflowError)
    # the classes a bug raises are not among them
    for builtin in (ValueError, TypeError, OSError, ArithmeticError, ZeroDivisionError, KeyError):
        assert not issubclass(builtin, cli.USAGE_ERRORS)


# ------------------------------------------------------------------ the command line as people use it


def test_version_and_a_bare_command(capsys: pytest.CaptureFixture[str]) -> None:
    import micrograd_lr

    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"micrograd-lr {micrograd_lr.__version__}"
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: micrograd-lr") and "train" in out and "graph" in out


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_help_is_plain_text(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out and ":class:" not in out
    assert f"micrograd-lr {command}" in out


def test_figures_out_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "figures.txt"
    target.write_text("mine", encoding="utf-8")
    assert cli.main(["figures", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Errno" not in err
    assert target.read_text(encoding="utf-8") == "mine"


def test_bench_is_not_a_command_of_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert "bench" not in cli.COMMANDS
    with pytest.raises(SystemExit):
        cli.main(["bench", "--quick"])
    assert "invalid choice: 'bench'" in capsys.readouterr().err
