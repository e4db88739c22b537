"""The main job: ``micrograd-lr demo`` walks through the text and writes the figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_lr.cli import main


def test_demo_walks_through_the_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--iterations", "300", "--no-figures", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # 1. the computation graph, forward then backward
    assert "u = b × c = 6" in out and "v = a + u = 11" in out and "J = 3 × v = 33" in out
    for name, grad in [("J", 1), ("v", 3), ("u", 3), ("a", 3), ("b", 6), ("c", 9)]:
        assert f"dJ/d{name} = {grad}\n" in out
    assert out.index("forward, left to right") < out.index("backward, right to left")
    # 2. one sample: autograd equals the text's formulas
    worst = float(re.search(r"largest difference between autograd and the formulas: (\S+)", out).group(1))  # type: ignore[union-attr]
    assert worst < 1e-12
    # 3. the cat classifier learns: the cost falls, accuracies are printed
    costs = [float(c) for c in re.findall(r"cost after iteration +\d+: (\S+)", out)]
    assert len(costs) == 3 and costs[-1] < costs[0]
    train, test = map(float, re.search(r"train accuracy: (\S+) %   test accuracy: (\S+) %", out).groups())  # type: ignore[union-attr]
    assert 50.0 < train <= 100.0 and 0.0 <= test <= 100.0
    assert not list(tmp_path.iterdir())  # --no-figures wrote nothing


def test_demo_writes_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "micrograd_lr", "demo", "--iterations", "100", "--out", str(tmp_path / "figs")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert "computation_graph.svg" in written and "cost_curve.svg" in written
    assert len([n for n in written if n.endswith(".svg")]) == 9
    assert {"computation_graph.html", "logistic_regression.html"} <= set(written)  # the step-through pages


def test_demo_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--iterations", "-1", "--no-figures"]) == 2
    assert "--iterations must be >= 0, got -1" in capsys.readouterr().err


def test_a_closed_pipe_stops_the_command_quietly() -> None:
    proc = subprocess.run(
        f"'{sys.executable}' -m micrograd_lr demo --no-figures --iterations 0 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == "\n" and "Traceback" not in proc.stderr and "error" not in proc.stderr
