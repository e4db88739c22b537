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
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"only these figures (default: all): {', '.join(gallery.FIGURES)}",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"--out {args.out}: is a file, not a folder; give a folder to write the figures into")
    try:
        paths = gallery.write_all(args.out, args.names or None)
    except viz.GraphvizNotFoundError as exc:
        print(f"micrograd-lr figures: error: {exc}", file=sys.stderr)
        return 2
    except (viz.LayoutTimeoutError, viz.GraphvizFailedError) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot write the figures into {args.out}: {exc}") from exc
    for path in paths if not args.quiet else []:
        print(f"wrote {path}")
    return 0
