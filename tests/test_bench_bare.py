"""The bare node of the benchmarks' floor computes what the engine computes, on the benchmark's own graph."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import graphs as bench
from benchmarks.bare import BareValue
from micrograd_lr.engine import Value


@settings(max_examples=25)
@given(width=st.integers(1, 5), depth=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_bare_node_matches_the_engine_on_the_mlp_graph(width: int, depth: int, seed: int) -> None:
    ours, bare = bench.mlp_leaves(Value, width, depth, seed), bench.mlp_leaves(BareValue, width, depth, seed)
    out_ours, out_bare = bench.mlp_forward(ours), bench.mlp_forward(bare)
    assert out_bare.data == pytest.approx(out_ours.data, rel=1e-12, abs=1e-300)
    assert bench.count_nodes(out_bare) == bench.count_nodes(out_ours)
    for _ in range(2):  # leaves accumulate across calls, as in the engine
        out_ours.backward()
        out_bare.backward()
    leaves_ours = [*ours.inputs, *(w for layer in ours.weights for row in layer for w in row)]
    leaves_bare = [*bare.inputs, *(w for layer in bare.weights for row in layer for w in row)]
    for o, b in zip(leaves_ours, leaves_bare):
        assert b.grad == pytest.approx(o.grad, rel=1e-9, abs=1e-12)


def test_bare_node_chain_rule_on_each_operation() -> None:
    x, y = BareValue(3.0), BareValue(-2.0)
    out = (x * y + 1).relu() + x**2 + 2 * y  # relu(−5) = 0 cuts the first term
    out.backward()
    assert out.data == 9.0 - 4.0
    assert (x.grad, y.grad) == (6.0, 2.0)
    leaf = BareValue(1.5)
    leaf.backward()
    leaf.backward()
    assert leaf.grad == 2.0 and leaf.parents == ()
