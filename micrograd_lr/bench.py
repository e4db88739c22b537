"""Benchmarks: micrograd_lr against its peers, printed as ratios measured side by side in one run.

Run them with ``micrograd-lr bench`` (or ``make bench``, or the scripts in ``benchmarks/``):

1. the scalar engine against karpathy's micrograd on the same graphs, built by the same code with
   each library's own ``Value`` class: (a) time of a ~400k-node MLP-like graph with the cyclic
   garbage collector at its default settings and paused, (b) time per node from 10^4 to 10^6
   nodes, (c) peak memory per node, (d) the deepest chain each can backpropagate; (a) and (b) also
   time ``_bare.BareValue``, our node's layout with none of its checks: the floor of pure Python;
2. the vectorized NumPy path on cat-sized data (n = 12288, m = 209) against the floor of its two
   matrix-vector products, wᵀX and X dZᵀ, and float32 against float64;
3. logistic regression on the ``Value`` graph at cat size: the literal graph (one node per product)
   against the fused forms (one dot-product node and one stable loss node per sample).

No absolute time here is a result on its own (the machines are noisy): every table compares
things measured in the same run.  Timings use ``time.perf_counter``, take the best of ``repeat``
runs and call ``gc.collect()`` before each timed run, outside the timing.  Memory is measured
in a separate pass from timing, because ``tracemalloc`` slows everything down.

This module is the one place of the package that prints tables; the library itself stays quiet.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import random
import shlex
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TextIO

import numpy as np

from . import data as cats
from . import engine, logistic, vectorized
from ._bare import BareValue

SECTIONS = ("engine", "vectorized", "logistic")
INSTALL_HINT = "pip install 'micrograd_lr[bench]'"
BIG_STACK = 512 * 1024 * 1024  # bytes, for threads that recurse deeply (micrograd's topological sort)
RAISED_RECURSION_LIMIT = 10_000_000  # micrograd's recursive sort needs it for big graphs; set for micrograd only

# A Value class as the graph builders see it: called with one float, gives a leaf node.
ValueClass = Callable[[float], Any]


# =====================================================================================  tables


@dataclass
class Row:
    """One line of a table: a label, the measured cells, a ratio, the target and whether it is met."""

    label: str
    cells: list[str]
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


@dataclass
class Table:
    """An aligned text table with a ``target`` and ``met?`` column, and notes below it."""

    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self, label: str, *cells: str, ratio: float | None = None, target: str = "", met: bool | None = None
    ) -> Row:
        row = Row(label, list(cells), ratio, target, met)
        self.rows.append(row)
        return row

    def row(self, label: str) -> Row:
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(f"table {self.title!r} has no row {label!r}; rows: {[r.label for r in self.rows]}")

    def render(self) -> str:
        header = ["", *self.columns, "target", "met?"]
        body = []
        for r in self.rows:
            cells = r.cells + [""] * (len(self.columns) - len(r.cells))
            met = "" if r.met is None else ("yes" if r.met else "NO")
            body.append([r.label, *cells, r.target, met])
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

        def fmt(line: list[str]) -> str:
            first = line[0].ljust(widths[0])
            rest = [cell.rjust(w) for cell, w in zip(line[1:], widths[1:])]
            return "  ".join([first, *rest]).rstrip()

        rule = "-" * len(fmt(header))
        lines = [self.title, rule, fmt(header), rule, *map(fmt, body), rule]
        for note in self.notes:
            lines.extend(textwrap.wrap(note, width=110, initial_indent="  * ", subsequent_indent="    "))
        return "\n".join(lines)


def _s(seconds: float) -> str:
    """A duration with a sensible unit."""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×"


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.inf


# =====================================================================================  settings


@dataclass
class Sizes:
    """The sizes of every benchmark; ``quick()`` gives the smoke-test ones."""

    width: int = 32  # neurons per layer of the MLP-like graph (and its fan-in)
    main_nodes: int = 400_000  # table 1a
    scaling_nodes: tuple[int, ...] = (10_000, 100_000, 1_000_000)  # table 1b
    memory_nodes: int = 100_000  # table 1c
    our_chain: int = 1_000_000  # table 1d: the depth our engine must backpropagate
    micrograd_chain_probes: tuple[int, ...] = (100_000, 1_000_000)  # table 1d: with a raised limit
    n: int = 12288  # features of a cat picture (64·64·3)
    m: int = 209  # training pictures
    vec_iterations: int = 100  # gradient-descent iterations per timed run of `optimize`
    logistic_iterations: int = 2  # iterations per timed run of the fused Value-graph regression
    literal_samples: int = 4  # samples on which the literal Value graph is timed (scaled to m)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            width=8,
            main_nodes=3_000,
            scaling_nodes=(1_000, 3_000),
            memory_nodes=2_000,
            our_chain=20_000,
            micrograd_chain_probes=(5_000,),
            n=300,
            m=20,
            vec_iterations=5,
            logistic_iterations=1,
            literal_samples=2,
        )


@dataclass
class Config:
    sizes: Sizes
    repeat: int = 3
    only: tuple[str, ...] = SECTIONS
    command: str = "micrograd-lr bench"


# =====================================================================================  environment


def _optional(name: str) -> ModuleType | None:
    try:
        return __import__(name, fromlist=["_"])
    except ImportError:
        return None


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(command: str) -> list[str]:
    """The command and the facts of the machine and interpreter that timings depend on."""
    lines = [
        f"command:     {command}",
        f"python:      {sys.version.split()[0]} ({platform.python_implementation()}) {sys.executable}",
        f"platform:    {platform.platform()} ({platform.machine()})",
        f"cpus:        {os.cpu_count()}",
        f"numpy:       {np.__version__}",
        f"micrograd:   {_version('micrograd')}",
        f"gc:          thresholds {gc.get_threshold()}, enabled {gc.isenabled()}, "
        f"recursion limit {sys.getrecursionlimit()}",
    ]
    blas_env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    lines.append(f"blas env:    {' '.join(f'{k}={v}' for k, v in sorted(blas_env.items())) or '(none set)'}")
    threadpoolctl = _optional("threadpoolctl")
    if threadpoolctl is not None:
        for info in threadpoolctl.threadpool_info():
            keys = ("internal_api", "version", "threading_layer", "architecture", "num_threads")
            lines.append("threadpool:  " + ", ".join(f"{k}={info.get(k)}" for k in keys if k in info))
    else:
        lines.append("threadpool:  (threadpoolctl not installed)")
    return lines


# =====================================================================================  helpers


@contextlib.contextmanager
def gc_paused_here() -> Iterator[None]:
    """The cyclic garbage collector off inside the block, restored after (also on exceptions)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """A raised recursion limit inside the block (micrograd's recursive sort needs it), restored after."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, previous))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def in_big_stack_thread(fn: Callable[[], Any], stack_size: int = BIG_STACK) -> Any:
    """Run ``fn()`` in a thread with a big C stack and return its result (or raise its exception)."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            result["error"] = exc

    previous = threading.stack_size()
    threading.stack_size(stack_size)
    try:
        thread = threading.Thread(target=target, name="bench-big-stack")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


class GCStats:
    """Counts collections and the time spent in each generation, through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._start

    @contextlib.contextmanager
    def recording(self) -> Iterator[GCStats]:
        gc.callbacks.append(self._callback)
        try:
            yield self
        finally:
            gc.callbacks.remove(self._callback)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds)


def _children(node: Any) -> Sequence[Any] | set[Any]:
    """The inputs of a node in either library: ours has ``parents``; micrograd has ``_prev``."""
    parents = getattr(node, "parents", None)
    return node._prev if parents is None else parents


def count_nodes(root: Any) -> int:
    """The exact number of distinct nodes ``root`` depends on (itself included), without recursion."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in _children(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def load_micrograd() -> ValueClass | None:
    """karpathy's ``micrograd.engine.Value``, or None when the bench extra is not installed."""
    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        return None
    return MicrogradValue


# =====================================================================================  graph builders


@dataclass
class MLPGraph:
    """The leaves of an MLP-like graph: inputs, and per layer a weight matrix and biases (all nodes)."""

    inputs: list[Any]
    weights: list[list[list[Any]]]
    biases: list[list[Any]]


def mlp_shape(nodes: int, width: int) -> int:
    """The number of layers that gives an MLP-like graph of about ``nodes`` nodes at ``width``."""
    per_layer = 3 * width * width + 4 * width  # weights, products and sums, biases, nonlinearity
    return max(1, round(nodes / per_layer))


def mlp_numbers(
    width: int, depth: int, seed: int = 0
) -> tuple[list[float], list[list[list[float]]], list[list[float]]]:
    """Seeded numbers for the leaves, the same for every library (uniform, scaled by fan-in)."""
    rng = random.Random(seed)
    scale = math.sqrt(6.0 / width)
    inputs = [rng.uniform(-1.0, 1.0) for _ in range(width)]
    weights = [[[rng.uniform(-scale, scale) for _ in range(width)] for _ in range(width)] for _ in range(depth)]
    biases = [[rng.uniform(-0.1, 0.1) for _ in range(width)] for _ in range(depth)]
    return inputs, weights, biases


def mlp_leaves(value: ValueClass, width: int, depth: int, seed: int = 0) -> MLPGraph:
    inputs, weights, biases = mlp_numbers(width, depth, seed)
    return MLPGraph(
        inputs=[value(x) for x in inputs],
        weights=[[[value(w) for w in row] for row in layer] for layer in weights],
        biases=[[value(b) for b in layer] for layer in biases],
    )


def squash(v: Any) -> Any:
    """v / √(1 + v²), a tanh-like bounded nonlinearity built from ops both libraries have (×, +, **)."""
    return v * (1 + v**2) ** -0.5


def mlp_forward(g: MLPGraph) -> Any:
    """Build the graph: each layer is weighted sums w₁x₁ + … + wₖxₖ + b, then ReLU or squash, alternately.

    Only ``+``, ``*``, ``**`` (number exponent) and ``relu()`` are used, which both libraries have
    with the same node counts; karpathy's micrograd 0.1.0 has no ``tanh``.  The output is the sum
    of the last layer.
    """
    x = g.inputs
    for layer, (weights, biases) in enumerate(zip(g.weights, g.biases)):
        out = []
        for row, b in zip(weights, biases):
            act = row[0] * x[0]
            for w, xi in zip(row[1:], x[1:]):
                act = act + w * xi
            act = act + b
            out.append(act.relu() if layer % 2 == 0 else squash(act))
        x = out
    total = x[0]
    for xi in x[1:]:
        total = total + xi
    return total


def chain(value: ValueClass, depth: int) -> tuple[Any, Any, Any]:
    """A chain ``depth`` deep: v₀ = x, vᵢ = vᵢ₋₁ + c.  Returns (x, c, v_depth); ∂v/∂x = 1, ∂v/∂c = depth."""
    x, c = value(0.5), value(0.001)
    v = x
    for _ in range(depth):
        v = v + c
    return x, c, v


# =====================================================================================  table 1: engine


@dataclass
class RunTimes:
    forward: float
    backward: float
    nodes: int = 0
    data: float = 0.0
    gc: GCStats = field(default_factory=GCStats)
    leaving: float = 0.0  # time to leave the block after backward (the collector catching up, once resumed)

    @property
    def total(self) -> float:
        return self.forward + self.backward


def time_mlp(value: ValueClass, width: int, depth: int, repeat: int, mode: str) -> RunTimes:
    """Best of ``repeat`` forward (graph building) and backward times of one MLP-like graph.

    mode: "default" (the collector as the interpreter has it), "paused" (``gc.disable()`` around
    build + backward) or "context" (our engine's own ``gc_paused()``).  The leaves are made
    outside the timing; the graph is dropped and ``gc.collect()`` runs between runs, untimed.
    """
    pause: Callable[[], contextlib.AbstractContextManager[None]] = getattr(engine, "gc_paused", gc_paused_here)
    if mode == "context" and pause is gc_paused_here:
        raise ValueError("mode 'context' needs micrograd_lr.engine.gc_paused(), which this engine lacks")
    best: RunTimes | None = None
    for _ in range(repeat):
        g = mlp_leaves(value, width, depth)
        gc.collect()
        stats = GCStats()
        with contextlib.ExitStack() as inside:
            if mode == "paused":
                inside.enter_context(gc_paused_here())
            elif mode == "context":
                inside.enter_context(pause())
            elif mode != "default":
                raise ValueError(f"mode must be 'default', 'paused' or 'context', got {mode!r}")
            inside.enter_context(stats.recording())  # inside the pause: what runs as it ends is not ours
            t0 = time.perf_counter()
            out = mlp_forward(g)
            t1 = time.perf_counter()
            out.backward()
            t2 = time.perf_counter()
        t3 = time.perf_counter()  # leaving a pause re-enables the collector, whose first pass may be big
        run = RunTimes(t1 - t0, t2 - t1, data=float(out.data), gc=stats, leaving=t3 - t2)
        if best is None or run.total < best.total:
            best = run
        del out, g
        gc.collect()
    assert best is not None
    return best


def _rss_bytes() -> int:
    """The process's resident memory now (Linux /proc), else its peak so far (getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    resource = _optional("resource")
    if resource is None:
        raise RuntimeError("cannot read the resident memory on this platform")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def value_class(lib: str) -> ValueClass:
    """The ``Value`` class of a library: "ours", "micrograd", or "bare" (``_bare.BareValue``, the floor)."""
    if lib == "ours":
        return engine.Value
    if lib == "bare":
        return BareValue
    if lib == "micrograd":
        micrograd = load_micrograd()
        if micrograd is None:
            raise RuntimeError(f"micrograd is not installed ({INSTALL_HINT})")
        return micrograd
    raise ValueError(f"lib must be 'ours', 'bare' or 'micrograd', got {lib!r}")


def measure_here(lib: str, task: str, width: int, depth: int, repeat: int = 1, mode: str = "default") -> dict[str, Any]:
    """One measurement of the MLP-like graph in this process, as a JSON-able dict.

    task "time": ``time_mlp``; "tracemalloc": tracemalloc's peak bytes while making the leaves,
    building the graph and running backward; "rss": the growth of the process's peak resident
    memory over the same work (no tracemalloc).  Every result has "nodes", counted by traversal
    outside any measurement.  Runs in a thread with a big stack, and with a raised recursion limit
    for micrograd only (its topological sort is recursive); both are restored after.
    """
    value = value_class(lib)

    def job() -> dict[str, Any]:
        result: dict[str, Any] = {}
        if task == "time":
            r = time_mlp(value, width, depth, repeat, mode)
            result.update(forward=r.forward, backward=r.backward, data=r.data, leaving=r.leaving)
            result.update(gc_count=r.gc.count, gc_seconds=r.gc.seconds)
        elif task == "tracemalloc":
            gc.collect()
            tracemalloc.start()
            try:
                out = mlp_forward(mlp_leaves(value, width, depth))
                out.backward()
                result["bytes"] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            del out
        elif task == "rss":
            gc.collect()
            before = _rss_bytes()
            out = mlp_forward(mlp_leaves(value, width, depth))
            out.backward()
            result["bytes"] = _rss_bytes() - before  # the graph is still alive here
            del out
        else:
            raise ValueError(f"task must be 'time', 'tracemalloc' or 'rss', got {task!r}")
        gc.collect()
        with gc_paused_here():
            result["nodes"] = count_nodes(mlp_forward(mlp_leaves(value, width, depth)))
        gc.collect()
        return result

    limit = RAISED_RECURSION_LIMIT if lib == "micrograd" else sys.getrecursionlimit()
    with recursion_limit(limit):
        result: dict[str, Any] = in_big_stack_thread(job)
    return result


_WORKER = "import sys; from micrograd_lr.bench import _worker; _worker(sys.argv[1])"


def _worker(spec: str) -> None:
    """The entry point of a measuring subprocess: runs ``measure_here(**spec)``, prints JSON."""
    print(json.dumps(measure_here(**json.loads(spec))), flush=True)


def _package_env() -> dict[str, str]:
    """The environment for a subprocess that must import this very copy of micrograd_lr."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def measure(lib: str, task: str, width: int, depth: int, repeat: int = 1, mode: str = "default") -> dict[str, Any]:
    """``measure_here`` in a fresh interpreter, so that no measurement inherits another's heap
    (a heap fragmented by millions of freed nodes slows the next graph down) or collector state."""
    spec = json.dumps({"lib": lib, "task": task, "width": width, "depth": depth, "repeat": repeat, "mode": mode})
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER, spec], capture_output=True, text=True, env=_package_env(), check=False
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"measuring {spec} failed (exit {proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def measure_mlp(lib: str, width: int, depth: int, repeat: int, mode: str) -> RunTimes:
    """Forward and backward times of the MLP-like graph, measured in a fresh interpreter."""
    r = measure(lib, "time", width, depth, repeat, mode)
    stats = GCStats()
    stats.count, stats.seconds = list(r["gc_count"]), list(r["gc_seconds"])
    return RunTimes(r["forward"], r["backward"], nodes=r["nodes"], data=r["data"], gc=stats, leaving=r["leaving"])


Cell = tuple[str, str]  # (library, GC mode)


def measure_cells(cells: Sequence[Cell], width: int, depth: int, rounds: int, inner: int) -> dict[Cell, RunTimes]:
    """Best run of every cell over ``rounds`` rounds, the cells interleaved within each round.

    Each round measures every cell once, in a fresh interpreter, as the best of ``inner``
    runs; interleaving gives every cell the same share of a noisy machine's quiet and busy spells.
    """
    best: dict[Cell, RunTimes] = {}
    for _ in range(rounds):
        for cell in cells:
            lib, mode = cell
            run = measure_mlp(lib, width, depth, inner, mode)
            if cell not in best or run.total < best[cell].total:
                best[cell] = run
    return best


def table_1a(sizes: Sizes, repeat: int) -> list[Table]:
    width = sizes.width
    depth = mlp_shape(sizes.main_nodes, width)
    cells: list[Cell] = [(lib, mode) for mode in ("default", "paused") for lib in ("ours", "micrograd", "bare")]
    cells.append(("ours", "context"))
    runs = measure_cells(cells, width, depth, repeat, 2)

    n_ours, n_mg = runs["ours", "default"].nodes, runs["micrograd", "default"].nodes
    same = abs(runs["ours", "default"].data - runs["micrograd", "default"].data)
    t = Table(
        f"Table 1a. Scalar engine vs micrograd, MLP-like graph of {n_ours:,} nodes "
        f"({depth} layers of width {width}); best of {repeat} rounds × 2 runs",
        ["forward", "backward", "fwd+bwd", "leaving pause", "ratio micrograd/ours (fwd, bwd, total)"],
    )

    def times(label: str, r: RunTimes, mode: str) -> None:
        """A row of one run's times (and, outside default settings, the time to leave the pause)."""
        t.add(label, _s(r.forward), _s(r.backward), _s(r.total), "" if mode == "default" else _s(r.leaving))

    def speedup(label: str, slow: RunTimes, fast: RunTimes, at_least: float | None = None) -> None:
        """A row of slow/fast for forward, backward and total, judged against ``at_least`` if given."""
        ratio = _ratio(slow.total, fast.total)
        each = f"{_x(_ratio(slow.forward, fast.forward))}, {_x(_ratio(slow.backward, fast.backward))}, {_x(ratio)}"
        target = "" if at_least is None else f"≥ {at_least:g}×"
        met = None if at_least is None else ratio >= at_least
        t.add(label, "", "", "", "", each, ratio=ratio, target=target, met=met)

    for mode, what in (("default", "GC at default settings"), ("paused", "GC paused for both")):
        o, mg = runs["ours", mode], runs["micrograd", mode]
        times(f"ours, {what}", o, mode)
        times(f"micrograd, {what}", mg, mode)
        speedup(f"ratio, {what}", mg, o, at_least=10.0 if mode == "default" else 1.5)
    c = runs["ours", "context"]
    times("ours, inside engine.gc_paused()", c, "context")
    speedup("ratio, micrograd default / ours gc_paused()", runs["micrograd", "default"], c)
    gain = _ratio(runs["ours", "default"].total, c.total)
    t.add("gain of gc_paused() over ours default", "", "", "", "", _x(gain), ratio=gain)
    for mode, what in (("default", "GC at default settings"), ("paused", "GC paused")):
        bare = runs["bare", mode]
        times(f"bare node (the floor), {what}", bare, mode)
        speedup(f"ratio micrograd/bare node, {what}", runs["micrograd", mode], bare)
        share = _ratio(runs["ours", mode].total, bare.total)
        t.add(f"ours / bare node, {what}", "", "", "", "", _x(share), ratio=share)
    t.notes.append(
        f"Node counts by traversal: ours {n_ours:,}, micrograd {n_mg:,} (same graph, built by the same code); "
        f"outputs differ by {same:.2e}."
    )
    t.notes.append(
        "bare node = micrograd_lr._bare.BareValue: the layout of our Value (one slotted object of six slots per "
        "node) with none of its checks, no operation table and each operation written out by hand. It is the "
        "floor of a pure-Python node: the rows 'ratio micrograd/bare node' bound what any such engine can show "
        "against micrograd here, and 'ours / bare node' is what our checks and table cost on top."
    )
    t.notes.append(
        "forward = building the graph from existing leaves; backward = topological sort + chain rule; "
        "leaving pause = the time to leave the paused block (the collector, resumed, catches up), not in fwd+bwd. "
        "Each round measures every row in a fresh interpreter, the rows interleaved. micrograd runs with a "
        "raised recursion limit in a thread with a 512 MiB stack (its sort is recursive)."
    )

    g = Table(
        "Table 1a′. Collector activity during one run at default GC settings (gc.callbacks)",
        ["gen0 runs", "gen1 runs", "gen2 runs", "time in GC", "share of fwd+bwd"],
    )
    for lib in ("ours", "bare", "micrograd"):
        r = runs[lib, "default"]
        share = _ratio(r.gc.total_seconds, r.total)
        g.add(lib, *(str(c) for c in r.gc.count), _s(r.gc.total_seconds), f"{share:.0%}")
    g.notes.append(
        "Per generation: "
        + "; ".join(
            f"{lib} " + ", ".join(f"gen{i} {_s(s)}" for i, s in enumerate(runs[lib, "default"].gc.seconds))
            for lib in ("ours", "bare", "micrograd")
        )
    )
    return [t, g]


def table_1b(sizes: Sizes, repeat: int) -> Table:
    width = sizes.width
    t = Table(
        f"Table 1b. Time per node (fwd+bwd) as the graph grows, width {width}; best of {repeat} rounds × 2 runs",
        ["nodes", "ours", "ours GC paused", "bare node", "micrograd", "micrograd GC paused", "micrograd/ours"],
    )
    per_node: dict[str, list[float]] = {"default": [], "paused": [], "bare": []}
    for target_nodes in sizes.scaling_nodes:
        depth = mlp_shape(target_nodes, width)
        cells = [(lib, mode) for lib in ("ours", "micrograd") for mode in ("default", "paused")]
        cells.append(("bare", "default"))
        if target_nodes >= 500_000:  # micrograd at default settings takes tens of seconds a run here
            runs = measure_cells(cells, width, depth, min(repeat, 2), 1)
        else:
            runs = measure_cells(cells, width, depth, repeat, 2)
        node = {key: r.total / r.nodes for key, r in runs.items()}
        for mode in ("default", "paused"):
            per_node[mode].append(node["ours", mode])
        per_node["bare"].append(node["bare", "default"])
        ratio = _ratio(node["micrograd", "default"], node["ours", "default"])
        shown = [("ours", "default"), ("ours", "paused"), ("bare", "default"), ("micrograd", "default")]
        t.add(
            f"~{target_nodes:.0e} nodes, per node",
            f"{runs['ours', 'default'].nodes:,}",
            *(_s(node[key]) for key in shown),
            _s(node["micrograd", "paused"]),
            _x(ratio),
            ratio=ratio,
        )
    big, small = sizes.scaling_nodes[-1], sizes.scaling_nodes[0]
    for mode, what in (("default", "GC at default settings"), ("paused", "GC paused")):
        growth = _ratio(per_node[mode][-1], per_node[mode][0])
        t.add(
            f"ours per node {big:.0e} / {small:.0e}, {what}",
            *[""] * 6,
            _x(growth),
            ratio=growth,
            target="≤ 1.5×",
            met=growth <= 1.5,
        )
    growth = _ratio(per_node["bare"][-1], per_node["bare"][0])
    t.add(f"bare node per node {big:.0e} / {small:.0e}, GC at default settings", *[""] * 6, _x(growth), ratio=growth)
    if len(sizes.scaling_nodes) > 2:
        mid = sizes.scaling_nodes[-2]
        for mode, what in (("default", "GC at default settings"), ("paused", "GC paused")):
            growth = _ratio(per_node[mode][-1], per_node[mode][-2])
            t.add(f"ours per node {big:.0e} / {mid:.0e}, {what}", *[""] * 6, _x(growth), ratio=growth)
        t.notes.append(
            f"A {small:.0e}-node graph (about {small * 170 / 2**20:.0f} MiB) stays in the CPU's caches; from "
            f"{mid:.0e} nodes on, nodes come from main memory, so the {big:.0e}/{mid:.0e} rows show how cost "
            "grows once the cache no longer helps."
        )
    t.notes.append(
        "Each round measures every cell in a fresh interpreter, the cells interleaved; graphs of ≥ 5·10^5 nodes "
        f"get {min(repeat, 2)} rounds × 1 run (micrograd takes tens of seconds a run there)."
    )
    t.notes.append(
        "At default settings the collector's full (gen2) passes, which rescan every live tracked object, "
        "start only once a graph is big: a 10^4-node graph never triggers one, a 10^6-node graph does several. "
        "The bare node (see table 1a) pays them too: its growth row shows what no pure-Python node escapes."
    )
    return t


def table_1c(sizes: Sizes) -> Table:
    width = sizes.width
    depth = mlp_shape(sizes.memory_nodes, width)
    mem = {
        (lib, task): measure(lib, task, width, depth)
        for lib in ("ours", "micrograd")
        for task in ("tracemalloc", "rss")
    }
    nodes = {lib: mem[lib, "tracemalloc"]["nodes"] for lib in ("ours", "micrograd")}
    t = Table(
        f"Table 1c. Peak memory per node (build + backward), {nodes['ours']:,}-node graph",
        ["tracemalloc peak", "per node", "RSS growth", "per node"],
    )
    for lib in ("ours", "micrograd"):
        traced, rss = mem[lib, "tracemalloc"]["bytes"], mem[lib, "rss"]["bytes"]
        t.add(
            lib,
            f"{traced / 2**20:.1f} MiB",
            f"{traced / nodes[lib]:.0f} B",
            f"{rss / 2**20:.1f} MiB",
            f"{rss / nodes[lib]:.0f} B",
        )
    for task, what in (("tracemalloc", "tracemalloc"), ("rss", "RSS")):
        ours, theirs = mem["ours", task]["bytes"], mem["micrograd", task]["bytes"]
        if ours <= 0 or theirs <= 0:
            t.add(f"ratio ours/micrograd, {what}", "", "graph too small to see")
            continue
        share = _ratio(ours / nodes["ours"], theirs / nodes["micrograd"])
        if task == "tracemalloc":
            t.add(f"ratio ours/micrograd, {what}", "", f"{share:.2f}", ratio=share, target="≤ 0.33", met=share <= 1 / 3)
        else:
            t.add(f"ratio ours/micrograd, {what}", "", f"{share:.2f}", ratio=share)
    t.notes.append(
        "Each cell is a fresh interpreter making the leaves, building the graph and running backward "
        "(so backward's working memory counts too). tracemalloc counts the bytes Python allocates (the target "
        "is checked on it); RSS growth is the rise of the process's resident memory from before the leaves to "
        "after backward, measured without tracemalloc (the allocator's and the OS's rounding included)."
    )
    return t


_MICROGRAD_PROBE = r"""
import json, sys, threading
from micrograd_lr.bench import micrograd_chain_probe
print(json.dumps(micrograd_chain_probe(sys.argv[1], [int(a) for a in sys.argv[2:]])))
"""


def micrograd_chain_probe(mode: str, depths: list[int]) -> dict[str, Any]:
    """Run in a subprocess: "search" finds micrograd's deepest chain at the default recursion limit;
    "raised" tries each depth with the recursion limit raised, in a thread with a 512 MiB stack."""
    from micrograd.engine import Value as MicrogradValue

    def works(depth: int) -> bool:
        x, c, v = chain(MicrogradValue, depth)
        try:
            v.backward()
        except RecursionError:
            return False
        return bool(x.grad == 1 and abs(c.grad - depth) < 1e-9)

    if mode == "search":
        lo, hi = 0, None  # lo works; hi fails
        for depth in (250, 500, 1000, 2000, 4000, 8000, 16000):
            if works(depth):
                lo = depth
            else:
                hi = depth
                break
        if hi is None:
            return {"deepest": lo, "limit": sys.getrecursionlimit(), "capped": True}
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if works(mid):
                lo = mid
            else:
                hi = mid
        return {"deepest": lo, "limit": sys.getrecursionlimit(), "capped": False}
    results = {}
    sys.setrecursionlimit(RAISED_RECURSION_LIMIT)
    for depth in depths:
        t0 = time.perf_counter()
        ok = in_big_stack_thread(lambda d=depth: works(d))  # type: ignore[misc]
        results[str(depth)] = {"ok": ok, "seconds": time.perf_counter() - t0}
    return results


def _run_probe(mode: str, depths: Sequence[int], timeout: float = 600.0) -> tuple[dict[str, Any] | None, str]:
    """The probe in a fresh interpreter: (result, "") or (None, what went wrong, e.g. a crash)."""
    cmd = [sys.executable, "-c", _MICROGRAD_PROBE, mode, *map(str, depths)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_package_env(), check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [""]
        how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        return None, f"the interpreter failed ({how}) {tail[0][:120]}"
    return json.loads(proc.stdout.strip().splitlines()[-1]), ""


def table_1d(sizes: Sizes, have_micrograd: bool) -> Table:
    t = Table("Table 1d. The deepest chain each engine backpropagates (v = v + c, repeated)", ["depth", "result"])

    def ours_job() -> tuple[bool, float]:
        t0 = time.perf_counter()
        x, c, v = chain(engine.Value, sizes.our_chain)
        v.backward()
        ok = x.grad == 1.0 and abs(c.grad - sizes.our_chain) < 1e-6 * sizes.our_chain
        return ok, time.perf_counter() - t0

    ok, seconds = ours_job()  # in the main thread, at the default recursion limit: no help needed
    t.add(
        "ours (default recursion limit, main thread)",
        f"{sizes.our_chain:,}",
        f"{'backpropagates' if ok else 'WRONG GRADIENTS'} in {_s(seconds)}",
        target=f"{sizes.our_chain:.0e} deep works",
        met=ok,
    )
    gc.collect()
    if not have_micrograd:
        t.notes.append(f"micrograd is not installed: its rows are skipped ({INSTALL_HINT}).")
        return t
    found, err = _run_probe("search", [])
    if found is None:
        t.add("micrograd (default recursion limit)", "?", err)
    else:
        more = " (stopped searching)" if found["capped"] else f"; {found['deepest'] + 1:,} raises RecursionError"
        t.add(
            f"micrograd (default recursion limit {found['limit']})",
            f"{found['deepest']:,}",
            f"deepest that works{more}",
            ratio=float(found["deepest"]),
        )
    for depth in sizes.micrograd_chain_probes:
        res, err = _run_probe("raised", [depth])
        if res is None:
            t.add("micrograd (limit raised, 512 MiB stack)", f"{depth:,}", err)
        else:
            r = res[str(depth)]
            what = "backpropagates" if r["ok"] else "fails"
            t.add("micrograd (limit raised, 512 MiB stack)", f"{depth:,}", f"{what} in {_s(r['seconds'])}")
    t.notes.append("micrograd probes run in a fresh interpreter each: a crash (deep recursion) is reported, not fatal.")
    return t


def engine_tables(sizes: Sizes, repeat: int) -> list[Table]:
    micrograd = load_micrograd()
    if micrograd is None:
        t = Table("Table 1. Scalar engine vs micrograd", ["result"])
        t.add("micrograd", "not installed: tables 1a–1c skipped")
        t.notes.append(f"Install the peer with: {INSTALL_HINT}")
        return [t, table_1d(sizes, have_micrograd=False)]
    return [
        *table_1a(sizes, repeat),
        table_1b(sizes, repeat),
        table_1c(sizes),
        table_1d(sizes, have_micrograd=True),
    ]


# =====================================================================================  data


@dataclass
class CatData:
    X: np.ndarray  # (n, m), scaled to [0, 1]
    Y: np.ndarray  # (1, m)
    source: str


def cat_data(n: int, m: int) -> CatData:
    """The first n features of the first m embedded training cats, flattened and scaled (X is (n, m))."""
    train_x_orig, train_y, _test_x, _test_y, _classes = cats.load_dataset()
    X = cats.scale(cats.flatten(train_x_orig))
    if n > X.shape[0] or m > X.shape[1]:
        raise ValueError(
            f"cat_data: asked for n = {n}, m = {m}; the embedded cats have n = {X.shape[0]}, m = {X.shape[1]}"
        )
    return CatData(
        np.ascontiguousarray(X[:n, :m]), train_y[:, :m].astype(np.float64), "micrograd_lr.data.load_dataset()"
    )


# =====================================================================================  table 2: vectorized


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _product_layouts(X: np.ndarray, w: np.ndarray, dZ: np.ndarray) -> dict[str, Callable[[], object]]:
    """The two products of an iteration, each in two layouts (BLAS may read X faster by rows or by columns)."""

    def z_row() -> object:
        return w.T @ X

    def z_col() -> object:
        return (X.T @ w).T

    def dw_col() -> object:
        return X @ dZ.T

    def dw_row() -> object:
        return (dZ @ X.T).T

    return {"wᵀX": z_row, "(Xᵀw)ᵀ": z_col, "X dZᵀ": dw_col, "(dZ Xᵀ)ᵀ": dw_row}


def _pairs(single: dict[str, Callable[[], object]]) -> dict[str, Callable[[], object]]:
    """Both products one after the other, as an iteration needs them, in each combination of layouts."""

    def pair(z: Callable[[], object], dw: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            z()
            return dw()

        return run

    return {f"{zk} + {dk}": pair(single[zk], single[dk]) for zk in ("wᵀX", "(Xᵀw)ᵀ") for dk in ("X dZᵀ", "(dZ Xᵀ)ᵀ")}


VEC_SCREEN_ROUNDS = 3  # table 2, stage 1: rounds over every layout, to pick the pair the floor is measured with
VEC_PAIRED_ROUNDS = 21  # table 2, stage 2: at least this many paired rounds of that pair and of optimize


@dataclass
class VecResult:
    """Table 2 for one dtype: the screening of the layouts, then the paired rounds of the floor and optimize.

    Every time is in seconds per iteration.  ``floor_samples[i]`` and ``optimize_samples[i]`` were measured
    back to back in round i, so both lists always have the same length.
    """

    pair: str  # the pair of layouts chosen by the screening, measured as the floor
    screening: dict[str, float]  # best per call of each layout alone and of each pair, in the screening stage
    floor_samples: list[float]  # the chosen pair, per iteration, one per paired round
    optimize_samples: list[float]  # optimize, per iteration, one per paired round
    zero_call: float  # best time of an optimize call with num_iterations = 0: its checks, setup and one gradient
    iters: int  # iterations per timed optimize call
    dtype: str  # the dtype w comes back in
    predictions: np.ndarray

    @property
    def floor(self) -> float:
        """Best of the paired rounds, for the chosen pair."""
        return min(self.floor_samples)

    @property
    def per_iter(self) -> float:
        """Best of the paired rounds, for optimize."""
        return min(self.optimize_samples)

    @property
    def ratio(self) -> float:
        """optimize/floor as best of N over best of N: the statistic the target is judged on."""
        return _ratio(self.per_iter, self.floor)

    @property
    def round_ratios(self) -> list[float]:
        """optimize/floor within each paired round."""
        return [_ratio(o, f) for o, f in zip(self.optimize_samples, self.floor_samples, strict=True)]

    @property
    def median_ratio(self) -> float:
        """Median of the per-round ratios: robust to a noise spell that hits a few rounds."""
        return float(np.median(self.round_ratios))

    @property
    def call_overhead(self) -> float:
        """What one optimize call costs besides its steady iterations, estimated, in seconds.

        It holds the input checks and setup, and whatever makes a first iteration slower than the next ones.

        A call of k ≥ 1 iterations takes C + k·s and a call of 0 iterations C + s (it still computes the
        gradient at w), so s = (T_k − T_0)/(k − 1) and C = T_0 − s.  NaN when k = 1.
        """
        if self.iters < 2:
            return math.nan
        step = (self.per_iter * self.iters - self.zero_call) / (self.iters - 1)
        return self.zero_call - step

    def describe(self) -> str:
        pairs = [k for k in self.screening if " + " in k]
        alone = [k for k in self.screening if " + " not in k]
        rr = self.round_ratios
        return (
            f"floor = pair {self.pair}, chosen by the screening (pairs: "
            + ", ".join(f"{k} {_s(self.screening[k])}" for k in pairs)
            + "; alone: "
            + ", ".join(f"{k} {_s(self.screening[k])}" for k in alone)
            + f"); round ratios min {_x(min(rr))}, median {_x(self.median_ratio)}, max {_x(max(rr))}; "
            f"optimize's cost per call outside its steady iterations ≈ {_s(self.call_overhead)} "
            f"= {self.call_overhead / (self.per_iter * self.iters):.1%} of a call (a call of 0 iterations "
            "less one iteration)"
        )


def _measure_vectorized(
    data: CatData, dtype: Any, iters: int, rounds: int, screen_rounds: int = VEC_SCREEN_ROUNDS
) -> VecResult:
    """Time ``optimize`` per iteration against the floor of its two products, in two stages.

    1. Screening: each product alone and each pair of layouts (``_pairs``), looped ``iters`` times,
       interleaved, best of ``screen_rounds``; the fastest pair becomes the floor.
    2. ``rounds`` paired rounds: in each, the chosen pair looped ``iters`` times and one ``optimize`` call of
       ``iters`` iterations, back to back, the one going first alternating from round to round.  Both get the
       same number of samples, so neither best-of is a minimum over more draws than the other.
    """
    if rounds < 1 or screen_rounds < 1 or iters < 1:
        raise ValueError(f"need iters, rounds, screen_rounds ≥ 1, got {iters}, {rounds}, {screen_rounds}")
    lr = 0.009
    n, m = data.X.shape
    X: np.ndarray = np.ascontiguousarray(data.X, dtype=dtype)
    Y: np.ndarray = data.Y.astype(dtype)
    w0: np.ndarray = np.zeros((n, 1), dtype=dtype)
    w1: np.ndarray = np.random.default_rng(2).normal(0.0, 0.01, size=(n, 1)).astype(dtype)
    dZ: np.ndarray = (np.full((1, m), 0.5, dtype=dtype) - Y).astype(dtype)
    single = _product_layouts(X, w1, dZ)
    pairs = _pairs(single)
    candidates = {**single, **pairs}

    def loop(fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(iters):
                fn()

        return run

    def descend(k: int = iters) -> None:  # optimize leaves the caller's w alone: no copy needed
        vectorized.optimize(w0, 0.0, X, Y, num_iterations=k, learning_rate=lr)

    descend()  # warm up BLAS threads and caches
    screening = dict.fromkeys(candidates, math.inf)
    for _ in range(screen_rounds):  # interleaved, so that drifts of a noisy machine hit all alike
        for key, fn in candidates.items():
            screening[key] = min(screening[key], _best(loop(fn), 1) / iters)
    pair_key = min(pairs, key=screening.__getitem__)

    floor_loop = loop(pairs[pair_key])
    floor_samples: list[float] = []
    optimize_samples: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            f = _best(floor_loop, 1)
            o = _best(descend, 1)
        else:
            o = _best(descend, 1)
            f = _best(floor_loop, 1)
        floor_samples.append(f / iters)
        optimize_samples.append(o / iters)
    zero_call = _best(lambda: descend(0), rounds)  # after the paired rounds, not between them

    params, _grads, _costs = vectorized.optimize(w0, 0.0, X, Y, num_iterations=iters, learning_rate=lr)
    w, b = params["w"], params["b"]
    return VecResult(
        pair_key,
        screening,
        floor_samples,
        optimize_samples,
        zero_call,
        iters,
        str(w.dtype),
        vectorized.predict(w, b, X).ravel(),
    )


def table_2(sizes: Sizes, repeat: int) -> Table:
    data = cat_data(sizes.n, sizes.m)
    iters = sizes.vec_iterations
    n, m = data.X.shape
    rounds = max(repeat, VEC_PAIRED_ROUNDS)  # cheap runs on a noisy machine: take the best of more of them
    threadpoolctl = _optional("threadpoolctl")
    settings: list[tuple[str, Callable[[], contextlib.AbstractContextManager[Any]]]] = [("", contextlib.nullcontext)]
    if threadpoolctl is not None:
        settings.append((", 1 BLAS thread", lambda: threadpoolctl.threadpool_limits(1)))
    t = Table(
        f"Table 2. Vectorized gradient descent on cat-sized data (n = {n}, m = {m}), per iteration; "
        f"best of {rounds} paired rounds × {iters} iterations",
        ["optimize", "floor: wᵀX + X dZᵀ", "optimize/floor", "median of round ratios"],
    )
    for suffix, limits in settings:
        res: dict[str, VecResult] = {}
        with limits():
            for name, dtype in (("float64", np.float64), ("float32", np.float32)):
                res[name] = _measure_vectorized(data, dtype, iters, rounds)
        for name in ("float64", "float32"):
            r = res[name]
            ratio = r.ratio
            target, met = ("≤ 1.15×", ratio <= 1.15) if name == "float64" else ("", None)
            t.add(
                f"{name}{suffix} (w: {r.dtype})",
                _s(r.per_iter),
                _s(r.floor),
                _x(ratio),
                _x(r.median_ratio),
                ratio=ratio,
                target=target,
                met=met,
            )
        speedup = _ratio(res["float64"].per_iter, res["float32"].per_iter)
        t.add(
            f"float64/float32{suffix}, optimize",
            "",
            "",
            _x(speedup),
            ratio=speedup,
            target="≥ 1.5×",
            met=speedup >= 1.5,
        )
        floor_speedup = _ratio(res["float64"].floor, res["float32"].floor)
        t.add(f"float64/float32{suffix}, floor", "", "", _x(floor_speedup), ratio=floor_speedup)
        same = int(np.sum(res["float64"].predictions == res["float32"].predictions))
        total = res["float64"].predictions.size
        t.add(
            f"predictions float32 = float64{suffix}",
            f"{same}/{total}",
            "",
            "",
            ratio=same / max(total, 1),
            target="all",
            met=same == total,
        )
        for name in ("float64", "float32"):
            t.notes.append(f"{name}{suffix}, per call: {res[name].describe()}.")
    t.notes.append(
        f"How the ratio is measured, per dtype: a screening stage (best of {VEC_SCREEN_ROUNDS} interleaved rounds "
        f"of each product alone and of the 4 pairs of layouts, {iters} calls each) picks the fastest pair; that "
        f"pair (the floor) and optimize are then timed in {rounds} paired rounds, back to back in each round, the "
        "one going first alternating, so both get the same number of samples. 'optimize/floor' is best of "
        f"{rounds} over best of {rounds}, and the target ≤ 1.15× is judged on it. 'median of round ratios' is the "
        "median over the rounds of optimize/floor within one round: robust to noise, shown for information."
    )
    t.notes.append(
        "gradient descent: micrograd_lr.vectorized.optimize, learning_rate 0.009, from w = 0, b = 0, timed as "
        f"whole calls of {iters} iterations divided by {iters}. Each call checks its inputs once (among them a "
        "finiteness pass over X): that cost is included in the 'optimize' column, nothing is subtracted. The "
        "notes above estimate what a call costs outside its steady iterations; it is an upper bound on the "
        "checks, since it also holds the cold start of a call, which the floor's loop pays once too."
    )
    if threadpoolctl is not None:
        t.notes.append(
            "The first rows run BLAS as configured (see threadpool above); the '1 BLAS thread' rows repeat them "
            "inside threadpoolctl.threadpool_limits(1). On a machine whose cores are busy with other work, a "
            "multi-threaded gemv can wait for a descheduled thread and take 10× longer: compare the two."
        )
    t.notes.append(
        f"X takes {n * m * 8 / 2**20:.1f} MiB in float64 and half that in float32: where the float64 copy does "
        "not stay in the CPU's last-level cache and the float32 one does, float32 gains far more than 2×."
    )
    t.notes.append(f"data: {data.source}.")
    return t


# =====================================================================================  table 3: logistic


def _update(params: Sequence[Any], learning_rate: float) -> None:
    """w := w − α ∂J/∂w for every parameter, then clear its gradient (plain floats: no graph)."""
    for p in params:
        p.data -= learning_rate * p.grad
        p.grad = 0.0


def literal_iteration(
    w: list[Any], b: Any, X: np.ndarray, Y: np.ndarray, samples: int, lr: float, count: bool = False
) -> int:
    """One gradient-descent step on the literal graph: z = w₁x₁ + … + wₙxₙ + b with one node per
    product and per sum, a = σ(z), L = −(y log a + (1 − y) log(1 − a)), J = (1/m) ΣL.

    Returns the graph's node count if ``count`` (a traversal: leave it off when timing), else 0."""
    m = samples
    cost: Any = None
    for i in range(m):
        x = X[:, i].tolist()
        y = float(Y[0, i])
        z = w[0] * x[0]
        for wj, xj in zip(w[1:], x[1:]):
            z = z + wj * xj
        a = (z + b).sigmoid()
        loss = -(y * a.log() + (1.0 - y) * (1.0 - a).log())
        cost = loss if cost is None else cost + loss
    J = cost * (1.0 / m)
    J.backward()
    nodes = len(engine.topological_order(J)) if count else 0
    _update([*w, b], lr)
    return nodes


def fused_iteration(
    w: list[Any], b: Any, xs: list[list[float]], ys: list[float], lr: float, count: bool = False
) -> int:
    """One gradient-descent step on the fused graph: z = dot(w, x) + b, L = logistic_loss(z, y), J = vsum(L)/m.

    Returns the graph's node count if ``count`` (a traversal: leave it off when timing), else 0."""
    losses = [(engine.dot(w, x) + b).logistic_loss(y) for x, y in zip(xs, ys)]
    J = engine.vsum(losses) / len(xs)
    J.backward()
    nodes = len(engine.topological_order(J)) if count else 0
    _update([*w, b], lr)
    return nodes


def table_3(sizes: Sizes, repeat: int) -> Table:
    data = cat_data(sizes.n, sizes.m)
    X, Y = data.X, data.Y
    n, m = X.shape
    lr = 0.005
    V = engine.Value
    xs = [X[:, i].tolist() for i in range(m)]  # samples as lists of plain floats, made once
    ys = [float(v) for v in Y[0]]

    w = [V(0.0) for _ in range(n)]
    b = V(0.0)
    iters = sizes.logistic_iterations
    fused_nodes = fused_iteration(w, b, xs, ys, lr, count=True)  # warm up, and count the nodes
    fused = _best(lambda: [fused_iteration(w, b, xs, ys, lr) for _ in range(iters)], repeat) / iters

    k = min(sizes.literal_samples, m)
    w = [V(0.0) for _ in range(n)]
    b = V(0.0)
    nodes_k = literal_iteration(w, b, X, Y, k, lr, count=True)  # warm up, and count the nodes
    literal_k = _best(lambda: literal_iteration(w, b, X, Y, k, lr), repeat)
    literal = literal_k * m / k

    t = Table(
        f"Table 3. Logistic regression on the Value graph at cat size (n = {n}, m = {m}), "
        f"time per gradient-descent iteration; best of {repeat}",
        ["per iteration", "nodes per iteration", "literal/fused"],
    )
    ratio = _ratio(literal, fused)
    t.add(
        "fused: dot(w, x) + b → logistic_loss, vsum",
        _s(fused),
        f"{fused_nodes:,}",
        ratio=fused,
        target="≤ 0.5 s",
        met=fused <= 0.5,
    )
    t.add(
        f"literal: one node per product (timed on {k} samples, ×{m / k:.1f})",
        _s(literal),
        f"~{nodes_k * m // k:,}",
        _x(ratio),
        ratio=ratio,
    )
    model = logistic.LogisticRegression(n)
    fit_iters = max(1, iters)
    fit = _best(lambda: model.fit(X, Y, num_iterations=fit_iters, learning_rate=lr, stable=True), repeat) / fit_iters
    t.add("LogisticRegression.fit(stable=True)", _s(fit), "", _x(_ratio(fit, fused)), ratio=_ratio(fit, fused))
    t.notes.append("the LogisticRegression row's ratio is fit/fused (not literal/fused).")
    t.notes.append(
        "Each iteration builds the graph from the parameters, runs backward and updates w, b in place "
        "(p.data −= α·p.grad). The samples are plain-float lists made once, outside the timing. "
        f"The literal graph per sample has ~{nodes_k // max(k, 1):,} nodes, so it is timed on {k} samples "
        f"and scaled by m/{k}."
    )
    t.notes.append(f"data: {data.source}.")
    return t


# =====================================================================================  running


def run(config: Config, out: TextIO | None = None) -> list[Table]:
    """Run the chosen benchmarks, printing the environment and each table to ``out`` as it is done."""

    def emit(text: str) -> None:
        if out is not None:
            print(text, file=out, flush=True)

    emit("\n".join(environment(config.command)))
    tables: list[Table] = []
    steps: list[tuple[str, Callable[[], list[Table]]]] = [
        ("engine", lambda: engine_tables(config.sizes, config.repeat)),
        ("vectorized", lambda: [table_2(config.sizes, config.repeat)]),
        ("logistic", lambda: [table_3(config.sizes, config.repeat)]),
    ]
    for name, step in steps:
        if name not in config.only:
            continue
        t0 = time.perf_counter()
        made = step()
        for table in made:
            emit("")
            emit(table.render())
        emit(f"  ({name} benchmarks took {time.perf_counter() - t0:.0f} s)")
        tables.extend(made)
    return tables


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test in seconds, not a measurement")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this benchmark (engine: table 1, vectorized: table 2, logistic: table 3); repeatable",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement, best taken (default 3)")


def config_from_args(args: argparse.Namespace, command: str) -> Config:
    if args.repeat < 1:
        raise ValueError(f"--repeat must be at least 1, got {args.repeat}")
    return Config(
        sizes=Sizes.quick() if args.quick else Sizes(),
        repeat=args.repeat,
        only=tuple(args.only) if args.only else SECTIONS,
        command=command,
    )


def main(argv: Sequence[str] | None = None, prog: str = "python -m micrograd_lr.bench") -> int:
    """Parse ``argv`` (--quick, --only, --repeat), run and print the tables."""
    parser = argparse.ArgumentParser(prog=prog, description="Benchmarks of micrograd_lr, as ratios.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    command = " ".join([prog, shlex.join(sys.argv[1:] if argv is None else argv)]).rstrip()
    run(config_from_args(args, command), out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
