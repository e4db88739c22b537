"""The fast path: trace a ``Value`` graph once, replay it many times, one sample or a batch.

Building a graph of Python objects for every training step is what makes a
scalar engine slow.  Most training rebuilds the *same* graph with new numbers,
so a ``Tape`` records the graph once, as flat arrays (an operation per node,
the indices of its inputs, its constant), and replays it::

    >>> from micrograd_lr import Value
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> tape = Tape(a * b + a)
    >>> out, grads = tape.run({"a": 5.0})          # b keeps its traced 3.0
    >>> out, grads[a], grads[b]
    (20.0, 4.0, 5.0)

Give a leaf a 1-D array of B numbers and the whole graph runs for B samples at
once (the vectorization of the text): the output is an array of B, and the
gradients are summed over the batch (``reduce="sum"``), averaged (``"mean"``)
or kept per sample (``None``).

Two ways to replay, chosen by the input:

* one sample of a narrow graph (a long chain, a running sum: few nodes per
  level): straight-line Python generated from the tape, one statement per
  stored node forward and one per input backward, compiled once on first use
  and kept.  A sum's terms used nowhere else are written inside it, so a
  neuron's running sum w₁x₁ + w₂x₂ + … is one statement.  Only node indices
  and the tape's own rules for the operations of ``ops.TABLE`` enter the
  generated source; leaf values and constants live in lists it indexes.
* a batch, or one sample of a wide graph (``Tape.wide``: ``WIDE`` nodes or
  more per group on average, like the layers of a network): nodes are grouped
  by (level, operation), level = 1 + the highest level of the node's inputs,
  and each group is one call of the row's array form (``Op.array_forward``,
  ``Op.array_local``) over (nodes × samples).  No compiling: Python's compiler
  takes about a microsecond per character of generated source, seconds for a
  graph of 10⁵ nodes, where the grouped replay starts at once.

Errors are the engine's: a value or gradient that is not finite raises, naming
the operation and node, as ``Value`` and ``Value.backward`` do (the replay that
failed is run again node by node with the engine's checks to find where).
Nothing of the traced graph is changed by a replay.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

import numpy as np

from . import ops
from .engine import Value, _gradient_error, dot, no_grad, topological_order
from .ops import Op

Number = Union[int, float]
Key = Union[Value, str]
REDUCTIONS = ("sum", "mean", None)
WIDE = 8  # nodes per group on average from which one sample replays by array calls, not generated code
CHUNK = 4000  # nodes per generated function: compiling many small functions is faster than one huge one

_CODES: dict[str, int] = {name: i for i, name in enumerate(ops.TABLE)}
_ROWS: list[Op] = list(ops.TABLE.values())


class Replay(NamedTuple):
    """What ``Tape.run`` returns: the output, and the gradient of every leaf (keyed by the leaf ``Value``)."""

    output: Any
    grads: dict[Value, Any]


@dataclass
class Group:
    """Nodes ``start:stop`` of a tape: one operation at one level, replayed by one array call."""

    op: Op
    start: int
    stop: int
    parents: np.ndarray  # (arity, nodes): the index of each input of each node
    constant: Any  # None, an (nodes, 1) array, or for dot an (arity, nodes, 1) array
    scatter: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # how to add into repeated inputs


# ----------------------------------------------------------------------------- code templates
# How one sample's sweeps write each operation of ops.TABLE inline.  {0}, {1} are the inputs'
# values, {out} the node's value, {k} its constant.  An operation without a template here calls
# its row's scalar forms (FW[code], LC[code]) instead: slower, same numbers.

_FORWARD = {
    "add": "{0} + {1}",
    "sub": "{0} - {1}",
    "mul": "{0} * {1}",
    "neg": "-{0}",
    "tanh": "tanh({0})",
    "sigmoid": "sigmoid({0})",
    "relu": "({0} if {0} > 0.0 else 0.0)",
    "xent": "xent({0}, {k})",
}
_LOCAL = {  # one expression per input: the chain-rule term t · ∂out/∂input, t = ∂output/∂out
    "add": ("{t}", "{t}"),
    "sub": ("{t}", "{t} * -1.0"),
    "mul": ("{t} * {1}", "{t} * {0}"),
    "neg": ("{t} * -1.0",),
    "exp": ("{t} * {out}",),
    "tanh": ("{t} * (1.0 - {out} * {out})",),
    "sigmoid": ("{t} * ({out} * (1.0 - {out}))",),
    "relu": ("{t} * (1.0 if {0} > 0.0 else 0.0)",),
    "xent": ("{t} * (sigmoid({0}) - {k})",),
}
# A node made by one of these, used once, by one of _PASSING (whose local derivatives need no input
# value), is written inside its user's expression rather than stored: a neuron's running sum
# w₁x₁ + w₂x₂ + … becomes one statement.  Forward it computes the same numbers in the same order
# (the parentheses keep the graph's order); backward its gradient is its user's term, passed on.
_INLINE = {"add", "sub", "mul", "neg"}
_PASSING = {"add", "sub", "neg"}
MAX_INLINE_DEPTH = 40  # deeper nesting is stored, to keep the compiler's recursion shallow
_GLOBALS = {
    "tanh": math.tanh,
    "fsum": math.fsum,
    "sigmoid": ops.sigmoid,
    "xent": ops.logistic_loss,
    "__builtins__": {},
}


class _Writer:
    """Writes the straight-line sweeps of a tape, inlining what ``_INLINE`` allows."""

    def __init__(self, tape: Tape) -> None:
        self.ops, self.ins = tape._op, tape._ins
        uses = [0] * tape.size
        user: list[int] = [-1] * tape.size
        for i in tape._order:
            for p in self.ins[i]:
                uses[p] += 1
                user[p] = i
        depth = [0] * tape.size
        self.inline = [False] * tape.size
        for i in tape._order:
            op = self.ops[i]
            assert op is not None
            depth[i] = 1 + max((depth[p] for p in self.ins[i] if self.inline[p]), default=0)
            u = user[i]
            self.inline[i] = (
                op.name in _INLINE
                and uses[i] == 1
                and i != tape.root
                and depth[i] < MAX_INLINE_DEPTH
                and self.ops[u] is not None
                and self.ops[u].name in _PASSING  # type: ignore[union-attr]
            )

    def value(self, i: int) -> str:
        return f"({self.expression(i)})" if self.inline[i] else f"v[{i}]"

    def expression(self, i: int) -> str:
        op, ins = self.ops[i], self.ins[i]
        assert op is not None
        args = [self.value(p) for p in ins]
        template = _FORWARD.get(op.name)
        if template is not None:
            return template.format(*args, k=f"K[{i}]")
        if op.name == "sum":
            return f"fsum(({', '.join(args)},))"
        return f"FW[{_CODES[op.name]}](({', '.join(args)},), K[{i}])"

    def forward(self, i: int) -> list[str]:
        return [] if self.inline[i] else [f"v[{i}] = {self.expression(i)}"]

    def backward(self, i: int) -> list[str]:
        if self.inline[i]:
            return []
        lines = [f"t = g[{i}]"]
        self._terms(i, "t", lines)
        return lines

    def _terms(self, i: int, t: str, lines: list[str]) -> None:
        op, ins = self.ops[i], self.ins[i]
        assert op is not None
        args = [f"v[{p}]" for p in ins]  # inputs whose values a rule needs are stored, never inlined
        terms = _LOCAL.get(op.name)
        if terms is None:
            if op.name == "sum":
                terms = ("{t}",) * len(ins)
            else:
                lines.append(f"d = LC[{_CODES[op.name]}](({', '.join(args)},), v[{i}], K[{i}])")
                terms = tuple(f"{{t}} * d[{j}]" for j in range(len(ins)))
        for p, term in zip(ins, terms):
            text = term.format(*args, t=t, out=f"v[{i}]", k=f"K[{i}]")
            if self.inline[p]:
                self._terms(p, f"({text})", lines)
            else:
                lines.append(f"g[{p}] += {text}")


def _compile(body: list[str], args: str) -> Callable[..., None]:
    source = f"def sweep({args}):\n    " + ("\n    ".join(body) if body else "pass") + "\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<tape>", "exec"), dict(_GLOBALS), namespace)  # only indices and the rules above
    fn: Callable[..., None] = namespace["sweep"]
    return fn


# ----------------------------------------------------------------------------- the tape


class Tape:
    """A ``Value`` graph traced once into flat arrays, to be replayed with new leaf values.

    ``leaves``: the graph's leaves in traced order (what ``run`` gives gradients for);
    ``size``: the number of nodes; ``levels``: the length of the longest path from a leaf;
    ``groups``: the (level, operation) groups a batch replay makes one array call each.
    """

    def __init__(self, root: Value) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"root must be a Value, got {type(root).__name__}: {root!r:.80}")
        order = topological_order(root)
        leaves = [node for node in order if node.op is None]
        steps = [node for node in order if node.op is not None]
        level: dict[Value, int] = dict.fromkeys(leaves, 0)
        for node in steps:
            level[node] = 1 + max(level[p] for p in node.parents)

        def key(node: Value) -> tuple[int, str, int, bool]:
            assert node.op is not None
            return (level[node], node.op.name, len(node.parents), node.constant is not None)

        # Leaves first, then the nodes operations made, grouped by (level, operation, arity, constant?).
        placed = leaves + sorted(steps, key=key)
        index = {node: i for i, node in enumerate(placed)}
        self.leaves: list[Value] = leaves
        self.size = len(placed)
        self.levels = max(level.values())
        self.root = index[root]
        self._leaf_index = {leaf: i for i, leaf in enumerate(leaves)}
        self._labels: dict[str, list[int]] = {}
        for i, leaf in enumerate(leaves):
            if leaf.label:
                self._labels.setdefault(leaf.label, []).append(i)
        self._traced = np.array([leaf.data for leaf in leaves], dtype=np.float64)
        # Per node, in the order the engine ran (its topological order): operation, inputs, constant.
        self._order = [index[node] for node in steps]
        self._op: list[Op | None] = [node.op for node in placed]
        self._ins: list[tuple[int, ...]] = [tuple(index[p] for p in node.parents) for node in placed]
        self._k: list[Any] = [node.constant if node.op is not None else None for node in placed]
        self._label: list[str] = [node.label for node in placed]
        self.groups: list[Group] = []
        start = len(leaves)
        for stop in range(len(leaves) + 1, len(placed) + 1):
            if stop == len(placed) or key(placed[stop]) != key(placed[start]):
                self.groups.append(self._group(start, stop))
                start = stop
        self._sweeps: tuple[list[Callable[..., None]], list[Callable[..., None]]] | None = None
        self.wide = len(self._order) >= WIDE * len(self.groups)
        """True when one sample replays by array calls per group (many nodes per group), False by generated code."""

    def __repr__(self) -> str:
        return f"Tape({self.size} nodes, {len(self.leaves)} leaves, {self.levels} levels, {len(self.groups)} groups)"

    def _group(self, start: int, stop: int) -> Group:
        op = self._op[start]
        assert op is not None
        parents = np.array([self._ins[i] for i in range(start, stop)], dtype=np.intp).T.copy()
        constant: Any = None
        if self._k[start] is not None:
            ks = np.array([self._k[i] for i in range(start, stop)], dtype=np.float64)
            constant = ks.T[..., None].copy() if ks.ndim == 2 else ks[:, None]
        flat = parents.ravel()
        scatter = None
        if len(np.unique(flat)) != len(flat):  # an input used twice: sum its terms before adding
            perm = np.argsort(flat, kind="stable")
            ordered = flat[perm]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            scatter = (perm, starts, ordered[starts])
        return Group(op, start, stop, parents, constant, scatter)

    @property
    def nbytes(self) -> int:
        """Bytes of the tape's arrays for a batch replay (the generated code of one sample not counted)."""
        total = self._traced.nbytes
        for g in self.groups:
            total += g.parents.nbytes + (0 if g.constant is None else g.constant.nbytes)
            if g.scatter is not None:
                total += sum(a.nbytes for a in g.scatter)
        return total

    # ------------------------------------------------------------------ one sample: generated code

    def compile(self) -> Tape:
        """Generate and compile the straight-line sweeps of one sample (done once, on first need)."""
        if self._sweeps is None:
            forward: list[Callable[..., None]] = []
            backward: list[Callable[..., None]] = []
            writer = _Writer(self)
            order = self._order
            for s in range(0, len(order), CHUNK):
                lines = [line for i in order[s : s + CHUNK] for line in writer.forward(i)]
                forward.append(_compile(lines, "v, K, FW"))
            for s in range(len(order), 0, -CHUNK):
                lines = [line for i in reversed(order[max(0, s - CHUNK) : s]) for line in writer.backward(i)]
                backward.append(_compile(lines, "v, g, K, LC"))
            self._sweeps = (forward, backward)
        return self

    def sweep(self, leaf_values: Sequence[float]) -> tuple[float, list[float]]:
        """One sample: the output and the gradient of each leaf, given every leaf's value in ``leaves`` order.

        The fast replay checks nothing as it runs; if anything went wrong (an exception, or a value or
        gradient that is not finite, seen in their sums), the sweep runs again node by node with the
        engine's checks, which raise the engine's error.
        """
        self.compile()
        assert self._sweeps is not None
        forward, backward = self._sweeps
        n_leaves = len(self.leaves)
        v = [0.0] * self.size
        v[:n_leaves] = leaf_values
        g = [0.0] * self.size
        fw = [row.forward for row in _ROWS]
        lc = [row.local for row in _ROWS]
        try:
            for f in forward:
                f(v, self._k, fw)
            g[self.root] = 1.0
            for f in backward:
                f(v, g, self._k, lc)
            fine = math.isfinite(sum(v)) and math.isfinite(sum(g))
        except (ArithmeticError, ValueError):
            fine = False
        if not fine:
            return self._checked(list(leaf_values))
        return v[self.root], g[:n_leaves]

    def _checked(self, leaf_values: list[float]) -> tuple[float, list[float]]:
        """The sweeps node by node with the engine's checks and errors (the slow, sure way)."""
        n_leaves = len(self.leaves)
        v = [0.0] * self.size
        v[:n_leaves] = leaf_values
        for i in self._order:
            op = self._op[i]
            assert op is not None
            data = op.forward([v[p] for p in self._ins[i]], self._k[i])
            if not math.isfinite(data):
                raise OverflowError(f"{op.name}: the result is not a finite number ({data!r}){self._named(i)}")
            v[i] = data
        g = [0.0] * self.size
        g[self.root] = 1.0
        for i in reversed(self._order):
            op = self._op[i]
            assert op is not None
            ins = self._ins[i]
            for p, d in zip(ins, op.local([v[p] for p in ins], v[i], self._k[i])):
                g[p] += g[i] * d
                if not math.isfinite(g[p]):
                    raise _gradient_error(self._shadow(i, v, g), self._shadow(p, v, g), d)
        return v[self.root], g[:n_leaves]

    def _named(self, i: int) -> str:
        return f" at node {self._label[i]!r}" if self._label[i] else ""

    def _shadow(self, i: int, v: list[float], g: list[float]) -> Value:
        """A stand-in node with node i's label, operation and replayed numbers, for an error message."""
        with no_grad():
            node = Value(0.0, self._label[i])
        node.data, node.grad, node.op, node.constant = v[i], g[i], self._op[i], self._k[i]
        return node

    # ------------------------------------------------------------------ a batch: grouped array calls

    def sweep_batch(self, leaf_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """B samples at once: ``leaf_values`` is (leaves, B); returns the outputs (B,) and per-sample
        leaf gradients (leaves, B)."""
        n_leaves, batch = leaf_values.shape
        V = np.empty((self.size, batch))
        V[:n_leaves] = leaf_values
        G = np.zeros((self.size, batch))
        with np.errstate(all="ignore"):
            for grp in self.groups:
                V[grp.start : grp.stop] = grp.op.array_forward(V[grp.parents], grp.constant)
            G[self.root] = 1.0
            for grp in reversed(self.groups):
                t = G[grp.start : grp.stop]
                xs = V[grp.parents]
                local = grp.op.array_local(xs, V[grp.start : grp.stop], grp.constant)
                if isinstance(local, np.ndarray):
                    terms = t * local
                else:
                    terms = np.empty(xs.shape)
                    for j, d in enumerate(local):
                        terms[j] = t * d
                terms = terms.reshape(-1, batch)
                if grp.scatter is None:
                    G[grp.parents.ravel()] += terms
                else:
                    perm, starts, targets = grp.scatter
                    G[targets] += np.add.reduceat(terms[perm], starts, axis=0)
        if not (np.isfinite(V).all() and np.isfinite(G).all()):
            bad = ~(np.isfinite(V).all(axis=0) & np.isfinite(G).all(axis=0))
            sample = int(np.flatnonzero(bad)[0])
            self._checked([float(x) for x in leaf_values[:, sample]])  # raises the engine's error
            raise FloatingPointError(  # the batch's rounding differs from one sample's: say where
                f"replay: a value or gradient of sample {sample} is not finite in the batch replay"
            )
        return V[self.root].copy(), G[:n_leaves]

    # ------------------------------------------------------------------ the public replay

    def leaf(self, key: Key) -> int:
        """The position in ``leaves`` of a leaf given as its ``Value`` or its (unique) label."""
        if isinstance(key, Value):
            i = self._leaf_index.get(key)
            if i is None:
                raise ValueError(f"values: {key!r} is not a leaf of this tape's graph")
            return i
        if isinstance(key, str):
            found = self._labels.get(key, [])
            if len(found) != 1:
                why = "no leaf has" if not found else f"{len(found)} leaves have"
                raise ValueError(f"values: {why} the label {key!r}; give the leaf itself")
            return found[0]
        raise TypeError(f"values: keys must be leaves (Value) or their labels (str), got {type(key).__name__}")

    def run(self, values: Mapping[Any, Any] | None = None, *, reduce: str | None = "sum") -> Replay:
        """Replay the graph with new leaf values: ``values`` maps leaves (or labels) to a number, or to a
        1-D array of B numbers (a batch).  Leaves not given keep their traced values.

        Returns ``Replay(output, grads)``: the output (a float, or an array of B), and ``grads`` mapping
        each leaf to ∂output/∂leaf (over a batch: summed, averaged or per sample, by ``reduce``).
        """
        if reduce not in REDUCTIONS:
            raise ValueError(f"reduce must be one of {REDUCTIONS}, got {reduce!r}")
        if values is None:
            values = {}
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a mapping of leaves to numbers, got {type(values).__name__}")
        given: dict[int, Any] = {}
        batch = None
        for key, x in values.items():
            i = self.leaf(key)
            if isinstance(x, numbers.Real):
                given[i] = _finite(float(x), key)
                continue
            a = np.asarray(x, dtype=np.float64) if _is_array_like(x) else None
            if a is None or a.ndim != 1 or len(a) == 0:
                raise TypeError(f"values[{key!r}] must be a real number or a 1-D array of numbers, got {x!r:.80}")
            if not np.isfinite(a).all():
                raise ValueError(f"values[{key!r}] must be finite, got {a!r:.80}")
            if batch is not None and len(a) != batch:
                raise ValueError(f"values[{key!r}] has {len(a)} samples, other leaves have {batch}")
            batch = len(a)
            given[i] = a
        if batch is None:
            leaf_values = self._traced.tolist()
            for i, x in given.items():
                leaf_values[i] = x
            if self.wide:
                outs, per_sample = self.sweep_batch(np.array(leaf_values)[:, None])
                return Replay(float(outs[0]), dict(zip(self.leaves, per_sample[:, 0].tolist())))
            out, grads = self.sweep(leaf_values)
            return Replay(out, dict(zip(self.leaves, grads)))
        matrix = np.repeat(self._traced[:, None], batch, axis=1)
        for i, x in given.items():
            matrix[i] = x
        outs, per_sample = self.sweep_batch(matrix)
        if reduce == "sum":
            reduced: Iterable[Any] = per_sample.sum(axis=1).tolist()
        elif reduce == "mean":
            reduced = per_sample.mean(axis=1).tolist()
        else:
            reduced = list(per_sample)
        return Replay(outs, dict(zip(self.leaves, reduced)))


def _is_array_like(x: object) -> bool:
    return isinstance(x, (np.ndarray, list, tuple))


def _finite(x: float, key: Key) -> float:
    if not math.isfinite(x):
        raise ValueError(f"values[{key!r}] must be finite, got {x!r}")
    return x


# ----------------------------------------------------------------------------- training helpers


def _leaf_matrix(tape: Tape, batch: int) -> np.ndarray:
    return np.repeat(tape._traced[:, None], batch, axis=1)


def fit_logistic(
    w: Sequence[Value],
    b: Value,
    X: np.ndarray,
    Y: np.ndarray,
    num_iterations: int,
    learning_rate: float,
    callback: Callable[[int, float], object] | None = None,
) -> list[float]:
    """Gradient descent on J = (1/m) Σ L(σ(wᵀx + b), y) with the one-sample graph replayed over the m samples.

    The graph of one sample, z = dot(w, x) + b then L(a, y), is traced once per label value (y is the
    loss node's constant) and replayed over the columns of X with that label.  ``w`` and ``b`` (the
    model's leaves) get the final values and the gradients of the last step.  Returns J before each step.
    """
    n, m = X.shape
    xs = [Value(0.0, f"x{j}") for j in range(1, n + 1)]
    runs = []
    for y in np.unique(Y[0]):
        cols = np.flatnonzero(Y[0] == y)
        tape = Tape((dot(list(w), xs) + b).logistic_loss(float(y)))
        leaves = tape._leaf_index
        matrix = _leaf_matrix(tape, len(cols))
        matrix[[leaves[x] for x in xs]] = X[:, cols]
        runs.append((tape, matrix, [leaves[p] for p in w], leaves[b]))
    params = np.array([p.data for p in w] + [b.data])
    costs: list[float] = []
    for i in range(num_iterations):
        grad = np.zeros(n + 1)
        total = 0.0
        for tape, matrix, w_rows, b_row in runs:
            matrix[w_rows] = params[:n, None]
            matrix[b_row] = params[n]
            out, per_sample = tape.sweep_batch(matrix)
            total += math.fsum(out)
            grad[:n] += per_sample[w_rows].sum(axis=1)
            grad[n] += per_sample[b_row].sum()
        costs.append(total / m)
        grad /= m
        params = params - learning_rate * grad
        if not np.isfinite(params).all():
            raise OverflowError(
                f"gradient descent diverged at iteration {i} (learning_rate {learning_rate!r} is too large)"
            )
        if callback is not None:
            callback(i, costs[-1])
    for p, value, g in zip([*w, b], params.tolist(), grad.tolist()):
        p.data, p.grad = value, g
    return costs


@dataclass
class MLPRun:
    """What ``fit_mlp`` did: the cost (data loss + regularisation) and the accuracy before each step."""

    costs: list[float]
    accuracies: list[float]


def hinge(score: Value, y: Value) -> Value:
    """The max-margin loss of one sample, max(0, 1 − y·score), for labels y = ±1."""
    return (1 - y * score).relu()


def fit_mlp(
    model: Any,
    X: Sequence[Sequence[float]] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    steps: int,
    learning_rate: float | Callable[[int], float],
    *,
    alpha: float = 1e-4,
    loss: Callable[[Value, Value], Value] = hinge,
) -> MLPRun:
    """Full-batch gradient descent on a network with one output: cost = mean of ``loss(score, y)`` over the
    samples + alpha · Σ p² over the parameters.

    The graph of one sample (inputs and label as leaves) is traced once and replayed over the whole
    batch each step; the regularisation term's gradient 2·alpha·p is added in NumPy.  ``model`` is
    an ``nn.MLP`` (or anything callable on a list of inputs with ``parameters()``); its parameters
    are updated in place.  ``learning_rate`` may depend on the step: ``lambda k: 1.0 - 0.9 * k / 100``.
    Accuracy counts samples where the score's sign matches y's (labels ±1).
    """
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64).ravel()
    if Xa.ndim != 2 or len(Xa) != len(ya) or len(ya) == 0:
        raise ValueError(f"X must be (samples, inputs) with one y per sample, got X {Xa.shape} and y {ya.shape}")
    params = model.parameters()
    inputs = [Value(0.0, f"x{j}") for j in range(1, Xa.shape[1] + 1)]
    label = Value(1.0, "y")
    out = model(inputs)  # nn.MLP with one output unit returns that Value (micrograd's rule); a list is taken too
    (score,) = out if isinstance(out, (list, tuple)) else (out,)
    tape = Tape(loss(score, label))
    scores = Tape(score)
    leaves, score_leaves = tape._leaf_index, scores._leaf_index
    matrix = _leaf_matrix(tape, len(ya))
    matrix[[leaves[x] for x in inputs]] = Xa.T
    matrix[leaves[label]] = ya
    p_rows = [leaves[p] for p in params]
    s_matrix = _leaf_matrix(scores, len(ya))
    s_matrix[[score_leaves[x] for x in inputs]] = Xa.T
    s_rows = [score_leaves[p] for p in params]
    p = np.array([q.data for q in params])
    run = MLPRun([], [])
    for k in range(steps):
        matrix[p_rows] = p[:, None]
        out, per_sample = tape.sweep_batch(matrix)
        s_matrix[s_rows] = p[:, None]
        s = scores.sweep_batch(s_matrix)[0]
        run.costs.append(float(out.mean()) + alpha * float(p @ p))
        run.accuracies.append(float(np.mean((ya > 0) == (s > 0))))
        grad = per_sample[p_rows].mean(axis=1) + 2.0 * alpha * p
        rate = learning_rate(k) if callable(learning_rate) else learning_rate
        p = p - rate * grad
    for q, value in zip(params, p.tolist()):
        q.data = value
    return run
