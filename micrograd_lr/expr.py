"""Arithmetic expressions as computation graphs: ``"3*(a + b*c)"`` → a ``Value`` graph.

The expression is parsed with Python's ``ast`` and checked against a whitelist
before anything is computed; it is never given to ``eval``.  Allowed: names,
numbers, ``+ - * / **``, unary ``-`` and ``+``, parentheses, and calls of
``exp log tanh sigmoid relu`` with one argument.  Anything else is an
``ExpressionError`` that names its line and column.

    >>> J, leaves = build("3*(a + b*c)", {"a": 5, "b": 3, "c": 2})
    >>> J.backward()
    >>> J.data, leaves["a"].grad, leaves["b"].grad, leaves["c"].grad
    (33.0, 3.0, 6.0, 9.0)

Parts without names are computed once as plain numbers (``2**3*a`` multiplies
``a`` by the constant 8); a constant exponent gives the ``powk`` operation.
"""

from __future__ import annotations

import ast
import math
import operator
import unicodedata
from collections.abc import Callable, Mapping
from typing import Union

from . import ops, validation
from .engine import Value

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "ExpressionError",
    "build",
    "names",
    "normalize",
    "parse",
]

MAX_LENGTH = 2000
"""Longest expression accepted, in characters."""
MAX_DEPTH = 100
"""Deepest nesting accepted: parentheses, calls, powers, signs and operands inside operations.
A chain of the same kind (``a + b + c + ...``, ``a * b * c * ...``) counts as one level; its
length is bounded by MAX_LENGTH only."""
LABEL_LENGTH = 24
"""Longest name build(..., name_steps=True) gives a node; longer parts of the source are cut with "…"."""
MAX_EXPONENT = 1000.0
"""Largest constant exponent accepted, in absolute value."""

FUNCTIONS: dict[str, ops.Op] = ops.FUNCTIONS
"""The functions an expression may call, each with one argument: the table's rows that name one."""

_FUNCTION_LIST = ", ".join(list(FUNCTIONS)[:-1]) + " or " + list(FUNCTIONS)[-1]  # exp, log, ... or relu
_ALLOWED = f"names, numbers, + - * / **, parentheses and calls of {', '.join(FUNCTIONS)}"

_FORBIDDEN: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "conditional expressions",
    ast.NamedExpr: "assignment expressions",
    ast.JoinedStr: "f-strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Starred: "starred arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}

_BINARY: dict[type, ops.Op] = {ast.Add: ops.ADD, ast.Sub: ops.SUB, ast.Mult: ops.MUL, ast.Div: ops.DIV}
_ARITHMETIC: dict[type, Callable[[Node, Node], Node]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_OPERATOR_TEXT: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Invert: "~",
    ast.Not: "not",
}

Node = Union[Value, float]


class ExpressionError(ValueError):
    """An expression that is not allowed or cannot be computed, with its position (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(where + message)


def _column(source: str, line: int, col_offset: int) -> int:
    """1-based character column from ast's 0-based UTF-8 byte offset."""
    lines = source.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:col_offset].decode("utf-8", errors="replace")) + 1


class _Text:
    """The stripped expression that ``ast`` parses, and where it starts in the user's text."""

    def __init__(self, source: str) -> None:
        lead = source[: len(source) - len(source.lstrip())]
        self.text = source.strip()
        self.line_shift = lead.count("\n")
        self.col_shift = len(lead) - (lead.rfind("\n") + 1)

    def where(self, line: int, column: int) -> tuple[int, int]:
        """A 1-based (line, column) in the stripped text as one in the user's text."""
        return line + self.line_shift, column + (self.col_shift if line == 1 else 0)


def _error(src: _Text, node: ast.AST, message: str) -> ExpressionError:
    line = getattr(node, "lineno", 1)
    return ExpressionError(message, *src.where(line, _column(src.text, line, getattr(node, "col_offset", 0))))


def _position(source: str, index: int) -> tuple[int, int]:
    before = source[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def _check_text(source: str) -> None:
    depth = 0
    for i, ch in enumerate(source[: MAX_LENGTH + 1]):
        if ch == "\x00":
            raise ExpressionError("the expression contains a null character", *_position(source, i))
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", *_position(source, i)
                )
        elif ch in ")]}":
            depth -= 1
    if len(source) > MAX_LENGTH:
        line, col = _position(source, MAX_LENGTH)
        raise ExpressionError(f"the expression is too long ({len(source)} characters, at most {MAX_LENGTH})", line, col)


def _constant(src: _Text, node: ast.Constant) -> float:
    v = node.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        kind = "strings" if isinstance(v, str) else "bytes" if isinstance(v, bytes) else f"the constant {v!r:.40}"
        raise _error(src, node, f"{kind}: not allowed (an expression holds only {_ALLOWED})")
    try:
        x = float(v)
    except OverflowError:
        raise _error(src, node, "the number is too large for a float") from None
    if not math.isfinite(x):
        raise _error(src, node, "the number is too large for a float")
    return x


def parse(source: str) -> ast.Expression:
    """The checked syntax tree of ``source``; ExpressionError for anything outside the whitelist.

    Nothing is computed: this only reads the text.
    """
    if not isinstance(source, str):
        raise TypeError(f"expression must be a str, got {type(source).__name__}")
    _check_text(source)
    src = _Text(source)
    if not src.text:
        raise ExpressionError("the expression is empty", 1, 1)
    try:
        tree = ast.parse(src.text, mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        lines = src.text.split("\n")
        # offset 0: the text ended early; point just past its end
        col = exc.offset or len(lines[min(line, len(lines)) - 1]) + 1
        raise ExpressionError(f"not a valid expression: {exc.msg}", *src.where(line, col)) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", *src.where(1, 1)
        ) from None
    except ValueError as exc:
        raise ExpressionError(f"not a valid expression: {exc}", *src.where(1, 1)) from None
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _error(src, node, f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
        children: list[ast.AST] = []
        if isinstance(node, ast.Constant):
            _constant(src, node)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _error(src, node, f"{node.id} is a function: call it with one argument, e.g. {node.id}(x)")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
                raise _error(src, node, f"the operator {op}: not allowed (an expression holds only {_ALLOWED})")
            children = [node.operand]
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
                hint = " (for a power write **, e.g. a ** 2)" if isinstance(node.op, ast.BitXor) else ""
                raise _error(src, node, f"the operator {op}: not allowed{hint} (an expression holds only {_ALLOWED})")
            children = [node.left, node.right]
        elif isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name):
                raise _error(src, node, f"only a function name may be called: {_FUNCTION_LIST}")
            if func.id not in FUNCTIONS:
                raise _error(src, node, f"calling {func.id!r} is not allowed: only {_FUNCTION_LIST}")
            if node.keywords or len(node.args) != 1:
                raise _error(src, node, f"{func.id} takes exactly one argument, e.g. {func.id}(x)")
            children = [node.args[0]]
        else:
            what = _FORBIDDEN.get(type(node), f"{type(node).__name__} expressions")
            raise _error(src, node, f"{what}: not allowed (an expression holds only {_ALLOWED})")
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Pow):
            # a chain a + b + c ... is one level: its left operand continues the chain, its right one nests
            stack.extend([(node.right, depth + 1), (node.left, depth)])
        else:
            stack.extend((child, depth + 1) for child in reversed(children))
    _fold_all(src, tree)  # constant parts computed once: checks their exponents and domains
    return tree


def _post_order(tree: ast.Expression) -> list[ast.AST]:
    """The nodes of the (checked) tree, each after its operands: no recursion, whatever the length."""
    order: list[ast.AST] = []
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        order.append(node)
        if isinstance(node, ast.UnaryOp):
            stack.append(node.operand)
        elif isinstance(node, ast.BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Call):
            stack.append(node.args[0])
    order.reverse()
    return order


def _fold_all(src: _Text, tree: ast.Expression) -> dict[int, float | None]:
    """For every node (by id), the value of its name-free part computed with plain floats, or None if it has names.

    Constant exponents are checked here (at most MAX_EXPONENT in absolute value, e.g. refusing 2**10**10).
    """
    folded: dict[int, float | None] = {}
    for node in _post_order(tree):
        value: float | None = None
        if isinstance(node, ast.Constant):
            value = _constant(src, node)
        elif isinstance(node, ast.UnaryOp):
            x = folded[id(node.operand)]
            value = None if x is None else (-x if isinstance(node.op, ast.USub) else x)
        elif isinstance(node, ast.BinOp):
            left, right = folded[id(node.left)], folded[id(node.right)]
            if isinstance(node.op, ast.Pow) and right is not None:
                _check_exponent(src, node.right, right)
            if left is not None and right is not None:
                if isinstance(node.op, ast.Pow):
                    value = _apply(src, node, ops.POWK, [left], right)
                else:
                    value = _apply(src, node, _BINARY[type(node.op)], [left, right])
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            x = folded[id(node.args[0])]
            value = None if x is None else _apply(src, node, FUNCTIONS[node.func.id], [x])
        folded[id(node)] = value
    return folded


def _apply(src: _Text, node: ast.AST, op: ops.Op, inputs: list[float], constant: float | None = None) -> float:
    """The forward rule of ``op`` from the table, on plain floats; a domain error names its place."""
    try:
        x = op.forward(inputs, constant)
    except (ArithmeticError, ValueError) as exc:
        raise _error(src, node, str(exc)) from None
    if not math.isfinite(x):
        raise _error(src, node, "the result is too large for a float")
    return x


def _number(k: float) -> str:
    """k as short as it can be written without changing it: 1001, not 1001.0; 1000.0000001, not 1000."""
    short = f"{k:g}"
    return short if float(short) == k else repr(k)


def _check_exponent(src: _Text, node: ast.AST, k: float) -> None:
    if abs(k) > MAX_EXPONENT:
        raise _error(
            src, node, f"the exponent {_number(k)} is too large (at most {_number(MAX_EXPONENT)} in absolute value)"
        )


def names(source: str) -> list[str]:
    """The variable names of an expression, in order of first appearance."""
    return _names(parse(source))


def _names(tree: ast.Expression) -> list[str]:
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    variables = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in functions]
    seen: dict[str, None] = {}
    for node in sorted(variables, key=lambda n: (n.lineno, n.col_offset)):
        seen.setdefault(node.id, None)
    return list(seen)


def normalize(name: str) -> str:
    """A name as Python reads it in an expression: NFKC-normalised (``ﬁ`` is ``fi``, a full-width ``ａ`` is ``a``)."""
    return unicodedata.normalize("NFKC", name)


def build(source: str, values: Mapping[str, float], *, name_steps: bool = False) -> tuple[Value, dict[str, Value]]:
    """The computation graph of ``source`` with its names set to ``values``.

    Returns the output ``Value`` and the leaves, one ``Value`` per name, labelled with
    the name (a name used twice is one leaf, so its gradients add up).  Every name must
    have a value, and every value a name in the expression.  Names are compared the way
    Python compares identifiers, after NFKC normalisation, in the expression and in
    ``values`` alike.  With ``name_steps=True`` each node an operation makes is labelled
    with its part of the source (``b*c``, ``a + b*c``), shortened to at most LABEL_LENGTH
    characters with "…" in the middle.
    """
    tree = parse(source)
    src = _Text(source)
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping of names to numbers, got {type(values).__name__}")
    given: dict[str, float] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"values must be keyed by names (str), got the key {key!r:.40}")
        name = normalize(key)
        if name in given:
            raise ExpressionError(f"two values given for the name {name} (as {key!r} and another spelling)")
        given[name] = validation.real(name, value)
    used = _names(tree)
    missing = [n for n in used if n not in given]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)} (set every name, e.g. {missing[0]}=1.0)")
    unused = sorted(k for k in given if k not in used)
    if unused:
        raise ExpressionError(
            f"values given for names the expression does not use: {', '.join(unused)} "
            f"(its names are: {', '.join(used) or 'none'})"
        )
    leaves = {name: Value(given[name], name) for name in used}
    folded = _fold_all(src, tree)
    built: dict[int, Node] = {}
    for node in _post_order(tree):
        k = folded[id(node)]
        out = k if k is not None else _build_one(src, node, leaves, built, folded)
        if name_steps and isinstance(out, Value) and out.op is not None and not out.label:
            segment = ast.get_source_segment(src.text, node)
            if segment:
                out.label = shorten(segment)
        built[id(node)] = out
    out = built[id(tree.body)]
    root = out if isinstance(out, Value) else Value(out)
    return root, leaves


def shorten(text: str, length: int | None = None) -> str:
    """``text`` with runs of whitespace made one space, cut to ``length`` (LABEL_LENGTH) with "…" in the middle."""
    length = LABEL_LENGTH if length is None else length
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    head = (length - 1) // 2
    return text[:head] + "…" + text[len(text) - (length - 1 - head) :]


def _build_one(
    src: _Text, node: ast.AST, leaves: dict[str, Value], built: dict[int, Node], folded: dict[int, float | None]
) -> Node:
    """One node of the graph, from its operands already built."""
    try:
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            x = built[id(node.operand)]
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            left = built[id(node.left)]
            if isinstance(node.op, ast.Pow):
                exponent = folded[id(node.right)]
                if exponent is not None:
                    assert isinstance(left, Value)
                    return left**exponent  # powk: a ** k with a constant k
                right = built[id(node.right)]
                assert isinstance(right, Value)
                return left**right  # pow: a ** b (a plain-number base becomes a constant leaf)
            right = built[id(node.right)]
            # a plain number on either side becomes a constant leaf of the operation (2 in 2*a)
            result: Node = _ARITHMETIC[type(node.op)](left, right)
            return result
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            x = built[id(node.args[0])]
            assert isinstance(x, Value)
            called: Value = getattr(x, node.func.id)()
            return called
    except (ArithmeticError, ValueError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        raise _error(src, node, str(exc)) from None
    raise _error(src, node, f"{type(node).__name__} not allowed")  # pragma: no cover - parse() rejected it
