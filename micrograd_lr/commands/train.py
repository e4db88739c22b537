"""``micrograd-lr train``: the cat classifier, trained by gradient descent.

By default on the embedded synthetic pictures (209 for training, 50 for testing, drawn
from --seed; no download), or on the course's HDF5 files with --train and --test.

Two engines compute the same gradient descent w := w − α dw, b := b − α db:

* vectorized: NumPy on all m samples at once (A = σ(wᵀX + b), dw = (1/m) X (A − Y)ᵀ); fast.
* scalar: the Value graph of micrograd_lr.logistic, one node per operation, backward() each
  iteration; slow but exact, for small problems. Unless told otherwise it shrinks the
  pictures to 8 × 8 (n = 192 features) with --image-size.

A progress bar goes to stderr when it is a terminal; the cost every 100 iterations
and the train/test accuracy go to stdout. --plot FILE saves the cost curve, and
--show-errors FILE the test pictures the classifier got wrong, as one image.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..module import DivergenceError
from . import CommandError, plain

SCALAR_IMAGE_SIZE = 8  # the scalar engine's default picture size, unless --image-size is given
RATES = {"scalar": 3e6, "tape": 2.5e7}
"""Rough speed of the graph engines, in weight-times-sample products a second, for the up-front estimate."""
LONG_RUN = 60.0  # seconds: a longer estimate is said before training starts
def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "train",
        help="train the cat classifier (embedded pictures, or the course's HDF5 files) and print its accuracy",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--train", metavar="PATH", help="the course's train_catvnoncat.h5 (needs --test too)")
    p.add_argument("--test", metavar="PATH", help="the course's test_catvnoncat.h5 (needs --train too)")
    p.add_argument("--iterations", type=int, default=2000, help="gradient-descent iterations (default: 2000)")
    p.add_argument("--learning-rate", type=float, default=0.005, help="the learning rate α (default: 0.005)")
    p.add_argument(
        "--engine",
        choices=("vectorized", "scalar", "tape"),
        default="vectorized",
        help="vectorized: NumPy (default); scalar: the Value graph, slow but exact; "
        "tape: the one-sample Value graph traced once and replayed over all samples",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the embedded pictures (default: 0)")
    p.add_argument(
        "--max-samples",
        type=int,
        metavar="N",
        help="use only the first N pictures of the training set and of the test set",
    )
    p.add_argument(
        "--image-size",
        type=int,
        metavar="S",
        help=f"shrink the pictures to S × S (n = 3·S² features; S must divide 64); scalar default {SCALAR_IMAGE_SIZE}",
    )
    p.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="precision of the vectorized engine (default: float64; the scalar engine uses Python floats)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no costs: only the accuracies")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained model (w, b, picture size, α, iterations, costs, data source) to PATH (.npz), "
        "for `micrograd-lr predict PATH PICTURE`",
    )
    p.add_argument(
        "--plot-weights",
        metavar="PATH",
        help="draw the learned w as pictures, one per colour channel and their sum (.svg, .png or .pdf)",
    )
    p.add_argument("--plot", metavar="FILE", help="save the cost curve (.svg, .png or .pdf)")
    p.add_argument(
        "--show-errors",
        metavar="FILE",
        help="save the test pictures the classifier got wrong, as one image (.svg, .png or .pdf)",
    )
    p.set_defaults(func=run)


def accuracy(Y_prediction: np.ndarray, Y: np.ndarray) -> float:
    """100 − mean(|ŷ − y|) · 100: the percentage of pictures labelled right."""
    return 100.0 - float(np.mean(np.abs(np.asarray(Y_prediction, dtype=np.float64) - Y))) * 100.0


def _check(args: argparse.Namespace) -> None:
    if (args.train is None) != (args.test is None):
        raise CommandError("give both --train and --test (the course's HDF5 files), or neither for the embedded data")
    if args.iterations < 0:
        raise CommandError(f"--iterations must be >= 0, got {args.iterations}")
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        raise CommandError(f"--learning-rate must be a positive number, got {args.learning_rate}")
    if args.seed < 0:
        raise CommandError(f"--seed must be >= 0, got {args.seed}")
    if args.max_samples is not None and args.max_samples < 1:
        raise CommandError(f"--max-samples must be at least 1, got {args.max_samples}")
    if args.image_size is not None and (args.image_size < 1 or 64 % args.image_size):
        raise CommandError(
            f"--image-size must divide the pictures' 64 pixels (1, 2, 4, 8, 16, 32 or 64), got {args.image_size}"
        )
    # the pictures' file names are checked before training, not after
    from ..plots import FORMATS

    for option, value in (("--plot", args.plot), ("--show-errors", args.show_errors)):
        if value is not None and Path(value).suffix.lower() not in FORMATS:
            raise CommandError(f"{option} {value}: the file name must end with .svg, .png or .pdf")
    if args.plot_weights is not None and Path(args.plot_weights).suffix.lower() not in FORMATS:
        raise CommandError(f"--plot-weights must end in {', '.join(FORMATS)}, got {args.plot_weights!r}")


def _bar(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    # frames of a bar are for a person watching: none in a log file or a pipe
    show = not quiet and sys.stderr.isatty()
    return tqdm(total=total, desc="training", unit="it", file=sys.stderr, disable=not show, leave=False)


def _say_cost(i: int, cost: float) -> None:
    from tqdm import tqdm

    tqdm.write(f"Cost after iteration {i}: {cost:f}", file=sys.stdout)


def train_vectorized(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    iterations: int,
    learning_rate: float,
    quiet: bool,
    costs: list[float] | None = None,
    keep: dict[str, Any] | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """Gradient descent with vectorized.optimize, in runs of 100 iterations (one cost each); returns predict.

    ``costs`` receives the cost every 100 iterations, ``keep`` the trained w and b."""
    from .. import vectorized

    w, b = vectorized.initialize_with_zeros(X_train.shape[0])
    bar = _bar(iterations, quiet)
    done = 0
    with bar:
        while done < iterations:
            # Each run starts at a multiple of 100, so its costs[0] is the cost at iteration `done`.
            steps = min(100, iterations - done)
            try:
                params, _grads, run_costs = vectorized.optimize(w, b, X_train, Y_train, steps, learning_rate)
            except vectorized.DivergedError as exc:
                exc.iteration += done  # counted from the start of training, not of this run
                raise
            w, b = params["w"], params["b"]
            if costs is not None:
                costs.append(float(run_costs[0]))
            if not quiet:
                _say_cost(done, run_costs[0])
            done += steps
            bar.update(steps)
    if keep is not None:
        keep.update(w=w, b=b)

    def predict(X: np.ndarray) -> np.ndarray:
        return vectorized.predict(w, b, X)

    return predict


def train_scalar(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    iterations: int,
    learning_rate: float,
    quiet: bool,
    engine: str = "value",
    costs: list[float] | None = None,
    keep: dict[str, Any] | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """Gradient descent on the Value graph with logistic.LogisticRegression; returns its predict."""
    from ..logistic import LogisticRegression

    model = LogisticRegression(X_train.shape[0])
    bar = _bar(iterations, quiet)

    def callback(i: int, cost: float) -> None:
        if i % 100 == 0:
            if costs is not None:
                costs.append(float(cost))
            if not quiet:
                _say_cost(i, cost)
        bar.update(1)

    with bar:
        model.fit(
            X_train, Y_train, num_iterations=iterations, learning_rate=learning_rate, callback=callback, engine=engine
        )
    if keep is not None:
        w, b = model.get_weights()
        keep.update(w=w, b=b)
    return model.predict


def _without_library_words(exc: ArithmeticError) -> str:
    """What overflowed, without the library's own argument names (the user gave --learning-rate, not w)."""
    what = {"z": "z = wᵀx + b overflowed", "J": "the cost overflowed", "dw": "the gradient dw overflowed"}
    iteration = getattr(exc, "iteration", None)
    where = f" at iteration {iteration}" if iteration is not None else ""
    default = "the weights overflowed" if isinstance(exc, DivergenceError) else "a number overflowed"
    return what.get(getattr(exc, "what", ""), default) + where


def train_tape(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    iterations: int,
    learning_rate: float,
    quiet: bool,
    costs: list[float] | None = None,
    keep: dict[str, Any] | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """The same gradient descent with the graph replayed from a tape (``micrograd_lr.tape``)."""
    return train_scalar(X_train, Y_train, iterations, learning_rate, quiet, engine="tape", costs=costs, keep=keep)


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{seconds:.0f} seconds"


def _save_errors(path: str, test_x: np.ndarray, wrong: np.ndarray, test_y: np.ndarray) -> None:
    """The misclassified test pictures in one grid, each titled with its true label."""
    from matplotlib.figure import Figure

    columns = min(8, len(wrong))
    rows = -(-len(wrong) // columns)
    fig = Figure(figsize=(1.3 * columns, 1.5 * rows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, i in zip(axes, wrong):
        ax.imshow(test_x[i], interpolation="nearest")
        truth = "cat" if test_y[0, i] == 1 else "non-cat"
        ax.set_title(f"#{i}: a {truth}", fontsize=8)
    fig.suptitle(f"{len(wrong)} test pictures classified wrong (title: the true label)", fontsize=10)
    fig.savefig(path)


def _save(path: str, option: str, write: Callable[[], object]) -> None:
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write()
    except OSError as exc:
        raise CommandError(f"{option}: cannot write {path}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    from .. import data

    _check(args)
    if args.train is None:
        train_x, train_y, test_x, test_y, _classes = data.load_dataset(seed=args.seed)
        source = f"the embedded synthetic pictures (seed {args.seed})"
    else:
        try:
            train_x, train_y, test_x, test_y, _classes = data.load_dataset(args.train, args.test)
        except OSError as exc:  # a missing or unreadable file: the user's to fix
            raise CommandError(str(exc)) from exc
        source = f"{args.train} and {args.test}"
    if args.max_samples is not None:
        train_x, train_y = train_x[: args.max_samples], train_y[:, : args.max_samples]
        test_x, test_y = test_x[: args.max_samples], test_y[:, : args.max_samples]
    size = args.image_size
    if size is None and args.engine == "scalar":
        size = SCALAR_IMAGE_SIZE
    test_pictures = test_x
    if size is not None and size != train_x.shape[1]:
        train_x, test_x = data.downsample(train_x, size), data.downsample(test_x, size)

    dtype = np.float32 if args.engine == "vectorized" and args.dtype == "float32" else np.float64
    X_train = data.scale(data.flatten(train_x), dtype)
    X_test = data.scale(data.flatten(test_x), dtype)
    Y_train = train_y.astype(dtype)
    n, m = X_train.shape
    h, w = train_x.shape[1:3]
    what = {"vectorized": "NumPy, " + np.dtype(dtype).name, "scalar": "the Value graph"}.get(
        args.engine, "the Value graph of one sample, replayed over all"
    )
    print(f"data: {source}: {m} training and {X_test.shape[1]} test pictures, {h}×{w}×3 → n = {n} features")
    print(f"engine: {args.engine} ({what}), α = {args.learning_rate}, {_plural(args.iterations, 'iteration')}")
    estimate = n * m * args.iterations / RATES.get(args.engine, math.inf)
    if estimate > LONG_RUN:
        faster = "--engine tape computes the same faster, and " if args.engine == "scalar" else ""
        print(
            f"note: the {args.engine} engine works through a graph of about n·m = {n * m:,} products every "
            f"iteration; this run may take roughly {_minutes(estimate)}. {faster}--engine vectorized (the default) "
            "computes the same in seconds; a smaller --image-size also helps.",
            file=sys.stderr,
        )

    start = time.perf_counter()
    costs: list[float] = []
    kept: dict[str, Any] = {}
    trainers: dict[str, Callable[..., Callable[[np.ndarray], np.ndarray]]] = {
        "vectorized": train_vectorized,
        "scalar": train_scalar,
        "tape": train_tape,
    }
    trainer = trainers[args.engine]
    try:
        predict = trainer(X_train, Y_train, args.iterations, args.learning_rate, args.quiet, costs=costs, keep=kept)
    except (
        OverflowError
    ) as exc:  # DivergenceError, vectorized.NonFiniteError, the engines' overflow: in this command's words
        raise CommandError(
            f"--learning-rate {args.learning_rate:g} is too large for this data: gradient descent left the "
            f"finite numbers ({_without_library_words(exc)}); try a smaller --learning-rate (default 0.005)"
        ) from None
    seconds = time.perf_counter() - start
    print(f"train accuracy: {accuracy(predict(X_train), train_y):.1f} %")
    test_prediction = predict(X_test)
    print(f"test accuracy: {accuracy(test_prediction, test_y):.1f} %")
    if not args.quiet:
        print(f"({seconds:.1f} s of training)")
    if args.plot is not None:
        if costs:
            from ..plots import cost_curve_figure

            figure = cost_curve_figure(costs, learning_rate=args.learning_rate)
            _save(args.plot, "--plot", lambda: figure.savefig(args.plot))
            print(f"wrote {args.plot}")
        else:
            print("no cost to plot: --iterations 0", file=sys.stderr)
    if args.show_errors is not None:
        wrong = np.flatnonzero(np.asarray(test_prediction).reshape(-1) != test_y.reshape(-1))
        if wrong.size:
            _save(
                args.show_errors, "--show-errors", lambda: _save_errors(args.show_errors, test_pictures, wrong, test_y)
            )
            print(f"wrote {args.show_errors}: {_plural(int(wrong.size), 'test picture')} classified wrong")
        else:
            print("every test picture was classified right: no picture to show", file=sys.stderr)
    _save_and_draw(args, {**kept, "costs": costs}, train_x.shape[1:], source, _classes)
    return 0


def _save_and_draw(
    args: argparse.Namespace, kept: dict[str, Any], image_shape: tuple[int, ...], source: str, classes: Any
) -> None:
    """--save: the model file for `micrograd-lr predict`; --plot-weights: w drawn as pictures."""
    from .. import model_file, plots

    shape = (int(image_shape[0]), int(image_shape[1]), int(image_shape[2]))
    if args.save is not None:
        try:
            model_file.save(
                args.save,
                kept["w"],
                kept["b"],
                image_shape=shape,
                learning_rate=args.learning_rate,
                num_iterations=args.iterations,
                costs=kept["costs"],
                data_source=source,
                classes=classes,
            )
        except OSError as exc:
            raise CommandError(f"--save {args.save}: can't write the model file ({exc.strerror or exc})") from None
        print(f"saved the model to {args.save}")
    if args.plot_weights is not None:
        fig = plots.weights_figure(kept["w"], shape, title=f"What w learned from {source}")
        try:
            plots.save_figure(fig, args.plot_weights)
        except OSError as exc:
            raise CommandError(f"--plot-weights {args.plot_weights}: can't write ({exc.strerror or exc})") from None
        print(f"drew w in {args.plot_weights}")
