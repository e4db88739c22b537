"""``micrograd-lr train``: the cat classifier, trained by gradient descent.

By default on the embedded synthetic pictures (209 for training, 50 for testing, drawn
from --seed; no download), or on the course's HDF5 files with --train and --test.

Two engines compute the same gradient descent w := w − α dw, b := b − α db:

* vectorized: NumPy on all m samples at once (A = σ(wᵀX + b), dw = (1/m) X (A − Y)ᵀ); fast.
* scalar: the Value graph of micrograd_lr.logistic, one node per operation, backward() each
  iteration; slow but exact, for small problems. Unless told otherwise it shrinks the
  pictures to 8 × 8 (n = 192 features) with --image-size.

A progress bar goes to stderr; the cost every 100 iterations and the train/test
accuracy go to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..module import DivergenceError
from . import CommandError

SCALAR_IMAGE_SIZE = 8  # the scalar engine's default picture size, unless --image-size is given


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "train",
        help="train the cat classifier (embedded pictures, or the course's HDF5 files) and print its accuracy",
        description=__doc__,
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
    if args.image_size is not None and args.image_size < 1:
        raise CommandError(f"--image-size must be at least 1, got {args.image_size}")


def _bar(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="training", unit="it", file=sys.stderr, disable=quiet, leave=False)


def _say_cost(i: int, cost: float) -> None:
    from tqdm import tqdm

    tqdm.write(f"Cost after iteration {i}: {cost:f}", file=sys.stdout)


def train_vectorized(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    iterations: int,
    learning_rate: float,
    quiet: bool,
) -> Callable[[np.ndarray], np.ndarray]:
    """Gradient descent with vectorized.optimize, in runs of 100 iterations (one cost each); returns predict."""
    from .. import vectorized

    w, b = vectorized.initialize_with_zeros(X_train.shape[0])
    bar = _bar(iterations, quiet)
    done = 0
    with bar:
        while done < iterations:
            # Each run starts at a multiple of 100, so its costs[0] is the cost at iteration `done`.
            steps = min(100, iterations - done)
            try:
                params, _grads, costs = vectorized.optimize(w, b, X_train, Y_train, steps, learning_rate)
            except vectorized.DivergedError as exc:
                exc.iteration += done  # counted from the start of training, not of this run
                raise
            w, b = params["w"], params["b"]
            if not quiet:
                _say_cost(done, costs[0])
            done += steps
            bar.update(steps)

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
) -> Callable[[np.ndarray], np.ndarray]:
    """Gradient descent on the Value graph with logistic.LogisticRegression; returns its predict."""
    from ..logistic import LogisticRegression

    model = LogisticRegression(X_train.shape[0])
    bar = _bar(iterations, quiet)

    def callback(i: int, cost: float) -> None:
        if not quiet and i % 100 == 0:
            _say_cost(i, cost)
        bar.update(1)

    with bar:
        model.fit(
            X_train, Y_train, num_iterations=iterations, learning_rate=learning_rate, callback=callback, engine=engine
        )
    return model.predict


def _without_library_words(exc: ArithmeticError) -> str:
    """What overflowed, without the library's own argument names (the user gave --learning-rate, not w)."""
    what = {"z": "z = wᵀx + b overflowed", "J": "the cost overflowed", "dw": "the gradient dw overflowed"}
    iteration = getattr(exc, "iteration", None)
    where = f" at iteration {iteration}" if iteration is not None else ""
    default = "the weights overflowed" if isinstance(exc, DivergenceError) else "a number overflowed"
    return what.get(getattr(exc, "what", ""), default) + where


def train_tape(
    X_train: np.ndarray, Y_train: np.ndarray, iterations: int, learning_rate: float, quiet: bool
) -> Callable[[np.ndarray], np.ndarray]:
    """The same gradient descent with the graph replayed from a tape (``micrograd_lr.tape``)."""
    return train_scalar(X_train, Y_train, iterations, learning_rate, quiet, engine="tape")


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
    print(f"engine: {args.engine} ({what}), α = {args.learning_rate}, {args.iterations} iterations")

    start = time.perf_counter()
    trainer = {"vectorized": train_vectorized, "scalar": train_scalar, "tape": train_tape}[args.engine]
    try:
        predict = trainer(X_train, Y_train, args.iterations, args.learning_rate, args.quiet)
    except (
        OverflowError
    ) as exc:  # DivergenceError, vectorized.NonFiniteError, the engines' overflow: in this command's words
        raise CommandError(
            f"--learning-rate {args.learning_rate:g} is too large for this data: gradient descent left the "
            f"finite numbers ({_without_library_words(exc)}); try a smaller --learning-rate (default 0.005)"
        ) from None
    seconds = time.perf_counter() - start
    print(f"train accuracy: {accuracy(predict(X_train), train_y):.1f} %")
    print(f"test accuracy: {accuracy(predict(X_test), test_y):.1f} %")
    if not args.quiet:
        print(f"({seconds:.1f} s of training)")
    return 0
