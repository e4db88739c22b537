"""Table 4: the tape (micrograd_lr.tape) replaying a traced graph, against building it with the engine.

Per training step on the MLP-like graph of table 1a (new parameter values, forward plus backward):
the tape's replay against our engine building and backpropagating the graph (and micrograd, when
installed); what trace plus compile costs and after how many steps it has paid for itself; a batch
of 64 samples against 64 single replays; logistic regression at cat size against
``vectorized.optimize``; the tape's levels, groups and bytes per node.  Measured in this process.

Run alone: ``python -m benchmarks.tape_replay [--quick] [--repeat N]``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence

import numpy as np

from micrograd_lr import engine, vectorized
from micrograd_lr.logistic import LogisticRegression
from micrograd_lr.tape import Tape

from . import harness
from .graphs import load_micrograd, mlp_forward, mlp_leaves, mlp_shape
from .harness import Config, Table, Target, ratio, seconds, times

GROUP = "tape"

TARGETS = {
    "vs micrograd": Target.at_least(75.0, about="micrograd building+backward / tape replay, per step"),
    "vs ours": Target.at_least(8.0, about="our engine building+backward / tape replay, per step"),
    "break-even": Target.at_most(30.0, unit=" steps", about="trace+compile / (engine step − tape step)"),
    "batch": Target.at_most(0.1, text="≤ 1/10", about="B = 64 in one replay / 64 single replays"),
    "logistic": Target.at_most(1.5, about="tape / vectorized, one gradient-descent iteration at cat size"),
}


def _engine_step(value: object, width: int, depth: int) -> float:
    g = mlp_leaves(value, width, depth)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    mlp_forward(g).backward()
    return time.perf_counter() - t0


def tables(config: Config) -> list[Table]:
    sizes, repeat = config.sizes, config.repeat
    width = sizes.width
    depth = mlp_shape(sizes.main_nodes, width)
    g = mlp_leaves(engine.Value, width, depth)
    t0 = time.perf_counter()
    tape = Tape(mlp_forward(g))
    trace = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not tape.wide:
        tape.compile()
    compiled = time.perf_counter() - t0
    leaves = [leaf.data for leaf in tape.leaves]
    rng = np.random.default_rng(0)

    def step() -> None:  # new parameter values, forward plus backward
        tape.run({leaf: x * (1.0 + 1e-3 * rng.standard_normal()) for leaf, x in zip(tape.leaves[:64], leaves)})

    replay = harness.best(step, repeat)
    ours = min(_engine_step(engine.Value, width, depth) for _ in range(repeat))
    t = Table(
        f"Table 4. The tape, MLP-like graph of {tape.size:,} nodes ({depth} layers of width {width})",
        ["time", "ratio"],
    )
    t.add("tape replay per step", seconds(replay))
    t.add("our engine per step (build + backward)", seconds(ours))
    t.add(
        "ratio ours / tape",
        "",
        times(ratio(ours, replay)),
        ratio=ratio(ours, replay),
        target=TARGETS["vs ours"],
        judged=sizes.judged,
    )
    micrograd = load_micrograd()
    if micrograd is not None:
        with harness.recursion_limit(10_000_000):  # micrograd's topological sort is recursive
            theirs = harness.in_big_stack_thread(lambda: _engine_step(micrograd, width, depth))
        t.add("micrograd per step (default GC)", seconds(theirs))
        t.add(
            "ratio micrograd / tape",
            "",
            times(ratio(theirs, replay)),
            ratio=ratio(theirs, replay),
            target=TARGETS["vs micrograd"],
            judged=sizes.judged,
        )
    even = (trace + compiled) / max(ours - replay, 1e-12)
    t.add(
        "trace + compile",
        seconds(trace + compiled),
        f"{even:.1f} steps to break even",
        ratio=even,
        target=TARGETS["break-even"],
        judged=sizes.judged,
    )

    batch = 64
    matrix = np.repeat(np.array(leaves)[:, None], batch, axis=1)
    one = harness.best(lambda: tape.run(), repeat)
    many = harness.best(lambda: tape.sweep_batch(matrix), repeat)
    share = ratio(many, batch * one)
    t.add(
        f"batch of {batch} in one replay / {batch} single replays",
        seconds(many),
        f"{share:.3f}",
        ratio=share,
        target=TARGETS["batch"],
        judged=sizes.judged,
    )
    t.add(
        "levels, groups, one sample by",
        f"{tape.levels:,}",
        f"{len(tape.groups):,}, " + ("array calls" if tape.wide else "generated code"),
    )
    t.add("tape arrays per node", f"{tape.nbytes / tape.size:.0f} B")

    data = harness.cat_data(sizes.n, sizes.m)
    iterations = max(2, sizes.vec_iterations // 10)
    model = LogisticRegression(sizes.n)
    w0 = np.zeros((sizes.n, 1))
    on_tape = harness.best(lambda: model.fit(data.X, data.Y, iterations, 0.005, engine="tape"), 1) / iterations
    vec = harness.best(lambda: vectorized.optimize(w0, 0.0, data.X, data.Y, iterations, 0.005), repeat) / iterations
    t.add(f"logistic regression n={sizes.n}, m={sizes.m}: tape per iteration", seconds(on_tape))
    t.add("vectorized.optimize per iteration", seconds(vec))
    t.add(
        "ratio tape / vectorized",
        "",
        times(ratio(on_tape, vec)),
        ratio=ratio(on_tape, vec),
        target=TARGETS["logistic"],
        judged=sizes.judged,
    )

    depth_chain = sizes.our_chain
    x = engine.Value(0.5)
    v = x
    for _ in range(depth_chain):
        v = v + 0.001
    t0 = time.perf_counter()
    chain = Tape(v)
    chain.compile()
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = chain.run({x: 0.25})
    ran = time.perf_counter() - t0
    ok = r.grads[x] == 1.0 and math.isclose(r.output, 0.25 + 0.001 * depth_chain, rel_tol=1e-9)
    t.add(
        f"{depth_chain:,}-deep chain: trace+compile, replay", seconds(built), f"{seconds(ran)}{'' if ok else ' WRONG'}"
    )
    t.notes.append("Measured in this process, best of --repeat runs; micrograd once (it takes seconds).")
    return [t]


def main(argv: Sequence[str] | None = None) -> int:
    return harness.main(["benchmarks.tape_replay"], argv)


if __name__ == "__main__":
    sys.exit(main())
