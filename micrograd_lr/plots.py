"""Matplotlib figures of the text's ideas: sigmoid, cross-entropy, cost curve, cat → vector, gradient descent,
what w learned, and how the learning rate changes the learning.

Every ``*_figure`` function returns a ``matplotlib.figure.Figure`` built without pyplot
(no global state, nothing shown); ``save_figure_svg`` writes one as reproducible SVG,
``save_figure`` as SVG, PNG or PDF by the file's extension.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from . import validation
from .validation import InputError
from .vectorized import sigmoid as _sigma  # σ(z) on arrays, stable for large |z|

__all__ = [
    "SVG_HASH_SALT",
    "cat_to_vector_figure",
    "cost_curve_figure",
    "cross_entropy_figure",
    "gradient_descent_figure",
    "learning_rates_figure",
    "save_figure",
    "save_figure_svg",
    "sigmoid_figure",
    "weights_figure",
]

SVG_HASH_SALT = "micrograd-lr"
"""Fixed salt for matplotlib's SVG ids, so two runs write identical bytes."""

_BLUE, _ORANGE, _GREEN, _RED, _GREY = "#1d4ed8", "#c2410c", "#15803d", "#b91c1c", "#6b7280"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _subscript(n: int) -> str:
    return str(n).translate(_SUB)


def _superscript(n: int) -> str:
    return str(n).translate(_SUP)


def save_figure_svg(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` as SVG: no date, fixed ids, text kept as text; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "none"}):
        fig.savefig(path, format="svg", metadata={"Date": None})
    return path


FORMATS = (".svg", ".png", ".pdf")
"""The file extensions ``save_figure`` writes."""


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` in the format its extension names (.svg reproducibly, .png, .pdf); return the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"path must end in one of {', '.join(FORMATS)} (the picture's format), got {str(path)!r}")
    if suffix == ".svg":
        return save_figure_svg(fig, path)
    fig.savefig(path, format=suffix[1:], dpi=150, metadata={"CreationDate": None} if suffix == ".pdf" else None)
    return path


def sigmoid_figure(z_min: float = -8.0, z_max: float = 8.0) -> Figure:
    """σ(z) = 1 / (1 + e⁻ᶻ): the output a = ŷ of logistic regression lies in (0, 1), σ(0) = 0.5."""
    if not z_min < z_max:
        raise InputError(f"z_min must be less than z_max, got z_min={z_min!r}, z_max={z_max!r}")
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    z = np.linspace(z_min, z_max, 401)
    ax.plot(z, _sigma(z), color=_BLUE, linewidth=2.2, label="σ(z) = 1 / (1 + e⁻ᶻ)")
    for level in (0.0, 1.0):
        ax.axhline(level, color=_GREY, linewidth=0.8, linestyle="--")
    ax.axhline(0.5, color=_GREY, linewidth=0.6, linestyle=":")
    ax.axvline(0.0, color=_GREY, linewidth=0.6, linestyle=":")
    ax.plot([0.0], [0.5], "o", color=_ORANGE)
    ax.annotate("σ(0) = 0.5", (0.0, 0.5), xytext=(1.0, 0.4), color=_ORANGE)
    ax.annotate("z large: σ(z) → 1", (z_max * 0.55, 0.98), xytext=(z_max * 0.3, 0.72), color=_GREY)
    ax.annotate("z very negative: σ(z) → 0", (z_min * 0.55, 0.02), xytext=(z_min * 0.95, 0.14), color=_GREY)
    ax.set_xlim(z_min, z_max)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("z = wᵀx + b")
    ax.set_ylabel("a = ŷ = σ(z)")
    ax.set_title("The sigmoid turns any z into a probability ŷ = P(y = 1 | x)")
    ax.legend(loc="upper left")
    return fig


# A small one-dimensional problem (one feature, no b) for comparing the two costs as functions of w.
_X1 = np.array([-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0])
_Y1 = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0])


def _costs_1d(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy J(w) and squared error (1/2m) Σ (σ(w x) − y)² over the 1-D problem, for each w."""
    z = np.outer(w, _X1)
    # L = −(y log a + (1 − y) log(1 − a)) = log(1 + e^z) − y z, computed stably.
    xent = np.mean(np.logaddexp(0.0, z) - _Y1 * z, axis=1)
    sq = 0.5 * np.mean((_sigma(z) - _Y1) ** 2, axis=1)
    return xent, sq


def cross_entropy_figure() -> Figure:
    """L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ)) for y = 1 and y = 0, and why logistic regression uses it.

    Left: the loss against a = ŷ; a confident mistake (ŷ near 0 when y = 1) costs a lot.
    Right: on a small one-feature problem, the cross-entropy cost J(w) is convex (one minimum,
    gradient descent finds it), while squared error through the sigmoid is not (flat plateaus).
    """
    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)

    a = np.linspace(0.002, 0.998, 499)
    left.plot(a, -np.log(a), color=_BLUE, linewidth=2.2, label="y = 1:  L = −log ŷ")
    left.plot(a, -np.log1p(-a), color=_ORANGE, linewidth=2.2, label="y = 0:  L = −log(1 − ŷ)")
    left.annotate(
        "confident and wrong:\nŷ ≈ 0 while y = 1\n→ a large loss",
        (0.02, -np.log(0.02)),
        xytext=(0.12, 2.6),
        color=_BLUE,
        arrowprops={"arrowstyle": "->", "color": _BLUE},
    )
    left.annotate(
        "right and sure: L ≈ 0",
        (0.97, -np.log(0.97)),
        xytext=(0.45, 1.4),
        color=_BLUE,
        arrowprops={"arrowstyle": "->", "color": _BLUE},
    )
    left.set_xlim(0.0, 1.0)
    left.set_ylim(0.0, 6.0)
    left.set_xlabel("a = ŷ (the predicted probability that y = 1)")
    left.set_ylabel("L(ŷ, y)")
    left.set_title("Cross-entropy loss L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ))", fontsize=10)
    left.annotate(
        "confident and wrong:\nŷ ≈ 1 while y = 0",
        (0.98, -np.log(0.02)),
        xytext=(0.52, 2.6),
        color=_ORANGE,
        arrowprops={"arrowstyle": "->", "color": _ORANGE},
    )
    left.legend(loc="upper center")

    w = np.linspace(-8.0, 8.0, 401)
    xent, sq = _costs_1d(w)
    right.plot(w, xent, color=_BLUE, linewidth=2.2, label="cross-entropy J(w): convex")
    right.set_xlabel("w (one feature x, b = 0, m = 8 samples)")
    right.set_ylabel("cross-entropy J(w)", color=_BLUE)
    i = int(np.argmin(xent))
    right.plot([w[i]], [xent[i]], "o", color=_BLUE)
    right.annotate(
        "one minimum",
        (w[i], xent[i]),
        xytext=(w[i] + 1.5, xent[i] + 3.0),
        color=_BLUE,
        arrowprops={"arrowstyle": "->", "color": _BLUE},
    )
    twin = right.twinx()
    twin.plot(w, sq, color=_RED, linewidth=2.0, linestyle="--", label="squared error through σ: not convex")
    twin.set_ylabel("squared error (1/2m) Σ (σ(wx) − y)²", color=_RED)
    twin.annotate(
        "flat plateau:\ngradient ≈ 0",
        (-6.0, sq[50]),
        xytext=(-7.6, 0.2),
        color=_RED,
        arrowprops={"arrowstyle": "->", "color": _RED},
    )
    right.set_title("Why cross-entropy: convex in w (squared error is not)", fontsize=10)
    lines = right.get_lines()[:1] + twin.get_lines()
    right.legend(lines, [str(line.get_label()) for line in lines], loc="upper center", fontsize=9)
    return fig


def cost_curve_figure(
    costs: Sequence[float],
    every: int = 100,
    *,
    learning_rate: float | None = None,
    title: str | None = None,
    caption: str | None = None,
) -> Figure:
    """The cost J(w, b) after every ``every`` iterations of gradient descent (costs[i] at iteration i·every).

    With ``every = 1`` and a long run, the first iterations also get a magnified view beside the curve, so that
    the swings of the first steps can be seen; ``caption`` (a sentence or two) goes under the axes.
    """
    values = validation.array("costs", costs, "a non-empty sequence of numbers").astype(np.float64)
    if values.ndim != 1 or values.size == 0:
        raise InputError(f"costs must be a non-empty sequence of numbers, got shape {values.shape}")
    validation.finite("costs", values)
    every = validation.count("every (iterations between two costs)", every)
    zoom = every == 1 and values.size > 200
    fig = Figure(figsize=(9.6, 4.8) if zoom else (6.4, 4.0), layout="constrained")
    if zoom:
        ax, ax_zoom = fig.subplots(1, 2, width_ratios=[1.6, 1.0])
    else:
        ax = fig.subplots()
    iterations = np.arange(values.size) * every
    dense = values.size > 60
    ax.plot(
        iterations, values, color=_BLUE, linewidth=1.4 if dense else 2.0, marker=None if dense else "o", markersize=3.5
    )
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J(w, b)")
    alpha = "" if learning_rate is None else f", learning rate α = {learning_rate:g}"
    if zoom:  # one title over both panels
        fig.suptitle(title or f"Gradient descent lowers the cost{alpha}")
    else:
        ax.set_title(title or f"Gradient descent lowers the cost{alpha}")
    ax.annotate(
        f"J = {values[0]:.4f}", (iterations[0], values[0]), xytext=(6, -14), textcoords="offset points", color=_GREY
    )
    ax.annotate(
        f"J = {values[-1]:.4f}",
        (iterations[-1], values[-1]),
        xytext=(-8, 10),
        textcoords="offset points",
        ha="right",
        color=_GREY,
    )
    ax.set_ylim(bottom=0.0)
    ax.grid(True, color="#e5e7eb")
    if zoom:
        first = min(60, values.size)
        ax_zoom.plot(np.arange(first), values[:first], color=_BLUE, linewidth=1.2, marker="o", markersize=2.5)
        ax_zoom.axhline(values[0], color=_GREY, linewidth=0.8, linestyle="--")
        ax_zoom.annotate(
            f"J at w = 0: {values[0]:.3f}",
            (first - 1, values[0]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="right",
            va="bottom",
            color=_GREY,
            fontsize=9,
        )
        ax_zoom.set_xlabel("iteration (the first 60)")
        ax_zoom.set_title("The first steps, every one", fontsize=10)
        ax_zoom.grid(True, color="#e5e7eb")
    if caption:  # under the axes, in the space constrained layout keeps for it
        fig.supxlabel(caption, fontsize=9, color="#374151")
    return fig


def cat_to_vector_figure(image: np.ndarray, *, title: str = "cat") -> Figure:
    """A 64×64×3 picture beside its feature vector x ∈ R^12288 (= 64·64·3), as the text unrolls it.

    x lists the picture's numbers row by row, and for each pixel its red, green and blue values.
    """
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[2] != 3:
        raise InputError(f"image must have shape (height, width, 3), got {img.shape}")
    if img.dtype != np.uint8:
        raise InputError(f"image must hold uint8 pixel values 0..255, got dtype {img.dtype}")
    h, w_, _ = img.shape
    x = img.reshape(-1)
    n = x.size

    fig = Figure(figsize=(10.0, 4.6), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[4.0, 0.6, 4.4], height_ratios=[1.0, 1.0])
    ax_img = fig.add_subplot(grid[:, 0])
    ax_strip = fig.add_subplot(grid[:, 1])
    ax_head = fig.add_subplot(grid[0, 2])
    ax_all = fig.add_subplot(grid[1, 2])

    ax_img.imshow(img, interpolation="nearest")
    ax_img.set_title(f"{title}: {h}×{w_} pixels, 3 colours (R, G, B)", fontsize=10)
    ax_img.set_xticks([])
    ax_img.set_yticks([])

    ax_strip.imshow(x.reshape(-1, 1), aspect="auto", cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax_strip.set_xticks([])
    ax_strip.set_yticks([0, n - 1], labels=["x₁", f"x{_subscript(n)}"])
    ax_strip.yaxis.tick_right()
    ax_strip.set_title("x", fontsize=10)
    ax_strip.set_xlabel(f"{n}×1", fontsize=9)

    k = 24  # the first 8 pixels, three numbers each
    colours = [_RED, _GREEN, _BLUE] * (k // 3)
    ax_head.bar(np.arange(1, k + 1), x[:k], color=colours, width=0.8)
    ax_head.set_xlim(0.3, k + 0.7)
    ax_head.set_ylim(0, 255)
    ax_head.set_title("first entries: R, G, B of pixel (1, 1), then of pixel (1, 2), …", fontsize=10)
    ax_head.set_ylabel("value 0–255")

    ax_all.plot(np.arange(1, n + 1), x, color=_GREY, linewidth=0.3)
    ax_all.set_xlim(1, n)
    ax_all.set_ylim(0, 255)
    ax_all.set_xlabel(f"index i of x (n = {h}·{w_}·3 = {n})")
    ax_all.set_ylabel("xᵢ")
    fig.suptitle(f"Unrolling a picture into a feature vector x ∈ ℝ{_superscript(n)}")
    return fig


def gradient_descent_figure(
    J: Callable[[np.ndarray], np.ndarray] | None = None,
    dJ: Callable[[float], float] | None = None,
    *,
    w0: float = -3.0,
    learning_rate: float = 0.3,
    steps: int = 6,
    w_range: tuple[float, float] = (-4.0, 6.0),
) -> Figure:
    """Steps of w := w − α dJ/dw on a one-dimensional convex J(w), from w0 down to the minimum.

    By default J(w) = (w − 2)² + 1 (dJ/dw = 2(w − 2)); pass J (vectorized) and dJ for another one.
    """
    if (J is None) != (dJ is None):
        raise InputError("pass both J and dJ, or neither")
    steps = validation.count("steps", steps)
    learning_rate = validation.learning_rate(learning_rate)
    cost: Callable[[np.ndarray], np.ndarray] = J if J is not None else (lambda w: (w - 2.0) ** 2 + 1.0)
    slope: Callable[[float], float] = dJ if dJ is not None else (lambda w: 2.0 * (w - 2.0))

    ws = [float(w0)]
    for _ in range(steps):
        ws.append(ws[-1] - learning_rate * slope(ws[-1]))
    path = np.array(ws)
    js = cost(path)

    fig = Figure(figsize=(6.8, 4.4), layout="constrained")
    ax = fig.subplots()
    grid = np.linspace(w_range[0], w_range[1], 401)
    ax.plot(grid, cost(grid), color=_BLUE, linewidth=2.2, label="J(w)")
    for i in range(steps):
        ax.annotate(
            "",
            (path[i + 1], js[i + 1]),
            xytext=(path[i], js[i]),
            arrowprops={"arrowstyle": "->", "color": _ORANGE, "linewidth": 1.4},
        )
    ax.plot(path, js, "o", color=_ORANGE, markersize=5, label="w after each step")
    # The tangent at the start: its slope dJ/dw says which way is down.
    t = np.linspace(path[0] - 0.9, path[0] + 0.9, 2)
    ax.plot(t, js[0] + slope(path[0]) * (t - path[0]), color=_RED, linewidth=1.2, label="slope dJ/dw at w₀")
    for i in range(min(steps, 2) + 1):
        ax.annotate(f"w{_subscript(i)}", (path[i], js[i]), xytext=(6, 6), textcoords="offset points")
    ax.plot(path[-1:], js[-1:], "*", color=_GREEN, markersize=11, label=f"after {steps} steps: w = {path[-1]:.3g}")
    ax.set_xlabel("w")
    ax.set_ylabel("J(w)")
    ax.set_title(f"Gradient descent: w := w − α dJ/dw  (α = {learning_rate:g}, {steps} steps)")
    ax.legend(loc="upper right")
    return fig


def weights_figure(
    w: npt.ArrayLike, image_shape: tuple[int, int, int] = (64, 64, 3), *, title: str | None = None
) -> Figure:
    """What logistic regression learned: w of shape (n, 1) folded back into a picture of image_shape.

    w is folded as ``data.flatten`` unrolled the pictures (row by row, R, G, B for each pixel), so w's entry for a
    pixel's red value sits where that pixel is.  One panel per channel (on one colour scale) and one for their sum
    R + G + B, in a diverging colour map centred on 0: red where w > 0 (a bright pixel there raises z = wᵀx + b,
    toward y = 1), blue where w < 0 (toward y = 0), white where the pixel does not matter.
    """
    h, w_width, c = (validation.count("image_shape", int(k), 1) for k in image_shape)
    if c != 3:
        raise InputError(f"image_shape must be (height, width, 3), got {tuple(image_shape)!r}")
    values = validation.vector("w", w, h * w_width * c, f" to fill pictures of shape {(h, w_width, c)}")
    cube = values.reshape(h, w_width, c)
    total = cube.sum(axis=2)
    fig = Figure(figsize=(12.0, 3.9), layout="constrained")
    axes = fig.subplots(1, 4)
    v = float(np.max(np.abs(cube))) or 1.0
    names = ("red channel", "green channel", "blue channel")
    for k, ax in enumerate(axes[:3]):
        im = ax.imshow(cube[:, :, k], cmap="RdBu_r", vmin=-v, vmax=v, interpolation="nearest")
        ax.set_title(f"w of the {names[k]}", fontsize=10)
    fig.colorbar(im, ax=list(axes[:3]), shrink=0.85, label="w (one scale for R, G, B)")
    vt = float(np.max(np.abs(total))) or 1.0
    im_sum = axes[3].imshow(total, cmap="RdBu_r", vmin=-vt, vmax=vt, interpolation="nearest")
    axes[3].set_title("their sum R + G + B", fontsize=10)
    fig.colorbar(im_sum, ax=axes[3], shrink=0.85, label="w summed over R, G, B")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title or f"What w learned: w folded back into a {h}×{w_width}×3 picture")
    fig.supxlabel(
        "red: w > 0, a bright pixel there pushes z = wᵀx + b up, toward y = 1 (cat); "
        "blue: w < 0, toward y = 0; white: the pixel hardly matters",
        fontsize=9,
        color="#374151",
    )
    return fig


def learning_rates_figure(
    runs: Sequence[tuple[float, Sequence[float], float, float]], every: int = 100, *, title: str | None = None
) -> Figure:
    """Cost curves of one model trained with several learning rates on the same data.

    ``runs`` holds (α, costs, train accuracy %, test accuracy %) per learning rate; costs[i] is J at iteration
    i·every. The legend gives each run's α and its two accuracies.
    """
    if len(runs) == 0:
        raise InputError("runs must hold at least one (learning_rate, costs, train %, test %)")
    every = validation.count("every (iterations between two costs)", every)
    fig = Figure(figsize=(7.6, 4.6), layout="constrained")
    ax = fig.subplots()
    colours = (_ORANGE, _BLUE, _GREEN, _RED, _GREY)
    for k, run in enumerate(runs):
        rate, costs, train, test = run
        alpha = validation.learning_rate(rate)
        values = validation.finite("costs", validation.array("costs", costs).astype(np.float64))
        if values.ndim != 1 or values.size == 0:
            raise InputError(f"costs of run {k} must be a non-empty sequence of numbers, got shape {values.shape}")
        tr, te = validation.real("train accuracy", train), validation.real("test accuracy", test)
        ax.plot(
            np.arange(values.size) * every,
            values,
            color=colours[k % len(colours)],
            linewidth=1.6,
            label=f"α = {alpha:g}: train {tr:.1f} %, test {te:.1f} %",
        )
        peak = int(np.argmax(values))
        if values[peak] > 1.5 * values[0]:  # a learning rate so large that the first steps overshoot
            ax.annotate(
                f"α = {alpha:g} is too large at first:\nJ jumps up (to {values[peak]:.2f}) and down",
                (peak * every, values[peak]),
                xytext=(0.12, 0.9),
                textcoords="axes fraction",
                va="top",
                color=colours[k % len(colours)],
                fontsize=9,
                arrowprops={"arrowstyle": "->", "color": colours[k % len(colours)]},
            )
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J(w, b)")
    ax.set_ylim(bottom=0.0)
    ax.grid(True, color="#e5e7eb")
    ax.set_title(title or "The learning rate α decides how fast, and how well, J goes down", fontsize=11)
    ax.legend(loc="upper right", title="learning rate: accuracy after training", fontsize=9, title_fontsize=9)
    return fig
