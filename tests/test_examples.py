"""Each script in examples/ runs as written and reaches what it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # library code stays quiet; the script speaks on stdout
    return proc.stdout


def test_there_is_one_example_per_idea() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "cat_classifier.py",
        "house_price_network.py",
        "one_sample_graph.py",
    ]


def test_one_sample_graph_shows_autograd_equals_the_formulas() -> None:
    out = run("one_sample_graph.py")
    assert "autograd = analytic: True" in out
    assert "dz = a − y" in out and "db = dz" in out


def test_cat_classifier_learns_the_embedded_cats() -> None:
    out = run("cat_classifier.py")
    train = float(re.search(r"train accuracy: (\S+) %", out).group(1))  # type: ignore[union-attr]
    test = float(re.search(r"test accuracy: (\S+) %", out).group(1))  # type: ignore[union-attr]
    assert train >= 95.0 and 60.0 <= test < train


def test_house_price_network_cost_falls() -> None:
    costs = [float(c) for c in re.findall(r"iteration +\d+: J = (\S+)", run("house_price_network.py"))]
    assert len(costs) >= 2 and costs[-1] < costs[0] / 10
