"""What every table of the benchmarks shares: targets, tables, sizes, timing helpers, the
fresh-interpreter runner, the print-out of the environment and the command line.

No absolute time is a result on its own (the machines are noisy): every table compares things
measured in the same run.  Timings use ``time.perf_counter``, take the best of ``repeat`` runs
and call ``gc.collect()`` before each timed run, outside the timing.

This module imports neither NumPy nor micrograd_lr, so that a measuring subprocess holds only
what it measures.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    import numpy as np

INSTALL_HINT = "pip install 'micrograd_lr[bench]'"
BIG_STACK = 512 * 1024 * 1024  # bytes, for threads that recurse deeply (micrograd's topological sort)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # holds benchmarks/ (and micrograd_lr/)


# =====================================================================================  targets and tables


@dataclass(frozen=True)
class Target:
    """A goal for one number of a table: its text for the ``target`` column and the test it must pass."""

    text: str
    holds: Callable[[float], bool]
    about: str = ""  # what the number is, in words

    @classmethod
    def at_least(cls, bound: float, unit: str = "×", about: str = "", text: str = "") -> Target:
        return cls(text or f"≥ {bound:g}{unit}", lambda value: value >= bound, about)

    @classmethod
    def at_most(cls, bound: float, unit: str = "×", about: str = "", text: str = "") -> Target:
        return cls(text or f"≤ {bound:g}{unit}", lambda value: value <= bound, about)


NOT_MEASURED = "not measured"


@dataclass
class Row:
    """One line of a table: a label, the measured cells, a ratio, the target and whether it is met.

    ``met`` is None when the row has no target, or when the run did not measure what the target
    asks for (a ``--quick`` run, at other sizes): then the table prints "not measured".
    """

    label: str
    cells: list[str]
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        if not self.target:
            return ""
        if self.met is None:
            return NOT_MEASURED
        return "yes" if self.met else "NO"


@dataclass
class Table:
    """An aligned text table with a ``target`` and ``met?`` column, and notes below it."""

    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        label: str,
        *cells: str,
        ratio: float | None = None,
        target: Target | None = None,
        judged: bool = True,
    ) -> Row:
        """Add a row; with a ``target``, ``met`` is ``target.holds(ratio)`` if ``judged``, else None."""
        met = None
        if target is not None and judged:
            if ratio is None:
                raise ValueError(f"row {label!r} has a target but no ratio to judge it on")
            met = bool(target.holds(ratio))
        row = Row(label, list(cells), ratio, "" if target is None else target.text, met)
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
            body.append([r.label, *cells, r.target, r.verdict])
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


def seconds(s: float) -> str:
    """A duration with a sensible unit."""
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def times(ratio: float) -> str:
    return f"{ratio:.2f}×"


def ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.inf


# =====================================================================================  settings


@dataclass
class Sizes:
    """The sizes of every benchmark; ``quick()`` gives the smoke-test ones.

    ``judged``: the targets are judged only at the full sizes; at others they are "not measured".
    """

    width: int = 32  # neurons per layer of the MLP-like graph (and its fan-in)
    main_nodes: int = 400_000  # table 1a
    scaling_nodes: tuple[int, ...] = (10_000, 100_000, 1_000_000)  # table 1b
    memory_nodes: int = 100_000  # table 1c
    our_chain: int = 1_000_000  # table 1d: the depth our engine must backpropagate
    micrograd_chain_probes: tuple[int, ...] = (100_000, 1_000_000)  # table 1d: with a raised limit
    n: int = 12288  # features of a cat picture (64·64·3)
    m: int = 209  # training pictures
    vec_iterations: int = 100  # gradient-descent iterations per timed run of `optimize`
    vec_screen_rounds: int = 3  # table 2, stage 1: rounds over every layout, to pick the pair the floor is timed with
    vec_paired_rounds: int = 21  # table 2, stage 2: at least this many paired rounds of that pair and of optimize
    logistic_iterations: int = 2  # iterations per timed run of the fused Value-graph regression
    literal_samples: int = 4  # samples on which the literal Value graph is timed (scaled to m)
    judged: bool = True

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
            vec_screen_rounds=1,
            vec_paired_rounds=3,
            logistic_iterations=1,
            literal_samples=2,
            judged=False,
        )


@dataclass
class Config:
    """What a run measures: the sizes, timed runs per measurement, and where measurements run.

    ``fresh``: each engine measurement in a fresh interpreter (the method of the benchmarks); False
    runs them in this process, which only the smoke tests do, to stay fast.
    """

    sizes: Sizes = field(default_factory=Sizes)
    repeat: int = 3
    fresh: bool = True
    command: str = "python -m benchmarks"


class Group(Protocol):
    """A module of tables: ``GROUP`` is its name for ``--only``; ``tables(config)`` measures them."""

    GROUP: str

    def tables(self, config: Config) -> list[Table]: ...


# =====================================================================================  environment


def optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
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
    import numpy as np

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
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is not None:
        for info in threadpoolctl.threadpool_info():
            keys = ("internal_api", "version", "threading_layer", "architecture", "num_threads")
            lines.append("threadpool:  " + ", ".join(f"{k}={info.get(k)}" for k in keys if k in info))
    else:
        lines.append("threadpool:  (threadpoolctl not installed)")
    return lines


# =====================================================================================  timing helpers


def best(fn: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` timed calls of ``fn``, with ``gc.collect()`` before each, untimed."""
    shortest = math.inf
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        shortest = min(shortest, time.perf_counter() - t0)
    return shortest


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


# =====================================================================================  data


@dataclass
class CatData:
    X: np.ndarray  # (n, m), scaled to [0, 1]
    Y: np.ndarray  # (1, m)
    source: str


def cat_data(n: int, m: int) -> CatData:
    """The first n features of m synthetic cat pictures, flattened and scaled (X is (n, m)).

    At m = 209 these are the embedded training pictures of ``micrograd_lr.data.load_dataset()``;
    smaller m makes only m pictures (a quick run need not paint all 209).
    """
    import numpy as np

    from micrograd_lr import data as cats

    if not 1 <= n <= 64 * 64 * 3 or m < 1:
        raise ValueError(f"cat_data: need 1 ≤ n ≤ {64 * 64 * 3} and m ≥ 1, got n = {n}, m = {m}")
    train_x_orig, train_y = cats.synthetic_cats(m, seed=0)
    X = cats.scale(cats.flatten(train_x_orig))
    source = "micrograd_lr.data.synthetic_cats(m, seed=0)" + (
        ", the embedded training set" if m == cats.TRAIN_SIZE else ""
    )
    return CatData(np.ascontiguousarray(X[:n, :m]), train_y.astype(np.float64), source)


# =====================================================================================  fresh interpreters

_WORKER = (
    "import importlib, json, sys; "
    "fn = getattr(importlib.import_module(sys.argv[1]), sys.argv[2]); "
    "print(json.dumps(fn(**json.loads(sys.argv[3]))), flush=True)"
)


class FreshRunError(RuntimeError):
    """A measurement in a fresh interpreter failed: it crashed, exited with an error or timed out."""


def _env() -> dict[str, str]:
    """The environment for a subprocess that must import this very copy of the benchmarks."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": ROOT + (os.pathsep + path if path else "")}


def call(fn: Callable[..., dict[str, Any]], fresh: bool = True, timeout: float | None = None, **kwargs: Any) -> Any:
    """``fn(**kwargs)``, a module-level function returning JSON-able data, run in a fresh interpreter.

    A fresh interpreter per measurement means that no measurement inherits another's heap (a heap
    fragmented by millions of freed nodes slows the next graph down) or collector state.  With
    ``fresh=False`` it runs here, its result passed through JSON all the same.
    """
    if not fresh:
        return json.loads(json.dumps(fn(**kwargs)))
    spec = json.dumps(kwargs)
    cmd = [sys.executable, "-c", _WORKER, fn.__module__, fn.__name__, spec]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise FreshRunError(f"{fn.__name__}({spec}) timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        tail = "\n".join(proc.stderr.strip().splitlines()[-3:])
        raise FreshRunError(f"{fn.__name__}({spec}) failed ({how}) {tail}".rstrip())
    return json.loads(proc.stdout.strip().splitlines()[-1])


# =====================================================================================  running


def run(groups: Sequence[Group], config: Config, out: TextIO | None = None) -> list[Table]:
    """Run each group's tables, printing the environment and each table to ``out`` as it is done."""

    def emit(text: str) -> None:
        if out is not None:
            print(text, file=out, flush=True)

    emit("\n".join(environment(config.command)))
    made: list[Table] = []
    for group in groups:
        t0 = time.perf_counter()
        tables = group.tables(config)
        for table in tables:
            emit("")
            emit(table.render())
        emit(f"  ({group.GROUP} benchmarks took {time.perf_counter() - t0:.0f} s)")
        made.extend(tables)
    return made


def main(modules: Sequence[str], argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (--quick, --only GROUP, --repeat N), run the chosen groups and print their tables.

    ``modules`` are the groups' module names (imported by name, so that a group run as ``__main__``
    still hands its own module's functions to the fresh interpreters).
    """
    groups: list[Group] = [importlib.import_module(name) for name in modules]
    names = [g.GROUP for g in groups]
    prog = "python -m " + (modules[0] if len(modules) == 1 else "benchmarks")
    parser = argparse.ArgumentParser(prog=prog, description="Benchmarks of micrograd_lr, printed as ratios.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test in seconds, not a measurement")
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        help="run only this group (engine: table 1, vectorized: table 2, logistic: table 3); repeatable",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement, best taken (default 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    only = set(args.only or names)
    command = " ".join([prog, shlex.join(sys.argv[1:] if argv is None else argv)]).rstrip()
    config = Config(sizes=Sizes.quick() if args.quick else Sizes(), repeat=args.repeat, command=command)
    run([g for g in groups if g.GROUP in only], config, out=sys.stdout)
    return 0
