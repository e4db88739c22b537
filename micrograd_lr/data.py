"""The cat pictures: an embedded synthetic set drawn from a seed, and a loader for the course's HDF5 files.

A picture is 64 × 64 pixels of three colours (red, green, blue), so its feature vector x has
n = 64 × 64 × 3 = 12288 entries. ``flatten`` turns m pictures (m, 64, 64, 3) into X of shape (n, m),
one sample per column, and ``scale`` divides the pixels by 255.

The synthetic set needs no download: cat faces (round head, two triangular ears, eyes, nose and
whiskers, in varying fur colours, sizes and places) against non-cat pictures (landscapes, houses,
balls, stripes, flowers, cars and the faces of other round-eared animals), each with some noise.
It is drawn with NumPy masks on a coordinate grid; the same seed gives the same bytes.

It is made to behave like the course's real set, so that the same lessons come out of it:

* the same sizes and share of cats: 209 training pictures of which 72 are cats (34 %), 50 test
  pictures of which 33 are cats (``TRAIN_CATS``, ``TEST_CATS``);
* about as dark: the mean pixel is about 0.40 once divided by 255 (0.40 in the course's training set);
* the same course of training with the course's α = 0.005 from w = 0, b = 0: the cost starts at
  log 2 = 0.693, overshoots and swings for the first few dozen iterations (to about 0.77 here, 0.74-0.90
  on the real set), then falls at every one of the printed costs (every 100 iterations);
* the same overfitting: after 2000 iterations nearly every training picture is right (99.5 %), clearly
  fewer test pictures (80 %; the course reports 99 % and 70 %).
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import validation
from .validation import InputError, InputTypeError

__all__ = ["CLASSES", "IMAGE_SHAPE", "MAX_BYTES", "downsample", "flatten", "load_dataset", "scale", "synthetic_cats"]

IMAGE_SHAPE = (64, 64, 3)
CLASSES = np.array([b"non-cat", b"cat"])
TRAIN_SIZE = 209
TEST_SIZE = 50
TRAIN_CATS = 72
TEST_CATS = 33

UInt8Array = npt.NDArray[np.uint8]
Canvas = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
Rng = np.random.Generator

_H, _W = IMAGE_SHAPE[:2]
_YY, _XX = np.mgrid[0:_H, 0:_W].astype(np.float32)


# ----------------------------------------------------------------------------- shapes as masks


def _ellipse(cy: float, cx: float, ry: float, rx: float) -> Mask:
    """Pixels with ((y − cy)/ry)² + ((x − cx)/rx)² ≤ 1."""
    return ((_YY - cy) / ry) ** 2 + ((_XX - cx) / rx) ** 2 <= 1.0


def _triangle(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> Mask:
    """Pixels inside the triangle with corners p, q, r, given as (y, x): all three edge tests agree in sign."""

    def edge(a: tuple[float, float], b: tuple[float, float]) -> npt.NDArray[np.float32]:
        return (_XX - a[1]) * (b[0] - a[0]) - (_YY - a[0]) * (b[1] - a[1])

    e1, e2, e3 = edge(p, q), edge(q, r), edge(r, p)
    return ((e1 >= 0) & (e2 >= 0) & (e3 >= 0)) | ((e1 <= 0) & (e2 <= 0) & (e3 <= 0))


def _segment(p: tuple[float, float], q: tuple[float, float], width: float) -> Mask:
    """Pixels closer than width/2 to the segment from p to q, given as (y, x)."""
    dy, dx = q[0] - p[0], q[1] - p[1]
    length2 = max(dy * dy + dx * dx, 1e-9)
    t = np.clip(((_YY - p[0]) * dy + (_XX - p[1]) * dx) / length2, 0.0, 1.0)
    return (_YY - p[0] - t * dy) ** 2 + (_XX - p[1] - t * dx) ** 2 <= (width / 2) ** 2


def _rect(y0: float, x0: float, y1: float, x1: float) -> Mask:
    return (_YY >= y0) & (_YY < y1) & (_XX >= x0) & (_XX < x1)


def _paint(img: Canvas, mask: Mask, colour: npt.ArrayLike, opacity: float = 1.0) -> None:
    if opacity >= 1.0:
        img[mask] = colour
    else:
        img[mask] = (1.0 - opacity) * img[mask] + opacity * np.asarray(colour, dtype=np.float32)


def _jitter(rng: Rng, colour: tuple[float, float, float], spread: float) -> npt.NDArray[np.float32]:
    return np.clip(np.asarray(colour, dtype=np.float32) + rng.normal(0.0, spread, 3), 0, 255).astype(np.float32)


def _random_colour(rng: Rng, low: float = 0.0, high: float = 255.0) -> npt.NDArray[np.float32]:
    return rng.uniform(low, high, 3).astype(np.float32)


# ----------------------------------------------------------------------------- backgrounds

_FUR = [(225, 140, 60), (130, 130, 138), (40, 38, 42), (236, 234, 228), (125, 82, 50), (228, 200, 150)]
_IRIS = [(90, 170, 60), (215, 190, 40), (80, 140, 215), (200, 130, 40)]
_PINK = (235, 150, 160)
# Cats are close-ups near the middle of the picture, as in photographs of pets. These ranges set how
# hard the task is for logistic regression on raw pixels: with model(..., 2000, 0.005) on the default
# set, 99.5-100 % of the training pictures and 72-84 % of the test pictures come out right (seeds 0-9).
_CAT_R = (13.5, 18.0)  # head radius, pixels
_CAT_X = (29.0, 35.0)  # head centre, column
_CAT_Y = (31.5, 37.0)  # head centre, row
_NOISE = (4.0, 20.0)  # sensor noise, standard deviation
# Contrast range and brightness shift: contrast below 1 darkens the pictures to the real set's mean
# pixel (≈ 0.40); the smaller |x| also keeps α = 0.005's first overshoot as mild as on the real set.
_LIGHT = (0.58, 0.93, 25.0)


def _background(rng: Rng) -> Canvas:
    """A plain, two-tone (wall and floor) or graded background."""
    img = np.empty(IMAGE_SHAPE, dtype=np.float32)
    kind = rng.integers(3)
    top = _random_colour(rng, 20, 235)
    if kind == 0:
        img[:] = top
    elif kind == 1:
        img[:] = top
        floor = rng.uniform(30, 60)
        img[_YY >= floor] = _random_colour(rng, 20, 235)
    else:
        bottom = _random_colour(rng, 20, 235)
        t = (_YY / (_H - 1))[..., None]
        img[:] = (1 - t) * top + t * bottom
    return img


def _clutter(rng: Rng, img: Canvas) -> None:
    """Sometimes an object in the background: a box or a ball, partly hidden by what comes next."""
    if rng.random() < 0.5:
        y0, x0 = rng.uniform(-10, 50, 2)
        _paint(img, _rect(y0, x0, y0 + rng.uniform(8, 25), x0 + rng.uniform(8, 25)), _random_colour(rng))
    if rng.random() < 0.3:
        cy, cx = rng.uniform(0, 64, 2)
        r = rng.uniform(4, 10)
        _paint(img, _ellipse(cy, cx, r, r), _random_colour(rng))


# ----------------------------------------------------------------------------- cats


def _cat(rng: Rng) -> Canvas:
    """A cat face: a round head with two triangular ears, two eyes with slit pupils, a nose and whiskers."""
    img = _background(rng)
    _clutter(rng, img)
    fur = _jitter(rng, _FUR[rng.integers(len(_FUR))], 22)
    r = rng.uniform(*_CAT_R)
    rx = r * rng.uniform(1.0, 1.2)
    cx = rng.uniform(*_CAT_X)
    cy = rng.uniform(*_CAT_Y)
    if rng.random() < 0.6:  # a body below the head
        _paint(img, _ellipse(cy + 1.6 * r, cx + rng.uniform(-6, 6), 1.2 * r, 1.5 * rx), fur * rng.uniform(0.8, 1.0))
    _paint(img, _ellipse(cy, cx, r, rx), fur)
    inner = _jitter(rng, _PINK, 20)
    for side in (-1.0, 1.0):
        base_out = (cy - 0.35 * r, cx + side * 0.95 * rx)
        base_in = (cy - 0.85 * r, cx + side * rng.uniform(0.1, 0.3) * rx)
        apex = (cy - rng.uniform(1.35, 1.75) * r, cx + side * rng.uniform(0.55, 0.95) * rx)
        _paint(img, _triangle(base_out, base_in, apex), fur)
        centre = ((base_out[0] + base_in[0] + apex[0]) / 3, (base_out[1] + base_in[1] + apex[1]) / 3)

        def shrink(p: tuple[float, float], c: tuple[float, float] = centre) -> tuple[float, float]:
            return (c[0] + 0.5 * (p[0] - c[0]), c[1] + 0.5 * (p[1] - c[1]))

        _paint(img, _triangle(shrink(base_out), shrink(base_in), shrink(apex)), inner)
    if rng.random() < 0.4:  # tabby stripes on the forehead
        dark = fur * 0.55
        for k in (-1, 0, 1):
            _paint(img, _segment((cy - 0.85 * r, cx + k * 0.25 * rx), (cy - 0.45 * r, cx + k * 0.2 * rx), 1.5), dark)
    iris = _jitter(rng, _IRIS[rng.integers(len(_IRIS))], 15)
    eye_y = cy - rng.uniform(0.0, 0.25) * r
    slit = rng.uniform(0.04, 0.12) * r
    for side in (-1.0, 1.0):
        ex = cx + side * 0.4 * rx
        _paint(img, _ellipse(eye_y, ex, 0.2 * r, 0.17 * r), iris)
        _paint(img, _ellipse(eye_y, ex, 0.18 * r, slit), (10, 10, 10))
    ny = cy + 0.22 * r
    _paint(img, _triangle((ny - 0.08 * r, cx - 0.12 * r), (ny - 0.08 * r, cx + 0.12 * r), (ny + 0.1 * r, cx)), inner)
    whisker = (235, 235, 235) if fur.mean() < 150 else (40, 40, 40)
    for side in (-1.0, 1.0):
        for k in (-1, 0, 1):
            start = (ny + 0.15 * r, cx + side * 0.2 * rx)
            end = (ny + 0.15 * r + k * 0.28 * r + rng.uniform(-1, 1), cx + side * rng.uniform(1.1, 1.4) * rx)
            _paint(img, _segment(start, end, 0.9), whisker, 0.9)
    return img


# ----------------------------------------------------------------------------- non-cats


def _landscape(rng: Rng) -> Canvas:
    """Sky over ground, with a sun or clouds and sometimes hills."""
    img = np.empty(IMAGE_SHAPE, dtype=np.float32)
    horizon = rng.uniform(24, 46)
    sky_top, sky_low = _jitter(rng, (70, 130, 220), 30), _jitter(rng, (190, 215, 240), 25)
    t = np.clip(_YY / horizon, 0, 1)[..., None]
    img[:] = (1 - t) * sky_top + t * sky_low
    ground = _jitter(rng, [(70, 150, 60), (150, 110, 70), (220, 200, 140), (240, 240, 245)][rng.integers(4)], 25)
    hills = horizon + rng.uniform(2, 8) * np.sin(_XX / rng.uniform(5, 14) + rng.uniform(0, 6.3))
    _paint(img, _YY >= hills, ground)
    if rng.random() < 0.6:
        r = rng.uniform(4, 9)
        _paint(img, _ellipse(rng.uniform(6, horizon - 6), rng.uniform(6, 58), r, r), _jitter(rng, (250, 220, 80), 20))
    for _ in range(rng.integers(0, 4)):
        cy, cx = rng.uniform(4, max(horizon - 8, 5)), rng.uniform(0, 64)
        _paint(img, _ellipse(cy, cx, rng.uniform(2, 5), rng.uniform(5, 12)), _jitter(rng, (245, 245, 250), 8))
    if rng.random() < 0.4:  # a tree
        tx = rng.uniform(6, 58)
        _paint(img, _rect(horizon - 12, tx - 1.5, horizon + 6, tx + 1.5), _jitter(rng, (100, 70, 40), 15))
        _paint(img, _ellipse(horizon - 14, tx, rng.uniform(5, 9), rng.uniform(5, 9)), _jitter(rng, (40, 120, 45), 20))
    return img


def _house(rng: Rng) -> Canvas:
    """A house: walls, a triangular roof, windows and a door."""
    img = _landscape(rng) if rng.random() < 0.6 else _background(rng)
    w, h = rng.uniform(22, 40), rng.uniform(14, 24)
    x0, y1 = rng.uniform(2, 62 - w), rng.uniform(48, 62)
    y0 = y1 - h
    _paint(img, _rect(y0, x0, y1, x0 + w), _random_colour(rng, 60, 240))
    roof = _jitter(rng, [(160, 50, 40), (90, 60, 50), (60, 60, 70)][rng.integers(3)], 20)
    _paint(img, _triangle((y0, x0 - 3), (y0, x0 + w + 3), (y0 - rng.uniform(8, 16), x0 + w / 2)), roof)
    glass = _jitter(rng, (170, 210, 235), 20)
    for k in range(rng.integers(1, 4)):
        wx = x0 + 3 + k * w / 3
        _paint(img, _rect(y0 + 3, wx, y0 + 8, wx + 5), glass)
    dx = x0 + rng.uniform(0.3, 0.6) * w
    _paint(img, _rect(y1 - 9, dx, y1, dx + 5), _jitter(rng, (100, 60, 30), 20))
    return img


def _balls(rng: Rng) -> Canvas:
    """One to four balls, each with a highlight."""
    img = _background(rng)
    for _ in range(rng.integers(1, 5)):
        r = rng.uniform(5, 18)
        cy, cx = rng.uniform(8, 56, 2)
        _paint(img, _ellipse(cy, cx, r, r), _random_colour(rng))
        _paint(img, _ellipse(cy - 0.4 * r, cx - 0.4 * r, 0.2 * r, 0.2 * r), (250, 250, 250), 0.7)
    return img


def _stripes(rng: Rng) -> Canvas:
    """Stripes or a checkerboard at a random angle and period."""
    img = np.empty(IMAGE_SHAPE, dtype=np.float32)
    a, b = _random_colour(rng), _random_colour(rng)
    angle = rng.uniform(0, np.pi)
    period = rng.uniform(4, 16)
    u = (_XX * np.cos(angle) + _YY * np.sin(angle)) / period
    mask = (np.floor(u) % 2) == 0
    if rng.random() < 0.4:
        v = (-_XX * np.sin(angle) + _YY * np.cos(angle)) / period
        mask ^= (np.floor(v) % 2) == 0
    img[:] = a
    img[mask] = b
    return img


def _flower(rng: Rng) -> Canvas:
    """A flower: a stem, petals around a round centre."""
    img = _background(rng) if rng.random() < 0.5 else _landscape(rng)
    cy, cx = rng.uniform(16, 40), rng.uniform(14, 50)
    _paint(img, _segment((cy, cx), (64, cx + rng.uniform(-6, 6)), 2.5), _jitter(rng, (50, 140, 50), 20))
    petal = _random_colour(rng, 80, 255)
    r = rng.uniform(5, 10)
    k = int(rng.integers(5, 9))
    for i in range(k):
        t = 2 * np.pi * i / k
        _paint(img, _ellipse(cy + r * np.sin(t), cx + r * np.cos(t), 0.55 * r, 0.55 * r), petal)
    _paint(img, _ellipse(cy, cx, 0.5 * r, 0.5 * r), _jitter(rng, (230, 190, 40), 25))
    return img


def _car(rng: Rng) -> Canvas:
    """A car: a body, a cabin with windows, two wheels."""
    img = _landscape(rng) if rng.random() < 0.5 else _background(rng)
    w = rng.uniform(28, 46)
    x0, y1 = rng.uniform(2, 62 - w), rng.uniform(42, 56)
    body = _random_colour(rng)
    _paint(img, _rect(y1 - 10, x0, y1, x0 + w), body)
    _paint(img, _rect(y1 - 18, x0 + 0.25 * w, y1 - 9, x0 + 0.75 * w), body)
    _paint(img, _rect(y1 - 16, x0 + 0.3 * w, y1 - 10, x0 + 0.7 * w), _jitter(rng, (170, 210, 235), 20))
    for wx in (x0 + 0.22 * w, x0 + 0.78 * w):
        _paint(img, _ellipse(y1, wx, 5, 5), (25, 25, 25))
        _paint(img, _ellipse(y1, wx, 2, 2), (160, 160, 160))
    return img


def _other_animal(rng: Rng) -> Canvas:
    """A cat's look-alike: a round face with round ears (bear, mouse) or floppy ears (dog), no whiskers."""
    img = _background(rng)
    _clutter(rng, img)
    fur = _jitter(rng, [(120, 80, 45), (90, 60, 40), (200, 170, 120), (140, 140, 140)][rng.integers(4)], 25)
    r = rng.uniform(10, 18)
    cx, cy = rng.uniform(16, 48), rng.uniform(24, 46)
    floppy = rng.random() < 0.5
    for side in (-1.0, 1.0):
        if floppy:
            _paint(img, _ellipse(cy, cx + side * 0.95 * r, 0.8 * r, 0.35 * r), fur * 0.7)
        else:
            er = rng.uniform(0.3, 0.5) * r
            _paint(img, _ellipse(cy - 0.85 * r, cx + side * 0.75 * r, er, er), fur)
    _paint(img, _ellipse(cy, cx, r, r * rng.uniform(0.9, 1.1)), fur)
    if floppy:
        for side in (-1.0, 1.0):
            _paint(img, _ellipse(cy + 0.1 * r, cx + side * 0.95 * r, 0.7 * r, 0.3 * r), fur * 0.7)
    _paint(img, _ellipse(cy + 0.35 * r, cx, 0.35 * r, 0.45 * r), np.clip(fur * 1.3, 0, 255))  # muzzle
    for side in (-1.0, 1.0):
        _paint(img, _ellipse(cy - 0.15 * r, cx + side * 0.38 * r, 0.12 * r, 0.12 * r), (15, 15, 15))
    _paint(img, _ellipse(cy + 0.25 * r, cx, 0.12 * r, 0.18 * r), (20, 20, 20))
    return img


_SCENES: list[Callable[[Rng], Canvas]] = [_landscape, _house, _balls, _stripes, _flower, _car, _other_animal]


def _finish(rng: Rng, img: Canvas) -> UInt8Array:
    """Light, contrast and sensor noise, then rounding to uint8."""
    img *= rng.uniform(_LIGHT[0], _LIGHT[1])
    img += rng.uniform(-_LIGHT[2], _LIGHT[2])
    img += rng.normal(0.0, rng.uniform(*_NOISE), IMAGE_SHAPE).astype(np.float32)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _check_seed(seed: object) -> int:
    return validation.count("seed", seed, 0)


def synthetic_cats(
    m: int, *, seed: int = 0, cat_fraction: float = TRAIN_CATS / TRAIN_SIZE
) -> tuple[UInt8Array, npt.NDArray[np.int64]]:
    """m synthetic pictures and their labels: images (m, 64, 64, 3) uint8, labels (1, m) int64 (1 = cat).

    round(cat_fraction · m) of them are cats, at places chosen by the seed; the rest are non-cat scenes.
    cat_fraction defaults to the course's training set, 72 cats in 209 (34 %). The same seed gives the
    same bytes.
    """
    m = validation.count("m", m, 0)
    fraction = validation.real("cat_fraction", cat_fraction)
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"cat_fraction must be in [0, 1], got {fraction!r}")
    rng = np.random.default_rng(_check_seed(seed))
    labels = np.zeros((1, m), dtype=np.int64)
    labels[0, rng.permutation(m)[: round(fraction * m)]] = 1
    images = np.empty((m, *IMAGE_SHAPE), dtype=np.uint8)
    for i in range(m):
        if labels[0, i]:
            canvas = _cat(rng)
        else:
            canvas = _SCENES[rng.integers(len(_SCENES))](rng)
        images[i] = _finish(rng, canvas)
    return images, labels


# ----------------------------------------------------------------------------- the course's files

MAX_BYTES = 512 * 2**20
"""The largest picture dataset ``load_dataset`` reads from an HDF5 file, in bytes (512 MiB, about 43 000
pictures of 64 × 64 × 3; the course's training file holds 2.5 MB). Pass ``max_bytes`` to allow more."""

_CLASS_NAME_BYTES = 256  # a class name longer than this is not a class name


def _format(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _open_dataset(h5py: Any, f: Any, p: Path, key: str, keys: tuple[str, ...]) -> Any:
    """The dataset ``key`` of the open file, checked to live inside the file before any of it is read.

    Links are looked at without following them: an external link (to another file) or a soft link is refused,
    and so are datasets whose bytes are stored outside the file (external raw storage, virtual datasets), since
    a data file must not make the program read other files.
    """
    expected = f"expected a dataset {key!r} stored in the file (the course's layout: {', '.join(keys)})"
    link = f.get(key, getlink=True)
    if link is None:
        found = ", ".join(repr(k) for k in sorted(f.keys())) or "nothing"
        raise InputError(f"{p}: dataset {key!r} is missing; found {found}, expected {list(keys)}")
    if isinstance(link, h5py.ExternalLink):
        raise InputError(
            f"{p}: {key!r} is an external link to {link.filename!r}:{link.path!r}, {expected}; "
            "links to other files are refused so that a data file cannot make the program read other files"
        )
    if not isinstance(link, h5py.HardLink):
        raise InputError(f"{p}: {key!r} is a {type(link).__name__} (a link to another name), {expected}")
    obj = f[key]
    if not isinstance(obj, h5py.Dataset):
        kind = "a group" if isinstance(obj, h5py.Group) else type(obj).__name__
        raise InputError(f"{p}: {key!r} is {kind}, {expected}")
    if obj.external:
        names = ", ".join(repr(str(e[0])) for e in obj.external[:3])
        raise InputError(
            f"{p}: dataset {key!r} keeps its bytes in other files ({names}), {expected}; "
            "external storage is refused so that a data file cannot make the program read other files"
        )
    if obj.is_virtual:
        raise InputError(
            f"{p}: dataset {key!r} is a virtual dataset (made of other datasets, possibly in other files), {expected}"
        )
    return obj


def _read(dataset: Any, p: Path, key: str) -> np.ndarray:
    try:
        return np.asarray(dataset[()])
    except (OSError, ValueError, TypeError) as exc:  # a compression filter that is missing, damaged bytes
        raise InputError(f"{p}: dataset {key!r} cannot be read ({exc})") from None


def _read_h5(path: str | PathLike[str], x_key: str, y_key: str, with_classes: bool, max_bytes: int) -> tuple[Any, ...]:
    """Pictures, labels and (for the test file) the class names, each checked from its metadata first.

    The shape and dtype of each dataset are checked before a byte of it is read, and the pictures'
    size against ``max_bytes``, so that a tiny hostile file costs neither time nor memory.
    """
    try:
        import h5py
    except ImportError as exc:
        raise ImportError(
            "reading the course's HDF5 files needs h5py, an optional extra: pip install 'micrograd_lr[h5]'"
        ) from exc
    p = Path(path)
    want = f"expected the course's HDF5 file with dataset {x_key!r}"
    if p.is_dir():
        raise IsADirectoryError(f"{p}: is a folder, {want}")
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file ({want})")
    if not p.is_file():
        raise InputError(f"{p}: not a regular file ({want})")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        raise OSError(f"{p}: not a readable HDF5 file ({exc})") from None
    keys = (x_key, y_key, "list_classes") if with_classes else (x_key, y_key)
    with f:
        xs, ys = (_open_dataset(h5py, f, p, key, keys) for key in (x_key, y_key))
        if xs.dtype != np.uint8 or len(xs.shape) != 4 or xs.shape[1:] != IMAGE_SHAPE:
            raise InputError(
                f"{p}: dataset {x_key!r} has shape {_format(xs.shape)} and dtype {xs.dtype}, "
                f"expected pictures (m, {', '.join(map(str, IMAGE_SHAPE))}) uint8"
            )
        m = xs.shape[0]
        if m == 0:
            raise InputError(f"{p}: dataset {x_key!r} holds no pictures (shape {_format(xs.shape)}), expected m ≥ 1")
        size = m * int(np.prod(IMAGE_SHAPE))
        if size > max_bytes:
            raise InputError(
                f"{p}: dataset {x_key!r} declares {m} pictures ({size / 2**20:.1f} MiB), more than the limit of "
                f"{max_bytes / 2**20:.1f} MiB; pass a larger max_bytes to load_dataset if the file is trusted"
            )
        if ys.shape != (m,) or ys.dtype.kind not in "iub":
            raise InputError(
                f"{p}: dataset {y_key!r} has shape {_format(ys.shape)} and dtype {ys.dtype}, expected ({m},) integer "
                f"labels (one per picture of {x_key!r})"
            )
        classes = None
        if with_classes:
            cs = _open_dataset(h5py, f, p, "list_classes", keys)
            text = cs.dtype.kind == "S" and cs.dtype.itemsize <= _CLASS_NAME_BYTES
            text = text or h5py.check_string_dtype(cs.dtype) is not None
            if cs.shape != (2,) or not text:
                raise InputError(
                    f"{p}: dataset 'list_classes' has shape {_format(cs.shape)} and dtype {cs.dtype}, expected (2,) "
                    "class names as strings (b'non-cat', b'cat')"
                )
            names = _read(cs, p, "list_classes")
            classes = np.array([c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in names])
        y = _read(ys, p, y_key)
        if not np.isin(y, (0, 1)).all():
            raise InputError(f"{p}: dataset {y_key!r} holds labels {np.unique(y).tolist()}, expected 0 or 1")
        x = _read(xs, p, x_key)
    return x, y.astype(np.int64).reshape(1, m), classes


def load_dataset(
    train_path: str | PathLike[str] | None = None,
    test_path: str | PathLike[str] | None = None,
    *,
    seed: int = 0,
    max_bytes: int = MAX_BYTES,
) -> tuple[UInt8Array, npt.NDArray[np.int64], UInt8Array, npt.NDArray[np.int64], npt.NDArray[np.bytes_]]:
    """(train_x_orig, train_y, test_x_orig, test_y, classes), like the course's loader.

    Pictures are (m, 64, 64, 3) uint8, labels (1, m) int64 and classes [b"non-cat", b"cat"]. With no paths: the
    embedded synthetic set, 209 training pictures synthetic_cats(209, seed=seed) and 50 test pictures
    synthetic_cats(50, seed=seed + 1). With both paths: the course's train_catvnoncat.h5 and test_catvnoncat.h5
    (needs h5py: pip install 'micrograd_lr[h5]').

    The files must hold exactly the course's layout: ``train_set_x`` / ``test_set_x`` pictures (m, 64, 64, 3)
    uint8 with m ≥ 1, ``train_set_y`` / ``test_set_y`` labels (m,) of integers 0 or 1, and ``list_classes`` in
    the test file, two class names as strings. Every shape and dtype is checked from the file's metadata before
    any data is read; each set of pictures may take at most ``max_bytes`` bytes (default ``MAX_BYTES``, 512 MiB)
    and is read whole into memory. Datasets stored outside the file (external links, external storage, virtual
    datasets) are refused: a data file cannot make the program read other files.
    """
    if (train_path is None) != (test_path is None):
        raise InputError(
            "give both train_path and test_path (the course's HDF5 files), or neither for the embedded synthetic set"
        )
    if train_path is None or test_path is None:
        s = _check_seed(seed)
        train_x, train_y = synthetic_cats(TRAIN_SIZE, seed=s)
        test_x, test_y = synthetic_cats(TEST_SIZE, seed=s + 1, cat_fraction=TEST_CATS / TEST_SIZE)
        return train_x, train_y, test_x, test_y, CLASSES.copy()
    limit = validation.count("max_bytes", max_bytes, 1)
    train_x, train_y, _ = _read_h5(train_path, "train_set_x", "train_set_y", False, limit)
    test_x, test_y, classes = _read_h5(test_path, "test_set_x", "test_set_y", True, limit)
    return train_x, train_y, test_x, test_y, classes


# ----------------------------------------------------------------------------- from pictures to X


def flatten(images: Any) -> np.ndarray:
    """Pictures (m, height, width, 3) → X of shape (height·width·3, m), one per column: images.reshape(m, −1)ᵀ."""
    arr = np.asarray(images)
    if arr.ndim != 4:
        raise InputError(f"images must be 4-D (m, height, width, channels), got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise InputTypeError(f"images must hold numbers, got dtype {arr.dtype}")
    return arr.reshape(arr.shape[0], -1).T


def downsample(images: Any, size: int) -> UInt8Array:
    """Pictures (m, H, W, 3) uint8 → (m, size, size, 3) uint8, each pixel the rounded mean of its block.

    H and W must be multiples of size. Shrinking to 8 × 8 gives n = 192 features: small enough for the Value graph.
    """
    arr = np.asarray(images)
    if arr.ndim != 4 or arr.dtype != np.uint8:
        raise InputError(
            f"images must be uint8 pictures (m, height, width, 3), got shape {arr.shape}, dtype {arr.dtype}"
        )
    s = validation.count("size", size, 1)
    m, h, w, c = arr.shape
    if h % s or w % s:
        raise InputError(f"size must divide the pictures' height and width ({h} × {w}), got {s}")
    blocks = arr.reshape(m, s, h // s, s, w // s, c).mean(axis=(2, 4))
    return np.rint(blocks).astype(np.uint8)


def scale(X: Any, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """Pixels 0..255 → 0..1: X / 255, in the given floating dtype (float64 by default, float32 to halve memory)."""
    arr = np.asarray(X)
    target = np.dtype(dtype)
    if target.kind != "f":
        raise InputTypeError(f"dtype must be a floating type such as np.float64 or np.float32, got {target}")
    if arr.dtype != np.uint8:
        if arr.dtype.kind not in "iuf":
            raise InputTypeError(f"X must hold pixel values (uint8 0..255), got dtype {arr.dtype}")
        if arr.size and not (np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= 255):
            lo, hi = np.nanmin(arr), np.nanmax(arr)
            raise InputError(f"X must hold pixel values in [0, 255], got values from {lo} to {hi} (or NaN/inf)")
    out = arr.astype(target, copy=True)
    out /= 255
    return out
