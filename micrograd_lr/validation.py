"""Checks of the caller's arguments, shared by every module: one policy for bad input.

Each check returns the checked value in the form the caller computes with (a float, an
int, an ndarray), or raises an error whose message names the argument, says what was
expected and what came::

    learning_rate must be a positive finite number, got -0.1
    X must hold real numbers, got dtype <U1; expected a numeric array of shape (n, m) ...

The errors are ``InputError`` (a ``ValueError``: the right kind of thing, a wrong value)
and ``InputTypeError`` (a ``TypeError``: the wrong kind of thing).  They mark a caller's
bad input, so that a program such as the ``micrograd-lr`` command can tell it from a bug.

This module needs only NumPy: it imports nothing else of micrograd_lr (a ``Value`` is
recognised without importing the engine).
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

__all__ = [
    "InputError",
    "InputTypeError",
    "array",
    "choice",
    "count",
    "describe",
    "finite",
    "label",
    "labels",
    "learning_rate",
    "positive",
    "real",
    "vector",
]

T = TypeVar("T")


class InputError(ValueError):
    """An argument of the right kind with a wrong value (a shape, a range, a label that is not 0 or 1)."""


class InputTypeError(TypeError):
    """An argument of the wrong kind (a string where a number belongs, a Value where a float belongs)."""


def _is_value(value: object) -> bool:
    """Whether ``value`` is an engine ``Value`` (only possible once the engine is imported)."""
    engine = sys.modules.get("micrograd_lr.engine")
    return engine is not None and isinstance(value, engine.Value)


def describe(value: object) -> str:
    """A short account of what came, for error messages: its type and (the start of) its repr."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if _is_value(value):
        return f"a Value ({value!r:.60})"
    if isinstance(value, (str, bytes)):
        return f"{type(value).__name__} {value!r:.60} (a string)"
    return f"{type(value).__name__} {value!r:.60}"


# ---------------------------------------------------------------- numbers


def real(name: str, value: object) -> float:
    """``value`` as a finite float.  Accepts ints, floats, NumPy scalars and one-element arrays; not bool."""
    if _is_value(value):
        raise InputTypeError(f"{name} must be a number, got a Value (use {name}.data for its number)")
    if isinstance(value, np.ndarray) and value.size == 1 and value.ndim <= 2 and value.dtype.kind in "iuf":
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a real number (int or float), got {describe(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, got {x!r}")
    return x


def positive(name: str, value: object) -> float:
    """``value`` as a float with 0 < value < ∞."""
    x = real(name, value)
    if x <= 0.0:
        raise InputError(f"{name} must be a positive finite number, got {x!r}")
    return x


def learning_rate(value: object) -> float:
    """The learning rate α of w := w − α ∂J/∂w: a positive finite float."""
    return positive("learning_rate", value)


def count(name: str, value: object, low: int = 1) -> int:
    """``value`` as an int of at least ``low`` (Python or NumPy integers; not bool, not 2.0)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be an int, got {describe(value)}")
    k = int(value)
    if k < low:
        raise InputError(f"{name} must be at least {low}, got {k}")
    return k


def label(name: str, value: object) -> float:
    """One label y ∈ {0, 1}, as a float."""
    y = real(name, value)
    if y not in (0.0, 1.0):
        raise InputError(f"{name} must be a label 0 or 1, got {y!r}")
    return y


def choice(name: str, value: T, options: Sequence[T]) -> T:
    """``value`` if it is one of ``options``."""
    if value not in options:
        raise InputError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r:.60}")
    return value


# ---------------------------------------------------------------- arrays


def array(name: str, value: object, expected: str = "an array of real numbers") -> np.ndarray:
    """``value`` as an ndarray of real numbers (bool, int or float dtype), not copied or converted.

    ``expected`` describes what was wanted, e.g. "a numeric array of shape (n, m)"; it goes
    into the message when ``value`` is None, a string, a Value, ragged or not numeric.
    """
    if value is None or isinstance(value, (str, bytes)) or _is_value(value):
        raise InputTypeError(f"{name} must be {expected}, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise InputError(f"{name} must be {expected}, got a ragged {type(value).__name__} ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise InputTypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}; expected {expected} of float, int or bool"
        )
    return arr


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` itself if it holds no NaN or infinity; else an error pointing at the first one."""
    if arr.dtype.kind == "f":
        ok = np.isfinite(arr)
        if not ok.all():
            bad = np.argwhere(~ok)
            where = tuple(int(i) for i in bad[0])
            raise InputError(
                f"{name} must be finite, got {float(arr[where])!r} at index {where} "
                f"({len(bad)} NaN or infinite value(s) in all)"
            )
    return arr


def vector(name: str, value: object, n: int | None = None, why: str = "") -> np.ndarray:
    """A vector of n finite numbers given as shape (n,) or (n, 1), returned as float64 of shape (n,).

    ``why`` says where n comes from (e.g. " to match X of shape (2, 4)").
    """
    arr = finite(name, array(name, value).astype(np.float64, copy=False))
    shape = arr.shape
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] == 0:
        want = "(n, 1) or (n,)" if n is None else f"({n}, 1) or ({n},)"
        raise InputError(f"{name} must be a vector of shape {want}, got shape {shape}")
    if n is not None and arr.shape[0] != n:
        raise InputError(f"{name} must have n = {n} entries (shape ({n}, 1)){why}, got shape {shape}")
    return arr


def labels(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` itself if every entry is a label 0 or 1; else an error naming the first other value."""
    ok = (arr == 0) | (arr == 1)
    if not ok.all():
        where = tuple(int(i) for i in np.argwhere(~ok)[0])
        place = f"column {where[1]}" if arr.ndim == 2 and arr.shape[0] == 1 else f"index {where}"
        others = np.unique(arr[~ok])
        more = f" ({len(others)} other values in all)" if len(others) > 1 else ""
        raise InputError(f"{name} must hold labels 0 or 1, got {float(arr[where])!r} at {place}{more}")
    return arr
