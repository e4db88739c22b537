"""Step through the chain rule: a page made from any ``Value`` graph, and the same steps as text.

``stepper(root)`` returns a :class:`Stepper`: ``.save("graph.html")`` writes one
self-contained HTML file (the graph laid out by Graphviz, its script and style
inline, no network request of any kind), and in Jupyter it shows inline.  The
page walks the forward pass left to right, one operation per step, then sets
every gradient to 0 and walks backward right to left, one edge per step, with
the chain-rule product that flows along it.  The leaves can be edited in the
page; it recomputes everything with forward rules and local derivatives
generated from the operation table (``ops.TABLE``'s ``expr`` and ``expr_local``).

``trace(root)`` is the same walk as text, in the text's notation (``dv``, ``db``).

Plain numbers inside the expression (the 3 of ``3 * v``) are drawn but get no
backward step: there is nothing to learn there.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import graphviz

from . import ops
from .engine import Value, topological_order
from .viz import DEFAULT_MAX_NODES, escape, far_uses, run_dot, term

__all__ = ["FUNCTIONS", "Step", "Stepper", "evaluate", "fmt", "steps", "stepper", "to_javascript", "trace"]


# ---------------------------------------------------------------- the expression language of ops.TABLE


def _step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def _dot(xs: Sequence[float], k: Sequence[float] | None) -> float:
    if k is None:
        n = len(xs) // 2
        return math.fsum(w * x for w, x in zip(xs[:n], xs[n:]))
    return math.fsum(w * x for w, x in zip(xs, k))


def _partner(xs: Sequence[float], k: Sequence[float] | None, i: int) -> float:
    """∂(w·x)/∂ of input i: the x paired with wᵢ (from k, or the other half of xs), or the w paired with xᵢ."""
    if k is not None:
        return float(k[i])
    n = len(xs) // 2
    return xs[(i + n) % (2 * n)]


FUNCTIONS: dict[str, tuple[Callable[..., float], str]] = {
    "exp": (math.exp, "Math.exp"),
    "log": (math.log, "Math.log"),
    "tanh": (math.tanh, "Math.tanh"),
    "pow": (math.pow, "Math.pow"),
    "max": (max, "Math.max"),
    "sigmoid": (ops.sigmoid, "F.sigmoid"),
    "softplus": (ops.softplus, "F.softplus"),
    "step": (_step, "F.step"),
    "sum": (math.fsum, "F.sum"),
    "dot": (_dot, "F.dot"),
    "partner": (_partner, "F.partner"),
}
"""The functions an ``expr`` may call: name → (Python function, its JavaScript twin in stepper.js)."""

_VARIABLES = {"a", "b", "k", "out", "xs", "i"}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_]\w*)|([-+*/(),]))")


def _tokens(expression: str, constant: str = "") -> list[str]:
    """The tokens of an expression, or a ValueError naming what is not allowed in it."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError(f"an operation's expression must be a non-empty str, got {expression!r}")
    tokens, pos = [], 0
    text = expression.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"expression {expression!r}: unexpected character at {text[pos:]!r}")
        number, name, symbol = m.groups()
        if name is not None and name not in _VARIABLES and name not in FUNCTIONS and name != constant:
            raise ValueError(
                f"expression {expression!r}: unknown name {name!r} "
                f"(expected one of {sorted(_VARIABLES | set(FUNCTIONS))} or the constant's name)"
            )
        tokens.append(number or name or symbol)
        pos = m.end()
    _check_order(expression, tokens)
    return tokens


def _check_order(expression: str, tokens: list[str]) -> None:
    """Operands and operators alternate; a bracket opens only a group or a function's arguments."""
    previous = "start"
    for token in tokens:
        if token in FUNCTIONS:
            kind = "function"
        elif token[0].isalnum() or token[0] == "_":
            kind = "operand"
        else:
            kind = token
        allowed = {
            "operand": {"start", "+", "-", "*", "/", "(", ","},
            "function": {"start", "+", "-", "*", "/", "(", ","},
            "(": {"start", "+", "-", "*", "/", "(", ",", "function"},
            ")": {"operand", ")"},
            ",": {"operand", ")"},
            "-": {"start", "operand", ")", "(", ",", "*", "/", "+"},
            "+": {"operand", ")"},
            "*": {"operand", ")"},
            "/": {"operand", ")"},
        }[kind]
        if previous not in allowed or (previous == "function" and kind != "("):
            raise ValueError(f"expression {expression!r}: {token!r} cannot follow {previous!r}")
        previous = kind
    if previous not in ("operand", ")") or tokens.count("(") != tokens.count(")"):
        raise ValueError(f"expression {expression!r} is incomplete")


def evaluate(expression: str, env: dict[str, Any], constant: str = "") -> float:
    """Evaluate an ``ops`` expression in Python: ``env`` gives a, b, k, out, xs, i."""
    tokens = _tokens(expression, constant)
    namespace: dict[str, Any] = {name: f for name, (f, _) in FUNCTIONS.items()}
    namespace.update(env)
    if constant:
        namespace[constant] = env.get("k")
    return float(eval(" ".join(tokens), {"__builtins__": {}}, namespace))  # only whitelisted tokens


def to_javascript(expression: str, constant: str = "") -> str:
    """The same expression as JavaScript over ``a, b, k, out, xs, i`` and stepper.js's ``F``."""
    out = []
    for token in _tokens(expression, constant):
        if token in FUNCTIONS:
            out.append(FUNCTIONS[token][1])
        elif token == constant:
            out.append("k")
        else:
            out.append(token)
    return "(" + " ".join(out) + ")"


def _is_n_ary(op: ops.Op) -> bool:
    return "xs" in _tokens(op.expr, op.constant)


def _javascript_table() -> str:
    """Every row of ``ops.TABLE`` as a JavaScript forward rule and local derivatives."""
    rows = []
    for op in ops.TABLE.values():
        if not op.expr or not op.expr_local:
            raise ValueError(f"ops.TABLE[{op.name!r}] has no expr/expr_local for the step-through page")
        forward = to_javascript(op.expr, op.constant)
        if _is_n_ary(op):
            each = to_javascript(op.expr_local[0], op.constant)
            local = f"xs.map(function (_, i) {{ return {each}; }})"
        else:
            local = "[" + ", ".join(to_javascript(e, op.constant) for e in op.expr_local) + "]"
        head = "var a = xs[0], b = xs[1];"
        rows.append(
            f"  {json.dumps(op.name)}: {{\n"
            f"    forward: function (xs, k) {{ {head} return {forward}; }},\n"
            f"    local: function (xs, out, k) {{ {head} return {local}; }}\n"
            f"  }}"
        )
    return "{\n" + ",\n".join(rows) + "\n}"


# ---------------------------------------------------------------- numbers and names


def fmt(x: float) -> str:
    """4 significant digits like ``%g`` (33, 0.7311, 1e-06), halves rounded away from zero as the page does."""
    if not math.isfinite(x):
        return repr(x)
    if x == 0.0:
        return "0"
    d = Decimal(x)
    exponent = d.adjusted()
    q = d.quantize(Decimal(1).scaleb(exponent - 3), rounding=ROUND_HALF_UP)
    if q.adjusted() != exponent:  # 9.9996 → 10.00
        exponent = q.adjusted()
        q = d.quantize(Decimal(1).scaleb(exponent - 3), rounding=ROUND_HALF_UP)

    def strip(s: str) -> str:
        return s.rstrip("0").rstrip(".") if "." in s else s

    if exponent < -4 or exponent >= 4:
        mantissa = strip(f"{q.scaleb(-exponent):f}")
        return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return strip(f"{q:f}")


def _template(op: ops.Op, count: int, k: Any) -> list[Any]:
    """The operation's formula (from the row's prose) as parts: text, an input's index, or {"k": j}."""
    if op.name == "sum":
        parts: list[Any] = []
        for i in range(count):
            parts += [" + "] if i else []
            parts.append(i)
        return parts
    if op.name == "dot":
        n = count if k is not None else count // 2
        parts = []
        for i in range(n):
            parts += [" + "] if i else []
            parts += [i, "·", {"k": i} if k is not None else n + i]
        return parts
    display = op.formula.split(" = ")[0]
    names = {"a": 0, "b": 1}
    if op.constant:
        names[op.constant] = -1
    parts = []
    pos = 0
    for m in re.finditer(r"(?<!\w)(\w)(?!\w)", display):
        if m.group(1) in names:
            parts.append(display[pos : m.start()])
            index = names[m.group(1)]
            parts.append({"k": None} if index < 0 else index)
            pos = m.end()
    parts.append(display[pos:])
    return [p for p in parts if p != ""]


def _fill(parts: list[Any], inputs: Sequence[str], k: Any) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, int):
            out.append(inputs[p])
        else:
            out.append(fmt(k if p["k"] is None else k[p["k"]]))
    return "".join(out)


# ---------------------------------------------------------------- the graph and its steps


@dataclass(frozen=True)
class Step:
    """One step of the walk: what it highlights, the value or gradient it changes, and its explanation.

    ``kind`` is "start", "forward", "zero", "seed" or "backward"; ``node`` the value node
    it changes (an index into the topological order), ``op`` the operation node
    (forward), ``edge`` the edge id (backward); ``text`` the page's explanation and
    ``short`` the trace's line in the text's notation.
    """

    kind: str
    text: str
    short: str
    node: int | None = None
    op: int | None = None
    edge: str | None = None
    field: str | None = None
    value: float | None = None


class _Graph:
    """The nodes of a graph in forward order, with names, kinds and templates (what the page is made of)."""

    def __init__(self, root: Value, max_nodes: int) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"root must be a Value, got {type(root).__name__}")
        if not isinstance(max_nodes, int) or max_nodes < 1:
            raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
        self.order = topological_order(root)
        if len(self.order) > max_nodes:
            raise ValueError(
                f"the graph has {len(self.order)} nodes, more than max_nodes={max_nodes}: "
                f"a step-through page is for small graphs (raise max_nodes to draw it anyway)"
            )
        self.index = {id(node): i for i, node in enumerate(self.order)}
        self.root = len(self.order) - 1
        # a use far from where its value is computed is drawn from a dashed copy next to it (viz's rule):
        # long edges make Graphviz's layout time grow with the square of the graph
        self.far = sorted(far_uses(self.order, self.index))
        self.names = [self._name(i, node) for i, node in enumerate(self.order)]
        # in a formula, a name that is itself an expression is bracketed: d(b*c), ∂J/∂(a + b*c)
        self.terms = [name if node.op is None else term(name) for name, node in zip(self.names, self.order)]

    def kind(self, node: Value) -> str:
        if node.op is not None:
            return "op"
        return "const" if node.constant is not None else "leaf"

    def _name(self, i: int, node: Value) -> str:
        if node.label:
            return node.label
        return fmt(node.data) if self.kind(node) == "const" else f"n{i}"

    def parents(self, node: Value) -> list[int]:
        return [self.index[id(p)] for p in node.parents]

    def copies(self) -> dict[int, list[str]]:
        """Node index → ids of its dashed copies, c{i}_{j} for a far use as input j of node i."""
        out: dict[int, list[str]] = {}
        for i, j in self.far:
            out.setdefault(self.index[id(self.order[i].parents[j])], []).append(f"c{i}_{j}")
        return out

    def data(self) -> dict[str, Any]:
        nodes = []
        copies = self.copies()
        for i, node in enumerate(self.order):
            entry: dict[str, Any] = {
                "name": self.names[i],
                "term": self.terms[i],
                "hook": node.label or str(i),
                "kind": self.kind(node),
                "data": node.data,
            }
            if i in copies:
                entry["copies"] = copies[i]
            if node.op is not None:
                k = node.constant
                entry.update(
                    op=node.op.name,
                    k=list(k) if isinstance(k, (tuple, list)) else k,
                    parents=self.parents(node),
                    template=_template(node.op, len(node.parents), k),
                )
            nodes.append(entry)
        return {"root": self.root, "nodes": nodes}


def _steps(graph: _Graph) -> list[Step]:
    order, names, terms = graph.order, graph.names, graph.terms
    R = terms[graph.root]
    leaves = [i for i, node in enumerate(order) if graph.kind(node) == "leaf"]
    shown = ", ".join(f"{names[i]} = {fmt(order[i].data)}" for i in leaves) or "none"
    start = f"Start: the leaves are {shown}. Forward goes left to right, then backward right to left."
    result = [Step("start", start, start)]
    for i, node in enumerate(order):
        if node.op is None:
            continue
        parents = graph.parents(node)
        template = _template(node.op, len(parents), node.constant)
        symbolic = _fill(template, [terms[p] for p in parents], node.constant)
        numeric = _fill(template, [fmt(order[p].data) for p in parents], node.constant)
        text = f"{names[i]} = {symbolic} = {numeric} = {fmt(node.data)}"
        result.append(Step("forward", text, text, node=i, op=i, field="data", value=node.data))
    zero = (
        "zero_grad(): every gradient is set to 0 before backward. Gradients are added up with +=, "
        "so calling backward() again without zero_grad() would add every contribution a second time."
    )
    result.append(Step("zero", zero, zero, field="grad", value=0.0))
    result.append(
        Step(
            "seed",
            f"∂{R}/∂{R} = 1: backward starts at {R}.",
            f"d{R} = 1",
            node=graph.root,
            field="grad",
            value=1.0,
        )
    )
    uses = [0] * len(order)
    for node in order:
        for p in graph.parents(node):
            uses[p] += 1
    grads = [0.0] * len(order)
    grads[graph.root] = 1.0
    seen = [0] * len(order)
    for i in reversed(range(len(order))):
        node = order[i]
        if node.op is None:
            continue
        o = terms[i]
        for j, (p, d) in enumerate(zip(graph.parents(node), node.local_grads())):
            if graph.kind(order[p]) == "const":
                continue
            contribution = grads[i] * d
            old = grads[p]
            grads[p] = old + contribution
            seen[p] += 1
            pn = terms[p]
            product = f"{fmt(grads[i])} · {fmt(d)} = {fmt(contribution)}"
            total = f"{fmt(old)} + {fmt(contribution)} = {fmt(grads[p])}"
            more = f" (contribution {seen[p]} of {uses[p]}: {pn} is used {uses[p]} times)" if uses[p] > 1 else ""
            text = f"∂{R}/∂{pn} += ∂{R}/∂{o} · ∂{o}/∂{pn} = {product}, so ∂{R}/∂{pn} = {total}{more}"
            short = f"d{pn} += d{o} · ∂{o}/∂{pn} = {product}, so d{pn} = {total}{more}"
            result.append(Step("backward", text, short, node=p, op=i, edge=f"e{i}_{j}", field="grad", value=grads[p]))
    return result


def steps(root: Value, *, max_nodes: int = DEFAULT_MAX_NODES) -> list[Step]:
    """Every step of the walk through ``root``'s graph, as the page shows them (the graph is not changed)."""
    return _steps(_Graph(root, max_nodes))


def trace(root: Value, *, max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """The walk as text: the forward pass line by line, zero_grad, then backward edge by edge."""
    lines = []
    for step in steps(root, max_nodes=max_nodes):
        if step.kind == "start":
            lines += [step.short, "forward, left to right:"]
        elif step.kind == "zero":
            lines += [step.short, "backward, right to left (the chain rule, one edge at a time):"]
        else:
            lines.append("  " + step.short)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the page


_TABLE = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
_COPY_TABLE = '<TABLE STYLE="dashed" BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#f9fafb">'
_COPY_NOTE = (
    '<p class="note" data-role="copies">A dashed box is a value drawn again next to a use far from where it is '
    "computed: it shows the same numbers as the value itself.</p>"
)


def _svg(graph: _Graph) -> str:
    """The graph laid out by Graphviz: value nodes v{i}, operation nodes o{i}, edges e{i}_{j} and r{i}.

    Input j of node i that is far from where its value is computed comes from a dashed copy c{i}_{j}
    of that value (same name and numbers), drawn next to the use; the edge keeps its id e{i}_{j}.
    """
    dot = graphviz.Digraph(
        graph_attr={"rankdir": "LR", "bgcolor": "transparent", "nodesep": "0.25", "ranksep": "0.4"},
        node_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": "12"},
        edge_attr={"arrowsize": "0.7"},
    )

    def label(i: int, node: Value, table: str = _TABLE) -> str:
        name = escape(graph.names[i])
        if graph.kind(node) == "const":
            return f"<{table}<TR><TD>{name}</TD></TR></TABLE>>"
        return (
            f"<{table}<TR>"
            f'<TD><B>{name}</B></TD><TD WIDTH="96">data {escape(fmt(node.data))}</TD>'
            '<TD WIDTH="96">grad ·</TD></TR></TABLE>>'
        )

    far = set(graph.far)
    for i, node in enumerate(graph.order):
        dot.node(f"v{i}", label=label(i, node), shape="plain", id=f"v{i}")
        if node.op is not None:
            dot.node(f"o{i}", label=escape(node.op.text(node.constant, fmt)), shape="circle", id=f"o{i}", width="0.4")
            for j, p in enumerate(graph.parents(node)):
                source = f"v{p}"
                if (i, j) in far:
                    source = f"c{i}_{j}"
                    dot.node(source, label=label(p, graph.order[p], _COPY_TABLE), shape="plain", id=source)
                dot.edge(source, f"o{i}", id=f"e{i}_{j}")
            dot.edge(f"o{i}", f"v{i}", id=f"r{i}")
    svg = run_dot(dot.source, "svg").decode("utf-8")  # dot stopped after viz.LAYOUT_TIMEOUT seconds
    return svg[svg.index("<svg") :]


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no <, > or & survive to close it or open a comment."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _asset(name: str) -> str:
    return resources.files("micrograd_lr").joinpath("stepper_assets").joinpath(name).read_text(encoding="utf-8")


class Stepper:
    """A step-through page for one graph: ``save(path)`` writes it, Jupyter shows it inline."""

    def __init__(self, root: Value, *, title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> None:
        graph = _Graph(root, max_nodes)
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a str or None, got {type(title).__name__}")
        self.title = title if title is not None else f"Step through the chain rule: {graph.names[graph.root]}"
        self.steps = _steps(graph)
        data = graph.data()
        data["title"] = self.title
        parts = {
            "TITLE": html.escape(self.title),
            "CSS": _asset("stepper.css"),
            "SVG": _svg(graph),
            "NOTE": _COPY_NOTE if graph.far else "",
            "DATA": _json_for_script(data),
            "JS": _asset("stepper.js").replace("/*OPS*/{}", _javascript_table()),
        }
        page = _asset("page.html")
        self._html = re.sub(r"\{\{(TITLE|CSS|SVG|NOTE|DATA|JS)\}\}", lambda m: parts[m.group(1)], page)

    def html(self) -> str:
        """The whole page as one string."""
        return self._html

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (one self-contained HTML file) and return the path."""
        path = Path(path)
        path.write_text(self._html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script, style and ids apart from the notebook and from other steppers.
        return (
            f'<iframe title="{html.escape(self.title)}" sandbox="allow-scripts" '
            'style="width: 100%; height: 720px; border: 1px solid #d1d5db" '
            f'srcdoc="{html.escape(self._html)}"></iframe>'
        )


def stepper(root: Value, *, title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> Stepper:
    """The step-through page of ``root``'s graph (see the module's docs)."""
    return Stepper(root, title=title, max_nodes=max_nodes)
