"""The ``micrograd-lr`` command. Library code stays quiet; this is where output happens."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .commands import CommandError
from .expr import ExpressionError
from .module import DivergenceError
from .validation import InputError, InputTypeError

# Each name is a module of micrograd_lr.commands with register(subparsers),
# which adds its sub-command and sets `func(args) -> int` as its default.
COMMANDS = ["demo", "train", "gradcheck", "graph", "figures"]


USAGE_ERRORS = (InputError, InputTypeError, ExpressionError, CommandError, DivergenceError)
"""The errors that mean the user asked for something wrong: printed as one line, exit status 2.
Anything else is a bug and keeps its traceback."""

__all__ = ["COMMANDS", "USAGE_ERRORS", "CommandError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-lr",
        description="Backpropagation on computation graphs, and logistic regression built on it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"micrograd_lr.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["graph"]:  # an expression may start with a minus sign: graph "-a*b" --set a=1 b=2
        from .commands.graph import protect_expression

        words = ["graph", *protect_expression(words[1:])]
    args = build_parser().parse_args(words)
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
