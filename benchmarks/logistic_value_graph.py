"""Table 3: logistic regression on the ``Value`` graph at cat size, through the library's own code.

``micrograd_lr.logistic.LogisticRegression`` at n = 12288 features and m = 209 samples: ``fit``
(gradient descent) and ``cost`` plus ``backward()`` (the graph alone), each with the fused graph
(z = dot(w, x) + b, one stable loss node per sample: ``stable=True``) and with the literal one (one
node per product wⱼxⱼ and the loss node by node, −(y log a + (1 − y) log(1 − a)):
``literal=True, stable=False``).

Run alone: ``python -m benchmarks.logistic_value_graph [--quick] [--repeat N]``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from micrograd_lr.engine import topological_order
from micrograd_lr.logistic import LogisticRegression

from . import harness
from .harness import Config, Table, Target, best, cat_data, ratio, seconds, times

GROUP = "logistic"
LEARNING_RATE = 0.005

# The goals of table 3, judged at the full sizes (``Sizes()``); for information only.
TARGETS = {
    "3 fused fit": Target.at_most(
        0.5, text="≤ 0.5 s (info)", about="LogisticRegression.fit (fused graph), seconds per iteration at cat size"
    ),
}

# The two graphs, as (stable, literal): the keyword arguments of LogisticRegression.fit and .cost.
FUSED = (True, False)
LITERAL = (False, True)


def table_3(config: Config) -> Table:
    sizes, repeat = config.sizes, config.repeat
    data = cat_data(sizes.n, sizes.m)
    X, Y = data.X, data.Y
    n, m = X.shape
    iters = max(1, sizes.logistic_iterations)
    k = min(sizes.literal_samples, m)
    Xk, Yk = X[:, :k], Y[:, :k]

    def fit_time(X_: object, Y_: object, graph: tuple[bool, bool]) -> float:
        """Seconds per iteration of ``fit``, best of ``repeat`` calls of ``iters`` iterations (after a warm-up)."""
        stable, literal = graph
        model = LogisticRegression(n)

        def fit(k: int) -> None:
            model.fit(X_, Y_, num_iterations=k, learning_rate=LEARNING_RATE, stable=stable, literal=literal)

        fit(1)
        return best(lambda: fit(iters), repeat) / iters

    def cost_time(X_: object, Y_: object, graph: tuple[bool, bool]) -> tuple[float, int]:
        """Seconds of ``cost(X, Y).backward()``, best of ``repeat``, and the graph's node count (counted untimed)."""
        stable, literal = graph
        model = LogisticRegression(n)
        nodes = len(topological_order(model.cost(X_, Y_, stable=stable, literal=literal)))
        return best(lambda: model.cost(X_, Y_, stable=stable, literal=literal).backward(), repeat), nodes

    fused_fit = fit_time(X, Y, FUSED)
    fused_cost, fused_nodes = cost_time(X, Y, FUSED)
    scale = m / k
    literal_fit = fit_time(Xk, Yk, LITERAL) * scale
    literal_cost_k, literal_nodes_k = cost_time(Xk, Yk, LITERAL)
    literal_cost = literal_cost_k * scale

    t = Table(
        f"Table 3. Logistic regression on the Value graph at cat size (n = {n}, m = {m}), "
        f"micrograd_lr.logistic.LogisticRegression; best of {repeat}",
        ["time", "nodes in the graph", "literal/fused"],
    )
    t.add(
        f"fit, fused (stable=True), per iteration of {iters}",
        seconds(fused_fit),
        f"{fused_nodes:,}",
        ratio=fused_fit,
        target=TARGETS["3 fused fit"],
        judged=sizes.judged,
    )
    t.add("cost(X, Y).backward(), fused", seconds(fused_cost), f"{fused_nodes:,}", ratio=fused_cost)
    literal_ratio = ratio(literal_fit, fused_fit)
    t.add(
        f"fit, literal (literal=True, stable=False), per iteration, timed on {k} samples ×{scale:.1f}",
        seconds(literal_fit),
        f"~{round(literal_nodes_k * scale):,}",
        times(literal_ratio),
        ratio=literal_ratio,
    )
    cost_ratio = ratio(literal_cost, fused_cost)
    t.add(
        f"cost(X, Y).backward(), literal, timed on {k} samples ×{scale:.1f}",
        seconds(literal_cost),
        f"~{round(literal_nodes_k * scale):,}",
        times(cost_ratio),
        ratio=cost_ratio,
    )
    t.notes.append(
        "fit = LogisticRegression.fit as users call it: each call checks X and Y and turns X into lists once, "
        "then each iteration builds J (inside engine.gc_paused()), runs backward and updates w, b; the time per "
        f"iteration is a call of {iters} iterations divided by {iters}, the checks included. cost(X, Y).backward() "
        "is the graph alone: the checks, building J and backward, at the collector's default settings."
    )
    t.notes.append(
        f"The literal graph has ~{literal_nodes_k // max(k, 1):,} nodes per sample, so it is timed on the first {k} "
        f"samples and the time scaled by m/{k}; its node count is scaled the same way."
    )
    t.notes.append(f"ratio of the first row: seconds per iteration (the target is informational). data: {data.source}.")
    return t


def tables(config: Config) -> list[Table]:
    return [table_3(config)]


def main(argv: Sequence[str] | None = None) -> int:
    return harness.main(["benchmarks.logistic_value_graph"], argv)


if __name__ == "__main__":
    sys.exit(main())
