"""A trained logistic regression in one ``.npz`` file: w, b, and how they were made.

One file format serves the course path (``vectorized.save_model`` / ``vectorized.load_model``, and
``micrograd-lr train --save``) and the estimator (``LogisticRegressionGD.save`` / ``.load``).
The file is a NumPy ``.npz`` archive of plain arrays, one per key:

=================  ==========  ==========================================================
key                shape       meaning
=================  ==========  ==========================================================
``format``         ()          the text ``micrograd_lr model`` and its version, 1
``w``              (n, 1)      the weights, finite floats
``b``              ()          the bias b, a finite float
``image_shape``    (3,) or (0,)  (height, width, 3) of the pictures x was unrolled from;
                               empty when x is not a picture
``learning_rate``  ()          α of w := w − α dw
``num_iterations`` ()          how many gradient-descent steps made w and b
``costs``          (k,)        the cost J, recorded every ``cost_every`` iterations
``cost_every``     ()          iterations between two recorded costs
``data_source``    ()          where the training data came from, as text
``classes``        (2,)        the names of the labels y = 0 and y = 1
=================  ==========  ==========================================================

Loading never runs code from the file: ``numpy.load(..., allow_pickle=False)``.  A missing key,
a wrong shape or dtype, a w that is not finite, or an entry stored as pickled Python objects is
refused with a ``ModelFileError`` naming the file and the key.  This module needs only NumPy.
"""

from __future__ import annotations

import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import validation
from .validation import InputError

__all__ = ["FORMAT", "ModelFileError", "SavedModel", "load", "save"]

FORMAT = "micrograd_lr model 1"
"""What the ``format`` key of a model file holds."""

_KEYS = (
    "format",
    "w",
    "b",
    "image_shape",
    "learning_rate",
    "num_iterations",
    "costs",
    "cost_every",
    "data_source",
    "classes",
)


class ModelFileError(InputError):
    """A model file that can't be used: not a model file, a key missing, a wrong shape, a non-finite w."""


@dataclass(frozen=True)
class SavedModel:
    """What a model file holds (see the module's table): w (n, 1) float64, b, and how they were made."""

    w: np.ndarray
    b: float
    image_shape: tuple[int, int, int] | None = None
    learning_rate: float = math.nan
    num_iterations: int = 0
    costs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cost_every: int = 100
    data_source: str = ""
    classes: np.ndarray = field(default_factory=lambda: np.array(["non-cat", "cat"]))

    @property
    def n(self) -> int:
        """The number of features n: the length of x and of w."""
        return int(self.w.shape[0])


def save(
    path: str | os.PathLike[str],
    w: Any,
    b: Any,
    *,
    image_shape: tuple[int, int, int] | None = None,
    learning_rate: float = math.nan,
    num_iterations: int = 0,
    costs: Any = (),
    cost_every: int = 100,
    data_source: str = "",
    classes: Any = ("non-cat", "cat"),
) -> Path:
    """Write w, b and how they were made to ``path`` (exactly that name; ``.npz`` is not appended).

    w of shape (n, 1) or (n,) must be finite; ``image_shape`` (height, width, 3), when given, must hold
    n = height · width · 3 numbers.  Returns the path written.
    """
    w_arr = validation.vector("w", w).reshape(-1, 1)
    n = w_arr.shape[0]
    b_ = validation.real("b", b)
    shape = np.zeros(0, dtype=np.int64)
    if image_shape is not None:
        shape = np.asarray(image_shape)
        if shape.shape != (3,) or shape.dtype.kind not in "iu" or shape[2] != 3 or shape.min() < 1:
            raise InputError(f"image_shape must be (height, width, 3) of positive ints, got {image_shape!r}")
        if int(np.prod(shape)) != n:
            raise InputError(
                f"image_shape {tuple(int(s) for s in shape)} holds {int(np.prod(shape))} numbers, "
                f"but w has n = {n} (shape {w_arr.shape})"
            )
        shape = shape.astype(np.int64)
    cost_values = validation.array("costs", list(costs) if not isinstance(costs, np.ndarray) else costs)
    if cost_values.ndim != 1:
        raise InputError(f"costs must be a 1-D sequence of numbers, got shape {cost_values.shape}")
    rate = float(learning_rate)
    iterations = validation.count("num_iterations", num_iterations, 0)
    every = validation.count("cost_every", cost_every, 1)
    if not isinstance(data_source, str):
        raise validation.InputTypeError(f"data_source must be a str, got {validation.describe(data_source)}")
    if "\x00" in data_source:  # NumPy's text arrays drop trailing NUL characters: it would not come back
        raise InputError(f"data_source must not contain NUL characters (\\x00), got {data_source!r:.60}")
    names = np.asarray(classes)
    if names.shape != (2,) or names.dtype.kind not in "biufUS":
        raise InputError(
            f"classes must be two labels as numbers or text (not Python objects), got {validation.describe(names)}"
        )
    target = Path(path)
    arrays = {
        "format": np.array(FORMAT),
        "w": w_arr,
        "b": np.array(b_),
        "image_shape": shape,
        "learning_rate": np.array(rate),
        "num_iterations": np.array(iterations, dtype=np.int64),
        "costs": cost_values.astype(np.float64),
        "cost_every": np.array(every, dtype=np.int64),
        "data_source": np.array(data_source),
        "classes": names,
    }
    with open(target, "wb") as fh:  # a file object: NumPy appends no ".npz" to the name
        np.savez(fh, **arrays)  # type: ignore[arg-type]
    return target


# ----------------------------------------------------------------------------- loading


def _read(path: Path) -> dict[str, np.ndarray]:
    """Every array of the .npz file at path, refusing pickled objects."""
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, expected a model file (.npz) written by save")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    with open(path, "rb") as fh:
        head = fh.read(6)
    if not (head.startswith(b"PK") or head.startswith(b"\x93NUMPY")):
        raise ModelFileError(
            f"{path}: not a model file: it does not start as a NumPy .npz archive does (it starts with {head!r})"
        )
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError as exc:  # NumPy's refusal of a pickle, or not an array file at all
        raise ModelFileError(f"{path}: not a model file (.npz) written by save ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a readable model file (.npz) ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError(f"{path}: holds one array (.npy), expected a model file (.npz) with keys {list(_KEYS)}")
    out: dict[str, np.ndarray] = {}
    with archive:
        for key in archive.files:
            try:
                out[key] = archive[key]
            except ValueError:
                raise ModelFileError(
                    f"{path}: key {key!r} holds pickled Python objects, which are never loaded (allow_pickle=False)"
                ) from None
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise ModelFileError(f"{path}: key {key!r} can't be read ({exc})") from None
    return out


def _get(path: Path, arrays: dict[str, np.ndarray], key: str, shape: str, kinds: str) -> np.ndarray:
    """arrays[key], which must exist and hold numbers of the given dtype kinds."""
    if key not in arrays:
        raise ModelFileError(f"{path}: key {key!r} is missing; found {sorted(arrays)}, expected {list(_KEYS)}")
    arr = arrays[key]
    if arr.dtype.kind not in kinds:
        raise ModelFileError(f"{path}: key {key!r} has dtype {arr.dtype}, expected {shape}")
    return arr


def _scalar(path: Path, arrays: dict[str, np.ndarray], key: str, kinds: str, what: str) -> Any:
    arr = _get(path, arrays, key, what, kinds)
    if arr.shape != ():
        raise ModelFileError(f"{path}: key {key!r} has shape {arr.shape}, expected one value () ({what})")
    return arr.item()


def load(path: str | os.PathLike[str]) -> SavedModel:
    """The model in the file at ``path``, checked key by key (see the module's table).

    Raises ``FileNotFoundError`` for a missing file and ``ModelFileError`` (a ``ValueError``) naming the file and
    the key for anything else wrong.
    """
    p = Path(path)
    arrays = _read(p)
    fmt = _scalar(p, arrays, "format", "U", "the text 'micrograd_lr model 1'")
    if fmt != FORMAT:
        raise ModelFileError(f"{p}: key 'format' is {fmt!r}, expected {FORMAT!r}")
    w = _get(p, arrays, "w", "(n, 1) floats", "f")
    if w.ndim != 2 or w.shape[1] != 1 or w.shape[0] == 0:
        raise ModelFileError(f"{p}: key 'w' has shape {w.shape}, expected (n, 1) with n ≥ 1")
    if not np.isfinite(w).all():
        k = int(np.argmin(np.isfinite(w).ravel()))
        raise ModelFileError(f"{p}: key 'w' holds {float(w.ravel()[k])!r} at index ({k}, 0); every w must be finite")
    b = float(_scalar(p, arrays, "b", "iuf", "a finite float"))
    if not math.isfinite(b):
        raise ModelFileError(f"{p}: key 'b' is {b!r}, expected a finite float")
    n = w.shape[0]
    shape_arr = _get(p, arrays, "image_shape", "(height, width, 3) ints or empty", "iu")
    image_shape: tuple[int, int, int] | None = None
    if shape_arr.shape == (3,):
        h, wd, c = (int(s) for s in shape_arr)
        if c != 3 or h < 1 or wd < 1 or h * wd * c != n:
            raise ModelFileError(
                f"{p}: key 'image_shape' is {(h, wd, c)}, expected (height, width, 3) with height·width·3 = n = {n} "
                "(the length of w)"
            )
        image_shape = (h, wd, c)
    elif shape_arr.shape != (0,):
        raise ModelFileError(f"{p}: key 'image_shape' has shape {shape_arr.shape}, expected (3,) or (0,)")
    rate = float(_scalar(p, arrays, "learning_rate", "iuf", "a float"))
    iterations = int(_scalar(p, arrays, "num_iterations", "iu", "an int"))
    every = int(_scalar(p, arrays, "cost_every", "iu", "an int"))
    if iterations < 0 or every < 1:
        raise ModelFileError(f"{p}: keys 'num_iterations' = {iterations}, 'cost_every' = {every}; expected ≥ 0, ≥ 1")
    costs = _get(p, arrays, "costs", "(k,) floats", "iuf")
    if costs.ndim != 1:
        raise ModelFileError(f"{p}: key 'costs' has shape {costs.shape}, expected (k,)")
    source = str(_scalar(p, arrays, "data_source", "U", "text"))
    classes = _get(p, arrays, "classes", "two labels", "biufUS")
    if classes.shape != (2,):
        raise ModelFileError(f"{p}: key 'classes' has shape {classes.shape}, expected (2,): the labels of y = 0 and 1")
    return SavedModel(
        w=w.astype(np.float64),
        b=b,
        image_shape=image_shape,
        learning_rate=rate,
        num_iterations=iterations,
        costs=costs.astype(np.float64),
        cost_every=every,
        data_source=source,
        classes=classes,
    )
