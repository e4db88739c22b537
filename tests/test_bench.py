"""Smoke tests of the benchmarks at tiny sizes: the tables have their rows and finite ratios.

Never a timing threshold: these machines are noisy, and timings are the benchmarks' business.
"""

from __future__ import annotations

import argparse
import gc
import io
import math
import sys
from typing import Any

import numpy as np
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
    for what in ("GC at default settings", "GC paused"):
        t.row(f"bare node (the floor), {what}")
        _finite(t.row(f"ratio micrograd/bare node, {what}"))
        _finite(t.row(f"ours / bare node, {what}"))
    assert [r.label for r in quick_tables["Table 1a′"].rows] == ["ours", "bare", "micrograd"]
    t = quick_tables["Table 1b"]
    assert sum(r.label.startswith("~") for r in t.rows) == len(bench.Sizes.quick().scaling_nodes)
    for r in t.rows:
        _finite(r)
    judged = [r for r in t.rows if r.target]
    assert [r.label.rsplit(", ", 1)[1] for r in judged] == ["GC at default settings", "GC paused"]
    assert all(r.met is not None for r in judged)
    t.row(f"bare node per node {bench.Sizes.quick().scaling_nodes[-1]:.0e} / 1e+03, GC at default settings")
    ratio = _finite(quick_tables["Table 1c"].row("ratio ours/micrograd, tracemalloc"))
    assert ratio < 1.0  # a property of layout, not of timing: slotted nodes are smaller than micrograd's
    t = quick_tables["Table 1d"]
    assert t.rows[0].met is True  # our chain backpropagates with the right gradients
    deepest = _finite(t.rows[1])
    assert 100 < deepest < sys.getrecursionlimit()


def _seconds_bounds(cell: str) -> tuple[float, float]:
    """The interval of durations that ``bench._s`` prints as ``cell`` (it rounds to the digits shown)."""
    number, unit = cell.split()
    scale = {"s": 1.0, "ms": 1e-3, "µs": 1e-6}[unit]
    half = 0.5 * 10.0 ** -len(number.partition(".")[2])
    return (float(number) - half) * scale, (float(number) + half) * scale


def _x_value(cell: str) -> float:
    assert cell.endswith("×"), cell
    return float(cell[:-1])


def test_vectorized_table(quick_tables: dict[str, bench.Table]) -> None:
    t = quick_tables["Table 2"]
    rounds = max(1, bench.VEC_PAIRED_ROUNDS)  # the fixture runs with repeat = 1
    assert f"best of {rounds} paired rounds" in t.title
    for label in ("float64/float32, optimize", "float64/float32, floor", "predictions float32 = float64"):
        _finite(t.row(label))
    timed = [r for r in t.rows if r.label.startswith(("float64 (", "float32 (", "float64, 1", "float32, 1"))]
    assert sum(r.label.startswith(("float64 (", "float32 (")) for r in timed) == 2
    for r in timed:
        ratio = _finite(r)
        assert r.cells[2] == bench._x(ratio)
        # the ratio is the one of the two times the row shows, up to their rounding
        o_lo, o_hi = _seconds_bounds(r.cells[0])
        f_lo, f_hi = _seconds_bounds(r.cells[1])
        assert o_lo / f_hi <= ratio <= o_hi / f_lo, (r.label, r.cells, ratio)
        assert _x_value(r.cells[3]) > 0  # median of the per-round ratios
        assert (r.met is None) == r.label.startswith("float32")
        if r.met is not None:
            assert r.met == (ratio <= 1.15)
    speedup = t.row("float64/float32, optimize")
    f64, f32 = t.row("float64 (w: float64)"), t.row("float32 (w: float32)")
    o64, o32 = _seconds_bounds(f64.cells[0]), _seconds_bounds(f32.cells[0])
    assert speedup.ratio is not None and o64[0] / o32[1] <= speedup.ratio <= o64[1] / o32[0]
    chosen = [note for note in t.notes if "chosen by the screening" in note]
    assert len(chosen) == len(timed)
    pairs = bench._pairs(dict.fromkeys(("wᵀX", "(Xᵀw)ᵀ", "X dZᵀ", "(dZ Xᵀ)ᵀ"), lambda: None))
    for note in chosen:
        assert any(f"floor = pair {key}, chosen" in note for key in pairs), note


def test_vectorized_measurement_pairs_floor_and_optimize() -> None:
    data = bench.cat_data(64, 12)
    res = bench._measure_vectorized(data, np.float64, iters=3, rounds=6, screen_rounds=2)
    # the same number of samples for both: neither best-of is a minimum over more draws
    assert len(res.floor_samples) == len(res.optimize_samples) == 6
    assert all(s > 0 and math.isfinite(s) for s in res.floor_samples + res.optimize_samples)
    assert res.floor == min(res.floor_samples) and res.per_iter == min(res.optimize_samples)
    assert res.ratio == res.per_iter / res.floor
    ratios = [o / f for o, f in zip(res.optimize_samples, res.floor_samples)]
    assert res.round_ratios == pytest.approx(ratios)
    assert res.median_ratio == pytest.approx(float(np.median(ratios)))
    single = bench._product_layouts(data.X, np.zeros((64, 1)), np.zeros((1, 12)))
    pairs = bench._pairs(single)
    assert res.pair in pairs
    assert set(res.screening) == set(single) | set(pairs)
    assert res.screening[res.pair] == min(res.screening[k] for k in pairs)
    assert res.dtype == "float64" and res.predictions.shape == (12,)
    assert set(np.unique(res.predictions)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="rounds"):
        bench._measure_vectorized(data, np.float64, iters=3, rounds=0)


def test_vectorized_call_overhead_is_solved_from_the_two_calls() -> None:
    overhead, step, iters = 7e-4, 1e-4, 10  # a call of k iterations takes overhead + k·step (k = 0: one step)
    res = bench.VecResult(
        pair="wᵀX + X dZᵀ",
        screening={},
        floor_samples=[9e-5, 8e-5],
        optimize_samples=[(overhead + iters * step) / iters] * 2,
        zero_call=overhead + step,
        iters=iters,
        dtype="float64",
        predictions=np.zeros(3),
    )
    assert res.call_overhead == pytest.approx(overhead)
    assert res.ratio == pytest.approx(res.per_iter / 8e-5)
    assert res.median_ratio == pytest.approx((res.per_iter / 9e-5 + res.per_iter / 8e-5) / 2)


def test_vectorized_table_reports_its_measurements(monkeypatch: pytest.MonkeyPatch) -> None:
    """table_2 with a made-up measurement: every number it shows comes from it, and so does met?."""
    seen: list[tuple[str, int]] = []

    def fake(data: bench.CatData, dtype: Any, iters: int, rounds: int) -> bench.VecResult:
        name = np.dtype(dtype).name
        seen.append((name, rounds))
        slow = name == "float64"
        floor = [2e-4 if slow else 1e-4] * rounds
        opt = [f * (1.2 if slow else 1.1) for f in floor]
        opt[0] = floor[0] * (1.1 if slow else 1.05)  # the best round of optimize
        return bench.VecResult(
            "(Xᵀw)ᵀ + (dZ Xᵀ)ᵀ", {}, floor, opt, 2 * opt[0] * iters, iters, name, np.ones(data.X.shape[1])
        )

    monkeypatch.setattr(bench, "_measure_vectorized", fake)
    t = bench.table_2(bench.Sizes.quick(), repeat=1)
    assert {r for _, r in seen} == {bench.VEC_PAIRED_ROUNDS}
    row = t.row("float64 (w: float64)")
    assert row.ratio == pytest.approx(1.1) and row.cells[2] == "1.10×" and row.cells[3] == "1.20×"
    assert row.met is True and row.target == "≤ 1.15×"
    assert t.row("float32 (w: float32)").ratio == pytest.approx(1.05)
    assert t.row("float64/float32, optimize").ratio == pytest.approx(2 * 1.1 / 1.05)
    assert t.row("float64/float32, floor").ratio == pytest.approx(2.0)
    assert t.row("predictions float32 = float64").met is True


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
