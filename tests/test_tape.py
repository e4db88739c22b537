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


# ----------------------------------------------------------------------------- pruning, matrix products, fused sums


@settings(max_examples=30)
@given(
    n=st.integers(1, 6),
    batch=st.integers(1, 5),
    data=st.data(),
)
def test_gradients_only_for_wrt_and_data_leaves_cost_nothing_backward(n: int, batch: int, data: st.DataObject) -> None:
    w = [Value(x, f"w{i}") for i, x in enumerate(data.draw(st.lists(floats(-2, 2), min_size=n, max_size=n)))]
    b = Value(data.draw(floats(-1, 1)), "b")
    xs = [Value(0.0, f"x{i}") for i in range(n)]
    loss = (dot(w, xs) + b).tanh() * 2.0 + (w[0] * b).logistic_loss(0.3)
    rows = data.draw(st.lists(st.lists(floats(-2, 2), min_size=batch, max_size=batch), min_size=n, max_size=n))
    samples = {x: np.array(r) for x, r in zip(xs, rows)}
    full = Tape(loss).run(samples)
    pruned_tape = Tape(loss, wrt=[*w, b])
    pruned = pruned_tape.run(samples)
    assert set(pruned.grads) == {*w, b}  # x's gradients are neither computed nor returned
    scale = max(1.0, *(abs(g) for g in full.grads.values()))
    for leaf, g in pruned.grads.items():
        assert _close(g, full.grads[leaf], scale)
    assert np.allclose(pruned.output, full.output, rtol=1e-12, atol=0.0)
    x_rows = {pruned_tape.leaf(x) for x in xs}
    runner = pruned_tape._runner(frozenset(x_rows), batch, True)
    assert not x_rows & set(runner.plan.g_rows.tolist())  # no gradient row of a data leaf is ever written
    assert all(m is None or m.x_keep is None or not set(m.x_targets.tolist()) & x_rows for _, m in runner.plan.steps)


@settings(max_examples=25)
@given(
    sizes=st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 6)),
    seed=st.integers(0, 2**16),
)
def test_a_layer_over_a_batch_is_one_matrix_product_and_equals_per_sample_runs(
    sizes: tuple[int, int, int], seed: int
) -> None:
    nin, nout, batch = sizes
    rng = np.random.default_rng(seed)
    xs = [Value(0.0, f"x{i}") for i in range(nin)]
    W = [[Value(float(v)) for v in row] for row in rng.normal(size=(nout, nin))]
    bs = [Value(float(v)) for v in rng.normal(size=nout)]
    hidden = [(dot(row, xs) + b).tanh() for row, b in zip(W, bs)]  # one layer: every neuron reads the same x
    acc = hidden[0] * 0.5
    for h in hidden[1:]:
        acc = acc + h * 0.5  # a running sum of products: fused into one dot node
    params = [p for row in W for p in row] + bs
    tape = Tape(acc, wrt=params)
    samples = {x: rng.normal(size=batch) for x in xs}
    summed = tape.run(samples)
    per_sample = tape.run(samples, reduce=None)  # the per-sample replay uses no matrix products
    runner = tape._runner(frozenset(tape.leaf(x) for x in xs), batch, True)
    assert any(m is not None and m.rows is not None for _, m in runner.plan.steps)  # the layer: U.T @ X
    scale = max(1.0, *(float(np.max(np.abs(g))) for g in per_sample.grads.values()))
    for p in params:
        assert _close(summed.grads[p], math.fsum(per_sample.grads[p]), scale * batch)
    for j in range(batch):  # and each sample equals the engine building the graph with its numbers
        for x in xs:
            x.data = float(samples[x][j])
        out = _value(_rebuild(acc))
        assert _close(float(summed.output[j]), out.data, max(1.0, abs(out.data)))


def _rebuild(root: Value) -> Value:
    """The same graph built again from its leaves' current numbers (the engine's forward pass)."""
    made: dict[Value, Value] = {}
    for node in topological_order(root):
        if node.op is None:
            made[node] = node
        else:
            ins = [made[p] for p in node.parents]
            name = node.op.name
            made[node] = (
                ins[0] + ins[1]
                if name == "add"
                else ins[0] * ins[1]
                if name == "mul"
                else ins[0].tanh()
                if name == "tanh"
                else dot(ins[: len(ins) // 2], ins[len(ins) // 2 :])
            )
    return made[root]


def test_running_sums_and_deep_chains_fuse_into_one_group() -> None:
    x, c = Value(0.5, "x"), Value(0.001, "c")
    v = x
    for _ in range(20_000):
        v = v + c
    tape = Tape(v)
    assert len(tape.groups) == 1 and tape.wide  # one dot node; no generated code to compile
    r = tape.run({x: 0.25})
    assert r.grads[x] == 1.0 and r.grads[c] == 20_000.0
    assert math.isclose(r.output, 0.25 + 20_000 * 0.001, rel_tol=1e-12)
    chain = x
    for i in range(5_000):
        chain = chain + 0.001 * i  # a running sum of constants: 5,000 leaves, one sum
    batch = Tape(chain, wrt=[x]).run({x: [0.0, 1.0]})
    assert batch.grads == {x: 2.0}
    assert batch.output[1] - batch.output[0] == pytest.approx(1.0, rel=1e-12)


def test_wrt_and_watch_name_what_is_wrong() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    out = a * b
    with pytest.raises(ValueError, match=r"wrt: .* is not a leaf"):
        Tape(out, wrt=[out])
    with pytest.raises(ValueError, match=r"watch: .* is not a node"):
        Tape(out, watch=[Value(3.0)])
    assert set(Tape(out, wrt=[b]).run().grads) == {b}
