"""``micrograd-lr bench``: the benchmarks against micrograd and the NumPy floor, printed as ratios."""

from __future__ import annotations

import argparse
import shlex
import sys

from .. import bench


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmarks: the engine against micrograd, the vectorized path against its floor (ratios)",
        description=(
            "Print tables of ratios measured side by side in one run: 1) the scalar engine against "
            "karpathy's micrograd (install it with: " + bench.INSTALL_HINT + "), 2) vectorized gradient "
            "descent against its two matrix-vector products, 3) logistic regression on the Value graph."
        ),
    )
    bench.add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    command = shlex.join(["micrograd-lr", *sys.argv[1:]]) if sys.argv[1:2] == ["bench"] else "micrograd-lr bench"
    bench.run(bench.config_from_args(args, command), out=sys.stdout)
    return 0
