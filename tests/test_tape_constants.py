"""Per-sample constants: a batch whose samples each have their own label y (and exponent k) equals
separate one-sample replays and the engine on graphs built with those constants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import floats

from micrograd_lr import Value, dot, topological_order
from micrograd_lr.tape import Tape


def _graph(w: list[Value], x: list[Value], b: Value, y: float, k: float) -> Value:
    """A neuron z = w·x + b, a bounded power p = (tanh z + 2) ** k, and the loss L(σ(z + p), y)."""
    z = dot(w, x) + b
    p = (z.tanh() + 2.0) ** k
    p.label = "p"
    loss = (z + p).logistic_loss(y)
    loss.label = "L"
    return loss


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-12 * max(scale, abs(a), abs(b), 1.0)


sample = st.tuples(
    st.lists(floats(-2, 2), min_size=3, max_size=3),  # x
    floats(0, 1),  # y, a soft label as well as 0 and 1
    st.one_of(floats(-2, 3), st.sampled_from([0.0, 1.0, 2.0])),  # k
)


@settings(max_examples=40)
@given(
    w=st.lists(floats(-2, 2), min_size=3, max_size=3),
    b=floats(-1, 1),
    batch=st.lists(sample, min_size=1, max_size=5),
    reduce=st.sampled_from(["sum", None]),
)
def test_a_batch_with_per_sample_constants_equals_single_replays_and_the_engine(
    w: list[float], b: float, batch: list[tuple[list[float], float, float]], reduce: str | None
) -> None:
    ws = [Value(v, f"w{i}") for i, v in enumerate(w)]
    xs = [Value(0.5, f"x{i}") for i in range(3)]
    bias = Value(b, "b")
    loss = _graph(ws, xs, bias, 0.5, 1.5)
    tape = Tape(loss)
    values = {x: np.array([s[0][i] for s in batch]) for i, x in enumerate(xs)}
    ys, ks = np.array([s[1] for s in batch]), np.array([s[2] for s in batch])
    replay = tape.run(values, constants={loss: ys, "p": ks}, reduce=reduce)
    leaves = [*ws, *xs, bias]
    sums = dict.fromkeys(leaves, 0.0)
    for j, (x, y, k) in enumerate(batch):
        single = tape.run({v: x[i] for i, v in enumerate(xs)}, constants={"L": y, "p": k})
        for v, xi in zip(xs, x):  # the engine on the graph built with this sample's constants
            v.data = xi
        root = _graph(ws, xs, bias, y, k)
        for node in topological_order(root):
            node.grad = 0.0
        root.backward()
        scale = max(abs(n.data) + abs(n.grad) for n in topological_order(root))
        assert _close(single.output, root.data, scale)
        assert _close(float(replay.output[j]), root.data, scale)
        for leaf in leaves:
            assert _close(single.grads[leaf], leaf.grad, scale), (leaf, single.grads[leaf], leaf.grad)
            if reduce is None:
                assert _close(float(replay.grads[leaf][j]), leaf.grad, scale)
            sums[leaf] += leaf.grad
    if reduce == "sum":
        for leaf in leaves:
            assert _close(replay.grads[leaf], sums[leaf], 10.0 * len(batch))
    # constants not given keep their traced values, after a replay that gave them
    for v in xs:
        v.data = 0.5
    again = tape.run()
    assert again.output == Tape(_graph(ws, xs, bias, 0.5, 1.5)).run().output


def test_one_label_per_sample_makes_a_single_replay_over_both_labels() -> None:
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(4, 7)), (rng.random(7) > 0.5).astype(float)
    ws, xs, b = [Value(0.1 * i) for i in range(4)], [Value(0.0) for _ in range(4)], Value(0.2)
    loss = (dot(ws, xs) + b).logistic_loss(0.0)
    replay = Tape(loss, wrt=[*ws, b]).run({x: X[i] for i, x in enumerate(xs)}, constants={loss: y})
    z = X.T @ [0.1 * i for i in range(4)] + 0.2
    expected = y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)
    assert np.allclose(replay.output, expected, rtol=1e-13, atol=0.0)
    dz = 1 / (1 + np.exp(-z)) - y
    assert math.isclose(replay.grads[b], math.fsum(dz), rel_tol=1e-12, abs_tol=1e-15)


def test_bad_constants_say_what_came_and_what_was_expected() -> None:
    a, c = Value(0.3, "a"), Value(0.0, "c")
    loss = (a * 2.0).logistic_loss(1.0)
    s = dot([a], [2.0])
    tape = Tape(loss + s + c)
    with pytest.raises(ValueError, match="is a leaf; give its value in values"):
        tape.run(constants={c: 1.0})
    with pytest.raises(ValueError, match="whose constant is one number"):
        tape.run(constants={s: 1.0})  # dot's constant is a vector x
    with pytest.raises(ValueError, match="whose constant is one number"):
        tape.run(constants={Value(1.0) * 2: 1.0})
    with pytest.raises(ValueError, match="no node with a constant has the label 'L'"):
        tape.run(constants={"L": 1.0})
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        tape.run(constants={loss: [0.0, 2.0]})
    with pytest.raises(ValueError, match="must be finite"):
        tape.run(constants={loss: math.nan})
    with pytest.raises(ValueError, match="samples"):
        tape.run({a: [1.0, 2.0, 3.0]}, constants={loss: [0.0, 1.0]})
    with pytest.raises(TypeError, match="real number or a 1-D array"):
        tape.run(constants={loss: "1"})
    with pytest.raises(TypeError, match="keys must be nodes"):
        tape.run(constants={3: 1.0})
    with pytest.raises(TypeError, match="constants must be a mapping"):
        tape.run(constants=[1.0])  # type: ignore[arg-type]


def test_a_failing_sample_is_replayed_with_its_own_constant() -> None:
    a = Value(1.0, "a")
    p = a**1.0
    tape = Tape(p)
    assert tape.run({a: [1.0, 0.0]}, constants={p: [1.0, 1.0]}).output.tolist() == [1.0, 0.0]
    with pytest.raises(ZeroDivisionError, match=r"0 \*\* -1.0"):  # the engine's error, with sample 1's k
        tape.run({a: [1.0, 0.0]}, constants={p: [1.0, -1.0]})
    with pytest.raises(ZeroDivisionError, match=r"0 \*\* -1.0"):  # one sample, by the generated code
        tape.run({a: 0.0}, constants={p: -1.0})
