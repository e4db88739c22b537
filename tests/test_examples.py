"""Each script in examples/ runs as written, stays quiet on stderr, and prints what its docstring promises."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def one_sample_graph(out: str) -> None:
    """Forward left to right, backward right to left, and autograd equal to the text's formulas."""
    assert out.index("Forward, left to right:") < out.index("Backward, right to left") < out.index("formulas")
    assert "autograd = analytic: True" in out
    assert "dz = a − y" in out and "db = dz" in out
    grads = dict(re.findall(r"dL/d(\w+) += +(\S+)", out))
    assert float(grads["L"]) == 1.0 and grads["b"] == grads["z"]  # db = dz


def cat_classifier(out: str) -> None:
    """The embedded cats, the cost every 100 iterations from log 2 down, train accuracy far above test."""
    assert "209 training pictures" in out and "50 test pictures; each a column of n = 12288 features" in out
    costs = [float(c) for c in re.findall(r"^Cost after iteration \d+: (\S+)$", out, re.MULTILINE)]
    assert len(costs) == 20 and costs[0] == 0.693147 and costs[-1] < costs[0] / 5
    train = float(re.search(r"train accuracy: (\S+) %", out).group(1))  # type: ignore[union-attr]
    test = float(re.search(r"test accuracy: (\S+) %", out).group(1))  # type: ignore[union-attr]
    assert train >= 95.0 and 60.0 <= test < train


def house_price_network(out: str) -> None:
    """The four features feed MLP(4 → 3 → 1); the cost falls tenfold; a prediction is printed."""
    assert out.startswith("size, bedrooms, zip code, wealth → MLP(4 → 3 → 1)")
    costs = [float(c) for c in re.findall(r"iteration +\d+: J = (\S+)", out)]
    assert len(costs) >= 2 and costs[-1] < costs[0] / 10
    assert re.search(r"first house \(.*\): price \S+, predicted \S+", out)


def classify_your_picture(out: str) -> None:
    """Trains, saves to a .npz file, loads, and labels each new picture by a = σ(wᵀx + b) > 0.5, counted honestly."""
    first = re.match(
        r"trained on 209 pictures: J from 0\.6931 to (\S+), train accuracy (\S+) %, test accuracy (\S+) %",
        out,
    )
    assert first is not None, out
    assert float(first[1]) < 0.2 and float(first[3]) < float(first[2])
    assert "saved w (12288 numbers), b and how they were made to cats.npz" in out
    lines = re.findall(
        r"^picture_\d\.(?:jpg|png) \((?:480×360|64×64)\): "
        r"a = σ\(wᵀx \+ b\) = (\S+) → y = (\d) \((\S+)\), it is a (\S+)$",
        out,
        re.MULTILINE,
    )
    assert len(lines) == 10
    for a, y, label, _truth in lines:
        assert 0.0 <= float(a) <= 1.0 and int(y) == int(float(a) > 0.5) and label == ("cat" if y == "1" else "non-cat")
    right = sum(label == truth for _a, _y, label, truth in lines)
    assert f"{right} of 10 new pictures labelled right" in out


CLAIMS: dict[str, Callable[[str], None]] = {
    "one_sample_graph.py": one_sample_graph,
    "cat_classifier.py": cat_classifier,
    "house_price_network.py": house_price_network,
    "classify_your_picture.py": classify_your_picture,
}
"""What each example shows, checked on its output."""

SLOW = {"cat_classifier.py", "classify_your_picture.py"}  # 2000 iterations over 209 pictures of 12288 features


def examples() -> list[object]:
    paths = sorted(EXAMPLES.glob("*.py"))
    return [pytest.param(p, id=p.name, marks=[pytest.mark.slow] * (p.name in SLOW)) for p in paths]


@pytest.mark.parametrize("path", examples())
def test_each_example_runs_as_its_docstring_says_and_shows_its_point(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert f"Run: python examples/{path.name}" in doc, f"{path.name}: the docstring should say how to run it"
    check = CLAIMS.get(path.name)
    assert check is not None, f"examples/{path.name} has no check in CLAIMS: say what it shows"
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # library code stays quiet; the script speaks on stdout
    check(proc.stdout)
