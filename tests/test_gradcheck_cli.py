"""``micrograd-lr gradcheck``: the table of dw, db and J computed four ways."""

from __future__ import annotations

import argparse
import re

import numpy as np
import pytest

from micrograd_lr import cli, vectorized
from micrograd_lr.commands import gradcheck

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
    assert numbers["autograd, fused loss"][3] == pytest.approx(grads["db"], rel=1e-13)
    assert numbers["autograd, fused loss"][4] == pytest.approx(cost, rel=1e-13)


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--seed", "3"])
    first = capsys.readouterr().out
    run(["--seed", "3"])
    assert capsys.readouterr().out == first
    run(["--seed", "4"])
    assert capsys.readouterr().out != first


def test_exit_status_follows_the_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--tol", "1e-30"]) == 1  # central differences are never that close
    assert "largest relative error" in capsys.readouterr().out


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
    theta = np.array([400.0, 0.0])
    assert max(gradcheck.largest_relative_error(rows, theta)) < 1e-7  # rounding of J = 400 over 2ε


def test_bad_sizes_are_reported() -> None:
    with pytest.raises(ValueError, match="--n and --m must be at least 1, got n=0, m=3"):
        run(["--n", "0", "--m", "3"])


def test_through_the_micrograd_lr_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", "--n", "2", "--m", "3"]) == 0
    assert "largest relative error" in capsys.readouterr().out
    assert cli.main(["gradcheck", "--n", "0"]) == 2
    assert "must be at least 1" in capsys.readouterr().err
