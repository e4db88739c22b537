"""Pictures of computation graphs: a ``Value`` graph as a ``graphviz.Digraph``.

The picture reads like the text's figures: the forward pass runs left to right,
each value is a box with its label, its data and its gradient, each operation
is a small circle with its symbol, and each edge carries the local derivative
∂out/∂in taken from the operation table.  Backward visits the nodes right to
left; ``#1, #2, ...`` in the boxes give that order (the output is #1).

    >>> from micrograd_lr import Value
    >>> a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    >>> J = 3 * (a + b * c)
    >>> J.backward()
    >>> g = draw(J)          # a graphviz.Digraph; g.source is the DOT text
    >>> "digraph" in g.source
    True

Node ids are positions in the forward order, so the DOT text (and the SVG that
Graphviz makes from it) is the same on every run.  Every label is escaped:
quotes, ``<``, ``>``, ``&``, backslashes, newlines and any Unicode text show
literally.
"""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import graphviz

from .engine import Value, topological_order

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphvizFailedError",
    "GraphvizNotFoundError",
    "INSTALL_HINT",
    "LABEL_LIMIT",
    "LAYOUT_TIMEOUT",
    "LayoutTimeoutError",
    "MAX_SPAN",
    "derivative_text",
    "caption",
    "draw",
    "draw_network",
    "far_uses",
    "legend_row",
    "render",
    "run_dot",
    "save",
    "save_svg",
    "term",
    "value_box",
]

DEFAULT_MAX_NODES = 300
"""Graphs with more values than this are refused unless ``max_nodes`` is raised."""

INSTALL_HINT = (
    "Graphviz's 'dot' program is needed to render pictures and was not found on the PATH. "
    "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; Fedora: sudo dnf install graphviz; "
    "macOS: brew install graphviz; Windows: winget install graphviz, or https://graphviz.org/download/), "
    "or run `make dot`. Without it, draw(...).source still gives the DOT text."
)

FORMATS = ("svg", "png", "pdf", "dot")
"""Formats ``save`` writes (``dot`` is the DOT text itself and needs no Graphviz)."""


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` is missing: the DOT text exists but cannot be rendered."""

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)


class GraphvizFailedError(subprocess.CalledProcessError):
    """Graphviz's ``dot`` ran and failed; the message gives its exit status and what it said."""

    def __str__(self) -> str:
        said = self.stderr.decode("utf-8", "replace") if isinstance(self.stderr, bytes) else str(self.stderr or "")
        said = " ".join(said.split())[:400] or "nothing on stderr"
        return f"Graphviz's dot failed (exit status {self.returncode}): {said}"


class LayoutTimeoutError(TimeoutError):
    """Graphviz's ``dot`` took longer than the time allowed to lay the graph out, and was stopped."""


LAYOUT_TIMEOUT = 30.0
"""Seconds ``render`` and ``save`` give Graphviz's ``dot`` before stopping it (``timeout=`` changes it)."""

LABEL_LIMIT = 200
"""Longest text drawn as a name or a title, in characters: a longer one is cut in the middle with
"…" and its length said, so the DOT text stays within Graphviz's 16 KB per label."""

MAX_SPAN = 4
"""Longest edge drawn, in steps of the graph: a value used much further on (the a of a + a + ... + a)
is drawn again, dashed, next to that use. Long edges make Graphviz's layout time grow with the square
of the graph (a 100-term sum of one name took minutes); with this bound it stays about linear."""


# ------------------------------------------------------------------ styling

FONT = "Helvetica,Arial,sans-serif"
STYLE: dict[str, dict[str, str]] = {
    # kind: table background, border colour, border width
    "input": {"bg": "#dbeafe", "border": "#1d4ed8", "width": "1"},
    "parameter": {"bg": "#fef3c7", "border": "#b45309", "width": "1"},
    "constant": {"bg": "#f3f4f6", "border": "#9ca3af", "width": "1"},
    "intermediate": {"bg": "#ffffff", "border": "#374151", "width": "1"},
    "output": {"bg": "#dcfce7", "border": "#15803d", "width": "2"},
}
EDGE_COLOUR = "#6b7280"
DERIVATIVE_COLOUR = "#b91c1c"
NUMBER_COLOUR = "#6b7280"

# XML 1.0 forbids C0 controls other than tab/newline/CR, lone surrogates and U+FFFE/U+FFFF:
# such characters are shown as visible stand-ins so the SVG stays well-formed.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    c = ord(match.group())
    if c < 0x20:
        return chr(0x2400 + c)  # the Control Pictures block: ␀ ␁ ...
    if c == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def escape(text: str) -> str:
    """``text`` as the body of a Graphviz HTML-like label, shown literally.

    ``& < > " '`` become entities; a backslash is doubled (Graphviz reads ``\\N``,
    ``\\G``, ... in label text as escapes); line breaks become ``<BR/>``, a tab a space;
    characters XML cannot hold become visible stand-ins (U+2400 control pictures, U+FFFD).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")  # Graphviz drops tabs
    text = _UNSAFE.sub(_visible, text)
    # "]" as a character reference: Graphviz's HTML lexer rejects a text that is only "]" or "]]"
    lines = (html.escape(line.replace("\\", "\\\\"), quote=True).replace("]", "&#93;") for line in text.split("\n"))
    return '<BR ALIGN="CENTER"/>'.join(lines)


def _cut(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` itself, or its start and end around "… (N characters) …" when longer than ``limit``."""
    if len(text) <= limit:
        return text
    half = (limit - 30) // 2
    return f"{text[:half]}…({len(text)} characters)…{text[len(text) - half :]}"


def fmt(x: float, digits: int = 4) -> str:
    """A compact number: ``digits`` significant digits, no trailing zeros (33, 0.7311, 1e-06)."""
    s = f"{x:.{digits}g}"
    return "0" if s == "-0" else s


def _kind(node: Value, root: Value, params: set[int], names: set[str]) -> str:
    """output, intermediate (made by an operation), constant (a plain number inside an
    operation, ``.constant`` set), parameter (given in ``params``) or input (any other leaf)."""
    if node is root:
        return "output"
    if node.op is not None:
        return "intermediate"
    if node.constant is not None:
        return "constant"
    if id(node) in params or (node.label and node.label in names):
        return "parameter"
    return "input"


class HasParameters(Protocol):
    """A model: anything with ``parameters()`` (an ``nn`` model, ``LogisticRegression``)."""

    def parameters(self) -> Iterable[Value]: ...


def _parameters(params: object) -> tuple[set[int], set[str]]:
    """The ids and labels of the parameters given as Values, labels, or a model with ``parameters()``."""
    ids: set[int] = set()
    names: set[str] = set()
    if params is None:
        return ids, names
    if callable(getattr(params, "parameters", None)):
        params = params.parameters()  # type: ignore[attr-defined]
    if isinstance(params, (str, Value)) or not isinstance(params, Iterable):
        raise TypeError(
            "params must be an iterable of Values or labels (str), or a model with parameters(), "
            f"got {type(params).__name__}"
        )
    for p in params:
        if isinstance(p, Value):
            ids.add(id(p))
        elif isinstance(p, str):
            names.add(p)
        else:
            raise TypeError(f"params must hold Values or labels (str), got {type(p).__name__}")
    return ids, names


def _op_text(node: Value, digits: int) -> str:
    """The symbol drawn in an operation's circle, with its constant where the table shows one (^2, L (y=1))."""
    assert node.op is not None
    return node.op.text(node.constant, lambda k: fmt(k, digits))


def _grad_name(label: str) -> str:
    """The text's name of a gradient: da for a, dw1 for w1; 'grad' for other labels."""
    return f"d{label}" if label.isidentifier() and len(label) <= 8 else "grad"


def value_box(
    node: Value,
    kind: str,
    *,
    number: int | None = None,
    show_grad: bool = True,
    digits: int = 4,
    head: str | None = None,
) -> str:
    """The HTML-like label of a value's box: its head (``head`` or its label), data and gradient.

    ``kind`` is a key of STYLE; a constant shows no gradient; ``number`` is its #n.
    """
    return _value_label(node, kind, number, show_grad, digits, head)


def _value_label(
    node: Value, kind: str, number: int | None, show_grad: bool, digits: int, head_text: str | None = None
) -> str:
    style = STYLE[kind]
    text = _cut(node.label if head_text is None else head_text)
    head = f"<B>{escape(text)}</B>" if text else ("const" if kind == "constant" else "&#160;")
    if number is None:
        rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="2">{head}</TD></TR>']
    else:
        num = f'<FONT POINT-SIZE="9" COLOR="{NUMBER_COLOUR}">#{number}</FONT>'
        rows = [f'<TR><TD ALIGN="LEFT">{head}</TD><TD ALIGN="RIGHT">{num}</TD></TR>']
    rows.append(f'<TR><TD ALIGN="LEFT">data</TD><TD ALIGN="RIGHT">{fmt(node.data, digits)}</TD></TR>')
    if show_grad and kind != "constant":
        name = _grad_name(node.label)
        rows.append(f'<TR><TD ALIGN="LEFT">{escape(name)}</TD><TD ALIGN="RIGHT">{fmt(node.grad, digits)}</TD></TR>')
    return (
        f'<<TABLE BORDER="{style["width"]}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{style["bg"]}" COLOR="{style["border"]}" STYLE="ROUNDED">{"".join(rows)}</TABLE>>'
    )


def term(label: str) -> str:
    """A label as a term of ∂out/∂in: bare if it is one word (a, w1, z), else in parentheses."""
    return label if label.isidentifier() or label.isalnum() else f"({label})"


def derivative_text(out: Value, inp: Value, d: float, digits: int = 4) -> str:
    """The text of the local derivative on the edge inp → out: ``∂u/∂b = 2``, ``∂J/∂3 = 11`` for a constant 3,
    or ``2`` when a node has no name."""
    inp_name = _cut(inp.label, LABEL_LIMIT // 2) or (
        fmt(inp.data, digits) if inp.op is None and inp.constant is not None else ""
    )
    if out.label and inp_name:
        return f"∂{term(_cut(out.label, LABEL_LIMIT // 2))}/∂{term(inp_name)} = {fmt(d, digits)}"
    return fmt(d, digits)


def _edge_label(out: Value, inp: Value, d: float, digits: int) -> str:
    text = escape(derivative_text(out, inp, d, digits))
    return f'<<FONT POINT-SIZE="10" COLOR="{DERIVATIVE_COLOUR}">{text}</FONT>>'


LEGEND_NUMBERS = "#n: the n-th chain-rule step of backward()"
LEGEND_DERIVATIVES = "red on an edge: its local ∂out/∂in"


def legend_row(
    kinds: Sequence[str], numbered: bool, derivatives: bool, derivative_note: str = LEGEND_DERIVATIVES
) -> str:
    """A row of the graph's caption: one swatch per kind of node present, and what #n and red numbers mean."""
    items = []
    for kind in ("input", "parameter", "constant", "intermediate", "output"):
        if kind in kinds:
            items.append(f'<FONT COLOR="{STYLE[kind]["border"]}">■</FONT> {kind}')
    if numbered:
        items.append(f'<FONT COLOR="{NUMBER_COLOUR}">{escape(LEGEND_NUMBERS)}</FONT>')
    if derivatives:
        items.append(f'<FONT COLOR="{DERIVATIVE_COLOUR}">{escape(derivative_note)}</FONT>')
    # one cell of text: Graphviz would spread separate cells over the title's width
    inner = "&#160;&#160;&#160;".join(items)
    return f'<TR><TD><FONT POINT-SIZE="11">{inner}</FONT></TD></TR>'


def caption(g: graphviz.Digraph, title: str | None, legend: str) -> None:
    """Put ``title`` (and the ``legend`` row from ``legend_row``) above the graph."""
    if title or legend:
        title_row = f"<TR><TD>{escape(_cut(title))}</TD></TR>" if title else ""
        g.attr(label=f'<<TABLE BORDER="0" CELLSPACING="2">{title_row}{legend}</TABLE>>', labelloc="t", fontsize="14")


LEGEND_AGAIN = "dashed box: a value drawn again next to a use far from it"


def far_uses(order: list[Value], index: dict[int, int]) -> set[tuple[int, int]]:
    """The inputs (i, j) — input j of node i — whose value is computed more than MAX_SPAN steps before node i.

    A node's level is its longest path to the root (the root is 0): the places a left-to-right layout
    can put it at the earliest. An edge from level p to level i spans p − i steps.
    """
    level = [0] * len(order)
    for i in range(len(order) - 1, -1, -1):
        for parent in order[i].parents:
            p = index[id(parent)]
            level[p] = max(level[p], level[i] + 1)
    return {
        (i, j)
        for i, node in enumerate(order)
        for j, parent in enumerate(node.parents)
        if level[index[id(parent)]] - level[i] > MAX_SPAN
    }


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    edge_derivatives: bool = True,
    number_backward: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    params: Iterable[Value | str] | HasParameters | None = None,
    title: str | None = None,
    digits: int = 4,
    name: str = "computation_graph",
    legend: bool = True,
) -> graphviz.Digraph:
    """The computation graph that ends at ``root`` as a ``graphviz.Digraph``.

    rankdir: "LR" (left to right, like the text), "RL", "TB" or "BT".
    show_grad: show each value's gradient (False: a forward-only picture).
    edge_derivatives: put the local derivative ∂out/∂in at the current values on each edge
        into an operation, as a small red label the edge runs through.
    number_backward: number #1, #2, ... the nodes backward() takes a chain-rule step at
        (those operations made), in the order it takes them: the output is #1.
    max_nodes: refuse graphs with more values than this (Graphviz would take very long).
    params: the parameters, drawn apart from the other inputs: Values or labels, or a model
        with ``parameters()`` (an ``nn`` model, ``LogisticRegression``).  Every leaf shows its
        data and gradient, except the constants made from plain numbers inside an
        operation (the 3 of ``3 * v``, whose ``.constant`` is set), which show their number.
    title: a caption above the graph.  digits: significant digits of numbers.
    legend: under the title, say what the colours, the #n and the red numbers mean.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an int from 1 to 17, got {digits!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")

    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order)} values, more than max_nodes={max_nodes}: Graphviz would be slow "
            f"and the picture unreadable. Draw a smaller part instead (a sub-expression: call draw() on an "
            f"intermediate Value, or build the expression with fewer terms), or pass a larger max_nodes."
        )
    param_ids, param_names = _parameters(params)

    index = {id(node): i for i, node in enumerate(order)}
    # backward() steps through reversed([n for n in order if n.op is not None]): the output is step 1
    steps = [i for i, node in enumerate(order) if node.op is not None]
    step_number = {i: len(steps) - k for k, i in enumerate(steps)}

    far = far_uses(order, index)

    g = graphviz.Digraph(name=name)
    g.attr(rankdir=rankdir, fontname=FONT, nodesep="0.25", ranksep="0.3", bgcolor="white", pad="0.2")
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="10", color=EDGE_COLOUR, arrowsize="0.7")
    kinds = [_kind(node, root, param_ids, param_names) for node in order]
    numbered = number_backward and bool(steps)
    rows = legend_row(kinds, numbered, edge_derivatives and bool(steps)) if legend else ""
    if legend and far:
        rows += f'<TR><TD><FONT POINT-SIZE="11">{escape(LEGEND_AGAIN)}</FONT></TD></TR>'
    caption(g, title, rows)

    def source(i: int, j: int, parent: Value) -> str:
        """The box an edge into input j of node i starts at: the parent's, or a dashed copy for a far use."""
        p = index[id(parent)]
        if (i, j) not in far:
            return f"v{p}"
        text = parent.label or (f"#{step_number[p]}" if number_backward and p in step_number else "")
        text = text or fmt(parent.data, digits)
        style = STYLE[kinds[p]]
        g.node(
            f"r{i}_{j}",
            label=f"<<B>{escape(_cut(text))}</B> = {fmt(parent.data, digits)}>",
            shape="box",
            style="rounded,dashed,filled",
            fillcolor=style["bg"],
            color=style["border"],
            fontsize="11",
            margin="0.05,0.02",
            height="0",
            width="0",
            tooltip=f"{_cut(text)} again: the value drawn in full further back, shown here next to a far use",
        )
        return f"r{i}_{j}"

    for i, node in enumerate(order):
        number = step_number.get(i) if number_backward else None
        g.node(f"v{i}", label=_value_label(node, kinds[i], number, show_grad, digits), shape="plain")
        op = node.op
        if op is None:
            continue
        g.node(
            f"o{i}",
            label=f"<{escape(_op_text(node, digits))}>",
            shape="circle",
            style="filled",
            fillcolor="#e5e7eb",
            color="#6b7280",
            fontsize="11",
            width="0.35",
            height="0.35",
            fixedsize="false",
            margin="0.02",
            tooltip=f"{op.name}: {op.formula}; {op.derivative}",
        )
        g.edge(f"o{i}", f"v{i}")
        if not edge_derivatives:
            for j, parent in enumerate(node.parents):
                g.edge(source(i, j, parent), f"o{i}")
            continue
        # each derivative is a small node the edge runs through, so it cannot be read as another edge's
        for j, (parent, d) in enumerate(zip(node.parents, node.local_grads())):
            label_id = f"d{i}_{j}"
            g.node(
                label_id,
                label=_edge_label(node, parent, d, digits),
                shape="plaintext",
                margin="0.02,0.01",
                width="0",
                height="0",
            )
            g.edge(source(i, j, parent), label_id, arrowhead="none")
            g.edge(label_id, f"o{i}")
    return g


def draw_network(
    layers: Sequence[tuple[str, Sequence[str]]],
    *,
    title: str | None = None,
    rankdir: str = "LR",
    name: str = "network",
) -> graphviz.Digraph:
    """The structure of a dense network: one box per layer, every unit wired to every unit of the next.

    ``layers`` lists (layer name, unit names) from the input layer to the output layer, e.g.
    ``[("input layer", ["size", "bedrooms"]), ("dense layer", ["h1", "h2"]), ("output layer", ["price"])]``.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    if len(layers) < 2:
        raise ValueError(f"layers must hold at least an input and an output layer, got {len(layers)}")
    total = sum(len(units) for _, units in layers)
    if total > DEFAULT_MAX_NODES:
        raise ValueError(f"the network has {total} units, more than {DEFAULT_MAX_NODES}: draw fewer units")
    fills = ["#dbeafe"] + ["#ffffff"] * (len(layers) - 2) + ["#dcfce7"]
    borders = ["#1d4ed8"] + ["#374151"] * (len(layers) - 2) + ["#15803d"]
    g = graphviz.Digraph(name=name)
    # remincross=false: the last crossing-reduction pass over the clusters would otherwise
    # reorder the units of a layer, ignoring the invisible ordering edges below.
    g.attr(
        rankdir=rankdir,
        fontname=FONT,
        nodesep="0.3",
        ranksep="1.1",
        newrank="true",
        remincross="false",
        bgcolor="white",
        pad="0.2",
    )
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", color=EDGE_COLOUR, arrowsize="0.6", penwidth="0.9")
    caption(g, title, "")
    for i, (layer_name, units) in enumerate(layers):
        if not units:
            raise ValueError(f"layer {i} ({layer_name!r}) has no units")
        with g.subgraph(name=f"cluster_{i}") as c:
            c.attr(label=f"<{escape(layer_name)}>", style="rounded,dashed", color="#9ca3af", fontsize="12")
            for j, unit in enumerate(units):
                c.node(
                    f"l{i}u{j}",
                    label=f"<{escape(unit)}>",
                    shape="ellipse" if 0 < i < len(layers) - 1 else "box",
                    style="filled,rounded",
                    fillcolor=fills[i],
                    color=borders[i],
                )
            # keep the units in the given order, top to bottom (LR, RL) or left to right (TB, BT):
            # a chain of invisible edges within the rank.  dot puts a flat edge's tail before its
            # head, left to right; turned for LR and RL that is bottom to top, so the chain runs
            # from the last unit to the first there.
            for j in range(len(units) - 1):
                tail, head = (j + 1, j) if rankdir in ("LR", "RL") else (j, j + 1)
                c.edge(f"l{i}u{tail}", f"l{i}u{head}", style="invis")
            c.attr(rank="same")
    for i in range(len(layers) - 1):
        for j in range(len(layers[i][1])):
            for k in range(len(layers[i + 1][1])):
                g.edge(f"l{i}u{j}", f"l{i + 1}u{k}")
    return g


def _digraph(graph: Value | graphviz.Digraph, options: dict[str, object]) -> graphviz.Digraph:
    if isinstance(graph, graphviz.Digraph):
        if options:
            raise TypeError(f"drawing options {sorted(options)} apply to a Value, not to a ready Digraph")
        return graph
    return draw(graph, **options)  # type: ignore[arg-type]


def render(
    graph: Value | graphviz.Digraph, format: str = "svg", *, timeout: float | None = LAYOUT_TIMEOUT, **options: object
) -> bytes:
    """The picture as bytes in ``format`` (svg, png, pdf or dot), from a Value or a Digraph.

    Graphviz's ``dot`` gets ``timeout`` seconds (None: no limit): LayoutTimeoutError when it runs
    out, GraphvizFailedError when dot fails, GraphvizNotFoundError when it is not installed.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    g = _digraph(graph, options)
    if format == "dot":
        return g.source.encode("utf-8")
    return run_dot(g.source, format, timeout)


def run_dot(source: str, format: str, timeout: float | None = LAYOUT_TIMEOUT) -> bytes:
    """Graphviz's ``dot -T<format>`` on the DOT text ``source``, stopped after ``timeout`` seconds."""
    try:
        done = subprocess.run(
            ["dot", f"-T{format}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise GraphvizNotFoundError() from None
    except subprocess.TimeoutExpired:
        raise LayoutTimeoutError(
            f"Graphviz's dot took more than {timeout:g} s to lay out the graph and was stopped: draw a smaller "
            "part of it (a sub-expression), or allow more time"
        ) from None
    if done.returncode != 0:
        raise GraphvizFailedError(done.returncode, ["dot", f"-T{format}"], done.stdout, done.stderr)
    return done.stdout


def save(
    graph: Value | graphviz.Digraph,
    path: str | Path,
    *,
    format: str | None = None,
    timeout: float | None = LAYOUT_TIMEOUT,
    **options: object,
) -> Path:
    """Write the picture to ``path`` (format from ``format`` or the file's suffix; folders are made); return it."""
    path = Path(path)
    if format is None:
        format = path.suffix.lstrip(".").lower()
        if format == "gv":
            format = "dot"
        if format not in FORMATS:
            raise ValueError(
                f"cannot tell the format from the file name {str(path)!r}: use a suffix "
                f"{', '.join('.' + f for f in FORMATS)} or pass format="
            )
    data = render(graph, format, timeout=timeout, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def save_svg(
    root: Value | graphviz.Digraph, path: str | Path, *, timeout: float | None = LAYOUT_TIMEOUT, **options: object
) -> Path:
    """Draw ``root`` (options as for ``draw``) and write it to ``path`` as SVG; return the path."""
    return save(root, path, format="svg", timeout=timeout, **options)
