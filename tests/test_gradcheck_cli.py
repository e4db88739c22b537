"""``micrograd-lr gradcheck``: the table of dw, db and J computed four ways."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from micrograd_lr import Value, cli, vectorized
from micrograd_lr.commands import gradcheck
from micrograd_lr.gradcheck import GradientReport

ROWS = (
    "autograd, fused loss",
    "autograd, literal loss",
    "explicit loop",
    "vectorized.propagate",
    "central differences",
)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="micrograd-lr")
    sub = parser.add_subparsers(dest="command", required=True)
    gradcheck.register(sub)
    args = parser.parse_args(["gradcheck", *argv])
    return int(args.func(args))


def test_the_table_has_every_way_and_they_agree(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--n", "3", "--m", "7", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "n = 3, m = 7, seed = 5" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[-1] == "PASS"
    header = next(line for line in lines if "dw[0]" in line)
    assert header.split() == ["dw[0]", "dw[1]", "dw[2]", "db", "J", "rel.", "error"]
    rows = {name: next(line for line in lines if line.strip().startswith(name)) for name in ROWS}
    numbers = {
        name: [float(v) for v in row[len(row) - len(row.lstrip()) + len(name) :].split()] for name, row in rows.items()
    }
    assert all(len(v) == 3 + 2 + 1 for v in numbers.values())
    # the exact ways agree to rounding, central differences to ~1e-9
    for name in ROWS[1:4]:
        assert numbers[name][-1] < 1e-13
    assert numbers["central differences"][-1] < 1e-7
    worst = float(re.search(r"largest relative error: (\S+)", out).group(1))  # type: ignore[union-attr]
    assert worst == max(v[-1] for v in numbers.values())
    # the printed db agrees with the vectorized pass computed here on the same problem
    w, b, X, Y = gradcheck.random_problem(3, 7, 5)
    grads, cost = vectorized.propagate(w, b, X, Y)
    assert numbers["autograd, fused loss"][3] == pytest.approx(grads["db"], rel=1e-5)  # printed to 6 digits
    assert numbers["autograd, fused loss"][4] == pytest.approx(cost, rel=1e-5)


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--seed", "3"])
    first = capsys.readouterr().out
    run(["--seed", "3"])
    assert capsys.readouterr().out == first
    run(["--seed", "4"])
    assert capsys.readouterr().out != first


def test_exit_status_follows_the_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--tol", "1e-30"]) == 1  # the exact ways differ by rounding, ~1e-15
    out = capsys.readouterr().out
    assert "largest relative error" in out and out.splitlines()[-1] == "FAIL"


def test_show_limits_the_columns(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--n", "6", "--show", "2"])
    out = capsys.readouterr().out
    assert "dw[1]" in out and "dw[2]" not in out


def test_a_saturated_problem_still_prints_the_other_ways(capsys: pytest.CaptureFixture[str]) -> None:
    """Where σ rounds to 1 the literal loss cannot take log 0: the table says so and carries on."""
    w = np.array([[400.0]])
    X = np.array([[1.0, -1.0]])
    Y = np.array([[0.0, 1.0]])
    rows, failed = gradcheck.compute_rows(w, 0.0, X, Y)
    names = [r[0] for r in rows]
    assert "autograd, literal loss" not in names and len(rows) == 4
    assert len(failed) == 1 and failed[0].startswith("autograd, literal loss: log")
    check = gradcheck.numerical_report(w, 0.0, X, Y, 1e-6)
    assert max(gradcheck.largest_relative_error(rows, check)) < 1e-7  # rounding of J = 400 over 2ε


def test_bad_sizes_are_reported() -> None:
    with pytest.raises(ValueError, match="--n and --m must be at least 1, got n=0, m=3"):
        run(["--n", "0", "--m", "3"])


def test_through_the_micrograd_lr_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--n", "2", "--m", "3"]) == 0
    assert "largest relative error" in capsys.readouterr().out
    assert cli.main(["gradcheck", "--n", "0"]) == 2
    assert "must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--eps", "0"], r"--eps must be a positive finite number, got 0\.0"),
        (["--eps", "-1"], r"--eps must be a positive finite number, got -1\.0"),
        (["--eps", "nan"], r"--eps must be a positive finite number, got nan"),
        (["--eps", "inf"], r"--eps must be a positive finite number, got inf"),
        (["--eps", "1e-20"], r"--eps 1e-20 is too small for this problem.*use --eps 1e-08 or larger"),
        (["--tol", "nan"], r"--tol must be between 0 and 0\.001, got nan"),
        (["--tol", "-1"], r"--tol must be between 0 and 0\.001, got -1\.0"),
        (["--tol", "0.5"], r"--tol must be between 0 and 0\.001, got 0\.5: a larger tolerance would let"),
        (["--n", "1000"], r"--n must be at most 200, got 1000: central differences evaluate J 2\(n \+ 1\) times"),
        (["--n", "200", "--m", "1000"], r"--n 200 with --m 1000 is too big"),
        (["--show", "4"], r"--show must be between 0 and 3, got 4: the table fits 100 columns"),
    ],
)
def test_bad_option_values_are_usage_errors_naming_the_option(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["gradcheck", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(message, captured.err), captured.err
    assert "Traceback" not in captured.err


def test_the_command_cannot_print_pass_for_a_wrong_gradient(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Autograd's db planted 1 % wrong: FAIL at every step the command accepts."""
    real_report = gradcheck.report

    def planted(f: Callable[[], Value], params: list[Value], **kwargs: Any) -> GradientReport:
        out = f()
        for p in params:
            p.grad = 0.0
        out.backward()
        wrong = [p.grad for p in params]
        wrong[-1] *= 1.01
        return real_report(f, params, wrong, **kwargs)

    monkeypatch.setattr(gradcheck, "report", planted)
    for eps in ("1e-9", "1e-6", "1e-4", "1e-2"):
        assert run(["--eps", eps]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines[-1] == "FAIL"
        assert any(line.split()[:1] == ["db"] and line.endswith("FAIL") for line in lines)
