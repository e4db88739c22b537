"""The tape: its replay equals the Value engine, one sample and batches; array forms equal scalar forms."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_engine import DOMAINS, _value, expressions, floats

from micrograd_lr import TABLE, Value, dot, topological_order, vsum
from micrograd_lr.tape import Tape

ROWS = settings(max_examples=60)


def _close(a: float, b: float, scale: float, rel: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(scale, abs(a), abs(b), 1e-300)


@pytest.mark.parametrize("name", sorted(TABLE))
@ROWS
@given(data=st.data())
def test_each_rows_array_form_equals_its_scalar_form(name: str, data: st.DataObject) -> None:
    op = TABLE[name]
    xs, k = data.draw(DOMAINS[name], label="inputs, constant")
    out = op.forward(xs, k)
    local = op.local(xs, out, k)
    arrays = np.array(xs, dtype=np.float64)[:, None]  # one column: inputs × 1 sample
    ka = None if k is None else np.array(k, dtype=np.float64)[..., None] if isinstance(k, tuple) else np.float64(k)
    with np.errstate(all="ignore"):
        array_out = op.array_forward(arrays, ka)
        array_local = op.array_local(arrays, array_out, ka)
    scale = math.fsum(abs(x) for x in xs) + abs(out)
    if name == "dot":
        scale = math.fsum(abs(a * b) for a, b in zip(xs, k if k is not None else xs[len(xs) // 2 :]))
    assert _close(float(np.ravel(array_out)[0]), out, scale), (array_out, out)
    assert len(array_local) == len(xs)
    terms = 1.0 if name in {"tanh", "sigmoid", "xent"} else 0.0  # 1 − out², σ − y: the scale of what cancels
    for d, expected in zip(array_local, local):
        assert _close(float(np.ravel(np.broadcast_to(d, (1,)))[0]), expected, abs(expected) + terms), (d, expected)


def _engine(root: Value, leaves: list[Value]) -> tuple[float, list[float]]:
    for node in topological_order(root):
        node.grad = 0.0
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def _scale(root: Value) -> float:
    """The size of the numbers summed along the way: the largest value and gradient in the graph."""
    return max(max(abs(n.data), abs(n.grad)) for n in topological_order(root))


GRAPH = settings(max_examples=150)


@GRAPH
@given(expr=expressions(3), xs=st.lists(floats(-2, 2), min_size=3, max_size=3))
def test_one_sample_replay_equals_the_engine(expr: Callable[[list[Value]], Value], xs: list[float]) -> None:
    vs = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = _value(expr(vs))
    tape = Tape(out)
    data, grads = _engine(out, tape.leaves)
    scale = _scale(out)
    replay = tape.run()
    assert _close(replay.output, data, scale)
    for leaf, g in zip(tape.leaves, grads):
        assert _close(replay.grads[leaf], g, scale), (leaf, replay.grads[leaf], g)
        assert leaf.grad == g  # the replay changed nothing of the graph


@GRAPH
@given(
    expr=expressions(3),
    xs=st.lists(floats(-2, 2), min_size=3, max_size=3),
    batch=st.lists(st.lists(floats(-2, 2), min_size=3, max_size=3), min_size=1, max_size=4),
    reduce=st.sampled_from(["sum", "mean", None]),
)
def test_a_batch_equals_separate_runs(
    expr: Callable[[list[Value]], Value], xs: list[float], batch: list[list[float]], reduce: Any
) -> None:
    vs = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = _value(expr(vs))
    tape = Tape(out)
    given = {v: np.array([row[i] for row in batch]) for i, v in enumerate(vs) if v in set(tape.leaves)}
    assume(given)  # a graph of constants only has no leaf to give a batch to
    replay = tape.run(given, reduce=reduce)
    singles = [tape.run({v: float(col[j]) for v, col in given.items()}) for j in range(len(batch))]
    scale = max(1.0, *(abs(s.output) for s in singles), *(abs(g) for s in singles for g in s.grads.values()))
    for j, s in enumerate(singles):
        assert _close(float(replay.output[j]), s.output, scale)
    for leaf in tape.leaves:
        per = [s.grads[leaf] for s in singles]
        if reduce is None:
            for j in range(len(batch)):
                assert _close(float(replay.grads[leaf][j]), per[j], scale)
        else:
            expected = math.fsum(per) / (len(per) if reduce == "mean" else 1)
            assert _close(replay.grads[leaf], expected, scale * len(per))


@settings(max_examples=40)
@given(
    w=st.lists(floats(-3, 3), min_size=1, max_size=6),
    data=st.data(),
    depth=st.integers(1, 300),
)
def test_shared_subexpressions_vsum_dot_and_deep_chains(w: list[float], data: st.DataObject, depth: int) -> None:
    x = data.draw(st.lists(floats(-3, 3), min_size=len(w), max_size=len(w)), label="x")
    ws = [Value(v, f"w{i}") for i, v in enumerate(w)]
    xs = [Value(v) for v in x]
    z = dot(ws, xs) + dot(ws, x) + vsum([*ws, 1.0])
    shared = z.tanh()
    acc = shared * shared
    for i in range(depth):
        acc = acc + ws[i % len(ws)] * 0.001
    out = acc * shared + (ws[0] - xs[-1]).sigmoid().logistic_loss(0.3)
    tape = Tape(out)
    data_, grads = _engine(out, tape.leaves)
    scale = _scale(out)
    replay = tape.run()
    assert _close(replay.output, data_, scale)
    for leaf, g in zip(tape.leaves, grads):
        assert _close(replay.grads[leaf], g, scale)
    batch = tape.run({ws[0]: np.array([w[0], w[0]])}, reduce=None)
    assert _close(float(batch.output[1]), data_, scale)
    for leaf, g in zip(tape.leaves, grads):
        assert _close(float(batch.grads[leaf][0]), g, scale)


def test_new_values_by_label_and_leaves_not_given_keep_their_traced_values() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    out = a * b + a.exp()
    tape = Tape(out)
    r = tape.run({"a": 1.0})
    assert r.output == 3.0 + math.exp(1.0)
    assert r.grads[a] == 3.0 + math.exp(1.0) and r.grads[b] == 1.0
    assert a.data == 2.0 and a.grad == 0.0 and out.data == 6.0 + math.exp(2.0)


def test_bad_values_say_what_came_and_what_was_expected() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "a")
    tape = Tape(a * b)
    with pytest.raises(ValueError, match="2 leaves have the label 'a'"):
        tape.run({"a": 1.0})
    with pytest.raises(ValueError, match="not a leaf"):
        tape.run({Value(1.0): 1.0})
    with pytest.raises(ValueError, match="must be finite"):
        tape.run({a: math.inf})
    with pytest.raises(ValueError, match="samples"):
        tape.run({a: [1.0, 2.0], b: [1.0]})
    with pytest.raises(TypeError, match="real number or a 1-D array"):
        tape.run({a: "1"})
    with pytest.raises(ValueError, match="reduce"):
        tape.run({a: [1.0]}, reduce="max")
    with pytest.raises(TypeError, match="root must be a Value"):
        Tape(3.0)  # type: ignore[arg-type]


def test_errors_are_the_engines_and_name_the_node() -> None:
    x = Value(1.0, "x")
    tape = Tape((x * 1.0).exp() + x.log())
    with pytest.raises(OverflowError, match="exp"):
        tape.run({x: 800.0})
    with pytest.raises(ValueError, match="log: operand must be > 0"):
        tape.run({x: -1.0})
    with pytest.raises(ValueError, match="log: operand must be > 0"):
        tape.run({x: np.array([1.0, -1.0])})
    y = Value(1e-10, "y")
    hidden = Tape((-(y * 1e155 * 1e155)).relu() + y)  # replayed at y = 1, a product overflows, the output does not
    with pytest.raises(OverflowError, match="mul: the result is not a finite number"):
        hidden.run({y: 1.0})
    with pytest.raises(OverflowError, match="mul: the result is not a finite number"):
        hidden.run({y: [1e-10, 1.0]})
    z = Value(0.0, "z")
    grad_tape = Tape((z * 1e10).tanh() * 1e300)  # finite values, a gradient of 1e310 at z
    with pytest.raises(FloatingPointError, match="backward: the gradient of 'z' became inf"):
        grad_tape.run()
    with pytest.raises(FloatingPointError, match="backward: the gradient of 'z' became inf"):
        grad_tape.run({z: np.array([0.0, 1.0])})


def test_a_leaf_as_root_and_a_constant_only_graph() -> None:
    a = Value(4.0, "a")
    r = Tape(a).run({a: [1.0, 2.0]})
    assert list(r.output) == [1.0, 2.0] and r.grads[a] == 2.0
    assert Tape(a).run().grads[a] == 1.0
