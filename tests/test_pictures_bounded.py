"""Pictures that cannot hang or break: long labels, a failing or slow ``dot``, and the worst shapes for the layout."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from micrograd_lr import cli, viz
from micrograd_lr.engine import Value, topological_order

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def fake_dot(folder: Path, body: str) -> Path:
    """A program called dot, first on the PATH, running the shell ``body``."""
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


# ------------------------------------------------------------------ shapes


def fan_out(n: int) -> Value:
    """One leaf feeding every operation of a long chain: J = a·a + a·a + ... (n + 1 products)."""
    a = Value(0.5, "a")
    J = a * a
    for _ in range(n):
        J = J + a * a
    return J


def sum_of_one_name(n: int) -> Value:
    a = Value(1.0, "a")
    J = a
    for _ in range(n - 1):
        J = J + a
    return J


def names_used_far_apart(names: int, rounds: int) -> Value:
    """n0 + n1 + ... + n24 + n0 + n1 + ...: every leaf used a few times, far apart."""
    leaves = [Value(0.1 * k, f"n{k}") for k in range(names)]
    J = leaves[0]
    for r in range(rounds):
        for leaf in leaves[1 if r == 0 else 0 :]:
            J = J + leaf
    return J


def shared_chain(n: int) -> Value:
    """x, tanh(0.9x), ... and J the sum of them all: every link used twice, by the chain and by the sum."""
    xs = [Value(0.5, "x")]
    for _ in range(n):
        xs.append((xs[-1] * 0.9).tanh())
    J = xs[0]
    for x in xs[1:]:
        J = J + x
    return J


def wide_sum(n: int) -> Value:
    J = Value(0.0, "x0")
    for k in range(1, n):
        J = J + Value(0.1 * k, f"x{k}")
    return J


def power_chain(n: int) -> Value:
    """J = (((a·a + a)·a + a)·a + a)...: the leaf at both ends of every step."""
    a = Value(1.001, "a")
    J = a
    for _ in range(n):
        J = J * a + a
    return J


SHAPES: dict[str, Callable[[], Value]] = {
    "fan_out": lambda: fan_out(100),
    "sum_of_one_name": lambda: sum_of_one_name(140),
    "names_used_far_apart": lambda: names_used_far_apart(25, 4),
    "shared_chain": lambda: shared_chain(75),
    "wide_sum": lambda: wide_sum(150),
    "power_chain": lambda: power_chain(75),
}


@needs_dot
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_worst_shapes_lay_out_in_a_few_seconds(shape: str) -> None:
    """Each took from 20 s to many minutes before (far uses as long edges); now well under a second each."""
    root = SHAPES[shape]()
    root.backward()
    size = len(topological_order(root))
    assert 120 <= size <= viz.DEFAULT_MAX_NODES + 2
    start = time.perf_counter()
    svg = viz.render(root, "svg", max_nodes=size, timeout=10)
    assert time.perf_counter() - start < 3.0
    assert svg.lstrip().startswith(b"<?xml") or b"<svg" in svg[:500]


def test_a_far_use_is_drawn_again_dashed_next_to_it_and_near_ones_are_not() -> None:
    root = sum_of_one_name(30)
    source = viz.draw(root).source
    copies = re.findall(r"^\s*r\d+_\d+ \[", source, flags=re.M)
    assert len(copies) == 29 - viz.MAX_SPAN  # the last MAX_SPAN uses of a are near enough
    assert "dashed" in source and viz.LEGEND_AGAIN in source
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    J = 3 * (a + b * c)
    J.backward()
    assert "dashed" not in viz.draw(J).source  # the text's small graphs are drawn as before
    # every drawn edge now spans at most MAX_SPAN steps, so the layout's work grows about linearly
    for n in (50, 100):
        edges = viz.draw(sum_of_one_name(n), max_nodes=400).source.count("->")
        assert edges < 8 * n


# ------------------------------------------------------------------ labels Graphviz would reject


@needs_dot
def test_a_label_longer_than_graphviz_accepts_is_cut_visibly() -> None:
    J = Value(1.0, "x" * 20000) * 2
    J.backward()
    source = viz.draw(J, title="t" * 20000).source
    assert max(len(line) for line in source.splitlines()) < 16384
    svg = viz.render(J, "svg", title="t" * 20000).decode("utf-8")
    assert "(20000 characters)" in svg and "x" * 50 in svg
    quotes = Value(1.0, '"<&>' * 5000) * 2  # escaping makes each character up to 6 bytes
    assert b"(20000 characters)" in viz.render(quotes, "svg")


# ------------------------------------------------------------------ a dot that fails or takes too long


def test_a_failing_dot_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(fake_dot(tmp_path / "bin", "echo 'Error: out of memory' >&2; exit 2")))
    with pytest.raises(viz.GraphvizFailedError) as info:
        viz.render(Value(1.0, "a") * 2)
    assert isinstance(info.value, subprocess.CalledProcessError)
    assert str(info.value) == "Graphviz's dot failed (exit status 2): Error: out of memory"


def test_a_failing_dot_is_one_line_from_the_cli_for_the_page_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(fake_dot(tmp_path / "bin", "echo 'Error: bad' >&2; exit 1")))
    for name in ("g.svg", "g.html"):
        assert cli.main(["graph", "a*b", "--set", "a=2", "b=3", "-o", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert "Graphviz's dot failed (exit status 1): Error: bad" in err and "Traceback" not in err
        assert not (tmp_path / name).exists()


def test_a_slow_dot_is_stopped_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(fake_dot(tmp_path / "bin", f"exec {shutil.which('sleep') or '/bin/sleep'} 30")))
    start = time.perf_counter()
    with pytest.raises(viz.LayoutTimeoutError, match=r"more than 0\.3 s"):
        viz.render(Value(1.0, "a") * 2, timeout=0.3)
    assert time.perf_counter() - start < 5
    with pytest.raises(ValueError, match="timeout"):
        viz.render(Value(1.0, "a") * 2, timeout=0)
    out = tmp_path / "g.svg"
    assert cli.main(["graph", "a*b", "--set", "a=2", "b=3", "--timeout", "0.3", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "more than 0.3 s" in err and "--timeout" in err and "Traceback" not in err
    assert not out.exists()
    assert cli.main(["graph", "a", "--set", "a=2", "--timeout", "-1", "-o", str(out)]) == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err


@needs_dot
def test_the_cli_draws_a_sum_of_one_name_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.svg"
    start = time.perf_counter()
    assert cli.main(["graph", "+".join(["a"] * 100), "--set", "a=1", "-o", str(out)]) == 0
    assert time.perf_counter() - start < 3.0
    assert "= 100" in capsys.readouterr().out and out.stat().st_size > 0
