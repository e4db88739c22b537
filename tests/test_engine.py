"""The Value engine: every operation's derivative, graphs, gradient semantics and bad input."""

from __future__ import annotations

import gc
import math
import re
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_lr import TABLE, Op, Value, dot, gc_paused, no_grad, ops, topological_order, vsum
from micrograd_lr.engine import is_grad_enabled


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """Five-point central difference: error O(h⁴), exact for polynomials up to degree 4."""
    return (8.0 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12.0 * h)


def assert_close(auto: float, numeric: float, *, rel: float, floor: float = 0.0) -> None:
    """Relative error, with an absolute floor for the rounding error of the difference quotient."""
    assert math.isfinite(auto)
    assert abs(auto - numeric) <= rel * max(abs(auto), abs(numeric)) + floor, (auto, numeric)


def rounding_floor(f: Callable[[float], float], x: float, h: float) -> float:
    """How much rounding in f(x ± kh) can move a difference quotient: ~eps·max|f|/h."""
    return 1e-12 * max(abs(f(x + k * h)) for k in (-2, -1, 0, 1, 2)) / h


def value_grad(build: Callable[[Value], Value], x: float) -> tuple[float, float]:
    v = Value(x)
    out = build(v)
    out.backward()
    return out.data, v.grad


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# Magnitudes from tiny to large where the result stays finite.
wide = st.one_of(floats(-1e6, 1e6), floats(-1e-6, 1e-6), floats(-1e150, 1e150))
positive = st.one_of(floats(1e-6, 1e6), floats(1e-150, 1e-6), floats(1e6, 1e150))


# ---------------------------------------------------------------- unary operations

UNARY_CASES: dict[str, tuple[Callable[[Value], Value], Callable[[float], float], st.SearchStrategy[float]]] = {
    "neg": (lambda v: -v, lambda x: -x, wide),
    "exp": (lambda v: v.exp(), math.exp, floats(-700.0, 700.0)),
    "log": (lambda v: v.log(), math.log, positive),
    "tanh": (lambda v: v.tanh(), math.tanh, floats(-20.0, 20.0)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1.0 / (1.0 + math.exp(-x)), floats(-30.0, 30.0)),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), wide.filter(lambda x: abs(x) > 1e-300)),
    "square": (lambda v: v**2, lambda x: x * x, floats(-1e100, 1e100)),
    "cube": (lambda v: v**3, lambda x: x**3, floats(-1e60, 1e60)),
    "sqrt": (lambda v: v**0.5, math.sqrt, positive),
    "reciprocal": (lambda v: v**-1, lambda x: 1.0 / x, positive),
    "rtruediv": (lambda v: 1 / v, lambda x: 1.0 / x, positive),
    "rsub": (lambda v: 1 - v, lambda x: 1.0 - x, wide),
    "rpow": (lambda v: 2**v, lambda x: 2.0**x, floats(-500.0, 500.0)),
}


@pytest.mark.parametrize("name", sorted(UNARY_CASES))
@given(data=st.data())
def test_unary_derivative_matches_finite_difference(name: str, data: st.DataObject) -> None:
    build, reference, domain = UNARY_CASES[name]
    x = data.draw(domain, label="x")
    out, grad = value_grad(build, x)
    assert out == pytest.approx(reference(x), rel=1e-12, abs=1e-300)
    # Steps stay inside the domain (and on one side of relu's kink).
    h = 1e-4 * abs(x) if name in {"log", "sqrt", "reciprocal", "rtruediv", "relu"} else 1e-4 * max(abs(x), 1e-3)
    numeric = central_difference(reference, x, h)
    assert_close(grad, numeric, rel=1e-5, floor=rounding_floor(reference, x, h))


def softplus(t: float) -> float:
    """log(1 + e^t), evaluated where each form is accurate."""
    return math.log1p(math.exp(t)) if t < 30.0 else t + math.log1p(math.exp(-t))


@given(x=floats(-700.0, 700.0), y=st.sampled_from([0.0, 1.0]) | floats(0.0, 1.0))
def test_logistic_loss_is_cross_entropy_and_its_derivative_is_a_minus_y(x: float, y: float) -> None:
    z = Value(x)
    L = z.logistic_loss(y)
    L.backward()
    # −(y log a + (1 − y) log(1 − a)) with log a = −softplus(−z) and log(1 − a) = −softplus(z)
    assert L.data == pytest.approx(y * softplus(-x) + (1.0 - y) * softplus(x), rel=1e-12, abs=1e-300)
    if abs(x) <= 5.0:  # where the literal form is well conditioned, it agrees too
        a = 1.0 / (1.0 + math.exp(-x))
        assert L.data == pytest.approx(-(y * math.log(a) + (1.0 - y) * math.log(1.0 - a)), rel=1e-9, abs=1e-15)
    a = Value(x).sigmoid().data
    assert z.grad == pytest.approx(a - y, rel=1e-12, abs=1e-15)  # the text's dz = a − y


@given(x=floats(-1e6, 1e6))
def test_logistic_loss_stays_finite_where_sigmoid_saturates(x: float) -> None:
    for y in (0.0, 1.0):
        z = Value(x)
        L = z.logistic_loss(y)
        L.backward()
        assert math.isfinite(L.data) and L.data >= 0.0
        assert -1.0 <= z.grad <= 1.0


# ---------------------------------------------------------------- binary operations

BINARY_CASES: dict[str, tuple[Callable[[Value, Value], Value], Callable[[float, float], float]]] = {
    "add": (lambda a, b: a + b, lambda x, y: x + y),
    "sub": (lambda a, b: a - b, lambda x, y: x - y),
    "mul": (lambda a, b: a * b, lambda x, y: x * y),
    "div": (lambda a, b: a / b, lambda x, y: x / y),
    "pow": (lambda a, b: a**b, lambda x, y: x**y),
}


@pytest.mark.parametrize("name", sorted(BINARY_CASES))
@given(
    x=st.just(0.0) | floats(1e-3, 1e3) | floats(-1e3, -1e-3),
    y=st.just(0.0) | floats(1e-3, 1e3) | floats(-1e3, -1e-3),
    scale=st.sampled_from([1e-50, 1e-3, 1.0, 1e50]),
)
def test_binary_derivatives_match_finite_differences(name: str, x: float, y: float, scale: float) -> None:
    build, reference = BINARY_CASES[name]
    if name == "pow":
        x, y, scale = abs(x) + 0.1, y / 100.0, 1.0
    elif name == "div":
        assume(abs(y) > 1e-3)
    x, y = x * scale, y * scale
    a, b = Value(x), Value(y)
    out = build(a, b)
    out.backward()
    assert out.data == reference(x, y)
    for wrt, (v, grad) in enumerate([(x, a.grad), (y, b.grad)]):
        h = 1e-4 * max(abs(v), 1e-3 * scale)

        def f(t: float, wrt: int = wrt) -> float:
            return reference(t, y) if wrt == 0 else reference(x, t)

        assert_close(grad, central_difference(f, v, h), rel=1e-5, floor=rounding_floor(f, v, h))


@given(
    w=st.lists(floats(-10, 10), min_size=1, max_size=6),
    data=st.data(),
)
def test_vsum_and_dot_are_single_nodes_with_the_right_gradients(w: list[float], data: st.DataObject) -> None:
    x = data.draw(st.lists(floats(-10, 10), min_size=len(w), max_size=len(w)), label="x")
    wv = [Value(t) for t in w]
    xv = [Value(t) for t in x]
    z = dot(wv, xv)
    assert z.op is TABLE["dot"] and len(z.parents) == 2 * len(w)
    s = vsum([z, *wv])
    s.backward()
    assert z.data == pytest.approx(math.fsum(p * q for p, q in zip(w, x)), rel=1e-12, abs=1e-12)
    assert [v.grad for v in wv] == pytest.approx([1.0 + t for t in x])  # via the dot and via the sum
    assert [v.grad for v in xv] == pytest.approx(w)
    # With plain numbers on one side, only the Values are parents.
    wv2 = [Value(t) for t in w]
    z2 = dot(wv2, x)
    z2.backward()
    assert z2.parents == tuple(wv2)
    assert [v.grad for v in wv2] == x


# ---------------------------------------------------------------- every row of the table
# Each row of ops.TABLE gets its own domain: (inputs, constant) where its forward rule is smooth.
# A row without a domain fails the suite, so a new operation cannot go untested.

away_from_zero = st.one_of(floats(1e-3, 1e3), floats(-1e3, -1e-3))
moderate = st.just(0.0) | away_from_zero  # products of these neither underflow nor overflow
Case = tuple[list[float], Any]
Cases = st.SearchStrategy[Case]


def _fixed(n: int, xs: st.SearchStrategy[float], constant: st.SearchStrategy[Any] | None = None) -> Cases:
    """n inputs drawn from xs, and a constant (None unless given)."""
    constant = st.none() if constant is None else constant
    return st.tuples(st.lists(xs, min_size=n, max_size=n), constant).map(lambda t: (t[0], t[1]))


def _dot_cases() -> Cases:
    both = st.integers(1, 5).flatmap(lambda n: _fixed(2 * n, moderate))
    with_data = st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(moderate, min_size=n, max_size=n),
            st.lists(moderate, min_size=n, max_size=n).map(tuple),
        ).map(lambda t: (t[0], t[1]))
    )
    return both | with_data


DOMAINS: dict[str, Cases] = {
    "add": _fixed(2, floats(-1e6, 1e6)),
    "sub": _fixed(2, floats(-1e6, 1e6)),
    "mul": _fixed(2, moderate),
    "div": st.tuples(moderate, away_from_zero).map(lambda t: ([t[0], t[1]], None)),
    "pow": st.tuples(floats(0.1, 10.0), floats(-4.0, 4.0)).map(lambda t: ([t[0], t[1]], None)),
    "neg": _fixed(1, floats(-1e6, 1e6)),
    "powk": st.one_of(
        _fixed(1, floats(0.1, 10.0), floats(-4.0, 4.0)),
        _fixed(1, away_from_zero, st.integers(-3, 4).map(float)),
    ),
    "exp": _fixed(1, floats(-700.0, 700.0)),
    "log": _fixed(1, floats(1e-6, 1e6)),
    "tanh": _fixed(1, floats(-20.0, 20.0)),
    "sigmoid": _fixed(1, floats(-30.0, 30.0)),
    "relu": _fixed(1, away_from_zero),
    "xent": _fixed(1, floats(-30.0, 30.0), st.sampled_from([0.0, 1.0]) | floats(0.0, 1.0)),
    "sum": st.integers(1, 6).flatmap(lambda n: _fixed(n, floats(-1e6, 1e6))),
    "dot": _dot_cases(),
}


def test_every_row_of_the_table_has_a_test_domain() -> None:
    assert set(DOMAINS) == set(TABLE), "each row of ops.TABLE needs a domain in DOMAINS (and no stale ones)"


@pytest.mark.parametrize("name", sorted(TABLE))
@given(data=st.data())
def test_each_rows_local_derivatives_match_finite_differences_of_its_forward_rule(
    name: str, data: st.DataObject
) -> None:
    if name not in DOMAINS:
        pytest.fail(f"the operation {name!r} has no test domain in DOMAINS")
    op = TABLE[name]
    xs, k = data.draw(DOMAINS[name], label="inputs, constant")
    out = op.forward(xs, k)
    local = tuple(op.local(xs, out, k))
    assert len(local) == len(xs), "one local derivative per input"
    for i, x in enumerate(xs):

        def f(t: float, i: int = i) -> float:
            return op.forward([*xs[:i], t, *xs[i + 1 :]], k)

        h = 1e-4 * abs(x) if abs(x) > 1e-100 else 1e-4  # a relative step stays inside each domain
        floor = rounding_floor(f, x, h)
        if name == "xent":  # dz = σ(z) − y, computed as the text writes it, is known to ε absolute
            floor += 2.3e-16
        assert_close(local[i], central_difference(f, x, h), rel=1e-5, floor=floor)


def _prose_to_python(text: str) -> str:
    """A derivative as the table writes it (σ(a)(1 − σ(a)), b·a^(b−1), 1 − tanh²(a)) as Python."""
    text = re.sub(r"(\w+)²\(([^()]*)\)", r"(\1(\2))**2", text)  # tanh²(a) → (tanh(a))**2
    for prose, code in [("−", "-"), ("·", "*"), ("²", "**2"), ("^", "**"), ("ln(", "log("), ("σ(", "sigmoid(")]:
        text = text.replace(prose, code)
    text = text.replace("ᵢ", "_i")
    return re.sub(r"\)\s*\(", ")*(", text)  # implicit product of two brackets


def _prose_derivatives(op: Any) -> dict[str, str]:
    """{input name: derivative as Python} from a row's text '∂/∂a = ..., ∂/∂b = ...'."""
    text = op.derivative.split("  (")[0]  # a trailing remark in parentheses is prose only
    parts = re.split(r",\s*(?=∂)", text)
    result = {}
    for part in parts:
        wrt, expression = re.fullmatch(r"∂/∂(\S+) = (.+)", part.strip()).groups()  # type: ignore[union-attr]
        result[_prose_to_python(wrt)] = _prose_to_python(expression)
    return result


def _named_inputs(name: str, xs: list[float], k: Any) -> list[tuple[str, dict[str, float]]]:
    """For each input: its name in the row's prose, and the values of every name at that input."""
    if name == "sum":
        return [("a_i", {"a_i": x}) for x in xs]
    if name == "dot":
        n = len(xs) if k is not None else len(xs) // 2
        w, x = xs[:n], (list(k) if k is not None else xs[n:])
        named = [("w_i", {"w_i": w[i], "x_i": x[i]}) for i in range(n)]
        return named + ([] if k is not None else [("x_i", {"w_i": w[i], "x_i": x[i]}) for i in range(n)])
    env = dict(zip("ab", xs))
    if TABLE[name].constant:
        env[TABLE[name].constant] = k
    return [(letter, env) for letter in "ab"[: len(xs)]]


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=5)  # a few points: this checks the text, not the numerics
@given(data=st.data())
def test_each_rows_prose_derivative_agrees_with_its_code(name: str, data: st.DataObject) -> None:
    op = TABLE[name]
    xs, k = data.draw(DOMAINS[name], label="inputs, constant")
    local = op.local(xs, op.forward(xs, k), k)
    prose = _prose_derivatives(op)
    functions = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sigmoid": ops.sigmoid}
    for i, (wrt, env) in enumerate(_named_inputs(name, xs, k)):
        expected = eval(prose[wrt], {"__builtins__": {}}, {**functions, **env})  # the table's own text
        # abs: the prose, evaluated as written, may cancel (σ(a) − 1 near a = 30); the code must not
        assert local[i] == pytest.approx(expected, rel=1e-9, abs=1e-14), (op.derivative, wrt, env)


def test_rows_are_built_with_keywords_so_fields_cannot_be_swapped() -> None:
    with pytest.raises(TypeError):
        Op("add", "+", "a + b", "∂/∂a = 1", lambda xs, k: 0.0, lambda xs, out, k: (1.0,))  # type: ignore[call-arg]


def test_picture_text_of_a_constant_comes_from_the_row() -> None:
    x = Value(3.0)
    assert (x**2).op.text((x**2).constant) == "^2.0"  # type: ignore[union-attr]
    assert x.logistic_loss(1).op.text(1.0, lambda k: f"{k:g}") == "L (y=1)"  # type: ignore[union-attr]
    assert (x * 2).op.text(None) == "×"  # type: ignore[union-attr]


# ---------------------------------------------------------------- random composite expressions


def expressions(leaves: int) -> st.SearchStrategy[Callable[[list[Value]], Value]]:
    """Expression trees over a few shared leaves, using every kind of operation."""
    leaf = st.integers(0, leaves - 1).map(lambda i: lambda vs, i=i: vs[i])
    const = floats(-3, 3).map(lambda c: lambda vs, c=c: c)

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        def unary(f: Callable, kind: str) -> Callable:
            smooth: dict[str, Callable[[Value], Value]] = {
                "tanh": lambda v: v.tanh(),
                "sigmoid": lambda v: v.sigmoid(),
                "exp": lambda v: (v.tanh()).exp(),  # bounded argument
                "log": lambda v: (v * v + 1.0).log(),  # positive argument
                "neg": lambda v: -v,
                "square": lambda v: v**2,
                "sqrt": lambda v: (v * v + 0.5) ** 0.5,
            }
            return lambda vs: smooth[kind](_value(f(vs)))

        def binary(f: Callable, g: Callable, kind: str) -> Callable:
            ops2: dict[str, Callable[[Any, Any], Any]] = {
                "add": lambda p, q: p + q,
                "sub": lambda p, q: p - q,
                "mul": lambda p, q: p * q,
                "div": lambda p, q: p / (_value(q) * _value(q) + 1.0),
                "pow": lambda p, q: (_value(p) * _value(p) + 1.0) ** _value(q).tanh(),
            }
            return lambda vs: ops2[kind](f(vs), g(vs))

        return st.one_of(
            st.tuples(children, st.sampled_from(["tanh", "sigmoid", "exp", "log", "neg", "square", "sqrt"])).map(
                lambda t: unary(*t)
            ),
            st.tuples(children, children, st.sampled_from(["add", "sub", "mul", "div", "pow"])).map(
                lambda t: binary(*t)
            ),
            st.lists(children, min_size=1, max_size=4).map(lambda fs: lambda vs: vsum([f(vs) for f in fs])),
        )

    return st.recursive(leaf | const, extend, max_leaves=12)


def _value(x: object) -> Value:
    return x if isinstance(x, Value) else Value(float(x))  # type: ignore[arg-type]


@given(expr=expressions(3), xs=st.lists(floats(-2, 2), min_size=3, max_size=3))
def test_random_expressions_match_finite_differences(expr: Callable[[list[Value]], Value], xs: list[float]) -> None:
    vs = [Value(x) for x in xs]
    out = _value(expr(vs))
    assume(abs(out.data) < 1e6)
    out.backward()

    def f(values: list[float]) -> float:
        return _value(expr([Value(x) for x in values])).data

    for i, v in enumerate(vs):
        h = 1e-5
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        numeric = (f(up) - f(down)) / (2 * h)
        assert abs(v.grad - numeric) <= 1e-4 * max(1.0, abs(numeric), abs(v.grad)), (i, v.grad, numeric)



def reference_backward(root: Value) -> None:
    """The chain rule the slow, readable way, sharing no code with backward(): a recursive
    topological sort over ``parents``, then one ``_backward()`` step per node right to left."""
    order: list[Value] = []
    seen: set[Value] = set()

    def place(node: Value) -> None:
        if node not in seen:
            seen.add(node)
            for p in node.parents:
                place(p)
            order.append(node)

    place(root)
    for node in order:
        if node.op is not None:
            node.grad = 0.0
    root.grad = 1.0 if root.op is not None else root.grad + 1.0
    for node in reversed(order):
        node._backward()


@given(expr=expressions(3), xs=st.lists(floats(-2, 2), min_size=3, max_size=3), calls=st.integers(1, 3))
def test_backward_equals_the_chain_rule_step_by_step(
    expr: Callable[[list[Value]], Value], xs: list[float], calls: int
) -> None:
    """backward() walks only the nodes operations made; the leaves it skips must get every path."""
    fast, slow = [Value(x) for x in xs], [Value(x) for x in xs]
    out_fast, out_slow = _value(expr(fast)), _value(expr(slow))
    if out_fast.op is None:  # the expression is a leaf or a constant: it still seeds itself
        assert out_slow.op is None
    for _ in range(calls):  # leaves accumulate across calls, intermediates are recomputed
        out_fast.backward()
        reference_backward(out_slow)
    for a, b in zip(fast, slow):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-300)
    fast_order, slow_order = topological_order(out_fast), topological_order(out_slow)
    assert len(fast_order) == len(slow_order)
    for a, b in zip(fast_order, slow_order):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-300)


def test_backward_reaches_leaves_mixed_with_operations_in_a_dot_product() -> None:
    w = [Value(2.0), Value(-1.0)]
    x = [Value(3.0), Value(0.5) * 4.0]  # one leaf, one operation's result: x₂ = 2
    z = dot([*w, x[0]], [x[0], x[1], w[0]])  # 2·3 + (−1)·2 + 3·2 = 10
    z.backward()
    assert z.data == 10.0
    assert (w[0].grad, w[1].grad, x[0].grad) == (3.0 + 3.0, 2.0, 2.0 + 2.0)
    assert x[1].grad == -1.0 and x[1].parents[0].grad == -4.0


# ---------------------------------------------------------------- the text's computation graph


def test_the_texts_computation_graph_J_equals_3_times_a_plus_bc() -> None:
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    u = b * c
    v = a + u
    J = 3 * v
    assert (u.data, v.data, J.data) == (6.0, 11.0, 33.0)
    J.backward()
    assert (a.grad, b.grad, c.grad) == (3.0, 6.0, 9.0)
    assert (u.grad, v.grad, J.grad) == (3.0, 3.0, 1.0)
    order = topological_order(J)
    assert order[-1] is J
    assert order.index(u) < order.index(v) < order.index(J)
    assert order.index(b) < order.index(u) and order.index(c) < order.index(u)


# ---------------------------------------------------------------- graph structure and semantics


@pytest.mark.slow
def test_a_million_deep_chain_backpropagates() -> None:
    x = Value(1.0)
    v = x
    with gc_paused():  # the collector would only rescan the growing chain; depth is what is tested
        for _ in range(1_000_000):
            v = v + 1e-6
        v.backward()
    assert x.grad == 1.0
    assert v.data == pytest.approx(2.0, rel=1e-9)


def test_backward_twice_doubles_leaf_gradients_and_recomputes_intermediates() -> None:
    a, b = Value(2.0), Value(-3.0)
    mid = a * b
    out = (mid + a).tanh() * mid
    out.backward()
    first = (a.grad, b.grad, mid.grad, out.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert (mid.grad, out.grad) == (first[2], first[3])


def test_zero_grad_clears_every_gradient_of_the_graph() -> None:
    a, b = Value(2.0), Value(3.0)
    out = (a * b + a).relu() + b.exp()
    out.backward()
    assert a.grad != 0.0 and b.grad != 0.0
    out.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(out))


def test_shared_subexpressions_get_every_path_of_the_chain_rule() -> None:
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    x = Value(1.5)
    top, left, right = x * 2.0, None, None
    left, right = top.exp(), top * top  # diamond: x → top → (left, right) → out
    out = left + right
    out.backward()
    t = 3.0
    assert x.grad == pytest.approx(2.0 * (math.exp(t) + 2.0 * t))
    assert top.grad == pytest.approx(math.exp(t) + 2.0 * t)


def test_topological_order_lists_each_node_once_inputs_first() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = vsum([d, c, a, d])
    order = topological_order(e)
    assert len(order) == len(set(order))
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[p] < position[node]
    assert set(order) == {a, b, c, d, e} | {p for n in order for p in n.parents}


def test_values_are_hashable_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2 and {a: 1}[a] == 1
    assert a is not b and a != b


def test_no_grad_records_no_graph_and_restores_on_exceptions() -> None:
    a = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        b = a * 3.0 + 1.0
    assert b.op is None and b.parents == () and b.data == 7.0
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("inside")
    assert is_grad_enabled()
    c = a * 3.0
    assert c.parents[0] is a


def test_no_grad_is_per_thread() -> None:
    seen: list[bool] = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def micrograd_example(value: Callable[[float], Any]) -> tuple[Any, Any, Any]:
    """micrograd's own test expression, built with any Value class: returns (a, b, g) after g.backward()."""
    a = value(-4.0)
    b = value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def test_micrograd_compatible_surface() -> None:
    a, b, g = micrograd_example(Value)
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"
    c = a + b
    assert c._prev == {c.parents[0], c.parents[1]} and c._op == "+"
    micrograd = pytest.importorskip("micrograd.engine")
    A, B, G = micrograd_example(micrograd.Value)
    assert g.data == pytest.approx(G.data, rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx((A.grad, B.grad), rel=1e-12)


def test_backward_step_by_step_with_underscore_backward() -> None:
    a, b = Value(2.0), Value(5.0)
    out = a * b
    out.grad = 1.0
    out._backward()
    assert (a.grad, b.grad) == (5.0, 2.0)
    assert out.local_grads() == (5.0, 2.0)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", ["1.0", None, 1 + 2j, np.array([1.0, 2.0]), np.array(1.0), [1.0], object()])
def test_non_numeric_data_is_a_type_error_naming_what_came(bad: object) -> None:
    with pytest.raises(TypeError, match=r"data must be a real number .* got " + type(bad).__name__):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2", None, 1j, [1]])
def test_non_numeric_operands_are_type_errors(bad: Any) -> None:
    v = Value(1.0)
    for op in (lambda: v + bad, lambda: bad * v, lambda: v / bad, lambda: v**bad, lambda: bad - v):
        with pytest.raises(TypeError, match="must be a real number"):
            op()


def test_numeric_types_that_are_accepted() -> None:
    assert Value(3).data == 3.0 and type(Value(3).data) is float
    assert Value(np.float32(0.5)).data == 0.5
    assert Value(np.int64(7)).data == 7.0
    assert Value(Fraction(1, 4)).data == 0.25  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_nan_and_infinity_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="data must be finite"):
        Value(bad)
    with pytest.raises(ValueError, match="must be finite"):
        Value(1.0) + bad


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value(0.0).log(), ValueError, r"log: operand must be > 0, got 0\.0"),
        (lambda: Value(-2.0).log(), ValueError, r"log: operand must be > 0, got -2\.0"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"div: division by zero \(1\.0 / 0\.0\)"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, "div: division by zero"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"powk: 0 \*\* -1\.0"),
        (lambda: Value(-8.0) ** 0.5, ValueError, r"powk: -8\.0 \*\* 0\.5 is not real"),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, r"pow: .*base > 0.*got base -2\.0"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp: exp\(1000\.0\) overflows"),
        (lambda: Value(1e200) ** 2, OverflowError, r"powk: 1e\+200 \*\* 2\.0 overflows"),
        (lambda: Value(1e300) * Value(1e300), OverflowError, r"mul: the result is not a finite number"),
        (lambda: Value(0.5).logistic_loss(2), ValueError, r"y must be a label in \[0, 1\].*got 2\.0"),
        (lambda: dot([Value(1.0)], [1.0, 2.0]), ValueError, r"len\(w\)=1 and len\(x\)=2"),
    ],
)
def test_domain_errors_name_the_operation_and_operand(make: Callable[[], Value], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_infinite_derivative_is_an_error_not_a_silent_infinity() -> None:
    x = Value(0.0)
    y = x**0.5
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match=r"derivative of x \*\* 0\.5 is infinite at x = 0\.0"):
        y.backward()
    tiny = Value(5e-324)
    with pytest.raises(OverflowError, match="derivative 1/x overflows"):
        tiny.log().backward()


def test_topological_order_rejects_non_values() -> None:
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        topological_order(1.0)  # type: ignore[arg-type]


def test_every_table_entry_is_documented() -> None:
    for name, op in TABLE.items():
        assert op.name == name and op.symbol and op.formula and op.derivative.startswith("∂")


def test_gc_paused_restores_the_collector_on_exit_and_on_exceptions() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an outer block is still open
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_gc_paused_overlapping_in_threads_restores_only_when_the_last_exits() -> None:
    inside = threading.Event()
    release = threading.Event()

    def worker() -> None:
        with gc_paused():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(10)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the worker's block is still open
    release.set()
    t.join()
    assert gc.isenabled()


def test_constant_reads_the_constant_of_an_operation() -> None:
    x = Value(3.0)
    assert (x**2).constant == 2.0
    assert x.logistic_loss(1).constant == 1.0
    assert dot([x], [4.0]).constant == (4.0,)
    assert (x * x).constant is None and x.constant is None and x.exp().constant is None


# ---------------------------------------------------------------- no silent NaN or infinity in gradients


def test_a_gradient_that_overflows_raises_naming_the_node_and_the_local_derivative() -> None:
    x = Value(1e-160, "x")
    x.grad = 0.25  # from an earlier backward(): it must survive the failed one
    z = x.log() * 1e200 - x.log() * 1e200  # z = 0, but dz/dx passes through 1e200 · 1/x = 1e360
    with pytest.raises(FloatingPointError, match=r"gradient of 'x' became -?inf .* log node .*∂log/∂x = 1e\+160"):
        z.backward()
    assert x.grad == 0.25


def test_an_infinite_product_of_finite_local_derivatives_raises_and_changes_no_leaf() -> None:
    a, b = Value(1e300, "a"), Value(1e-300, "b")
    out = (a * b) * 1e300
    with pytest.raises(FloatingPointError, match=r"gradient of 'b' became inf .* mul node .*∂mul/∂b = 1e\+300"):
        out.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_a_failed_backward_leaves_every_leaf_gradient_as_it_was() -> None:
    x, y = Value(0.0, "x"), Value(2.0, "y")
    out = y * 3.0 + x**0.5  # y's step comes first or last: either way y must not change
    y.grad, x.grad = 7.0, -1.0
    with pytest.raises(ZeroDivisionError, match=r"infinite at x = 0\.0"):
        out.backward()
    assert (x.grad, y.grad) == (-1.0, 7.0)


@given(scale=st.sampled_from([1.0, 1e100, 1e200, 1e300]), x=st.floats(1e-300, 1.0))
def test_gradients_are_finite_or_backward_raises(scale: float, x: float) -> None:
    """dz/dv = s/v − s/(2v): a path overflows for tiny v. Finite gradients or an error, never inf or NaN."""
    v = Value(x, "v")
    out = v.log() * scale - v.log() * (scale / 2)
    overflows = math.isinf(scale * (1.0 / x))  # the path through the first log: s · 1/v
    try:
        out.backward()
    except FloatingPointError:
        assert overflows and v.grad == 0.0
    else:
        assert all(math.isfinite(n.grad) for n in topological_order(out))
        assert v.grad == pytest.approx(scale / (2 * x), rel=1e-12)


# ---------------------------------------------------------------- one policy for numbers, at every operation

# Each way of giving a plain number to an operation, by the name of its table row.
NUMBER_DOORS: dict[str, Callable[[Any], Value]] = {
    "add": lambda n: Value(1.0) + n,
    "sub": lambda n: n - Value(1.0),
    "mul": lambda n: Value(1.0) * n,
    "div": lambda n: n / Value(1.0),
    "pow": lambda n: n ** Value(1.0),
    "powk": lambda n: Value(1.0) ** n,
    "xent": lambda n: Value(1.0).logistic_loss(n),
    "sum": lambda n: vsum([Value(1.0), n]),
    "dot": lambda n: dot([Value(1.0)], [n]),
}


@pytest.mark.parametrize("door", sorted(NUMBER_DOORS))
@pytest.mark.parametrize("bad", [True, False, np.bool_(True)])
def test_bool_is_not_a_number_anywhere(door: str, bad: object) -> None:
    with pytest.raises(TypeError, match=r"must be a real number .* got bool"):
        NUMBER_DOORS[door](bad)


@pytest.mark.parametrize("door", sorted(NUMBER_DOORS))
def test_an_int_beyond_float_range_is_a_clear_value_error_anywhere(door: str) -> None:
    with pytest.raises(ValueError, match="must be finite, got an int too large for a float"):
        NUMBER_DOORS[door](10**400)
    with pytest.raises(ValueError, match=r"data must be finite, got an int too large"):
        Value(-(10**400))


def test_a_derivative_that_overflows_names_the_operation_not_errno() -> None:
    with pytest.raises(OverflowError, match=r"powk: the derivative .* of x \*\* -1\.0 overflows at x = 1e-200"):
        (Value(1e-200) ** -1).backward()
