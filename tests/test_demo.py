"""The main job: ``micrograd-lr demo`` walks through the text and writes the figures."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DemoRun

from micrograd_lr import gallery
from micrograd_lr.cli import main


def test_demo_walks_through_the_text(demo_run: DemoRun) -> None:
    out = demo_run.out
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
    assert len(costs) == demo_run.iterations // 100 and costs[-1] < costs[0]
    train, test = map(float, re.search(r"train accuracy: (\S+) %   test accuracy: (\S+) %", out).groups())  # type: ignore[union-attr]
    assert 50.0 < train <= 100.0 and 0.0 <= test <= 100.0


def test_demo_writes_every_figure_of_the_gallery(demo_run: DemoRun) -> None:
    """Step 4 writes each figure of gallery.FIGURES, in order, as an SVG document, then the two
    step-through pages, and says so."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    svgs = [demo_run.figures / f"{name}.svg" for name in gallery.FIGURES]
    expected = svgs + [demo_run.figures / f"{name}.html" for name in ("computation_graph", "logistic_regression")]
    assert sorted(demo_run.figures.iterdir()) == sorted(expected)
    assert re.findall(r"^  wrote (.+)$", demo_run.out, re.MULTILINE) == [str(p) for p in expected]
    assert demo_run.out.index("4. The figures") > demo_run.out.index("train accuracy")
    for path in svgs:
        assert ET.fromstring(path.read_bytes()).tag == "{http://www.w3.org/2000/svg}svg", path


def test_no_figures_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--iterations", "0", "--no-figures", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "0 iterations" in out and "train accuracy" in out and "4. The figures" not in out
    assert not list(tmp_path.iterdir())


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
