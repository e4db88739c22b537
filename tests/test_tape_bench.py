"""Smoke test of the tape's benchmark table at tiny sizes (a run, not a measurement)."""

from __future__ import annotations

from benchmarks import GROUPS, tape_replay
from benchmarks.harness import Config, Sizes


def test_the_tape_table_runs_at_tiny_sizes_and_judges_nothing() -> None:
    assert "benchmarks.tape_replay" in GROUPS
    sizes = Sizes.quick()
    sizes.our_chain = 500
    table, moons = tape_replay.tables(Config(sizes=sizes, repeat=1, fresh=False))
    text = table.render() + moons.render()
    assert "tape replay per step" in text and "levels, groups" in text and "fit_mlp" in text
    assert all(row.met is None for row in table.rows + moons.rows)
    assert "WRONG" not in text
