"""``micrograd-lr figures --out DIR``: regenerate the gallery of the text's figures as SVG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import gallery, viz
from . import CommandError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "figures",
        help="regenerate every figure of the text as SVG (the viz/ gallery)",
        description="Write every figure of the gallery as SVG into a folder; two runs write identical bytes.",
    )
    p.add_argument("--out", type=Path, default=Path("viz"), help="the folder to write into (default: viz)")
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"only these figures (default: all): {', '.join(gallery.FIGURES)}",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        paths = gallery.write_all(args.out, args.names or None)
    except viz.GraphvizNotFoundError as exc:
        print(f"micrograd-lr figures: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        raise CommandError(f"cannot write the figures into {args.out}: {exc}") from exc
    for path in paths:
        print(f"wrote {path}")
    return 0
