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


PLOTS = ("sigmoid", "cross_entropy", "cat_to_vector", "gradient_descent", "cost_curve", "weights", "learning_rates")
"""The matplotlib figures of the gallery (the others are graphs, with nodes and edges)."""


@pytest.fixture(scope="module")
def fresh(demo_run: DemoRun) -> Path:
    """The figures as the code draws them now: those ``micrograd-lr demo`` wrote in this session."""
    return demo_run.figures


def test_every_figure_is_committed() -> None:
    missing = [name for name in gallery.FIGURES if not (VIZ / f"{name}.svg").is_file()]
    assert not missing, f"viz/ lacks {missing}: run `make figures`"


@pytest.mark.parametrize("name", ["computation_graph", "logistic_regression"])
def test_committed_step_through_page_is_what_the_demo_writes_now(fresh: Path, name: str) -> None:
    committed = VIZ / f"{name}.html"
    assert committed.is_file(), f"viz/{name}.html is missing: run `make demo`"
    assert committed.read_bytes() == (fresh / f"{name}.html").read_bytes(), f"viz/{name}.html is stale: run `make demo`"


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_committed_figure_shows_what_the_code_draws_now(fresh: Path, name: str) -> None:
    committed = VIZ / f"{name}.svg"
    if not committed.is_file():
        pytest.fail(f"viz/{name}.svg is missing: run `make figures`")
    assert sorted(texts(committed)) == sorted(texts(fresh / f"{name}.svg")), (
        f"viz/{name}.svg is stale: run `make figures`"
    )
    if name in PLOTS:
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
            *["db", f(dz), "dL", "1", f(L), "L(a, y)", f"∂a/∂z = a(1 − a) = {f(a * (1 - a))}"],
            *[f"da = {f(da)}", f"dz = da·a(1 − a) = a − y = {f(dz)}", f"dw1 = x1·dz = {f(x1 * dz)}"],
        ],
        "logistic_regression_backward_expanded": [
            *["da", f(da), "dz", f(dz), "dw1", f(x1 * dz), "dw2", f(x2 * dz)],
            *["db", f(dz), "dL", "1", f(L), f"∂a/∂z = {f(a * (1 - a))}", "log"],
        ],
        "house_price_network": ["size", "bedrooms", "zip code", "wealth", "price y", "input layer", "output layer"],
        "sigmoid": ["σ(0) = 0.5", "z = wᵀx + b", "σ(z) = 1 / (1 + e⁻ᶻ)"],
        "cross_entropy": ["y = 1: L = −log ŷ", "y = 0: L = −log(1 − ŷ)", "cross-entropy J(w): convex"],
        "cat_to_vector": ["x", "12288×1", "value 0–255", "Unrolling a picture into a feature vector x ∈ ℝ¹²²⁸⁸"],
        "gradient_descent": ["w₀", "w₁", "J(w)", "slope dJ/dw at w₀"],
        # with w = 0, b = 0 every a is 0.5 and the first cost is log 2
        "cost_curve": [f"J = {math.log(2):.4f}", "iteration", "cost J(w, b)", "iteration (the first 60)"],
        "weights": ["w of the red channel", "w of the green channel", "w of the blue channel", "their sum R + G + B"],
        "learning_rates": ["iteration", "cost J(w, b)", "learning rate: accuracy after training"],
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


def test_text_backward_figure_draws_the_loss_as_one_node_and_fits_a_page(fresh: Path) -> None:
    """z → a → L(a, y) as the text draws it: da on the edge into a, dz = a − y on the edge into z."""
    g = gallery.logistic_regression_backward_figure()
    src = g.source
    ex = gallery.LOGISTIC_EXAMPLE
    a = _sigma(0.4 * 2.0 - 0.2 * 1.0 + 0.1)
    y = cast(float, ex["y"])
    # the edge a -> L runs through da; the edge z -> a through dz = a − y
    for tail, head, text in [("a", "L", f"da = {viz.fmt(-y / a + (1 - y) / (1 - a))}"), ("z", "a", "a − y =")]:
        assert re.search(rf"^\t{tail} -> {tail}_{head}\b", src, flags=re.M)
        assert re.search(rf"^\t{tail}_{head} -> {head}\b", src, flags=re.M)
        label = re.search(rf"^\t{tail}_{head} \[label=(<.*>)", src, flags=re.M)
        assert label is not None and text in label.group(1), (tail, head, label)
    assert f"a − y = {viz.fmt(a - y)}" in src
    root = ET.fromstring((fresh / "logistic_regression_backward.svg").read_bytes())
    width = float(root.get("width", "0").removesuffix("pt"))
    assert width <= 1000, width
    got = texts(fresh / "logistic_regression_backward.svg")
    assert got.count("L(a, y)") == 1 and "log" not in got  # one loss node, not the loss spelt out
    expanded = texts(fresh / "logistic_regression_backward_expanded.svg")
    assert expanded.count("log") == 2  # the expanded figure keeps every step: log a and log(1 − a)


def test_hidden_units_stand_in_the_given_order(fresh: Path) -> None:
    root = ET.fromstring((fresh / "house_price_network.svg").read_bytes())
    ys = {"".join(t.itertext()): float(t.get("y", "0")) for t in root.iter(f"{SVG}text")}
    units = ["family size?", "walkability?", "school quality?"]
    assert [ys[u] for u in units] == sorted(ys[u] for u in units)


# ------------------------------------------------------------------ no text runs off a canvas

RSVG = shutil.which("rsvg-convert")
MARGIN = 60.0  # user units added around the canvas, so ink that runs off it can be seen


def text_ink_outside_canvas(svg: bytes) -> tuple[int, int, int, int] | None:
    """Render only the text of ``svg`` on a canvas enlarged by MARGIN on every side (rsvg-convert);
    return the bounding box, in pixels of the original canvas, of any ink outside it (None: all inside)."""
    import io
    import subprocess

    from PIL import Image

    root = ET.fromstring(svg)
    keep = {f"{SVG}{t}" for t in ("svg", "g", "text", "tspan", "a")}

    def prune(el: ET.Element) -> None:
        for child in list(el):
            if child.tag not in keep:
                el.remove(child)
            else:
                prune(child)

    prune(root)
    vx, vy, vw, vh = map(float, root.get("viewBox", "").replace(",", " ").split())
    root.set("viewBox", f"{vx - MARGIN} {vy - MARGIN} {vw + 2 * MARGIN} {vh + 2 * MARGIN}")
    root.set("width", f"{vw + 2 * MARGIN}pt")
    root.set("height", f"{vh + 2 * MARGIN}pt")
    assert RSVG is not None
    png = subprocess.run([RSVG, "-f", "png"], input=ET.tostring(root), capture_output=True, check=True).stdout
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    scale = image.width / (vw + 2 * MARGIN)
    alpha = image.getchannel("A")
    inner = (round(MARGIN * scale), round(MARGIN * scale), round((MARGIN + vw) * scale), round((MARGIN + vh) * scale))
    assert alpha.crop(inner).getbbox() is not None, "no text was drawn at all"
    outside = alpha.copy()
    outside.paste(0, (inner[0] + 1, inner[1] + 1, inner[2] - 1, inner[3] - 1))  # 1 pixel of anti-aliasing
    box = outside.getbbox()
    if box is None:
        return None
    return tuple(round((v - m) / scale) for v, m in zip(box, (inner[0], inner[1], inner[0], inner[1])))  # type: ignore[return-value]


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_no_text_runs_off_the_canvas(fresh: Path, name: str) -> None:
    if RSVG is None:
        pytest.skip("rsvg-convert is not installed (Debian: apt-get install librsvg2-bin; `make test` tries)")
    outside = text_ink_outside_canvas((fresh / f"{name}.svg").read_bytes())
    assert outside is None, f"{name}: text ink outside the canvas at {outside} (pt, from the canvas origin)"


def test_the_canvas_check_sees_text_that_runs_off() -> None:
    if RSVG is None:
        pytest.skip("rsvg-convert is not installed (Debian: apt-get install librsvg2-bin; `make test` tries)")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="40pt" viewBox="0 0 100 40">'
        '<text x="{x}" y="25" font-size="14">a much longer title than the canvas</text></svg>'
    )
    assert (
        text_ink_outside_canvas(svg.format(x=2).replace("a much longer title than the canvas", "fits").encode()) is None
    )
    assert text_ink_outside_canvas(svg.format(x=2).encode()) is not None
    assert (
        text_ink_outside_canvas(svg.format(x=-8).replace("a much longer title than the canvas", "fits").encode())
        is not None
    )


# ------------------------------------------------------------------ the cat classifier's figures


def test_cost_curve_caption_tells_the_overshoot_with_the_numbers_of_the_run(fresh: Path) -> None:
    costs = gallery.cat_model()["costs_every_iteration"]
    assert len(costs) == gallery.COST_CURVE_ITERATIONS  # every iteration, not every 100th
    top, settled = gallery.overshoot(costs)
    assert top > costs[0] and 0 < settled < 200  # the first steps go up, then every step goes down
    assert all(b < a for a, b in zip(costs[settled:], costs[settled + 1 :]))
    caption = " ".join(texts(fresh / "cost_curve.svg"))
    assert f"J goes up to {top:.3f}" in caption and f"from iteration {settled} on every step lowers J" in caption
    assert gallery.first_step_stiffness() > 2  # the caption's reason: α times the curvature at w = 0 exceeds 2


def test_learning_rate_figure_gives_each_rate_its_accuracies(fresh: Path) -> None:
    runs = gallery.learning_rate_runs()
    assert [r[0] for r in runs] == list(gallery.LEARNING_RATES)
    got = texts(fresh / "learning_rates.svg")
    for rate, costs, train, test in runs:
        assert f"α = {rate:g}: train {train:.1f} %, test {test:.1f} %" in got
        assert len(costs) == gallery.LEARNING_RATE_ITERATIONS and costs[-1] < costs[0]
    finals = [costs[-1] for _rate, costs, _tr, _te in runs]
    assert finals == sorted(finals)  # after 1500 steps: the larger α, the lower J
