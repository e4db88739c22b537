"""``micrograd-lr graph "3*(a + b*c)" --set a=5 b=3 c=2 -o graph.svg``: draw any expression."""

from __future__ import annotations

import argparse
import io
import math
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .. import viz
from ..engine import Value, topological_order
from ..expr import build, normalize
from . import CommandError

FORMATS = (*viz.FORMATS, "html")
"""What ``-o`` writes, chosen by the file's extension: the picture (svg, png, pdf), its DOT text, or the
step-through page (html)."""
_SUFFIXES = {**{f: f for f in FORMATS}, "gv": "dot", "htm": "html"}
_OPTIONS_WITH_VALUE = {"-o", "--output", "--format", "--max-nodes", "--html", "--timeout", "--title", "--params"}
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "graph",
        help="draw the computation graph of an expression, with its value and gradients",
        description=(
            "Parse an arithmetic expression (names, numbers, + - * / **, parentheses, exp log tanh sigmoid relu) "
            "into a computation graph, run backward() on it, print its value and the gradient of each name, "
            "and write the picture. The expression is parsed, never evaluated as Python. It may come before or "
            "after the --set values, and may start with a minus sign: graph '-a*b' --set a=2 --set b=3."
        ),
    )
    p.add_argument("expression", nargs="?", help='e.g. "3*(a + b*c)"')
    p.add_argument("--expression", dest="expression_option", help=argparse.SUPPRESS)
    p.add_argument(
        "--set",
        dest="assignments",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="a value for each name of the expression, e.g. --set a=5 b=3 c=2 (may be repeated)",
    )
    p.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="where to write: the extension gives the format (.svg .png .pdf .dot .html); - for standard output "
        "(default: graph.svg)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="svg, png, pdf, dot or html (default: from the extension of -o, else svg)",
    )
    p.add_argument("--no-grad", action="store_true", help="a forward-only picture: values without gradients")
    p.add_argument("--max-nodes", type=int, default=viz.DEFAULT_MAX_NODES, help="refuse larger graphs")
    p.add_argument(
        "--timeout",
        type=float,
        default=viz.LAYOUT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop Graphviz's layout after this long (default: {viz.LAYOUT_TIMEOUT:g})",
    )
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
    p.add_argument(
        "--quiet", action="store_true", help="print no value, gradients or 'wrote' lines (errors and --steps still)"
    )
    p.set_defaults(func=run)


def protect_expression(argv: Sequence[str]) -> list[str]:
    """The arguments after ``graph`` with an expression that starts with ``-`` (``-a*b``) marked as one.

    argparse would read ``-a*b`` as an unknown option; any argument that starts with a single ``-`` and is
    not one of graph's options (nor the value of one, nor a negative number) is the expression.
    """
    out: list[str] = []
    previous = ""
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + list(argv[i:])
        is_option = arg in ("-o", "-h") or arg.startswith("--") or (arg.startswith("-o") and "." in arg)
        if (
            arg.startswith("-")
            and len(arg) > 1
            and not is_option
            and previous not in _OPTIONS_WITH_VALUE
            and not _NEGATIVE_NUMBER.match(arg)
        ):
            out.append("--expression=" + arg)
        else:
            out.append(arg)
        previous = arg
    return out


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["a=5", "b=3"]`` → ``{"a": 5.0, "b": 3.0}``; a clear error for anything else.

    Names are NFKC-normalised as in the expression, so ``ﬁ=3`` sets the name ``fi``.
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = normalize(name.strip())
        if not sep or not name.isidentifier():
            raise CommandError(f"--set takes NAME=VALUE pairs such as a=5, got {item!r}")
        if name in values:
            raise CommandError(f"--set gives {name} twice")
        try:
            value = float(text)
        except ValueError:
            raise CommandError(f"--set {name}: the value must be a number, got {text!r}") from None
        if not math.isfinite(value):
            raise CommandError(f"--set {name}: the value must be a finite number, got {text.strip()!r}")
        values[name] = value
    return values


def parse_params(text: str, leaves: dict[str, Value]) -> list[Value]:
    """``"w,b"`` → the leaves called w and b; a clear error for a name the expression does not have."""
    names = [normalize(name.strip()) for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in leaves]
    if unknown:
        raise CommandError(
            f"--params names {', '.join(unknown)}, not a name of the expression "
            f"(its names are: {', '.join(leaves) or 'none'})"
        )
    return [leaves[name] for name in names]


def _expression(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The one expression given, wherever it stands, and the NAME=VALUE items."""
    # `--set a=5 b=3 "3*(a + b*c)"`: --set takes every word after it, the expression too
    pairs = [item for item in args.assignments if "=" in item]
    found = [item for item in args.assignments if "=" not in item]
    found += [e for e in (args.expression, args.expression_option) if e is not None]
    if not found:
        raise CommandError('give the expression to draw, e.g. micrograd-lr graph "3*(a + b*c)" --set a=5 b=3 c=2')
    if len(found) > 1:
        raise CommandError(
            f"give one expression, got {len(found)}: {', '.join(repr(f) for f in found)} "
            "(values are NAME=VALUE pairs after --set; quote an expression that has spaces)"
        )
    return found[0], pairs


def _format_and_path(output: str | None, fmt: str | None) -> tuple[str, Path | None]:
    """The format and the file (None: standard output) from -o and --format; an unknown extension is an error."""
    if output is None:
        fmt = fmt or "svg"
        return fmt, Path(f"graph.{fmt}")
    if output == "-":
        return fmt or "svg", None
    path = Path(output)
    suffix = path.suffix.lstrip(".").lower()
    if suffix in _SUFFIXES:
        if fmt is not None and fmt != _SUFFIXES[suffix]:
            raise CommandError(f"--format {fmt} does not match the file name {output!r}")
        return _SUFFIXES[suffix], path
    if fmt is None:  # never a picture in one format under another's name: say which names work
        what = f"the extension .{suffix} is not a format this command writes" if suffix else "no extension"
        raise CommandError(
            f"-o {output}: {what}; end the name with {', '.join('.' + f for f in FORMATS)} "
            "(the extension chooses the format), or give --format to write that format under this name"
        )
    return fmt, path


def _tool_failed(exc: Exception) -> CommandError:
    """A clear one-line error for Graphviz missing, failing or running out of time."""
    if isinstance(exc, viz.GraphvizNotFoundError):
        return CommandError(f"{exc} (or write the DOT text with --format dot)")
    if isinstance(exc, viz.LayoutTimeoutError):
        return CommandError(f"{exc} (--timeout SECONDS)")
    if isinstance(exc, subprocess.CalledProcessError):
        err = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
        detail = " ".join(err.split())[:300] or "nothing on stderr"
        return CommandError(f"Graphviz's dot failed (exit status {exc.returncode}): {detail}")
    raise exc


def _page(root: Value, title: str, max_nodes: int) -> bytes:
    """The step-through page (its picture is laid out by Graphviz too)."""
    from .. import stepper

    try:
        return stepper.stepper(root, title=title, max_nodes=max_nodes).html().encode("utf-8")
    except (viz.GraphvizNotFoundError, viz.LayoutTimeoutError, subprocess.CalledProcessError) as exc:
        raise _tool_failed(exc) from None


def _write_picture(
    root: Value, fmt: str, path: Path | None, args: argparse.Namespace, title: str, params: list[Value]
) -> None:
    """The picture (or page) in ``fmt``, written to ``path`` or, for None, to standard output."""
    if fmt == "html":
        data = _page(root, title, args.max_nodes)
    else:
        show = not args.no_grad
        options: dict[str, object] = {
            "show_grad": show,
            "edge_derivatives": show,
            "number_backward": show,
            "max_nodes": args.max_nodes,
            "title": title if args.title is None else args.title,
            "legend": not args.no_legend,
            "params": params,
        }
        try:
            if path is not None:
                viz.save(root, path, format=fmt, timeout=args.timeout, **options)
                return
            data = viz.render(root, fmt, timeout=args.timeout, **options)
        except (viz.GraphvizNotFoundError, viz.LayoutTimeoutError, subprocess.CalledProcessError) as exc:
            raise _tool_failed(exc) from None
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from exc
    if path is not None:
        _write(path, data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    if args.max_nodes < 1:
        raise CommandError(f"--max-nodes must be at least 1, got {args.max_nodes}")
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise CommandError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    expression, pairs = _expression(args)
    values = parse_assignments(pairs)
    fmt, path = _format_and_path(args.output, args.format)
    title = expression.strip()
    # With the picture on standard output, the report goes to standard error; --quiet drops it.
    out: TextIO = sys.stderr if path is None else sys.stdout
    report: TextIO = io.StringIO() if args.quiet else out
    root, leaves = build(expression, values, name_steps=True)  # each step's box named by its part (b*c)
    params = parse_params(args.params, leaves)  # a bad --params fails before anything is written
    try:
        root.backward()
    except ArithmeticError as exc:  # a derivative that overflows at the user's numbers, e.g. 1/x at x = 1e-320
        raise CommandError(f"backward: {exc}") from exc
    print(f"{title} = {root.data:.10g}", file=report)
    if leaves:
        print("gradients (∂value/∂name, by backward()):", file=report)
        for name, leaf in leaves.items():
            print(f"  d{name} = {leaf.grad:.10g}", file=report)
    size = len(topological_order(root))
    if size > args.max_nodes:
        raise CommandError(
            f"the graph has {size} values, more than --max-nodes {args.max_nodes}: the picture would be "
            "unreadable. Draw a smaller expression, or pass a larger --max-nodes."
        )
    if args.steps or args.html is not None:
        from .. import stepper

        if args.steps:
            print(stepper.trace(root, max_nodes=args.max_nodes), end="", file=out)  # asked for: even with --quiet
        if args.html is not None:
            _write(args.html, _page(root, title, args.max_nodes))
            print(f"wrote {args.html}", file=report)
        if args.output is None and args.format is None:  # asked for the steps only: no picture
            return 0
    _write_picture(root, fmt, path, args, title, params)
    if path is not None:
        print(f"wrote {path}", file=report)
    return 0
