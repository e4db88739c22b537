"""Matplotlib figures: the right curves and numbers, no pyplot state, reproducible SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from micrograd_lr import plots

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(path: Path) -> list[str]:
    root = ET.fromstring(path.read_bytes())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def line_data(fig: Figure, axes: int = 0, line: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ln = fig.axes[axes].get_lines()[line]
    return np.asarray(ln.get_xdata(), dtype=float), np.asarray(ln.get_ydata(), dtype=float)


def test_figures_are_free_of_pyplot() -> None:
    for fig in [
        plots.sigmoid_figure(),
        plots.cross_entropy_figure(),
        plots.gradient_descent_figure(),
        plots.cost_curve_figure([0.7, 0.5]),
    ]:
        assert isinstance(fig, Figure)
        assert fig.canvas.manager is None  # not registered with pyplot, never shown


def test_sigmoid_curve() -> None:
    fig = plots.sigmoid_figure()
    z, a = line_data(fig)
    assert np.allclose(a, 1.0 / (1.0 + np.exp(-z)), rtol=1e-12, atol=0.0)
    assert np.all(np.diff(a) > 0) and 0.0 < a.min() < 0.001 and 0.999 < a.max() < 1.0
    assert z.min() == -8.0 and z.max() == 8.0
    with pytest.raises(ValueError, match="z_min"):
        plots.sigmoid_figure(2.0, 1.0)


def test_cross_entropy_panels() -> None:
    fig = plots.cross_entropy_figure()
    right = fig.axes[1]
    a, l1 = line_data(fig, 0, 0)
    _, l0 = line_data(fig, 0, 1)
    assert np.allclose(l1, -np.log(a)) and np.allclose(l0, -np.log(1 - a))
    # confident mistakes cost a lot; confident right answers almost nothing
    assert l1[0] > 5 and l0[-1] > 5 and l1[-1] < 0.01 and l0[0] < 0.01
    w, xent = line_data(fig, 1, 0)
    _, sq = line_data(fig, 2, 0)
    dw = w[1] - w[0]
    curvature_xent = np.diff(xent, 2) / dw**2
    curvature_sq = np.diff(sq, 2) / dw**2
    assert curvature_xent.min() > -1e-9  # convex in w
    assert curvature_sq.min() < -1e-3  # squared error through σ is not
    assert "convex" in right.get_title()


def test_cost_curve_places_costs_at_their_iterations() -> None:
    costs = [0.69, 0.5, 0.4, 0.35]
    fig = plots.cost_curve_figure(costs, 100, learning_rate=0.005)
    x, y = line_data(fig)
    assert list(x) == [0, 100, 200, 300]
    assert list(y) == costs
    assert "0.005" in fig.axes[0].get_title()


@settings(max_examples=25)
@given(
    st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=30),
    st.integers(1, 1000),
)
def test_cost_curve_any_costs(costs: list[float], every: int) -> None:
    fig = plots.cost_curve_figure(costs, every)
    x, y = line_data(fig)
    assert list(y) == costs
    assert list(x) == [i * every for i in range(len(costs))]


def test_cost_curve_bad_input() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        plots.cost_curve_figure([])
    with pytest.raises(ValueError, match="finite"):
        plots.cost_curve_figure([0.5, float("nan")])
    with pytest.raises(ValueError, match="every"):
        plots.cost_curve_figure([0.5], 0)


def test_cat_to_vector_shows_the_unrolled_vector() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    fig = plots.cat_to_vector_figure(image)
    ax_img, ax_strip, ax_head, _ = fig.axes
    assert np.array_equal(np.asarray(ax_img.images[0].get_array()), image)
    strip = np.asarray(ax_strip.images[0].get_array())
    assert strip.shape == (12288, 1)
    assert np.array_equal(strip[:, 0], image.reshape(-1))
    # the first entries are R, G, B of pixel (1, 1), then of pixel (1, 2), ...
    heights = [p.get_height() for p in ax_head.patches if isinstance(p, Rectangle)]
    assert heights == list(image[0, :8, :].reshape(-1).astype(float))
    _, y = line_data(fig, 3, 0)
    assert np.array_equal(y, image.reshape(-1))
    assert "12288" in fig.get_suptitle() or "¹²²⁸⁸" in fig.get_suptitle()


def test_cat_to_vector_uses_the_same_order_as_data_flatten() -> None:
    data = pytest.importorskip("micrograd_lr.data")
    image = np.arange(64 * 64 * 3, dtype=np.int64).reshape(64, 64, 3).astype(np.uint8)
    fig = plots.cat_to_vector_figure(image)
    strip = np.asarray(fig.axes[1].images[0].get_array())[:, 0]
    assert np.array_equal(strip, data.flatten(image[None])[:, 0])


def test_cat_to_vector_bad_input() -> None:
    with pytest.raises(ValueError, match="shape"):
        plots.cat_to_vector_figure(np.zeros((64, 64), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        plots.cat_to_vector_figure(np.zeros((64, 64, 3), dtype=np.float64))


def test_gradient_descent_takes_the_update_steps() -> None:
    fig = plots.gradient_descent_figure(w0=-3.0, learning_rate=0.3, steps=6)
    ax = fig.axes[0]
    steps = next(line for line in ax.get_lines() if line.get_label() == "w after each step")
    w = np.asarray(steps.get_xdata(), dtype=float)
    J = np.asarray(steps.get_ydata(), dtype=float)
    assert len(w) == 7 and w[0] == -3.0
    for i in range(6):
        assert w[i + 1] == pytest.approx(w[i] - 0.3 * 2.0 * (w[i] - 2.0))  # w := w − α dJ/dw
    assert np.all(np.diff(J) < 0)  # each step lowers J on a convex J
    assert abs(w[-1] - 2.0) < 0.05 * abs(w[0] - 2.0)  # close to the minimum at w = 2


def test_gradient_descent_with_another_cost() -> None:
    fig = plots.gradient_descent_figure(lambda w: w**4, lambda w: 4 * w**3, w0=1.0, learning_rate=0.1, steps=3)
    steps = next(line for line in fig.axes[0].get_lines() if line.get_label() == "w after each step")
    w = np.asarray(steps.get_xdata(), dtype=float)
    assert w[1] == pytest.approx(1.0 - 0.1 * 4.0)
    with pytest.raises(ValueError, match="both"):
        plots.gradient_descent_figure(lambda w: w**2)
    with pytest.raises(ValueError, match="steps"):
        plots.gradient_descent_figure(steps=0)
    with pytest.raises(ValueError, match="learning_rate"):
        plots.gradient_descent_figure(learning_rate=-1.0)


def test_save_svg_is_reproducible_and_has_no_date(tmp_path: Path) -> None:
    before = dict(matplotlib.rcParams)
    p1 = plots.save_figure_svg(plots.cross_entropy_figure(), tmp_path / "one.svg")
    p2 = plots.save_figure_svg(plots.cross_entropy_figure(), tmp_path / "two.svg")
    assert p1.read_bytes() == p2.read_bytes()
    text = p1.read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    ET.fromstring(p1.read_bytes())
    got = svg_texts(p1)
    assert any("y = 1" in t for t in got) and any("y = 0" in t for t in got)
    assert any("convex" in t for t in got)
    assert dict(matplotlib.rcParams) == before  # saving changed no global setting


def test_sigmoid_svg_keeps_its_text(tmp_path: Path) -> None:
    path = plots.save_figure_svg(plots.sigmoid_figure(), tmp_path / "s.svg")
    got = svg_texts(path)
    assert "σ(0) = 0.5" in got
    assert "z = wᵀx + b" in got


def test_weights_figure_folds_w_back_as_data_flatten_unrolled_the_pictures() -> None:
    data = pytest.importorskip("micrograd_lr.data")
    rng = np.random.default_rng(1)
    cube = rng.normal(size=(5, 7, 3))
    w = data.flatten(cube[np.newaxis])  # (105, 1), in the order x is unrolled
    fig = plots.weights_figure(w, (5, 7, 3))
    panels = [np.asarray(ax.images[0].get_array()) for ax in fig.axes if ax.images]
    assert len(panels) == 4
    for k in range(3):
        np.testing.assert_array_equal(panels[k], cube[:, :, k])
    np.testing.assert_allclose(panels[3], cube.sum(axis=2))
    channel = next(ax.images[0] for ax in fig.axes if ax.images)
    assert channel.norm.vmin == -np.abs(cube).max() and channel.norm.vmax == np.abs(cube).max()  # centred on 0
    with pytest.raises(ValueError, match="w must have n = 12"):
        plots.weights_figure(np.ones((13, 1)), (2, 2, 3))


def test_learning_rates_figure_puts_each_rate_and_its_accuracies_in_the_legend() -> None:
    runs = [(0.01, [0.69, 3.0, 0.2], 100.0, 80.0), (0.001, [0.69, 0.5, 0.4], 93.25, 66.0)]
    fig = plots.learning_rates_figure(runs, 1)
    legend = fig.axes[0].get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["α = 0.01: train 100.0 %, test 80.0 %", "α = 0.001: train 93.2 %, test 66.0 %"]
    assert any("too large" in t.get_text() for t in fig.axes[0].texts)  # the run that jumps up is pointed at
    with pytest.raises(ValueError, match="learning_rate"):
        plots.learning_rates_figure([(-1.0, [0.5], 1.0, 1.0)])
    with pytest.raises(ValueError, match="at least one"):
        plots.learning_rates_figure([])


def test_save_figure_writes_the_format_its_extension_names(tmp_path: Path) -> None:
    fig = plots.sigmoid_figure()
    assert plots.save_figure(fig, tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    assert plots.save_figure(fig, tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    assert b"<svg" in plots.save_figure(fig, tmp_path / "s.svg").read_bytes()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
        plots.save_figure(fig, tmp_path / "s.gif")
