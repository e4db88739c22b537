"""Smoke tests of the benchmarks at tiny sizes: the tables have their rows and finite ratios.

Never a timing threshold: these machines are noisy, and timings are the benchmarks' business.
"""

from __future__ import annotations

import argparse
import gc
import io
import math
import sys

import pytest

from micrograd_lr import bench, engine
from micrograd_lr.commands import bench as bench_command

micrograd = bench.load_micrograd()
needs_micrograd = pytest.mark.skipif(micrograd is None, reason=f"micrograd not installed ({bench.INSTALL_HINT})")


@pytest.fixture(scope="module")
def quick_tables() -> dict[str, bench.Table]:
    out = io.StringIO()
    config = bench.Config(sizes=bench.Sizes.quick(), repeat=1, command="pytest")
    tables = bench.run(config, out=out)
    printed = out.getvalue()
    for t in tables:
        assert t.title in printed
    return {t.title.split(".")[0]: t for t in tables}


def _finite(row: bench.Row) -> float:
    assert row.ratio is not None, f"row {row.label!r} has no ratio"
    assert math.isfinite(row.ratio) and row.ratio > 0, f"row {row.label!r}: ratio {row.ratio}"
    return row.ratio


@needs_micrograd
def test_engine_tables_have_rows_and_finite_ratios(quick_tables: dict[str, bench.Table]) -> None:
    t = quick_tables["Table 1a"]
    for what in ("GC at default settings", "GC paused for both"):
        t.row(f"ours, {what}")
        t.row(f"micrograd, {what}")
        row = t.row(f"ratio, {what}")
        _finite(row)
        assert row.target and row.met is not None
    if hasattr(engine, "gc_paused"):
        _finite(t.row("gain of gc_paused() over ours default"))
    assert [r.label for r in quick_tables["Table 1a′"].rows] == ["ours", "micrograd"]
    t = quick_tables["Table 1b"]
    assert sum(r.label.startswith("~") for r in t.rows) == len(bench.Sizes.quick().scaling_nodes)
    for r in t.rows:
        _finite(r)
    assert t.rows[-1].met is not None
    ratio = _finite(quick_tables["Table 1c"].row("ratio ours/micrograd, tracemalloc"))
    assert ratio < 1.0  # a property of layout, not of timing: slotted nodes are smaller than micrograd's
    t = quick_tables["Table 1d"]
    assert t.rows[0].met is True  # our chain backpropagates with the right gradients
    deepest = _finite(t.rows[1])
    assert 100 < deepest < sys.getrecursionlimit()


def test_vectorized_table(quick_tables: dict[str, bench.Table]) -> None:
    t = quick_tables["Table 2"]
    for label in ("float64/float32, optimize", "float64/float32, floor", "predictions float32 = float64"):
        _finite(t.row(label))
    assert sum(r.label.startswith(("float64 (", "float32 (")) for r in t.rows) == 2
    for r in t.rows:
        if r.label.startswith(("float64 (", "float32 (")):
            _finite(r)


def test_logistic_table(quick_tables: dict[str, bench.Table]) -> None:
    t = quick_tables["Table 3"]
    fused = _finite(t.rows[0])
    literal = _finite(t.rows[1])
    assert t.rows[0].label.startswith("fused") and t.rows[1].label.startswith("literal")
    assert fused > 0 and literal > 0


def test_rendered_table_has_target_and_met_columns() -> None:
    t = bench.Table("T", ["a", "b"])
    t.add("row one", "1", "2", ratio=2.0, target="≥ 1×", met=True)
    t.add("row two", "3", ratio=0.5, target="≥ 1×", met=False)
    text = t.render()
    header = text.splitlines()[2]
    assert "target" in header and "met?" in header
    assert "yes" in text and "NO" in text


@needs_micrograd
def test_same_graph_for_both_libraries() -> None:
    assert micrograd is not None
    depth = bench.mlp_shape(2_000, 6)
    ours = bench.mlp_forward(bench.mlp_leaves(engine.Value, 6, depth))
    theirs = bench.mlp_forward(bench.mlp_leaves(micrograd, 6, depth))
    assert bench.count_nodes(ours) == bench.count_nodes(theirs) == len(engine.topological_order(ours))
    assert ours.data == pytest.approx(theirs.data, rel=1e-12, abs=1e-12)


@needs_micrograd
def test_measuring_restores_interpreter_settings() -> None:
    assert micrograd is not None
    limit, enabled = sys.getrecursionlimit(), gc.isenabled()
    for mode in ("default", "paused"):
        result = bench.measure_here("micrograd", "time", 4, 2, 1, mode)
        assert result["nodes"] > 0 and result["forward"] > 0 and result["backward"] > 0
        assert (sys.getrecursionlimit(), gc.isenabled()) == (limit, enabled)
    if hasattr(engine, "gc_paused"):
        bench.measure_here("ours", "time", 4, 2, 1, "context")
        assert (sys.getrecursionlimit(), gc.isenabled()) == (limit, enabled)


@needs_micrograd
def test_isolated_measurement_matches_the_graph() -> None:
    depth = bench.mlp_shape(500, 4)
    for lib in ("ours", "micrograd"):
        run = bench.measure_mlp(lib, 4, depth, 1, "paused")
        assert run.nodes == bench.count_nodes(bench.mlp_forward(bench.mlp_leaves(bench.value_class(lib), 4, depth)))
        assert run.total > 0 and sum(run.gc.count) == 0  # paused: the collector never ran


def test_big_stack_thread_hands_back_results_and_errors() -> None:
    assert bench.in_big_stack_thread(lambda: 42, stack_size=16 * 1024 * 1024) == 42

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        bench.in_big_stack_thread(fail, stack_size=16 * 1024 * 1024)


def test_without_micrograd_the_engine_table_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "load_micrograd", lambda: None)
    sizes = bench.Sizes.quick()
    tables = bench.engine_tables(sizes, repeat=1)
    text = "\n".join(t.render() for t in tables)
    assert bench.INSTALL_HINT in text
    assert tables[-1].rows[0].met is True  # our own deep chain still runs


def test_bench_command_parses_and_runs(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="micrograd-lr")
    sub = parser.add_subparsers(dest="command", required=True)
    bench_command.register(sub)
    args = parser.parse_args(["bench", "--quick", "--repeat", "1", "--only", "vectorized"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "Table 2" in printed and "Table 1a" not in printed and "Table 3" not in printed
    assert "numpy:" in printed and "gc:" in printed and "cpus:" in printed
    with pytest.raises(SystemExit):
        parser.parse_args(["bench", "--only", "nothing"])
    bad = parser.parse_args(["bench", "--repeat", "0"])
    with pytest.raises(ValueError, match="--repeat"):
        bad.func(bad)
