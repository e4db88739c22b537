"""``micrograd-lr demo``: the main job, a walk through the text in four steps.

1. The computation graph J = 3(a + bc): forward left to right, backward right to left.
2. Logistic regression on one sample as a graph: autograd agrees with the text's
   formulas dz = a − y, dw = x·dz, db = dz.
3. The cat classifier trained on the embedded pictures, its cost every 100
   iterations and its train/test accuracy.
4. Every figure of the gallery written as SVG (default ``viz/``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ..engine import Value, topological_order
from . import CommandError, plain


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="walk through the text: computation graph, backward, logistic regression, the cat classifier, figures",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("viz"), help="folder for the figures (default: viz)")
    p.add_argument("--no-figures", action="store_true", help="skip writing the figures")
    p.add_argument("--iterations", type=int, default=2000, help="gradient-descent iterations for the cats")
    p.add_argument("--learning-rate", type=float, default=0.005, help="learning rate α for the cats")
    p.set_defaults(func=run)


def _heading(text: str) -> None:
    print(f"\n== {text}")


def _name(node: Value) -> str:
    return node.label or f"{node.data:g}"


def computation_graph() -> None:
    """The text's example J = 3(a + bc): forward left to right, gradients right to left."""
    from ..gallery import computation_graph_example

    _heading("1. The computation graph J = 3(a + bc) at a = 5, b = 3, c = 2")
    J = computation_graph_example()["J"]
    order = topological_order(J)
    print("forward, left to right:")
    for node in order:
        if node.op is not None:
            inputs = f" {node.op.symbol} ".join(_name(p) for p in node.parents)
            print(f"  {node.label} = {inputs} = {node.data:g}")
    J.backward()
    print("backward, right to left (chain rule: each gradient = the one to its right × a local derivative):")
    for node in reversed(order):
        if node.label:
            print(f"  dJ/d{node.label} = {node.grad:g}")
    from ..stepper import trace

    print("the same, step by step (the page computation_graph.html steps through it):")
    print(trace(J), end="")


def pages(out: Path) -> None:
    """The step-through pages of the text's two graphs, beside the figures."""
    from ..gallery import _one_sample, computation_graph_example
    from ..stepper import stepper

    out.mkdir(parents=True, exist_ok=True)
    for name, root, title in [
        ("computation_graph", computation_graph_example()["J"], "J = 3(a + bc)"),
        ("logistic_regression", _one_sample()["L"], "Logistic regression on one sample"),
    ]:
        print(f"  wrote {stepper(root, title=title).save(out / f'{name}.html')}")


def one_sample() -> None:
    """One sample of logistic regression as a graph; autograd against the analytic formulas."""
    from ..gallery import LOGISTIC_EXAMPLE
    from ..gradcheck import analytic_one_sample
    from ..logistic import one_sample as build

    ex = LOGISTIC_EXAMPLE
    x, y, w, b = ex["x"], ex["y"], ex["w"], ex["b"]
    _heading(f"2. Logistic regression on one sample: x = {x}, y = {y}, w = {w}, b = {b}")
    nodes = build(x, y, w, b, literal=True)  # type: ignore[arg-type]
    z, a, L = nodes["z"], nodes["a"], nodes["L"]
    print(f"forward:  z = w1x1 + w2x2 + b = {z.data:.6f}   a = σ(z) = {a.data:.6f}   L(a, y) = {L.data:.6f}")
    L.backward()
    formulas = analytic_one_sample(x, y, w, b)  # type: ignore[arg-type]
    dw = np.asarray(formulas["dw"], dtype=float).ravel()
    rows = [
        ("da", "−y/a + (1 − y)/(1 − a)", a.grad, float(formulas["da"])),
        ("dz", "a − y", z.grad, float(formulas["dz"])),
        *[(f"dw{j + 1}", f"x{j + 1}·dz", nodes[f"w{j + 1}"].grad, float(dw[j])) for j in range(len(dw))],
        ("db", "dz", nodes["b"].grad, float(formulas["db"])),
    ]
    print(f"backward: {'':4} {'formula':<24} {'autograd':>12} {'analytic':>12}")
    for name, formula, auto, exact in rows:
        print(f"          {name:<4} {formula:<24} {auto:>12.8f} {exact:>12.8f}")
    worst = max(abs(auto - exact) for _, _, auto, exact in rows)
    print(f"largest difference between autograd and the formulas: {worst:.1e}")


def cats(iterations: int, learning_rate: float) -> None:
    """Train the cat classifier (vectorized path) on the embedded pictures."""
    from .. import data, vectorized

    train_x_orig, train_y, test_x_orig, test_y, _classes = data.load_dataset()
    X_train = data.scale(data.flatten(train_x_orig))
    X_test = data.scale(data.flatten(test_x_orig))
    n, m = X_train.shape
    _heading(
        f"3. The cat classifier: {m} training and {X_test.shape[1]} test pictures, "
        f"64×64×3 → x ∈ R^{n} (embedded synthetic data, made from a seed; no download)"
    )
    print(f"gradient descent, α = {learning_rate}, {iterations} iterations (vectorized NumPy path):")
    start = time.perf_counter()
    result = vectorized.model(X_train, train_y, X_test, test_y, num_iterations=iterations, learning_rate=learning_rate)
    seconds = time.perf_counter() - start
    for i, cost in enumerate(result["costs"]):
        print(f"  cost after iteration {100 * i:>5}: {cost:.6f}")
    train_acc = 100.0 * float(np.mean(result["Y_prediction_train"] == train_y))
    test_acc = 100.0 * float(np.mean(result["Y_prediction_test"] == test_y))
    print(f"train accuracy: {train_acc:.1f} %   test accuracy: {test_acc:.1f} %   ({seconds:.1f} s)")


def figures(out: Path) -> None:
    from ..gallery import write_all

    _heading(f"4. The figures, as SVG, into {out}/")
    try:
        paths = write_all(out)
    except OSError as exc:
        raise CommandError(f"cannot write the figures into {out}: {exc}") from exc
    for path in paths:
        print(f"  wrote {path}")


def run(args: argparse.Namespace) -> int:
    if args.iterations < 0:
        raise CommandError(f"--iterations must be >= 0, got {args.iterations}")
    if not args.learning_rate > 0:
        raise CommandError(f"--learning-rate must be > 0, got {args.learning_rate}")
    computation_graph()
    one_sample()
    cats(args.iterations, args.learning_rate)
    if not args.no_figures:
        figures(args.out)
        pages(args.out)
    return 0
