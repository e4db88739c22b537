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
or kept per sample (``None``).  An operation's constant that is one number (the
label y of ``z.logistic_loss(y)``, the exponent k of ``a ** k``) can be given
the same way, per sample, through ``constants``: one replay then covers
samples of both labels::

    >>> loss = (a * b).logistic_loss(0.0)
    >>> Tape(loss).run({a: [1.0, 1.0]}, constants={loss: [0.0, 1.0]}).output.round(4)
    array([3.0486, 0.0486])

Before grouped replays, sums absorb their private terms: a running sum
acc = acc + wᵢxᵢ, a neuron's dot(w, x) + b or a chain v = v + c becomes one
``dot`` node over pairs (wᵢ, xᵢ), so a million-deep chain of additions is one
array call.  ``Tape(root, wrt=[...])`` asks for the gradients of some leaves
only: the backward sweep skips whatever leads to none of them (the data x of a
sample costs nothing backward).

How a replay runs, chosen by the input:

* one sample of a narrow graph (few nodes per group even after fusing, like
  a long chain of tanh): straight-line Python generated from the tape, one
  statement per stored node forward and one per input backward, compiled once
  on first use and kept.  A sum's terms used nowhere else are written inside
  it.  Only node indices and the tape's own rules for the operations of
  ``ops.TABLE`` enter the generated source; leaf values and constants live in
  lists it indexes.  Python's compiler takes about a microsecond per character
  of source, so from ``LOOP`` nodes on the sweep runs node by node instead.
* a batch, or one sample of a wide graph (``Tape.wide``: ``WIDE`` nodes or
  more per group on average, like the layers of a network): nodes are grouped
  by (level, operation), level = 1 + the highest level of the node's inputs,
  and each group is one call of the row's array form (``Op.array_forward``,
  ``Op.array_local``) over (nodes × samples).  A ``dot`` group whose one factor
  is leaves with one value for the whole batch (the parameters) is a matrix
  product: U.T @ X forward, X @ tᵀ (summed over the batch inside the product)
  and U @ t backward, as the vectorized path computes a layer.

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
from itertools import pairwise
from typing import Any, NamedTuple, Union

import numpy as np

from . import ops
from .engine import Value, _gradient_error, dot, no_grad, topological_order
from .ops import Op

Number = Union[int, float]
Key = Union[Value, str]
REDUCTIONS = ("sum", "mean", None)
WIDE = 8  # nodes per group on average from which one sample replays by array calls, not generated code
LOOP = 250_000  # nodes from which a narrow graph's one sample runs node by node rather than compiling code
MAX_RUNS = 8  # a shared matrix factor in up to this many runs of consecutive rows is read as views, not copied
CHUNK = 4000  # nodes per generated function: compiling many small functions is faster than one huge one

_CODES: dict[str, int] = {name: i for i, name in enumerate(ops.TABLE)}
_ROWS: list[Op] = list(ops.TABLE.values())


class Replay(NamedTuple):
    """What ``Tape.run`` returns: the output, and the gradient of every leaf (keyed by the leaf ``Value``)."""

    output: Any
    grads: dict[Value, Any]


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


# ----------------------------------------------------------------------------- replaying by groups
# A batch (and one sample of a wide graph) is replayed on a smaller graph than the traced one: every
# sum whose terms are used nowhere else absorbs them.  A tree of additions (a running sum
# acc = acc + wᵢxᵢ, a neuron's dot(w, x) + b, a chain v = v + c) becomes one ``dot`` node over pairs
# (wᵢ, xᵢ): a product used only by the sum gives its two factors, any other term t gives (t, 1),
# with 1 a hidden leaf.  The gradients are the same products t·xᵢ, t·wᵢ the engine computes; the
# value is the same sum, added in another order (NumPy's pairwise summation).

_TERMS = ("add", "sum")  # operations whose inputs are the terms of one sum
DOT = ops.TABLE["dot"]


def _spread(targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """How to add a stack of terms into rows ``targets`` that repeat: sort, sum runs, add once."""
    if len(np.unique(targets)) == len(targets):
        return None
    perm = np.argsort(targets, kind="stable")
    ordered = targets[perm]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return perm, starts, ordered[starts]


def _add_into(G: np.ndarray, terms: np.ndarray, targets: np.ndarray, spread: Any) -> None:
    if spread is None:
        G[targets] += terms
    else:
        perm, starts, rows = spread
        G[rows] += np.add.reduceat(terms[perm], starts, axis=0)


@dataclass
class Group:
    """Nodes ``start:stop`` of the replayed graph: one operation at one level, replayed by one array call."""

    op: Op
    start: int
    stop: int
    parents: np.ndarray  # (arity, nodes): the index of each input of each node
    constant: Any  # None, an (nodes, 1) array, or for dot an (arity, nodes, 1) array
    active: bool  # some node of the group leads to a leaf whose gradient is asked for
    keep: np.ndarray | None  # positions in parents.ravel() whose input needs a gradient (None: all)
    targets: np.ndarray  # parents.ravel()[keep]: the rows the backward step adds into
    spread: Any  # _spread(targets)


@dataclass
class _Matrix:
    """A dot group read as one matrix product: out[g] = Σᵢ U[i, g]·X[i, g], U leaves that are the
    same for every sample (parameters), X anything.  When every node reads the same X (a layer of
    neurons), it is U.T @ X; its backward is X @ tᵀ for U (summed over the batch in the product)
    and U @ t for X."""

    u: np.ndarray  # (n, nodes): leaf indices of the uniform factor
    u_runs: Any  # when U.T.ravel() is a few runs of consecutive leaves: [(positions, leaves)] as slices
    x: np.ndarray  # (n, nodes): row indices of the other factor
    rows: Any  # when every node reads the same rows of X: [(positions, rows)], runs of consecutive rows as slices
    u_grad: bool
    u_unique: bool
    x_keep: np.ndarray | None  # positions of x (rows, or x.ravel()) whose input needs a gradient
    x_targets: np.ndarray
    x_spread: Any


@dataclass
class _Plan:
    steps: list[tuple[Group, _Matrix | None]]
    fill: np.ndarray  # uniform leaves whose row of V is read: copied there from u before each replay
    g_rows: np.ndarray  # leaves asked for whose row of G receives terms


class _Runner:
    """Buffers and plan of a grouped replay over B samples; ``u`` holds the leaves that are the same
    for every sample, rows of ``V`` the ones given per sample (``batched``)."""

    def __init__(
        self, tape: Tape, batched: frozenset[int], batch: int, reduced: bool, varied: frozenset[int] = frozenset()
    ) -> None:
        self.tape, self.batched, self.batch, self.reduced = tape, batched, batch, reduced
        self.plan = tape._plan(batched, reduced)
        self.V = np.zeros((tape._nf, batch))
        self.G = np.zeros((tape._nf, batch))
        self.u = np.append(tape._traced, 1.0)  # the hidden leaf 1 of the fused sums last
        self.gu = np.zeros(len(self.u))
        # The constant each group's array call gets: the traced (nodes, 1), or for a group holding a node
        # of ``varied`` (traced indices) a (nodes, B) copy whose rows ``constant(i)`` gives per sample.
        self.constants: list[Any] = [grp.constant for grp in tape.groups]
        self.k_rows: dict[int, np.ndarray] = {}
        for i in sorted(varied):
            row = tape._frow[i]
            g = next(j for j, grp in enumerate(tape.groups) if grp.start <= row < grp.stop)
            grp = tape.groups[g]
            if self.constants[g] is grp.constant:
                self.constants[g] = np.repeat(grp.constant, batch, axis=1)
            self.k_rows[i] = self.constants[g][row - grp.start]

    def constant(self, i: int) -> np.ndarray:
        """The (B,) row of per-sample constants of node i (traced numbering, one of ``varied``), to write into."""
        return self.k_rows[i]

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        """Outputs (B,) and the gradient of every leaf: summed over the batch (L,) when ``reduced``,
        else per sample (L, B); zeros for leaves not asked for."""
        tape, plan, V, G, u, gu = self.tape, self.plan, self.V, self.G, self.u, self.gu
        n1, root = tape._n1, tape._froot
        V[plan.fill] = u[plan.fill, None]
        with np.errstate(all="ignore"):
            for (grp, m), k in zip(plan.steps, self.constants):
                if m is None:
                    V[grp.start : grp.stop] = grp.op.array_forward(V[grp.parents], k)
                elif m.rows is not None:
                    U = self._u(m)
                    out = sum(U[at].T @ V[rows] for at, rows in m.rows)
                    V[grp.start : grp.stop] = out
                else:
                    V[grp.start : grp.stop] = np.einsum("ig,igb->gb", u[m.u], V[m.x])
            G[n1:] = 0.0
            G[plan.g_rows] = 0.0
            gu[:] = 0.0
            G[root] = 1.0
            for (grp, m), k in zip(reversed(plan.steps), reversed(self.constants)):
                if not grp.active:
                    continue
                if m is None:
                    self._generic(grp, k)
                else:
                    self._matrix(grp, m)
        out = V[root].copy()
        fine = np.isfinite(V[n1:]).all() and np.isfinite(G[n1:]).all() and np.isfinite(G[plan.g_rows]).all()
        if not (fine and np.isfinite(gu).all() and np.isfinite(out).all()):
            self._fail()
        n_leaves = n1 - 1
        if not self.reduced:
            return out, G[:n_leaves].copy()
        grads = gu[:n_leaves].copy()
        grads[plan.g_rows] += G[plan.g_rows].sum(axis=1)
        return out, grads

    def _generic(self, grp: Group, k: Any) -> None:
        V, G = self.V, self.G
        t = G[grp.start : grp.stop]
        xs = V[grp.parents]
        local = grp.op.array_local(xs, V[grp.start : grp.stop], k)
        if isinstance(local, np.ndarray):
            terms = t * local
        else:
            terms = np.empty(xs.shape)
            for j, d in enumerate(local):
                terms[j] = t * d
        terms = terms.reshape(-1, self.batch)
        _add_into(G, terms if grp.keep is None else terms[grp.keep], grp.targets, grp.spread)

    def _u(self, m: _Matrix) -> np.ndarray:
        """The uniform factor's values (n, nodes), read as slices of u when its leaves run consecutively."""
        if m.u_runs is None:
            return self.u[m.u]
        u = self.u
        flat = u[m.u_runs[0][1]] if len(m.u_runs) == 1 else np.concatenate([u[leaves] for _, leaves in m.u_runs])
        return flat.reshape(m.u.shape[1], m.u.shape[0]).T

    def _matrix(self, grp: Group, m: _Matrix) -> None:
        V, G = self.V, self.G
        t = G[grp.start : grp.stop]
        U = self._u(m)
        if m.u_grad:  # summed over the batch inside the product
            if m.rows is not None:
                dU = np.empty(U.shape)
                for at, rows in m.rows:
                    dU[at] = V[rows] @ t.T
            else:
                dU = np.einsum("igb,gb->ig", V[m.x], t)
            if m.u_runs is not None:
                flat = dU.T.ravel()
                for at, leaves in m.u_runs:
                    self.gu[leaves] += flat[at]
            elif m.u_unique:
                self.gu[m.u] += dU
            else:
                np.add.at(self.gu, m.u, dU)
        if m.x_keep is not None:
            dX = U @ t if m.rows is not None else (U[:, :, None] * t[None]).reshape(-1, self.batch)
            _add_into(G, dX[m.x_keep], m.x_targets, m.x_spread)

    def _fail(self) -> None:
        """A value or gradient left the finite numbers: replay the first such sample node by node with
        the engine's checks, which raise the engine's error naming the node."""
        tape, V, G = self.tape, self.V, self.G
        n1 = tape._n1
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(V[n1:]).all(axis=0) & np.isfinite(G[n1:]).all(axis=0))
            bad |= ~np.isfinite(G[self.plan.g_rows]).all(axis=0)
        sample = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        values = self.u[: n1 - 1].copy()
        rows = sorted(self.batched)
        values[rows] = V[rows, sample]
        ks = list(tape._k)
        for i, row in self.k_rows.items():
            ks[i] = float(row[sample])
        tape._checked(values.tolist(), ks)  # raises the engine's error
        raise FloatingPointError(  # the grouped replay's rounding differs from the engine's: say where
            f"replay: a value or gradient of sample {sample} is not finite in the grouped replay"
        )


# ----------------------------------------------------------------------------- the tape


class Tape:
    """A ``Value`` graph traced once into flat arrays, to be replayed with new leaf values.

    ``wrt``: the leaves whose gradients a replay computes and returns (default: every leaf); the
    backward sweep skips every node that leads to none of them, so data leaves (the x of a sample)
    cost nothing backward.  ``watch``: nodes whose values a grouped replay keeps (see ``fit_mlp``).

    ``leaves``: the graph's leaves in traced order; ``size``: the number of nodes; ``levels``: the
    length of the longest path from a leaf; ``groups``: the (level, operation) groups of the fused
    graph a grouped replay makes one array call each.
    """

    def __init__(self, root: Value, wrt: Iterable[Value] | None = None, *, watch: Iterable[Value] = ()) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"root must be a Value, got {type(root).__name__}: {root!r:.80}")
        order = topological_order(root)
        leaves = [node for node in order if node.op is None]
        steps = [node for node in order if node.op is not None]
        placed = leaves + steps  # leaves first, then the nodes operations made, in the engine's order
        index = {node: i for i, node in enumerate(placed)}
        self.leaves: list[Value] = leaves
        self.size = len(placed)
        self.root = index[root]
        self._leaf_index = {leaf: i for i, leaf in enumerate(leaves)}
        self._labels: dict[str, list[int]] = {}
        for i, leaf in enumerate(leaves):
            if leaf.label:
                self._labels.setdefault(leaf.label, []).append(i)
        self._traced = np.array([leaf.data for leaf in leaves], dtype=np.float64)
        self._order = list(range(len(leaves), len(placed)))
        self._op: list[Op | None] = [node.op for node in placed]
        self._ins: list[tuple[int, ...]] = [tuple(index[p] for p in node.parents) for node in placed]
        self._k: list[Any] = [node.constant if node.op is not None else None for node in placed]
        self._label: list[str] = [node.label for node in placed]
        self._constant_index = {node: index[node] for node in steps if _one_number(node.constant)}
        self._constant_labels: dict[str, list[int]] = {}
        for node, i in self._constant_index.items():
            if node.label:
                self._constant_labels.setdefault(node.label, []).append(i)
        level = [0] * self.size
        for i in self._order:
            level[i] = 1 + max(level[p] for p in self._ins[i])
        self.levels = max(level)
        if wrt is None:
            self.wrt = list(leaves)
        else:
            self.wrt = list(wrt)
            for leaf in self.wrt:
                if not isinstance(leaf, Value) or leaf not in self._leaf_index:
                    raise ValueError(f"wrt: {leaf!r:.80} is not a leaf of this tape's graph")
        self._wanted = np.array(sorted({self._leaf_index[leaf] for leaf in self.wrt}), dtype=np.intp)
        self._wrt = [leaves[i] for i in self._wanted.tolist()]
        kept = set()
        for node in watch:
            if node not in index:
                raise ValueError(f"watch: {node!r:.80} is not a node of this tape's graph")
            kept.add(index[node])
        self._fuse(kept)
        self._watch = {node: self._frow[index[node]] for node in watch}
        self._sweeps: tuple[list[Callable[..., None]], list[Callable[..., None]]] | None = None
        self._plans: dict[tuple[frozenset[int], bool], _Plan] = {}
        self._runners: dict[tuple[frozenset[int], int, bool, frozenset[int]], _Runner] = {}
        self.wide = len(self._order) >= WIDE * len(self.groups)
        """True when one sample replays by array calls per group (many nodes per group), False by generated code."""

    def __repr__(self) -> str:
        return f"Tape({self.size} nodes, {len(self.leaves)} leaves, {self.levels} levels, {len(self.groups)} groups)"

    # ------------------------------------------------------------------ the fused graph of grouped replays

    def _fuse(self, kept: set[int]) -> None:
        """Build the graph grouped replays run: sums absorb their private terms (see above), nodes are
        numbered leaves first (then the hidden 1), then grouped by (level, operation, arity, constant?)."""
        n_leaves, ops_, ins, ks = len(self.leaves), self._op, self._ins, self._k
        one = self.size  # the hidden leaf 1, in the traced numbering
        uses = [0] * self.size
        user = [-1] * self.size
        for i in self._order:
            for p in ins[i]:
                uses[p] += 1
                user[p] = i

        def linear(i: int) -> bool:
            op = ops_[i]
            return op is not None and (op.name in ("add", "mul", "sum") or (op.name == "dot" and ks[i] is None))

        absorbed = [False] * self.size
        for i in self._order:
            u = user[i]
            absorbed[i] = (
                uses[i] == 1 and i != self.root and i not in kept and linear(i) and ops_[u].name in _TERMS  # type: ignore[union-attr]
            )
        nodes: list[tuple[int, Op, tuple[int, ...], Any]] = []  # (traced index, operation, inputs, constant)
        for i in self._order:
            if absorbed[i]:
                continue
            op = ops_[i]
            assert op is not None
            if op.name in _TERMS and any(absorbed[p] for p in ins[i]):
                a: list[int] = []
                b: list[int] = []
                stack = list(reversed(ins[i]))
                while stack:
                    t = stack.pop()
                    name = ops_[t].name if absorbed[t] else ""  # type: ignore[union-attr]
                    if name in _TERMS:
                        stack.extend(reversed(ins[t]))
                    elif name == "mul" or name == "dot":
                        half = len(ins[t]) // 2
                        pairs = [ins[t]] if name == "mul" else list(zip(ins[t][:half], ins[t][half:]))
                        for x, y in pairs:  # a leaf first: the uniform factor of a matrix product
                            if y < n_leaves <= x:
                                x, y = y, x
                            a.append(x)
                            b.append(y)
                    elif t < n_leaves:
                        a.append(t)
                        b.append(one)
                    else:
                        a.append(one)
                        b.append(t)
                nodes.append((i, DOT, tuple(a + b), None))
            else:
                nodes.append((i, op, ins[i], ks[i]))
        level = {i: 0 for i in range(n_leaves)}
        level[one] = 0
        for i, _, xs, _ in nodes:
            level[i] = 1 + max(level[p] for p in xs)

        def key(node: tuple[int, Op, tuple[int, ...], Any]) -> tuple[int, str, int, bool]:
            return (level[node[0]], node[1].name, len(node[2]), node[3] is not None)

        nodes.sort(key=key)
        n1 = n_leaves + 1
        frow = {i: i for i in range(n_leaves)}
        frow[one] = n_leaves
        for r, node in enumerate(nodes, start=n1):
            frow[node[0]] = r
        self._frow = frow
        self._n1 = n1
        self._nf = n1 + len(nodes)
        self._froot = frow[self.root]
        self.fused_levels = max(level.values())
        need = np.zeros(self._nf, dtype=bool)
        need[self._wanted] = True
        fins = [np.array([frow[p] for p in xs], dtype=np.intp) for _, _, xs, _ in nodes]
        for r, rows in enumerate(fins, start=n1):
            need[r] = need[rows].any()
        self._need = need
        self.groups: list[Group] = []
        start = 0
        for stop in range(1, len(nodes) + 1):
            if stop == len(nodes) or key(nodes[stop]) != key(nodes[start]):
                self.groups.append(self._group(nodes[start:stop], fins[start:stop], n1 + start))
                start = stop

    def _group(self, nodes: list[tuple[int, Op, tuple[int, ...], Any]], fins: list[np.ndarray], start: int) -> Group:
        op = nodes[0][1]
        parents = np.array(fins, dtype=np.intp).T.copy()
        constant: Any = None
        if nodes[0][3] is not None:
            ks = np.array([k for _, _, _, k in nodes], dtype=np.float64)
            constant = ks.T[..., None].copy() if ks.ndim == 2 else ks[:, None]
        flat = parents.ravel()
        wanted = self._need[flat]
        keep = None if wanted.all() else np.flatnonzero(wanted)
        targets = flat if keep is None else flat[keep]
        active = bool(self._need[start : start + len(nodes)].any()) and len(targets) > 0
        return Group(op, start, start + len(nodes), parents, constant, active, keep, targets, _spread(targets))

    def _plan(self, batched: frozenset[int], reduced: bool) -> _Plan:
        """How a grouped replay runs when the leaves ``batched`` hold one value per sample and the rest
        one value for all (cached): which dot groups are matrix products, which rows to fill."""
        plan = self._plans.get((batched, reduced))
        if plan is not None:
            return plan
        n1, need = self._n1, self._need
        uniform = np.ones(n1, dtype=bool)
        uniform[list(batched)] = False
        read = np.zeros(self._nf, dtype=bool)
        written = np.zeros(self._nf, dtype=bool)
        steps: list[tuple[Group, _Matrix | None]] = []
        for grp in self.groups:
            m = None
            if reduced and grp.op is DOT and grp.constant is None:
                half = len(grp.parents) // 2
                one, other = grp.parents[:half], grp.parents[half:]
                for U, X in ((one, other), (other, one)):
                    if (U < n1).all() and uniform[U].all():
                        m = self._matrix(U, X)
                        break
            steps.append((grp, m))
            if m is None:
                read[grp.parents.ravel()] = True
                written[grp.targets] = grp.active
            else:
                read[m.x.ravel()] = True
                if grp.active:
                    written[m.x_targets] = True
        root = self._froot
        read[root] = True
        written[root] = True
        leaves = np.arange(n1)
        fill = leaves[read[:n1] & uniform]
        g_rows = leaves[:-1][written[: n1 - 1] & need[: n1 - 1]]
        plan = _Plan(steps, fill, g_rows)
        self._plans[(batched, reduced)] = plan
        return plan

    def _matrix(self, U: np.ndarray, X: np.ndarray) -> _Matrix:
        need = self._need
        rows: Any = None
        if (X == X[:, :1]).all():
            flat = X[:, 0]
            cuts = [0, *(np.flatnonzero(np.diff(flat) != 1) + 1).tolist(), len(flat)]
            if len(cuts) <= 2 + MAX_RUNS:  # a few runs of consecutive rows: read them as views, no copy
                rows = [(slice(a, b), slice(int(flat[a]), int(flat[a]) + b - a)) for a, b in pairwise(cuts)]
            else:
                rows = [(slice(0, len(flat)), flat)]
        else:
            flat = X.ravel()
        wanted = need[flat]
        keep = np.flatnonzero(wanted) if wanted.any() else None
        targets = flat[keep] if keep is not None else flat[:0]
        order = U.T.ravel()  # node by node
        cuts = [0, *(np.flatnonzero(np.diff(order) != 1) + 1).tolist(), len(order)]
        u_runs = None
        if len(cuts) <= 2 + MAX_RUNS:
            u_runs = [(slice(a, b), slice(int(order[a]), int(order[a]) + b - a)) for a, b in pairwise(cuts)]
        unique = len(np.unique(U)) == U.size
        return _Matrix(U, u_runs, X, rows, bool(need[U].any()), unique, keep, targets, _spread(targets))

    def _runner(
        self, batched: frozenset[int], batch: int, reduced: bool, varied: frozenset[int] = frozenset()
    ) -> _Runner:
        key = (batched, batch, reduced, varied)
        runner = self._runners.get(key)
        if runner is None:
            if len(self._runners) >= 4:
                self._runners.pop(next(iter(self._runners)))
            runner = self._runners[key] = _Runner(self, batched, batch, reduced, varied)
        return runner

    @property
    def nbytes(self) -> int:
        """Bytes of the tape's arrays for a grouped replay (the generated code of one sample not counted)."""
        total = self._traced.nbytes
        for g in self.groups:
            total += g.parents.nbytes + (0 if g.constant is None else g.constant.nbytes) + g.targets.nbytes
            if g.spread is not None:
                total += sum(a.nbytes for a in g.spread)
        return total

    def value_rows(self, runner: _Runner, node: Value) -> np.ndarray:
        """The values a grouped replay gave a watched node (one per sample)."""
        return runner.V[self._watch[node]]

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

    def sweep(self, leaf_values: Sequence[float], ks: list[Any] | None = None) -> tuple[float, list[float]]:
        """One sample: the output and the gradient of each leaf, given every leaf's value in ``leaves`` order
        (and, if given, every node's constant in ``ks``, by traced index; default: the traced ones).

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
        k = self._k if ks is None else ks
        try:
            for f in forward:
                f(v, k, fw)
            g[self.root] = 1.0
            for f in backward:
                f(v, g, k, lc)
            fine = math.isfinite(sum(v)) and math.isfinite(sum(g))
        except (ArithmeticError, ValueError):
            fine = False
        if not fine:
            return self._checked(list(leaf_values), ks)
        return v[self.root], g[:n_leaves]

    def _checked(self, leaf_values: list[float], ks: list[Any] | None = None) -> tuple[float, list[float]]:
        """The sweeps node by node with the engine's checks and errors (the slow, sure way)."""
        k = self._k if ks is None else ks
        n_leaves = len(self.leaves)
        v = [0.0] * self.size
        v[:n_leaves] = leaf_values
        for i in self._order:
            op = self._op[i]
            assert op is not None
            data = op.forward([v[p] for p in self._ins[i]], k[i])
            if not math.isfinite(data):
                raise OverflowError(f"{op.name}: the result is not a finite number ({data!r}){self._named(i)}")
            v[i] = data
        g = [0.0] * self.size
        g[self.root] = 1.0
        for i in reversed(self._order):
            op = self._op[i]
            assert op is not None
            ins = self._ins[i]
            for p, d in zip(ins, op.local([v[p] for p in ins], v[i], k[i])):
                g[p] += g[i] * d
                if not math.isfinite(g[p]):
                    raise _gradient_error(self._shadow(i, v, g, k), self._shadow(p, v, g, k), d)
        return v[self.root], g[:n_leaves]

    def _named(self, i: int) -> str:
        return f" at node {self._label[i]!r}" if self._label[i] else ""

    def _shadow(self, i: int, v: list[float], g: list[float], k: list[Any]) -> Value:
        """A stand-in node with node i's label, operation and replayed numbers, for an error message."""
        with no_grad():
            node = Value(0.0, self._label[i])
        node.data, node.grad, node.op, node.constant = v[i], g[i], self._op[i], k[i]
        return node

    # ------------------------------------------------------------------ a batch: grouped array calls

    def sweep_batch(self, leaf_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """B samples at once, every leaf given per sample: ``leaf_values`` is (leaves, B); returns the
        outputs (B,) and per-sample leaf gradients (leaves, B) (zeros for leaves not in ``wrt``)."""
        n_leaves, batch = leaf_values.shape
        runner = self._runner(frozenset(range(n_leaves)), batch, False)
        runner.V[:n_leaves] = leaf_values
        return runner.run()

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

    def constant_node(self, key: Key) -> int:
        """The traced index of a node whose constant is one number (the label y of ``logistic_loss``, the
        exponent k of ``a ** k``), given as the node's ``Value`` or its (unique) label."""
        if isinstance(key, Value):
            i = self._constant_index.get(key)
            if i is None:
                if key in self._leaf_index:
                    raise ValueError(f"constants: {key!r:.80} is a leaf; give its value in values")
                raise ValueError(
                    f"constants: {key!r:.80} is not a node of this tape's graph whose constant is one number"
                )
            return i
        if isinstance(key, str):
            found = self._constant_labels.get(key, [])
            if len(found) != 1:
                why = "no node with a constant has" if not found else f"{len(found)} nodes with a constant have"
                raise ValueError(f"constants: {why} the label {key!r}; give the node itself")
            return found[0]
        raise TypeError(f"constants: keys must be nodes (Value) or their labels (str), got {type(key).__name__}")

    def run(
        self,
        values: Mapping[Any, Any] | None = None,
        *,
        constants: Mapping[Any, Any] | None = None,
        reduce: str | None = "sum",
    ) -> Replay:
        """Replay the graph with new leaf values: ``values`` maps leaves (or labels) to a number, or to a
        1-D array of B numbers (a batch).  Leaves not given keep their traced values.

        ``constants`` does the same for the constant of an operation node (or its label), where that
        constant is one number: the label y of ``z.logistic_loss(y)`` or the exponent k of ``a ** k``.
        A batch can so give every sample its own label, and one replay covers samples of both labels.
        Nodes not given keep their traced constants.

        Returns ``Replay(output, grads)``: the output (a float, or an array of B), and ``grads`` mapping
        each leaf of ``wrt`` to ∂output/∂leaf (over a batch: summed, averaged or per sample, by ``reduce``).
        """
        if reduce not in REDUCTIONS:
            raise ValueError(f"reduce must be one of {REDUCTIONS}, got {reduce!r}")
        if values is None:
            values = {}
        if constants is None:
            constants = {}
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a mapping of leaves to numbers, got {type(values).__name__}")
        if not isinstance(constants, Mapping):
            raise TypeError(f"constants must be a mapping of nodes to numbers, got {type(constants).__name__}")
        given: dict[int, Any] = {}
        ks: dict[int, Any] = {}
        batch = None
        for into, mapping, name, find in ((given, values, "values", self.leaf), (ks, constants, "constants", None)):
            for key, x in mapping.items():
                i = find(key) if find is not None else self.constant_node(key)
                where = f"{name}[{key!r}]"
                if isinstance(x, numbers.Real):
                    into[i] = _finite(float(x), where)
                else:
                    a = np.asarray(x, dtype=np.float64) if _is_array_like(x) else None
                    if a is None or a.ndim != 1 or len(a) == 0:
                        raise TypeError(f"{where} must be a real number or a 1-D array of numbers, got {x!r:.80}")
                    if not np.isfinite(a).all():
                        raise ValueError(f"{where} must be finite, got {a!r:.80}")
                    if batch is not None and len(a) != batch:
                        raise ValueError(f"{where} has {len(a)} samples, others have {batch}")
                    batch = len(a)
                    into[i] = a
                if find is None:
                    _check_constant(self._op[i], into[i], where)
        wanted = self._wanted
        if batch is None and not self.wide:
            leaf_values = self._traced.tolist()
            for i, x in given.items():
                leaf_values[i] = x
            k = None
            if ks:
                k = list(self._k)
                for i, x in ks.items():
                    k[i] = x
            if self._sweeps is None and self.size >= LOOP:  # compiling would take minutes: loop instead
                out, grads = self._checked(leaf_values, k)
            else:
                out, grads = self.sweep(leaf_values, k)
            return Replay(out, dict(zip(self._wrt, np.array(grads)[wanted].tolist())))
        batched = frozenset(i for i, x in given.items() if isinstance(x, np.ndarray))
        runner = self._runner(batched, batch or 1, reduce is not None or batch is None, frozenset(ks))
        runner.u[:-1] = self._traced
        for i, x in given.items():
            if isinstance(x, np.ndarray):
                runner.V[i] = x
            else:
                runner.u[i] = x
        for i, x in ks.items():
            runner.constant(i)[:] = x
        outs, per_leaf = runner.run()
        if batch is None:
            return Replay(float(outs[0]), dict(zip(self._wrt, per_leaf[wanted].tolist())))
        if reduce == "mean":
            per_leaf = per_leaf / batch
        if reduce is None:
            return Replay(outs, dict(zip(self._wrt, per_leaf[wanted])))
        return Replay(outs, dict(zip(self._wrt, per_leaf[wanted].tolist())))


def _one_number(constant: Any) -> bool:
    return isinstance(constant, numbers.Real) and not isinstance(constant, bool)


def _check_constant(op: Op | None, k: Any, where: str) -> None:
    """The engine's rule for a constant given in a replay: a label y of logistic_loss lies in [0, 1]."""
    if op is not None and op.name == "xent" and not (np.all(np.asarray(k) >= 0.0) and np.all(np.asarray(k) <= 1.0)):
        raise ValueError(f"{where} must be labels in [0, 1] (0 or 1 in the text), got {k!r:.80}")


def _is_array_like(x: object) -> bool:
    return isinstance(x, (np.ndarray, list, tuple))


def _finite(x: float, where: str) -> float:
    if not math.isfinite(x):
        raise ValueError(f"{where} must be finite, got {x!r}")
    return x


# ----------------------------------------------------------------------------- training helpers


def _index(rows: list[int]) -> Any:
    """Rows as a slice when they are consecutive (a view, no copy), else as an index array."""
    if rows and rows == list(range(rows[0], rows[0] + len(rows))):
        return slice(rows[0], rows[0] + len(rows))
    return np.array(rows, dtype=np.intp)


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

    The graph of one sample, z = dot(w, x) + b then L(a, y), is traced once with gradients for w and b
    only, and replayed over all m columns of X at once: the x leaves are data and the loss node's
    constant y is given per sample (``constants`` of ``Tape.run``), both once; dot(w, x) over the batch
    is the product Xᵀw and its gradient X·dz, as in the vectorized path.  ``w`` and ``b`` (the model's
    leaves) get the final values and the gradients of the last step.  Returns J before each step.
    """
    n, m = X.shape
    xs = [Value(0.0, f"x{j}") for j in range(1, n + 1)]
    params = [*w, b]
    labels = np.asarray(Y, dtype=np.float64).reshape(-1)
    loss = (dot(list(w), xs) + b).logistic_loss(float(labels[0]))
    tape = Tape(loss, wrt=params)
    leaves = tape._leaf_index
    x_rows = [leaves[x] for x in xs]
    y_node = tape.constant_node(loss)
    _check_constant(loss.op, labels, "Y")
    runner = tape._runner(frozenset(x_rows), m, True, frozenset([y_node]))
    runner.V[x_rows] = X
    runner.constant(y_node)[:] = labels
    rows = _index([leaves[q] for q in params])
    p = np.array([q.data for q in params])
    costs: list[float] = []
    grad = np.zeros(n + 1)
    for i in range(num_iterations):
        runner.u[rows] = p
        out, grads = runner.run()
        costs.append(math.fsum(out) / m)
        grad = grads[rows] / m
        p = p - learning_rate * grad
        if not np.isfinite(p).all():
            raise OverflowError(
                f"gradient descent diverged at iteration {i} (learning_rate {learning_rate!r} is too large)"
            )
        if callback is not None:
            callback(i, costs[-1])
    for q, value, g in zip(params, p.tolist(), grad.tolist()):
        q.data, q.grad = value, g
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
    tape = Tape(loss(score, label), wrt=params, watch=[score])
    leaves = tape._leaf_index
    data_rows = [leaves[x] for x in inputs if x in leaves] + [leaves[label]]
    runner = tape._runner(frozenset(data_rows), len(ya), True)
    runner.V[data_rows] = np.vstack([Xa.T[[j for j, x in enumerate(inputs) if x in leaves]], ya[None]])
    p_rows = [leaves[q] for q in params]
    p = np.array([q.data for q in params])
    run = MLPRun([], [])
    for k in range(steps):
        runner.u[p_rows] = p
        out, grads = runner.run()
        s = tape.value_rows(runner, score)
        run.costs.append(float(out.mean()) + alpha * float(p @ p))
        run.accuracies.append(float(np.mean((ya > 0) == (s > 0))))
        grad = grads[p_rows] / len(ya) + 2.0 * alpha * p
        rate = learning_rate(k) if callable(learning_rate) else learning_rate
        p = p - rate * grad
    for q, value in zip(params, p.tolist()):
        q.data = value
    return run
