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
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_lr import engine, vectorized
from micrograd_lr.engine import Value
from micrograd_lr.logistic import LogisticRegression
from micrograd_lr.tape import Tape, fit_mlp

from . import harness
from .graphs import MLPGraph, load_micrograd, mlp_forward, mlp_leaves, mlp_shape
from .harness import Config, Table, Target, ratio, seconds, times

GROUP = "tape"

TARGETS = {
    "vs micrograd": Target.at_least(75.0, about="micrograd building+backward / tape replay, per step"),
    "vs ours": Target.at_least(8.0, about="our engine building+backward / tape replay, per step"),
    "break-even": Target.at_most(30.0, unit=" steps", about="trace+compile / (engine step − tape step)"),
    "batch": Target.at_most(0.1, text="≤ 1/10", about="B = 64 in one replay / 64 single replays"),
    "logistic": Target.at_most(1.5, about="tape / vectorized, one gradient-descent iteration at cat size"),
    "moons": Target.at_most(1.0, unit=" s", about="micrograd's two-moons demo, 100 steps, through fit_mlp"),
}


def _engine_step(value: object, width: int, depth: int) -> float:
    g = mlp_leaves(value, width, depth)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    mlp_forward(g).backward()
    return time.perf_counter() - t0


def wide_leaves(value: Any, inputs: int, width: int, depth: int, seed: int = 1) -> MLPGraph:
    """The wide MLP of the targets: ``inputs`` inputs, ``depth`` layers of ``width`` units (seeded)."""
    rng = random.Random(seed)
    fan = [inputs] + [width] * (depth - 1)
    return MLPGraph(
        inputs=[value(rng.uniform(-1.0, 1.0)) for _ in range(inputs)],
        weights=[
            [[value(rng.uniform(-1.0, 1.0) * math.sqrt(6.0 / k)) for _ in range(k)] for _ in range(width)] for k in fan
        ],
        biases=[[value(rng.uniform(-0.1, 0.1)) for _ in range(width)] for _ in fan],
    )


def _wide_step(value: object, inputs: int, width: int, depth: int) -> float:
    g = wide_leaves(value, inputs, width, depth)
    t0 = time.perf_counter()
    mlp_forward(g).backward()
    return time.perf_counter() - t0


def _micrograd(fn: Callable[[], float]) -> float:
    with harness.recursion_limit(10_000_000):  # micrograd's topological sort is recursive
        result: float = harness.in_big_stack_thread(fn)
    return result


def _three(
    t: Table, name: str, g: MLPGraph, ours: Callable[[], float], theirs: Callable[[], float] | None, config: Config
) -> Tape:
    """Rows for one graph: the tape's step against our engine's and micrograd's, and the break-even."""
    sizes, repeat = config.sizes, config.repeat
    t0 = time.perf_counter()
    tape = Tape(mlp_forward(g))
    trace = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not tape.wide:
        tape.compile()
    tape.run()  # the first grouped replay plans its array calls: part of the set-up
    compiled = time.perf_counter() - t0
    params = [w for layer in g.weights for row in layer for w in row][:64]
    leaves = [p.data for p in params]
    rng = np.random.default_rng(0)

    def step() -> None:  # new parameter values, forward plus backward
        tape.run({leaf: x * (1.0 + 1e-3 * rng.standard_normal()) for leaf, x in zip(params, leaves)})

    replay = harness.best(step, repeat)
    mine = min(ours() for _ in range(repeat))
    t.add(f"{name}: tape replay per step", seconds(replay), f"{tape.size:,} nodes")
    t.add(f"{name}: our engine per step (build + backward)", seconds(mine))
    t.add(
        f"{name}: ratio ours / tape",
        "",
        times(ratio(mine, replay)),
        ratio=ratio(mine, replay),
        target=TARGETS["vs ours"],
        judged=sizes.judged,
    )
    if theirs is not None:
        other = _micrograd(theirs)
        t.add(f"{name}: micrograd per step (default GC)", seconds(other))
        t.add(
            f"{name}: ratio micrograd / tape",
            "",
            times(ratio(other, replay)),
            ratio=ratio(other, replay),
            target=TARGETS["vs micrograd"],
            judged=sizes.judged,
        )
    even = (trace + compiled) / max(mine - replay, 1e-12)
    t.add(
        f"{name}: trace + plan",
        seconds(trace + compiled),
        f"{even:.1f} steps to break even",
        ratio=even,
        target=TARGETS["break-even"],
        judged=sizes.judged,
    )
    t.add(
        f"{name}: levels, groups (fused), one sample by",
        f"{tape.levels:,}",
        f"{len(tape.groups):,}, " + ("array calls" if tape.wide else "generated code"),
    )
    t.add(f"{name}: tape arrays per node", f"{tape.nbytes / tape.size:.0f} B")
    return tape


def two_moons(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with noise 0.1 (like scikit-learn's make_moons), labels ±1."""
    rng = np.random.default_rng(seed)
    half = samples // 2
    a = np.linspace(0.0, math.pi, samples - half)
    b = np.linspace(0.0, math.pi, half)
    X = np.vstack([np.c_[np.cos(a), np.sin(a)], np.c_[1.0 - np.cos(b), 0.5 - np.sin(b)]]) + rng.normal(
        0.0, 0.1, (samples, 2)
    )
    y = np.r_[np.ones(samples - half), -np.ones(half)]
    return X, y


def _moons_steps(value: Any, mlp: Any, X: np.ndarray, y: np.ndarray, steps: int, total: int) -> float:
    """micrograd's demo loop (max-margin loss, L2 1e-4, SGD 1.0 − 0.9k/total) for ``steps`` steps."""
    return _moons(value, mlp, X, y, steps, total)[0]


def _moons(value: Any, mlp: Any, X: np.ndarray, y: np.ndarray, steps: int, total: int) -> tuple[float, float]:
    """The demo loop: its time, and the accuracy before its last step."""
    params = mlp.parameters()
    accuracy = math.nan
    t0 = time.perf_counter()
    for k in range(steps):
        scores = [mlp([value(a), value(b)]) for a, b in X.tolist()]
        scores = [s[0] if isinstance(s, list) else s for s in scores]
        accuracy = float(np.mean([(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]))
        losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
        cost = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        cost.backward()
        rate = 1.0 - 0.9 * k / total
        for p in params:
            p.data -= rate * p.grad
    return time.perf_counter() - t0, accuracy


def moons_table(config: Config) -> Table:
    """micrograd's two-moons demo: 100 samples, MLP(2, [16, 16, 1]), 100 steps, three engines."""
    from micrograd_lr import nn

    sizes = config.sizes
    samples, total = (100, 100) if sizes.judged else (20, 5)
    probe = 3 if sizes.judged else 1
    X, y = two_moons(samples)
    t = Table(
        f"Table 4b. micrograd's two-moons demo: {samples} samples, MLP(2, [16, 16, 1]), {total} SGD steps",
        ["time", "ratio"],
    )
    model = nn.MLP(2, [16, 16, 1], seed=0)
    t0 = time.perf_counter()
    run = fit_mlp(model, X, y, total, lambda k: 1.0 - 0.9 * k / total, alpha=1e-4)
    mine = time.perf_counter() - t0
    t.add(
        f"tape: fit_mlp, {total} steps (trace included)",
        seconds(mine),
        f"accuracy {run.accuracies[0]:.0%} → {run.accuracies[-1]:.0%}",
    )
    ours, accuracy = _moons(Value, nn.MLP(2, [16, 16, 1], seed=0), X, y, total, total)
    t.add(f"our engine, the same {total} steps", seconds(ours), f"accuracy → {accuracy:.0%}")
    t.add("ratio ours / tape", "", times(ratio(ours, mine)))
    micrograd = load_micrograd()
    if micrograd is not None:
        from micrograd.nn import MLP as MicrogradMLP

        random.seed(0)
        theirs = _micrograd(
            lambda: _moons_steps(micrograd, MicrogradMLP(2, [16, 16, 1]), X, y, probe, total) * total / probe
        )
        t.add(f"micrograd, {probe} steps scaled to {total}", seconds(theirs))
        t.add("ratio micrograd / tape", "", times(ratio(theirs, mine)))
    t.add(
        "tape under 1 s",
        seconds(mine),
        "",
        ratio=mine,
        target=TARGETS["moons"],
        judged=sizes.judged,
    )
    t.notes.append(
        f"micrograd runs {probe} steps of the same loop (its own initialisation), scaled linearly to {total} "
        "(each step builds and backpropagates the same graph, so steps cost alike). Our engine and the tape "
        "run all steps from the same initial parameters; the tape takes the engine's steps "
        "(tests/test_tape_train.py), so their accuracies agree."
    )
    return t


def tables(config: Config) -> list[Table]:
    sizes, repeat = config.sizes, config.repeat
    width = sizes.width
    depth = mlp_shape(sizes.main_nodes, width)
    micrograd = load_micrograd()
    t = Table(
        f"Table 4. The tape against building the graph: MLP-like graph ({depth} layers of width {width}), wide MLP",
        ["time", "ratio"],
    )
    g = mlp_leaves(engine.Value, width, depth)
    tape = _three(
        t,
        "MLP-like",
        g,
        lambda: _engine_step(engine.Value, width, depth),
        None if micrograd is None else lambda: _engine_step(micrograd, width, depth),
        config,
    )
    wide_in, wide_depth = (64, 50) if sizes.judged else (8, 4)
    wg = wide_leaves(engine.Value, wide_in, width, wide_depth)
    _three(
        t,
        f"wide MLP {wide_in}→{width}×{wide_depth}",
        wg,
        lambda: _wide_step(engine.Value, wide_in, width, wide_depth),
        None if micrograd is None else lambda: _wide_step(micrograd, wide_in, width, wide_depth),
        config,
    )
    del wg

    batch = 64
    rng = np.random.default_rng(1)
    samples = {x: x.data + 0.1 * rng.standard_normal(batch) for x in g.inputs}
    one = harness.best(lambda: [tape.run({x: float(v[j]) for x, v in samples.items()}) for j in range(2)], repeat) / 2
    tape.run(samples)  # plan once
    many = harness.best(lambda: tape.run(samples), repeat)
    share = ratio(many, batch * one)
    t.add(
        f"batch of {batch} inputs in one replay / {batch} single replays",
        seconds(many),
        f"{share:.3f}",
        ratio=share,
        target=TARGETS["batch"],
        judged=sizes.judged,
    )

    data = harness.cat_data(sizes.n, sizes.m)
    iterations = max(2, sizes.vec_iterations)
    w0 = np.zeros((sizes.n, 1))

    def fit(k: int) -> Callable[[], object]:
        return lambda: LogisticRegression(sizes.n).fit(data.X, data.Y, k, 0.005, engine="tape")

    set_up = vec = on_tape = math.inf
    for _ in range(repeat):  # interleaved, best of each: the machine is shared
        set_up = min(set_up, harness.best(fit(0), 1))
        on_tape = min(on_tape, harness.best(fit(iterations), 1))
        vec = min(vec, harness.best(lambda: vectorized.optimize(w0, 0.0, data.X, data.Y, iterations, 0.005), 1))
    per_tape, per_vec = max(on_tape - set_up, 0.0) / iterations, vec / iterations
    t.add(
        f"logistic regression n={sizes.n}, m={sizes.m}: tape per iteration",
        seconds(per_tape),
        f"after a set-up of {seconds(set_up)}",
    )
    t.add("vectorized.optimize per iteration", seconds(per_vec))
    t.add(
        "ratio tape / vectorized",
        "",
        times(ratio(per_tape, per_vec)),
        ratio=ratio(per_tape, per_vec),
        target=TARGETS["logistic"],
        judged=sizes.judged,
    )
    t.add(
        f"  the text's 2000 iterations by the tape (estimated from {iterations})",
        seconds(set_up + 2000 * per_tape),
    )

    depth_chain = sizes.our_chain
    x = engine.Value(0.5)
    v = x
    for _ in range(depth_chain):
        v = v + 0.001
    t0 = time.perf_counter()
    chain = Tape(v)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = chain.run({x: 0.25})
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = chain.run({x: 0.25})
    ran = time.perf_counter() - t0
    ok = r.grads[x] == 1.0 and math.isclose(r.output, 0.25 + 0.001 * depth_chain, rel_tol=1e-9)
    t.add(
        f"{depth_chain:,}-deep chain: trace, first replay (plans), replay",
        seconds(built),
        f"{seconds(first)}, {seconds(ran)}{'' if ok else ' WRONG'}; {len(chain.groups)} group(s)",
    )
    t.notes.append("Measured in this process, best of --repeat runs; micrograd once (it takes seconds).")
    return [t, moons_table(config)]


def main(argv: Sequence[str] | None = None) -> int:
    return harness.main(["benchmarks.tape_replay"], argv)


if __name__ == "__main__":
    sys.exit(main())
