"""The viz/ gallery: regenerated, it still shows what is committed; reproducible bytes; expected content."""

from __future__ import annotations

import argparse
import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import cast

import pytest
from conftest import DemoRun

from micrograd_lr import gallery, viz
from micrograd_lr.commands import figures

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

VIZ = Path(__file__).resolve().parents[1] / "viz"
SVG = "{http://www.w3.org/2000/svg}"
TICK = re.compile(r"[xy]tick_\d+$")


def texts(path: Path) -> list[str]:
    """The strings a picture shows, in order, whitespace normalized; axis tick numbers left out
    (matplotlib versions place ticks differently, and they carry no content of ours)."""
    root = ET.fromstring(path.read_bytes())
    out: list[str] = []

    def walk(el: ET.Element, in_tick: bool) -> None:
        in_tick = in_tick or bool(TICK.match(el.get("id", "")))
        if el.tag == f"{SVG}text":
            if not in_tick:
                out.append(" ".join("".join(el.itertext()).split()))
            return
        for child in el:
            walk(child, in_tick)

    walk(root, False)
    return out


@pytest.fixture(scope="module")
def fresh(demo_run: DemoRun) -> Path:
    """The figures as the code draws them now: those ``micrograd-lr demo`` wrote in this session."""
    return demo_run.figures


def test_every_figure_is_committed() -> None:
    missing = [name for name in gallery.FIGURES if not (VIZ / f"{name}.svg").is_file()]
    assert not missing, f"viz/ lacks {missing}: run `make figures`"


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_committed_figure_shows_what_the_code_draws_now(fresh: Path, name: str) -> None:
    committed = VIZ / f"{name}.svg"
    if not committed.is_file():
        pytest.fail(f"viz/{name}.svg is missing: run `make figures`")
    assert sorted(texts(committed)) == sorted(texts(fresh / f"{name}.svg")), (
        f"viz/{name}.svg is stale: run `make figures`"
    )
    if name in ("sigmoid", "cross_entropy", "cat_to_vector", "gradient_descent", "cost_curve"):
        return
    # graph pictures: the same nodes and edges too
    for kind in ("node", "edge"):
        count = [
            sum(1 for g in ET.fromstring(p.read_bytes()).iter(f"{SVG}g") if g.get("class") == kind)
            for p in (committed, fresh / f"{name}.svg")
        ]
        assert count[0] == count[1], (name, kind, count)


def test_two_runs_write_identical_bytes(fresh: Path, tmp_path: Path) -> None:
    # (the cat costs are trained once per process; training is deterministic: fixed data, zero start)
    paths = gallery.write_all(tmp_path)
    assert paths == [tmp_path / f"{name}.svg" for name in gallery.FIGURES]
    for name in gallery.FIGURES:
        assert (tmp_path / f"{name}.svg").read_bytes() == (fresh / f"{name}.svg").read_bytes(), name
        assert b"<dc:date>" not in (tmp_path / f"{name}.svg").read_bytes()


def _sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def expected() -> dict[str, list[str]]:
    ex = gallery.LOGISTIC_EXAMPLE
    x1, x2 = cast(list[float], ex["x"])
    w1, w2 = cast(list[float], ex["w"])
    b, y = cast(float, ex["b"]), cast(float, ex["y"])
    z = w1 * x1 + w2 * x2 + b
    a = _sigma(z)
    L = -(y * math.log(a) + (1 - y) * math.log(1 - a))
    dz = a - y  # the text's analytic gradients
    da = -y / a + (1 - y) / (1 - a)
    f = viz.fmt
    return {
        "computation_graph": [
            *["a", "b", "c", "u", "v", "J", "5", "3", "2", "6", "11", "33"],
            *["da", "db", "dc", "du", "dv", "dJ", "9", "∂u/∂b = 2", "∂u/∂c = 3", "∂J/∂v = 3", "#1"],
        ],
        "logistic_regression": ["w1", "x1", "w2", "x2", "b", "z", "a", "L", "y", "σ", f(z), f(a), f(L)],
        "logistic_regression_backward": [
            *["da", f(da), "dz", f(dz), "dw1", f(x1 * dz), "dw2", f(x2 * dz)],
            *["db", f(dz), "dL", "1", f(L), f"∂a/∂z = {f(a * (1 - a))}"],
        ],
        "house_price_network": ["size", "bedrooms", "zip code", "wealth", "price y", "input layer", "output layer"],
        "sigmoid": ["σ(0) = 0.5", "z = wᵀx + b", "σ(z) = 1 / (1 + e⁻ᶻ)"],
        "cross_entropy": ["y = 1: L = −log ŷ", "y = 0: L = −log(1 − ŷ)", "cross-entropy J(w): convex"],
        "cat_to_vector": ["x", "12288×1", "value 0–255", "Unrolling a picture into a feature vector x ∈ ℝ¹²²⁸⁸"],
        "gradient_descent": ["w₀", "w₁", "J(w)", "slope dJ/dw at w₀"],
        # with w = 0, b = 0 every a is 0.5 and the first cost is log 2
        "cost_curve": [f"J = {math.log(2):.4f}", "iteration", "cost J(w, b)"],
    }


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_each_figure_is_well_formed_and_shows_its_labels_and_numbers(fresh: Path, name: str) -> None:
    assert ET.fromstring((fresh / f"{name}.svg").read_bytes()).tag == f"{SVG}svg"
    got = texts(fresh / f"{name}.svg")
    for text in expected()[name]:
        assert text in got, (name, text, got)


def test_forward_picture_has_no_gradients(fresh: Path) -> None:
    got = texts(fresh / "logistic_regression.svg")
    assert not {"dz", "da", "dw1", "db", "grad"} & set(got)
    assert not any(t.startswith("∂") or t.startswith("#") for t in got)


def test_cat_picture_is_embedded(fresh: Path) -> None:
    root = ET.fromstring((fresh / "cat_to_vector.svg").read_bytes())
    assert sum(1 for _ in root.iter(f"{SVG}image")) == 2  # the picture and the strip of x


def test_figures_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="micrograd-lr")
    sub = parser.add_subparsers(dest="command", required=True)
    figures.register(sub)
    args = parser.parse_args(["figures", "--out", str(tmp_path), "computation_graph", "sigmoid"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {tmp_path / 'computation_graph.svg'}",
        f"wrote {tmp_path / 'sigmoid.svg'}",
    ]
    with pytest.raises(ValueError, match="no figures called nope"):
        gallery.write_all(tmp_path, ["nope"])
