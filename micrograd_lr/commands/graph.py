"""``micrograd-lr graph "3*(a + b*c)" --set a=5 b=3 c=2 -o graph.svg``: draw any expression."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import viz
from ..engine import Value, topological_order
from ..expr import build
from . import CommandError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "graph",
        help="draw the computation graph of an expression, with its value and gradients",
        description=(
            "Parse an arithmetic expression (names, numbers, + - * / **, parentheses, exp log tanh sigmoid relu) "
            "into a computation graph, run backward() on it, print its value and the gradient of each name, "
            "and write the picture. The expression is parsed, never evaluated as Python."
        ),
    )
    p.add_argument("expression", help='e.g. "3*(a + b*c)"')
    p.add_argument(
        "--set",
        dest="assignments",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="a value for each name of the expression, e.g. --set a=5 b=3 c=2",
    )
    p.add_argument("-o", "--output", type=Path, default=None, help="the picture's file (default: graph.FORMAT)")
    p.add_argument(
        "--format", choices=viz.FORMATS, default=None, help="svg, png, pdf or dot (default: from -o, else svg)"
    )
    p.add_argument("--no-grad", action="store_true", help="a forward-only picture: values without gradients")
    p.add_argument("--max-nodes", type=int, default=viz.DEFAULT_MAX_NODES, help="refuse larger graphs")
    p.add_argument("--title", default=None, help="the caption above the picture (default: the expression)")
    p.add_argument(
        "--no-legend", action="store_true", help="leave out the key to the colours, the #n and the red numbers"
    )
    p.add_argument(
        "--params",
        default="",
        metavar="NAME,NAME",
        help="names to draw as parameters (amber), e.g. --params w,b; the other names are inputs (blue)",
    )
    p.add_argument(
        "--html", type=Path, default=None, metavar="PATH", help="write the step-through page (one offline HTML file)"
    )
    p.add_argument("--steps", action="store_true", help="print the forward and backward passes step by step")
    p.set_defaults(func=run)


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["a=5", "b=3"]`` → ``{"a": 5.0, "b": 3.0}``; a clear ValueError for anything else."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise CommandError(f"--set takes NAME=VALUE pairs such as a=5, got {item!r}")
        if name in values:
            raise CommandError(f"--set gives {name} twice")
        try:
            values[name] = float(text)
        except ValueError:
            raise CommandError(f"--set {name}: the value must be a number, got {text!r}") from None
    return values


def parse_params(text: str, leaves: dict[str, Value]) -> list[Value]:
    """``"w,b"`` → the leaves called w and b; a clear error for a name the expression does not have."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in leaves]
    if unknown:
        raise CommandError(
            f"--params names {', '.join(unknown)}, not a name of the expression "
            f"(its names are: {', '.join(leaves) or 'none'})"
        )
    return [leaves[name] for name in names]


def _format_and_path(output: Path | None, fmt: str | None) -> tuple[str, Path]:
    suffix = output.suffix.lstrip(".").lower() if output is not None else ""
    suffix = "dot" if suffix == "gv" else suffix
    if fmt is None:
        fmt = suffix if suffix in viz.FORMATS else "svg"
    elif suffix in viz.FORMATS and suffix != fmt:
        raise CommandError(f"--format {fmt} does not match the file name {str(output)!r}")
    return fmt, output if output is not None else Path(f"graph.{fmt}")


def run(args: argparse.Namespace) -> int:
    if args.max_nodes < 1:
        raise CommandError(f"--max-nodes must be at least 1, got {args.max_nodes}")
    values = parse_assignments(args.assignments)
    fmt, path = _format_and_path(args.output, args.format)
    root, leaves = build(args.expression, values, name_steps=True)  # each step's box named by its part (b*c)
    params = parse_params(args.params, leaves)  # a bad --params fails before anything is written
    try:
        root.backward()
    except ArithmeticError as exc:  # a derivative that overflows at the user's numbers, e.g. 1/x at x = 1e-320
        raise CommandError(f"backward: {exc}") from exc
    print(f"{args.expression.strip()} = {root.data:.10g}")
    if leaves:
        print("gradients (∂value/∂name, by backward()):")
        for name, leaf in leaves.items():
            print(f"  d{name} = {leaf.grad:.10g}")
    size = len(topological_order(root))
    if size > args.max_nodes:
        raise CommandError(
            f"the graph has {size} values, more than --max-nodes {args.max_nodes}: the picture would be "
            "unreadable. Draw a smaller expression, or pass a larger --max-nodes."
        )
    if args.steps or args.html is not None:
        from .. import stepper

        if args.steps:
            print(stepper.trace(root, max_nodes=args.max_nodes), end="")
        if args.html is not None:
            page = stepper.stepper(root, title=args.expression.strip(), max_nodes=args.max_nodes)
            print(f"wrote {page.save(args.html)}")
        if args.output is None and args.format is None:  # asked for the steps only: no picture
            return 0
    show = not args.no_grad
    try:
        viz.save(
            root,
            path,
            format=fmt,
            show_grad=show,
            edge_derivatives=show,
            number_backward=show,
            max_nodes=args.max_nodes,
            title=args.expression.strip() if args.title is None else args.title,
            legend=not args.no_legend,
            params=params,
        )
    except viz.GraphvizNotFoundError as exc:
        print(f"micrograd-lr graph: error: {exc} (or write the DOT text with --format dot)", file=sys.stderr)
        return 2
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc}") from exc
    print(f"wrote {path}")
    return 0
