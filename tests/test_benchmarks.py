"""Smoke tests of the benchmarks at tiny sizes: the tables have their rows, finite ratios and targets.

Never a timing threshold: these machines are noisy, and timings are the benchmarks' business.
The quick run measures in this process (``fresh=False``) to stay fast; one test crosses into a
fresh interpreter, as the real runs do.
"""

from __future__ import annotations

import gc
import importlib
import io
import math
import sys
from typing import Any

import numpy as np
import pytest

from benchmarks import GROUPS, engine_vs_micrograd, graphs, harness, logistic_value_graph, vectorized_floor
from benchmarks.harness import NOT_MEASURED, Row, Sizes, Table
from micrograd_lr import engine

micrograd = graphs.load_micrograd()
needs_micrograd = pytest.mark.skipif(micrograd is None, reason=f"micrograd not installed ({harness.INSTALL_HINT})")


def _no_settling(mp: pytest.MonkeyPatch) -> None:
    """The benchmarks call gc.collect() before every timed run, untimed, to settle the heap: in a test
    process full of modules each call takes tens of milliseconds, and a smoke test needs no settling."""
    mp.setattr(gc, "collect", lambda generation=2: 0)


@pytest.fixture(scope="module")
def quick_run() -> tuple[dict[str, Table], str]:
    out = io.StringIO()
    config = harness.Config(sizes=Sizes.quick(), repeat=1, fresh=False, command="pytest")
    with pytest.MonkeyPatch.context() as mp:
        _no_settling(mp)
        tables = harness.run([importlib.import_module(name) for name in GROUPS], config, out=out)
    return {t.title.split(".")[0]: t for t in tables}, out.getvalue()


@pytest.fixture(scope="module")
def quick_tables(quick_run: tuple[dict[str, Table], str]) -> dict[str, Table]:
    return quick_run[0]


def _finite(row: Row) -> float:
    assert row.ratio is not None, f"row {row.label!r} has no ratio"
    assert math.isfinite(row.ratio) and row.ratio > 0, f"row {row.label!r}: ratio {row.ratio}"
    return row.ratio


def test_quick_run_prints_every_table_with_ratios_and_unmeasured_targets(
    quick_run: tuple[dict[str, Table], str],
) -> None:
    tables, printed = quick_run
    engine_tables = {"Table 1a", "Table 1a′", "Table 1b", "Table 1c", "Table 1d"} if micrograd else set()
    expected = {"Table 2", "Table 3"} | engine_tables
    assert expected <= set(tables)
    for t in tables.values():
        assert t.render() in printed
    for name in expected - {"Table 1a′"}:
        t = tables[name]
        assert any(r.ratio is not None for r in t.rows), name
        targeted = [r for r in t.rows if r.target]
        assert targeted, f"{name} shows no target"
        for r in targeted:  # --quick measures none of the targets' sizes: none is judged
            assert r.met is None and r.verdict == NOT_MEASURED, (name, r.label)
    assert "NO" not in [r.verdict for t in tables.values() for r in t.rows]
    assert printed.count(NOT_MEASURED) == sum(r.verdict == NOT_MEASURED for t in tables.values() for r in t.rows)


@needs_micrograd
def test_engine_tables_have_rows_and_finite_ratios(quick_tables: dict[str, Table]) -> None:
    t = quick_tables["Table 1a"]
    for mode, what in engine_vs_micrograd.GC_MODES:
        t.row(f"ours, {what}")
        t.row(f"micrograd, {what}")
        row = t.row(f"ratio, {what}")
        _finite(row)
        assert row.target == engine_vs_micrograd.TARGETS[f"1a {mode}"].text
    _finite(t.row("gain of gc_paused() over ours default"))
    for what in ("GC at default settings", "GC paused"):
        t.row(f"bare node (the floor), {what}")
        _finite(t.row(f"ratio micrograd/bare node, {what}"))
        _finite(t.row(f"ours / bare node, {what}"))
    assert [r.label for r in quick_tables["Table 1a′"].rows] == ["ours", "bare", "micrograd"]
    t = quick_tables["Table 1b"]
    assert sum(r.label.startswith("~") for r in t.rows) == len(Sizes.quick().scaling_nodes)
    for r in t.rows:
        _finite(r)
    judged = [r for r in t.rows if r.target]
    assert [r.label.rsplit(", ", 1)[1] for r in judged] == ["GC at default settings", "GC paused"]
    t.row(f"bare node per node {Sizes.quick().scaling_nodes[-1]:.0e} / 1e+03, GC at default settings")
    ratio = _finite(quick_tables["Table 1c"].row("ratio ours/micrograd, tracemalloc"))
    assert ratio < 1.0  # a property of layout, not of timing: slotted nodes are smaller than micrograd's
    t = quick_tables["Table 1d"]
    assert t.rows[0].cells[1].startswith("backpropagates")  # our chain, with the right gradients
    assert t.rows[0].ratio == Sizes.quick().our_chain
    deepest = _finite(t.rows[1])
    assert 100 < deepest < sys.getrecursionlimit()


def test_targets_are_the_issues() -> None:
    """The goals as data: judged on the ratio the row shows, at the bounds the project set."""
    t = engine_vs_micrograd.TARGETS
    assert (t["1a default"].holds(4.0), t["1a default"].holds(3.99)) == (True, False)
    assert (t["1a paused"].holds(1.0), t["1a paused"].holds(0.99)) == (True, False)
    assert (t["1c memory"].holds(1 / 3), t["1c memory"].holds(0.34)) == (True, False)
    assert (t["1b growth"].holds(1.5), t["1b growth"].holds(1.51)) == (True, False)
    assert t["1d chain"].holds(1e6) and not t["1d chain"].holds(0.0)
    v = vectorized_floor.TARGETS
    assert v["2 floor"].holds(1.15) and not v["2 floor"].holds(1.16)
    assert v["2 float32"].holds(1.5) and not v["2 float32"].holds(1.49)
    assert v["2 predictions"].holds(1.0) and not v["2 predictions"].holds(208 / 209)
    fit = logistic_value_graph.TARGETS["3 fused fit"]
    assert fit.holds(0.5) and not fit.holds(0.51)


def _seconds_bounds(cell: str) -> tuple[float, float]:
    """The interval of durations that ``harness.seconds`` prints as ``cell`` (it rounds to the digits shown)."""
    number, unit = cell.split()
    scale = {"s": 1.0, "ms": 1e-3, "µs": 1e-6}[unit]
    half = 0.5 * 10.0 ** -len(number.partition(".")[2])
    return (float(number) - half) * scale, (float(number) + half) * scale


def _x_value(cell: str) -> float:
    assert cell.endswith("×"), cell
    return float(cell[:-1])


def test_vectorized_table(quick_tables: dict[str, Table]) -> None:
    t = quick_tables["Table 2"]
    rounds = max(1, Sizes.quick().vec_paired_rounds)  # the fixture runs with repeat = 1
    assert f"best of {rounds} paired rounds" in t.title
    for label in ("float64/float32, optimize", "float64/float32, floor", "predictions float32 = float64"):
        _finite(t.row(label))
    timed = [r for r in t.rows if r.label.startswith(("float64 (", "float32 (", "float64, 1", "float32, 1"))]
    assert sum(r.label.startswith(("float64 (", "float32 (")) for r in timed) == 2
    for r in timed:
        ratio = _finite(r)
        assert r.cells[2] == harness.times(ratio)
        # the ratio is the one of the two times the row shows, up to their rounding
        o_lo, o_hi = _seconds_bounds(r.cells[0])
        f_lo, f_hi = _seconds_bounds(r.cells[1])
        assert o_lo / f_hi <= ratio <= o_hi / f_lo, (r.label, r.cells, ratio)
        assert _x_value(r.cells[3]) > 0  # median of the per-round ratios
        assert bool(r.target) == r.label.startswith("float64")
    speedup = t.row("float64/float32, optimize")
    f64, f32 = t.row("float64 (w: float64)"), t.row("float32 (w: float32)")
    o64, o32 = _seconds_bounds(f64.cells[0]), _seconds_bounds(f32.cells[0])
    assert speedup.ratio is not None and o64[0] / o32[1] <= speedup.ratio <= o64[1] / o32[0]
    chosen = [note for note in t.notes if "chosen by the screening" in note]
    assert len(chosen) == len(timed)
    pairs = vectorized_floor._pairs(dict.fromkeys(("wᵀX", "(Xᵀw)ᵀ", "X dZᵀ", "(dZ Xᵀ)ᵀ"), lambda: None))
    for note in chosen:
        assert any(f"floor = pair {key}, chosen" in note for key in pairs), note


def test_vectorized_measurement_pairs_floor_and_optimize(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_settling(monkeypatch)
    data = harness.cat_data(64, 12)
    res = vectorized_floor._measure_vectorized(data, np.float64, iters=3, rounds=4, screen_rounds=1)
    # the same number of samples for both: neither best-of is a minimum over more draws
    assert len(res.floor_samples) == len(res.optimize_samples) == 4
    assert all(s > 0 and math.isfinite(s) for s in res.floor_samples + res.optimize_samples)
    assert res.floor == min(res.floor_samples) and res.per_iter == min(res.optimize_samples)
    assert res.ratio == res.per_iter / res.floor
    ratios = [o / f for o, f in zip(res.optimize_samples, res.floor_samples)]
    assert res.round_ratios == pytest.approx(ratios)
    assert res.median_ratio == pytest.approx(float(np.median(ratios)))
    single = vectorized_floor._product_layouts(data.X, np.zeros((64, 1)), np.zeros((1, 12)))
    pairs = vectorized_floor._pairs(single)
    assert res.pair in pairs
    assert set(res.screening) == set(single) | set(pairs)
    assert res.screening[res.pair] == min(res.screening[k] for k in pairs)
    assert res.dtype == "float64" and res.predictions.shape == (12,)
    assert set(np.unique(res.predictions)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="rounds"):
        vectorized_floor._measure_vectorized(data, np.float64, iters=3, rounds=0)


def test_vectorized_call_overhead_is_solved_from_the_two_calls() -> None:
    overhead, step, iters = 7e-4, 1e-4, 10  # a call of k iterations takes overhead + k·step (k = 0: one step)
    res = vectorized_floor.VecResult(
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
    """table_2 with a made-up measurement at the full sizes: every number it shows comes from it, and so does met?."""
    seen: list[tuple[str, int]] = []

    def fake(
        data: harness.CatData, dtype: Any, iters: int, rounds: int, screen_rounds: int
    ) -> vectorized_floor.VecResult:
        name = np.dtype(dtype).name
        seen.append((name, rounds))
        slow = name == "float64"
        floor = [2e-4 if slow else 1e-4] * rounds
        opt = [f * (1.2 if slow else 1.1) for f in floor]
        opt[0] = floor[0] * (1.1 if slow else 1.05)  # the best round of optimize
        return vectorized_floor.VecResult(
            "(Xᵀw)ᵀ + (dZ Xᵀ)ᵀ", {}, floor, opt, 2 * opt[0] * iters, iters, name, np.ones(data.X.shape[1])
        )

    monkeypatch.setattr(vectorized_floor, "_measure_vectorized", fake)
    monkeypatch.setattr(harness, "cat_data", lambda n, m: harness.CatData(np.zeros((n, 3)), np.zeros((1, 3)), "zeros"))
    monkeypatch.setattr(vectorized_floor, "cat_data", harness.cat_data)
    t = vectorized_floor.table_2(harness.Config(sizes=Sizes(), repeat=1))
    assert {r for _, r in seen} == {Sizes().vec_paired_rounds}
    row = t.row("float64 (w: float64)")
    assert row.ratio == pytest.approx(1.1) and row.cells[2] == "1.10×" and row.cells[3] == "1.20×"
    assert row.met is True and row.target == "≤ 1.15×" and row.verdict == "yes"
    assert t.row("float32 (w: float32)").ratio == pytest.approx(1.05)
    assert t.row("float64/float32, optimize").ratio == pytest.approx(2 * 1.1 / 1.05)
    assert t.row("float64/float32, optimize").met is True
    assert t.row("float64/float32, floor").ratio == pytest.approx(2.0)
    assert t.row("predictions float32 = float64").met is True


def test_logistic_table_times_the_library(quick_tables: dict[str, Table]) -> None:
    t = quick_tables["Table 3"]
    labels = [r.label for r in t.rows]
    assert labels[0].startswith("fit, fused") and labels[1].startswith("cost(X, Y).backward(), fused")
    assert labels[2].startswith("fit, literal") and labels[3].startswith("cost(X, Y).backward(), literal")
    assert "LogisticRegression" in t.title
    for r in t.rows:
        _finite(r)
    fused_nodes = int(t.rows[0].cells[1].replace(",", ""))
    literal_nodes = int(t.rows[2].cells[1].lstrip("~").replace(",", ""))
    assert literal_nodes > fused_nodes  # one node per product wⱼxⱼ, and the loss node by node


def test_logistic_table_calls_logistic_regression(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table 3 runs LogisticRegression.fit and .cost on both graphs, not a copy of them."""
    calls: list[tuple[str, bool, bool]] = []
    real_fit, real_cost = logistic_value_graph.LogisticRegression.fit, logistic_value_graph.LogisticRegression.cost

    def fit(self: Any, *args: Any, stable: bool, literal: bool, **kw: Any) -> Any:
        calls.append(("fit", stable, literal))
        return real_fit(self, *args, stable=stable, literal=literal, **kw)

    def cost(self: Any, *args: Any, stable: bool, literal: bool) -> Any:
        calls.append(("cost", stable, literal))
        return real_cost(self, *args, stable=stable, literal=literal)

    monkeypatch.setattr(logistic_value_graph.LogisticRegression, "fit", fit)
    monkeypatch.setattr(logistic_value_graph.LogisticRegression, "cost", cost)
    sizes = Sizes(n=8, m=4, logistic_iterations=1, literal_samples=2)
    logistic_value_graph.table_3(harness.Config(sizes=sizes, repeat=1))
    assert set(calls) == {(what, *graph) for what in ("fit", "cost") for graph in ((True, False), (False, True))}


def test_rendered_table_has_target_and_met_columns() -> None:
    t = Table("T", ["a", "b"])
    target = harness.Target.at_least(1.0)
    t.add("row one", "1", "2", ratio=2.0, target=target)
    t.add("row two", "3", ratio=0.5, target=target)
    t.add("row three", "4", ratio=0.5, target=target, judged=False)
    text = t.render()
    header = text.splitlines()[2]
    assert "target" in header and "met?" in header
    assert [r.verdict for r in t.rows] == ["yes", "NO", NOT_MEASURED]
    assert "yes" in text and "NO" in text and NOT_MEASURED in text
    with pytest.raises(ValueError, match="no ratio"):
        t.add("row four", target=target)


@needs_micrograd
def test_same_graph_for_both_libraries() -> None:
    assert micrograd is not None
    depth = graphs.mlp_shape(2_000, 6)
    ours = graphs.mlp_forward(graphs.mlp_leaves(engine.Value, 6, depth))
    theirs = graphs.mlp_forward(graphs.mlp_leaves(micrograd, 6, depth))
    assert graphs.count_nodes(ours) == graphs.count_nodes(theirs) == len(engine.topological_order(ours))
    assert ours.data == pytest.approx(theirs.data, rel=1e-12, abs=1e-12)


@needs_micrograd
def test_measuring_restores_interpreter_settings() -> None:
    limit, enabled = sys.getrecursionlimit(), gc.isenabled()
    for lib, mode in (("micrograd", "default"), ("micrograd", "paused"), ("ours", "context")):
        result = engine_vs_micrograd.measure_here(lib, "time", 4, 2, 1, mode)
        assert result["nodes"] > 0 and result["forward"] > 0 and result["backward"] > 0
        assert (sys.getrecursionlimit(), gc.isenabled()) == (limit, enabled)
    engine_vs_micrograd.micrograd_chain_probe("raised", [50])
    assert (sys.getrecursionlimit(), gc.isenabled()) == (limit, enabled)


@needs_micrograd
def test_fresh_interpreter_measures_the_graph() -> None:
    depth = graphs.mlp_shape(300, 4)
    run = engine_vs_micrograd.measure_mlp("micrograd", 4, depth, 1, "paused", fresh=True)
    assert run.nodes == graphs.count_nodes(graphs.mlp_forward(graphs.mlp_leaves(micrograd, 4, depth)))  # type: ignore[arg-type]
    assert run.total > 0 and sum(run.gc.count) == 0  # paused: the collector never ran


def test_fresh_interpreter_failure_is_reported() -> None:
    with pytest.raises(harness.FreshRunError, match="must be one of"):
        harness.call(engine_vs_micrograd.measure_here, lib="nothing", task="time", width=2, depth=1)


def test_big_stack_thread_hands_back_results_and_errors() -> None:
    assert harness.in_big_stack_thread(lambda: 42, stack_size=16 * 1024 * 1024) == 42

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        harness.in_big_stack_thread(fail, stack_size=16 * 1024 * 1024)


def test_without_micrograd_the_engine_table_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_vs_micrograd, "load_micrograd", lambda: None)
    sizes = Sizes.quick()
    sizes.our_chain = 500
    tables = engine_vs_micrograd.tables(harness.Config(sizes=sizes, repeat=1, fresh=False))
    text = "\n".join(t.render() for t in tables)
    assert harness.INSTALL_HINT in text
    assert tables[-1].rows[0].cells[1].startswith("backpropagates")  # our own deep chain still runs


def test_command_line_parses_and_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _no_settling(monkeypatch)
    monkeypatch.setattr(harness, "cat_data", lambda n, m: harness.CatData(np.eye(8, 4), np.ones((1, 4)), "eye"))
    monkeypatch.setattr(vectorized_floor, "cat_data", harness.cat_data)
    assert harness.main(GROUPS, ["--quick", "--repeat", "1", "--only", "vectorized"]) == 0
    printed = capsys.readouterr().out
    assert "Table 2" in printed and "Table 1a" not in printed and "Table 3" not in printed
    assert "numpy:" in printed and "gc:" in printed and "cpus:" in printed
    assert "python -m benchmarks --quick --repeat 1 --only vectorized" in printed
    with pytest.raises(SystemExit):
        harness.main(GROUPS, ["--only", "nothing"])
    with pytest.raises(SystemExit):
        harness.main(GROUPS, ["--repeat", "0"])
    capsys.readouterr()
    assert vectorized_floor.main(["--quick", "--repeat", "1"]) == 0
    printed = capsys.readouterr().out
    assert "python -m benchmarks.vectorized_floor --quick" in printed and "Table 2" in printed
