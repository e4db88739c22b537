"""The shared argument checks: each returns what it checked, or raises a usage error that names the argument."""

from __future__ import annotations

import math
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_lr import Value, validation
from micrograd_lr.validation import InputError, InputTypeError

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def test_the_error_classes_are_value_and_type_errors() -> None:
    assert issubclass(InputError, ValueError) and issubclass(InputTypeError, TypeError)
    assert not issubclass(InputError, TypeError) and not issubclass(InputTypeError, ValueError)


# ---------------------------------------------------------------- numbers


@given(st.one_of(finite_floats, st.integers(-(10**15), 10**15)))
def test_real_returns_the_same_number_as_a_float(x: float) -> None:
    got = validation.real("b", x)
    assert type(got) is float and got == float(x)
    assert validation.real("b", np.float32(1.5)) == 1.5 and validation.real("b", np.array([[x]])) == float(x)


@given(st.sampled_from([math.inf, -math.inf, math.nan]))
def test_real_refuses_what_is_not_finite(x: float) -> None:
    with pytest.raises(InputError, match=r"^b must be finite, got (-?inf|nan)$"):
        validation.real("b", x)


@pytest.mark.parametrize(
    ("value", "came"),
    [("1", "str '1'"), (None, "None"), (True, "bool True"), (np.zeros(2), "shape (2,)"), ([1.0], "list [1.0]")],
)
def test_real_refuses_what_is_not_a_number_and_says_what_came(value: Any, came: str) -> None:
    with pytest.raises(InputTypeError, match=r"^b must be a real number \(int or float\), got ") as info:
        validation.real("b", value)
    assert came in str(info.value)


def test_a_value_is_refused_with_a_hint() -> None:
    with pytest.raises(InputTypeError, match=r"b must be a number, got a Value \(use b\.data"):
        validation.real("b", Value(1.0, "b"))
    with pytest.raises(InputTypeError, match=r"X must be .*got a Value"):
        validation.array("X", Value(1.0))


@given(finite_floats)
def test_positive_and_learning_rate_keep_exactly_the_positive_numbers(x: float) -> None:
    if x > 0:
        assert validation.positive("eps", x) == x and validation.learning_rate(x) == x
    else:
        with pytest.raises(InputError, match=r"^learning_rate must be a positive finite number, got "):
            validation.learning_rate(x)


@given(st.integers(-50, 50), st.integers(-5, 5))
def test_count_keeps_the_ints_from_low_up(k: int, low: int) -> None:
    if k >= low:
        got = validation.count("m", k, low)
        assert type(got) is int and got == k
        assert validation.count("m", np.int64(k), low) == k
    else:
        with pytest.raises(InputError, match=rf"^m must be at least {low}, got {k}$"):
            validation.count("m", k, low)


@pytest.mark.parametrize("value", [2.0, "3", True, np.bool_(True), None, np.float64(1.0)])
def test_count_refuses_what_is_not_an_int(value: Any) -> None:
    with pytest.raises(InputTypeError, match=r"^m must be an int, got "):
        validation.count("m", value)


@given(finite_floats)
def test_label_keeps_only_0_and_1(y: float) -> None:
    if y in (0.0, 1.0):
        assert validation.label("y", y) == y
    else:
        with pytest.raises(InputError, match=r"^y must be a label 0 or 1, got "):
            validation.label("y", y)


def test_choice() -> None:
    assert validation.choice("activation", "tanh", ("relu", "tanh")) == "tanh"
    with pytest.raises(InputError, match=r"^activation must be one of 'relu', 'tanh', got 'soft'$"):
        validation.choice("activation", "soft", ("relu", "tanh"))


# ---------------------------------------------------------------- arrays


@given(hnp.arrays(hnp.floating_dtypes() | hnp.integer_dtypes() | hnp.boolean_dtypes(), hnp.array_shapes(max_dims=3)))
def test_array_returns_numeric_arrays_unchanged(arr: np.ndarray) -> None:
    got = validation.array("X", arr)
    assert got is arr  # not copied, not converted (the caller decides the working dtype)


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (None, InputTypeError, "got None"),
        ("pictures", InputTypeError, "(a string)"),
        (np.array(["a"]), InputTypeError, "must hold real numbers, got dtype <U1"),
        (np.ones(2, dtype=complex), InputTypeError, "got dtype complex128"),
        (np.array([1, None], dtype=object), InputTypeError, "got dtype object"),
        ([[1.0, 2.0], [3.0]], InputError, "ragged"),
    ],
)
def test_array_refuses_what_is_not_numbers(value: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as info:
        validation.array("X", value, "a numeric array of shape (n, m)")
    message = str(info.value)
    assert message.startswith("X must ") and words in message, message


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3), elements=st.floats(width=64)))
def test_finite_points_at_the_first_bad_entry(arr: np.ndarray) -> None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        assert validation.finite("X", arr) is arr
        return
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    with pytest.raises(InputError) as info:
        validation.finite("X", arr)
    message = str(info.value)
    assert message.startswith(f"X must be finite, got {float(arr[where])!r} at index {where}")
    assert f"({int(bad.sum())} NaN or infinite value(s) in all)" in message


@given(st.integers(1, 8), st.booleans(), st.data())
def test_vector_takes_n_or_n_by_1_and_returns_n(n: int, column: bool, data: st.DataObject) -> None:
    values = data.draw(hnp.arrays(np.float64, (n, 1) if column else (n,), elements=finite_floats))
    got = validation.vector("w", values, n)
    assert got.shape == (n,) and got.dtype == np.float64
    np.testing.assert_array_equal(got, values.reshape(-1))
    with pytest.raises(InputError, match=rf"^w must have n = {n + 1} entries"):
        validation.vector("w", values, n + 1)
    with pytest.raises(InputError, match=r"^w must be a vector of shape \(n, 1\) or \(n,\)"):
        validation.vector("w", np.ones((n, 2)))


@given(hnp.arrays(np.float64, st.integers(1, 20).map(lambda m: (1, m)), elements=st.sampled_from([0.0, 1.0, 0.5, 2.0])))
def test_labels_keeps_rows_of_0_and_1(Y: np.ndarray) -> None:
    ok = (Y == 0) | (Y == 1)
    if ok.all():
        assert validation.labels("Y", Y) is Y
        return
    i = int(np.argwhere(~ok)[0][1])
    with pytest.raises(InputError, match=rf"^Y must hold labels 0 or 1, got {float(Y[0, i])!r} at column {i}"):
        validation.labels("Y", Y)


def test_describe_says_what_came() -> None:
    assert validation.describe(None) == "None"
    assert validation.describe(np.zeros((2, 3), dtype=np.float32)) == "an array of shape (2, 3) and dtype float32"
    assert validation.describe("x" * 100).startswith("str 'xxx") and len(validation.describe("x" * 100)) < 90
    assert validation.describe(Value(2.0, "a")).startswith("a Value")
