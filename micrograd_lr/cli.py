"""The ``micrograd-lr`` command. Library code stays quiet; this is where output happens."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .commands import CommandError
from .expr import ExpressionError
from .module import DivergenceError
from .validation import InputError, InputTypeError

# Each name is a module of micrograd_lr.commands with register(subparsers),
# which adds its sub-command and sets `func(args) -> int` as its default.
COMMANDS = ["demo", "train", "predict", "gradcheck", "graph", "figures"]


USAGE_ERRORS = (InputError, InputTypeError, ExpressionError, CommandError, DivergenceError)
"""The errors that mean the user asked for something wrong: printed as one line, exit status 2.
Anything else is a bug and keeps its traceback."""

__all__ = ["COMMANDS", "USAGE_ERRORS", "CommandError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-lr",
        description="Backpropagation on computation graphs, and logistic regression built on it.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"micrograd_lr.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if not words:  # a bare `micrograd-lr`: what it can do
        build_parser().print_help()
        return 0
    if words[:1] == ["graph"]:  # an expression may start with a minus sign: graph "-a*b" --set a=1 b=2
        from .commands.graph import protect_expression

        words = ["graph", *protect_expression(words[1:])]
    parser = build_parser()
    args = parser.parse_args(words)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (`micrograd-lr demo | head`): stop quietly, as a shell tool would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except USAGE_ERRORS as exc:
        print(f"micrograd-lr {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
