"""Expressions: a whitelist parser that builds Value graphs, and rejects everything else with a position."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_lr import Value, topological_order
from micrograd_lr.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, build, names, parse

finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)
positive = st.floats(0.1, 3.0, allow_nan=False, allow_infinity=False)


def grads(leaves: dict[str, Value]) -> dict[str, float]:
    return {name: leaf.grad for name, leaf in leaves.items()}


def test_the_text_example() -> None:
    J, leaves = build("3*(a + b*c)", {"a": 5, "b": 3, "c": 2})
    J.backward()
    assert J.data == 33.0
    assert grads(leaves) == {"a": 3.0, "b": 6.0, "c": 9.0}
    assert [leaf.label for leaf in leaves.values()] == ["a", "b", "c"]


@given(finite, finite, positive)
def test_same_value_and_gradients_as_building_by_hand(a: float, b: float, c: float) -> None:
    expr = "sigmoid(a*b - c/2) + tanh(a)**2 - log(c) + exp(-a) * relu(b) + +c / (1 + a*a) - -b"
    root, leaves = build(expr, {"a": a, "b": b, "c": c})
    root.backward()

    A, B, C = Value(a, "a"), Value(b, "b"), Value(c, "c")
    hand = (A * B - C / 2).sigmoid() + A.tanh() ** 2 - C.log() + (-A).exp() * B.relu() + C / (1 + A * A) - (-B)
    hand.backward()
    assert root.data == hand.data
    assert grads(leaves) == {"a": A.grad, "b": B.grad, "c": C.grad}


@given(positive, finite)
def test_powers(x: float, y: float) -> None:
    root, leaves = build("x**2 + x**y + 2**y + x**-1.5", {"x": x, "y": y})
    root.backward()
    X, Y = Value(x, "x"), Value(y, "y")
    hand = X**2.0 + X**Y + 2**Y + X**-1.5
    hand.backward()
    assert math.isclose(root.data, hand.data, rel_tol=1e-12)
    assert math.isclose(leaves["x"].grad, X.grad, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(leaves["y"].grad, Y.grad, rel_tol=1e-12, abs_tol=1e-12)


def test_a_name_used_twice_is_one_leaf() -> None:
    root, leaves = build("x*x + x", {"x": 3.0})
    root.backward()
    assert list(leaves) == ["x"]
    assert leaves["x"].grad == 7.0  # d(x² + x)/dx = 2x + 1


def test_constant_parts_are_folded_and_constant_exponents_use_powk() -> None:
    root, leaves = build("2**3 * a", {"a": 1.5})
    assert root.data == 12.0
    order = topological_order(root)
    assert len(order) == 3  # the constant 8, a, and the product
    sq, _ = build("a ** 2", {"a": 3.0})
    assert sq.op is not None and sq.op.name == "powk"
    alone, leaves = build("1 + 2", {})
    assert isinstance(alone, Value) and alone.data == 3.0 and leaves == {}


def test_whitespace_and_lines_are_fine() -> None:
    root, _ = build("  (a +\n  b)  ", {"a": 1, "b": 2})
    assert root.data == 3.0


def test_names_in_order() -> None:
    assert names("3*(a + b*c) + exp(a)") == ["a", "b", "c"]


# ------------------------------------------------------------------ errors about names


def test_missing_names_are_listed() -> None:
    with pytest.raises(ExpressionError, match="no value given for b, c"):
        build("a + b*c", {"a": 1.0})


def test_unused_names_are_refused() -> None:
    with pytest.raises(ExpressionError, match="does not use: d, e"):
        build("a + b", {"a": 1.0, "b": 2.0, "e": 0.0, "d": 3.0})


def test_values_must_be_finite_numbers() -> None:
    with pytest.raises(ValueError, match="finite"):
        build("a", {"a": math.nan})
    with pytest.raises(TypeError):
        build("a", {"a": "1"})  # type: ignore[dict-item]


def test_math_errors_carry_the_position() -> None:
    with pytest.raises(ExpressionError, match=r"line 1, column 5: .*log") as info:
        build("1 + log(a - 1)", {"a": 1.0})
    assert (info.value.line, info.value.column) == (1, 5)
    with pytest.raises(ExpressionError, match=r"column 1: .*division by zero"):
        build("1/0", {})


# ------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    "source, column, words",
    [
        ("__import__('os').system('touch PWNED')", 1, "only a function name may be called"),
        ("a.__class__", 1, "attribute access"),
        ("(lambda: 1)()", 1, "only a function name"),
        ("lambda: 1", 1, "lambda"),
        ("[x for x in a]", 1, "comprehensions"),
        ("sum(x for x in a)", 1, "calling 'sum' is not allowed"),
        ("a + 'text'", 5, "strings"),
        ("a + b'x'", 5, "bytes"),
        ("a[0]", 1, "subscripts"),
        ("a < 1", 1, "comparisons"),
        ("a and 1", 1, "'and' / 'or'"),
        ("1 if a else 2", 1, "conditional"),
        ("(a := 1)", 2, "assignment"),
        ("open('x')", 1, "calling 'open'"),
        ("exp(a, a)", 1, "exactly one argument"),
        ("exp(x=a)", 1, "exactly one argument"),
        ("exp + a", 1, "exp is a function"),
        ("a // 2", 1, "//"),
        ("a % 2", 1, "%"),
        ("a @ a", 1, "@"),
        ("~a", 1, "~"),
        ("a + True", 5, "True"),
        ("a + None", 5, "None"),
        ("a + 1j", 5, "1j"),
        ("2**10**10", 4, "exponent"),
        ("a ** 1001", 6, "exponent 1001 is too large"),
        ("a ** -1e4", 6, "exponent"),
        ("1e999 + a", 1, "too large"),
        ("f'{a}'", 1, "f-strings"),
        ("{a: 1}", 1, "dicts"),
        ("a, a", 1, "tuples"),
        ("*a", 1, ""),
        ("a +", 4, "not a valid expression"),
        ("import os", 1, "not a valid expression"),
        ("a\x00", 2, "null"),
        ("", 1, "empty"),
    ],
)
def test_hostile_input_is_rejected_with_position(source: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionError) as info:
        build(source, {"a": 1.0})
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == 1 and err.column == column, str(err)
    assert words in str(err)
    assert str(err).startswith(f"line 1, column {column}: ")


def test_nothing_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    calls: list[str] = []
    monkeypatch.setattr("builtins.__import__", lambda *a, **k: calls.append("import"))  # would record any import
    for source in [
        "__import__('os').system('touch PWNED')",
        "open('PWNED', 'w').write('x')",
        "exec('open(1)')",
        "eval('1')",
        "globals()",
        "exp.__globals__",
    ]:
        with pytest.raises(ExpressionError):
            parse(source)
    monkeypatch.undo()
    assert calls == []
    assert list(tmp_path.iterdir()) == []


def test_position_on_a_later_line_and_after_non_ascii() -> None:
    with pytest.raises(ExpressionError) as info:
        build("(a +\n  成本 + 'x')", {"a": 1.0, "成本": 2.0})
    assert (info.value.line, info.value.column) == (2, 8)
    with pytest.raises(ExpressionError) as info:
        build("\n\n   a.b", {"a": 1.0})
    assert (info.value.line, info.value.column) == (3, 4)


def test_ten_thousand_nested_parentheses_are_refused_fast() -> None:
    source = "(" * 10_000 + "a" + ")" * 10_000
    with pytest.raises(ExpressionError, match="nested too deeply") as info:
        build(source, {"a": 1.0})
    assert info.value.column == MAX_DEPTH + 1


def test_deep_operator_chains_and_long_input_are_refused() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("-" * 1500 + "a", {"a": 1.0})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("a" + "**a" * 500, {"a": 1.0})  # powers nest: a ** (a ** (a ** ...))
    with pytest.raises(ExpressionError, match="too long"):
        build("a" + " + a" * MAX_LENGTH, {"a": 1.0})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("exp(" * 200 + "a" + ")" * 200, {"a": 0.0})


def test_just_within_the_limits_works() -> None:
    depth = MAX_DEPTH - 2
    root, _ = build("(" * depth + "a" + ")" * depth, {"a": 2.0})
    assert root.data == 2.0
    root, _ = build("a ** 1000 + a", {"a": 1.0})
    assert root.data == 2.0


@given(st.text(max_size=60))
def test_arbitrary_text_either_builds_or_raises_expression_error(source: str) -> None:
    try:
        used = names(source)
    except ExpressionError as err:
        assert err.line is not None and err.column is not None and err.line >= 1 and err.column >= 1
        return
    values = {name: 0.5 for name in used}
    try:
        root, _ = build(source, values)
    except ExpressionError:
        return
    assert isinstance(root, Value)


def test_expression_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="expression must be a str"):
        build(3, {})  # type: ignore[arg-type]


# ------------------------------------------------------------------ long chains, names, messages


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_long_flat_chain_is_not_nesting(op: str) -> None:
    """a + a + ... is one level deep: only the length limits it (MAX_LENGTH), not MAX_DEPTH."""
    terms = (MAX_LENGTH + 1) // 2  # as many terms as fit: "a+a+...+a" is 2·terms − 1 characters
    root, leaves = build(op.join(["a"] * terms), {"a": 1.0})
    root.backward()
    expected = {"+": (terms, terms), "-": (2 - terms, 2 - terms), "*": (1.0, terms), "/": (1.0, 2 - terms)}[op]
    assert (root.data, leaves["a"].grad) == pytest.approx(expected)


def test_a_chain_of_products_inside_a_sum_is_two_levels() -> None:
    source = "+".join(["a*b*c"] * 150)
    root, leaves = build(source, {"a": 1.0, "b": 2.0, "c": 3.0})
    root.backward()
    assert root.data == 900.0 and leaves["a"].grad == 900.0


def test_real_nesting_still_counts_calls_and_signs() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("exp(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), {"a": 0.0})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("-" * (MAX_DEPTH + 1) + "a", {"a": 0.0})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        build("a" + "+(a" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1), {"a": 0.0})


def test_names_are_normalised_like_python_identifiers() -> None:
    root, leaves = build("\ufb01 + 1", {"\ufb01": 3.0})  # the ligature fi is the name fi
    assert root.data == 4.0 and list(leaves) == ["fi"]
    root, leaves = build("fi * 2", {"\ufb01": 3.0})
    assert root.data == 6.0
    root, leaves = build("\uff41 + a", {"a": 2.0})  # full-width a is a
    root.backward()
    assert root.data == 4.0 and leaves["a"].grad == 2.0
    with pytest.raises(ExpressionError, match="two values given for the name fi"):
        build("fi", {"fi": 1.0, "\ufb01": 2.0})


def test_a_value_that_is_not_finite_names_its_name() -> None:
    with pytest.raises(ValueError, match=r"\bb must be finite, got nan"):
        build("a + b", {"a": 1.0, "b": math.nan})


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("a**1000.0000001", "the exponent 1000.0000001 is too large (at most 1000 in absolute value)"),
        ("a**-1000.5", "the exponent -1000.5 is too large"),
        ("a**1001", "the exponent 1001 is too large"),
        ("a^2", "for a power write **"),
    ],
)
def test_messages_say_what_was_written(source: str, words: str) -> None:
    with pytest.raises(ExpressionError) as info:
        build(source, {"a": 1.0})
    assert words in str(info.value)
