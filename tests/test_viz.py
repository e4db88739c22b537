"""Graph pictures: structure, labels, numbers, edge derivatives, backward numbering, escaping, limits, no dot."""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_lr import Value, topological_order, viz

SVG = "{http://www.w3.org/2000/svg}"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")


def svg_root(g: graphviz.Digraph) -> ET.Element:
    return ET.fromstring(viz.render(g, "svg"))


def texts(root: ET.Element) -> list[str]:
    """The strings of every <text> element, in document order."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def text_example() -> tuple[Value, dict[str, Value]]:
    """The text's J = 3(a + bc), with u = bc and v = a + u, after backward()."""
    a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
    u = b * c
    u.label = "u"
    v = a + u
    v.label = "v"
    J = 3 * v
    J.label = "J"
    J.backward()
    return J, {"a": a, "b": b, "c": c, "u": u, "v": v, "J": J}


def node_labels(g: graphviz.Digraph) -> dict[str, str]:
    """DOT node id → its label text, from the source."""
    return dict(re.findall(r"^\t(\w+) \[label=(<.*>)", g.source, flags=re.M))


# ------------------------------------------------------------------ structure and content


def test_returns_digraph_with_one_node_per_value_and_per_operation() -> None:
    J, _ = text_example()
    g = viz.draw(J)
    assert isinstance(g, graphviz.Digraph)
    ids = node_labels(g)
    order = topological_order(J)
    assert sorted(k for k in ids if k.startswith("v")) == sorted(f"v{i}" for i in range(len(order)))
    ops = [k for k in ids if k.startswith("o")]
    assert len(ops) == sum(1 for n in order if n.op is not None) == 3
    derivatives = [k for k in ids if k.startswith("d")]
    assert len(derivatives) == sum(len(n.parents) for n in order) == 6
    edges = re.findall(r"^\t(\w+) -> (\w+)", g.source, flags=re.M)
    # each operation: one edge out of it; each input: an edge into its derivative label, one out of it
    assert len(edges) == sum(2 * len(n.parents) + 1 for n in order if n.op is not None) == 15


@needs_dot
def test_svg_shows_labels_values_and_gradients_of_the_text_example() -> None:
    J, _ = text_example()
    root = svg_root(viz.draw(J, params=()))
    got = texts(root)
    for label in "abcuvJ":
        assert label in got
    # values: a = 5, b = 3, c = 2, u = 6, v = 11, J = 33; gradients da = 3, db = 6, dc = 9, du = dv = 3, dJ = 1
    for name, grad in [("da", "3"), ("db", "6"), ("dc", "9"), ("du", "3"), ("dv", "3"), ("dJ", "1")]:
        i = got.index(name)
        assert got[i + 1] == grad
    for value in ["5", "3", "2", "6", "11", "33"]:
        assert value in got
    assert len(groups(root, "node")) == 10 + 6  # 7 values, 3 operations, 6 derivative labels
    assert len(groups(root, "edge")) == 15
    for symbol in ["×", "+"]:
        assert symbol in got


@needs_dot
def test_edges_carry_the_local_derivatives_from_the_table() -> None:
    J, _ = text_example()
    got = texts(svg_root(viz.draw(J)))
    for text in ["∂u/∂b = 2", "∂u/∂c = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"]:
        assert text in got


@given(
    st.floats(-50, 50, allow_nan=False),
    st.floats(-50, 50, allow_nan=False),
    st.floats(0.1, 5, allow_nan=False),
)
def test_edge_labels_equal_value_local_grads(x: float, y: float, z: float) -> None:
    a, b, c = Value(x, "a"), Value(y, "b"), Value(z, "c")
    out = ((a * b).tanh() + c.log() - a / c) ** 2
    out.label = "out"
    out.backward()
    g = viz.draw(out)
    order = topological_order(out)
    index = {id(n): i for i, n in enumerate(order)}
    labels = node_labels(g)
    for i, node in enumerate(order):
        for j, (parent, d) in enumerate(zip(node.parents, node.local_grads())):
            # the edge parent -> operation runs through the node that carries its derivative
            assert re.search(rf"^\tv{index[id(parent)]} -> d{i}_{j}\b", g.source, flags=re.M)
            assert re.search(rf"^\td{i}_{j} -> o{i}\b", g.source, flags=re.M)
            assert labels[f"d{i}_{j}"].endswith(f">{viz.escape(viz.derivative_text(node, parent, d))}</FONT>>")
            assert viz.derivative_text(node, parent, d).endswith(viz.fmt(d))


def step_numbers(root: Value, **options: object) -> dict[int, int]:
    """Position in the forward order → the #n its box shows (nodes without one left out)."""
    labels = node_labels(viz.draw(root, **options))  # type: ignore[arg-type]
    numbers = {}
    for i in range(len(topological_order(root))):
        m = re.search(r">#(\d+)<", labels[f"v{i}"])
        if m is not None:
            numbers[i] = int(m.group(1))
    return numbers


def test_nodes_are_numbered_in_the_order_backward_visits_them() -> None:
    J, _ = text_example()
    order = topological_order(J)
    number = step_numbers(J)
    # backward() takes a chain-rule step at each node an operation made, in reverse forward order
    steps = [i for i, n in enumerate(order) if n.op is not None]
    assert sorted(number) == steps  # leaves and constants take no step and have no number
    assert [number[i] for i in reversed(steps)] == [1, 2, 3]
    index = {id(n): i for i, n in enumerate(order)}
    for i, node in enumerate(order):
        for p in node.parents:
            if p.op is not None:
                assert number[index[id(p)]] > number[i]


def test_step_numbers_follow_the_order_backward_takes_on_any_graph() -> None:
    """Record the order backward() really calls the steps in, and compare with the #n shown."""
    J = micrograd_readme_expression()
    order = topological_order(J)
    taken: list[int] = []
    index = {id(n): i for i, n in enumerate(order)}
    original = Value._backward

    def spy(self: Value) -> None:
        taken.append(index[id(self)])
        original(self)

    Value._backward = spy  # type: ignore[method-assign]
    try:
        J.backward()
    finally:
        Value._backward = original  # type: ignore[method-assign]
    number = step_numbers(J)
    leaves = sum(1 for n in order if n.op is None)
    assert leaves == 8 and len(number) == len(taken) == len(order) - leaves  # leaves take no step
    assert [number[i] for i in taken] == list(range(1, len(taken) + 1))


def test_forward_only_picture_has_no_gradients_numbers_or_derivatives() -> None:
    J, _ = text_example()
    src = viz.draw(J, show_grad=False, edge_derivatives=False, number_backward=False).source
    assert ">dJ<" not in src and ">da<" not in src and ">grad<" not in src
    assert ">#1<" not in src and re.search(r"-> o\d+ \[label", src) is None
    assert ">33<" in src and ">data<" in src
    with_grad = viz.draw(J).source
    assert ">dJ<" in with_grad and ">da<" in with_grad and ">#1<" in with_grad and "∂J/∂v" in with_grad


def test_kinds_are_styled_apart() -> None:
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
    z = w * x + b
    z.label = "z"
    L = 2 * z.sigmoid()
    L.label = "L"
    L.backward()
    labels = node_labels(viz.draw(L, params=[w, "b"]))
    order = topological_order(L)

    def fill(node: Value) -> str:
        m = re.search(r'BGCOLOR="(#\w+)"', labels[f"v{order.index(node)}"])
        assert m is not None
        return m.group(1)

    const = next(n for n in order if n.constant is not None)
    assert fill(w) == fill(b) == viz.STYLE["parameter"]["bg"]
    assert fill(x) == viz.STYLE["input"]["bg"]
    assert fill(z) == viz.STYLE["intermediate"]["bg"]
    assert fill(L) == viz.STYLE["output"]["bg"]
    assert fill(const) == viz.STYLE["constant"]["bg"]
    assert len({fill(n) for n in (w, x, z, L, const)}) == 5
    # parameters are what params= says, never a name: x as the parameter, w and b inputs
    labels2 = node_labels(viz.draw(L, params=[x]))
    assert viz.STYLE["parameter"]["bg"] in labels2[f"v{order.index(x)}"]
    assert viz.STYLE["input"]["bg"] in labels2[f"v{order.index(w)}"]
    assert viz.STYLE["input"]["bg"] in labels2[f"v{order.index(b)}"]


def test_operation_circles_show_symbols_and_constants() -> None:
    x = Value(3.0, "x")
    src = viz.draw((x**2).tanh().logistic_loss(1.0)).source
    assert "label=<^2>" in src
    assert "label=<tanh>" in src
    assert "label=<L (y=1)>" in src


def test_draw_is_deterministic() -> None:
    J1, _ = text_example()
    J2, _ = text_example()
    assert viz.draw(J1).source == viz.draw(J2).source
    assert "0x" not in viz.draw(J1).source  # no id()-based names


@needs_dot
def test_svg_bytes_are_reproducible(tmp_path: Path) -> None:
    J, _ = text_example()
    p1 = viz.save_svg(J, tmp_path / "one.svg")
    J2, _ = text_example()
    p2 = viz.save_svg(J2, tmp_path / "two.svg")
    assert p1.read_bytes() == p2.read_bytes()
    ET.fromstring(p1.read_bytes())


def test_fmt_is_compact() -> None:
    assert viz.fmt(33.0) == "33"
    assert viz.fmt(0.7310585786) == "0.7311"
    assert viz.fmt(-0.0) == "0"
    assert viz.fmt(1.5e-7) == "1.5e-07"
    assert viz.fmt(123456.0) == "1.235e+05"


# ------------------------------------------------------------------ escaping


def shown(label: str) -> list[str]:
    """The lines a label is expected to show: control characters as their visible stand-ins."""
    text = label.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = viz._UNSAFE.sub(viz._visible, text)
    return [" ".join(line.split()) for line in text.split("\n") if line.split()]


HOSTILE = [
    "quote \" and '",
    "{braces|pipes}",
    "<b>tag</b> & &amp; &x; &#0; &#65;",
    "back\\slash \\N \\G \\E \\L \\\\ \\n",
    "two\nlines\r\nthree",
    "成本 (cost) J",
    "]]> --> <!-- <![CDATA[",
    "\x00\x01\x1b\x7f",
    "\ufffe\uffff\ud800",
    "𝔼[x] ∂ ŷ",
    "]",
    "]]",
    "0\t0",
]


@needs_dot
@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_show_literally(label: str) -> None:
    check_label_shows(label)


def check_label_shows(label: str) -> None:
    x = Value(2.0, label)
    y = x * 3.0
    y.label = label
    y.backward()
    g = viz.draw(y, title=label)
    data = viz.render(g, "svg")
    root = ET.fromstring(data)  # well-formed XML
    joined = [" ".join(t.split()) for t in texts(root)]
    for line in shown(label):
        # title, the leaf's header and the output's header each show every line of the label
        assert joined.count(line) >= 3, (line, joined)
    # no injected elements: only the groups Graphviz makes itself
    assert len(groups(root, "node")) == 6  # x, the constant 3, ×, y and the two derivative labels
    assert len(groups(root, "edge")) == 5


@needs_dot
@settings(max_examples=60)  # each example runs dot: the same count in both profiles
@given(st.text(max_size=30))
def test_any_label_text_shows_literally(label: str) -> None:
    check_label_shows(label)


@needs_dot
@settings(max_examples=60)  # each example runs dot
@given(st.text(alphabet=st.sampled_from(list("[]<>&;#x\"'\\{}|\n\t\r aNG0成-!/=")), max_size=12))
def test_markup_characters_show_literally(label: str) -> None:
    check_label_shows(label)


@given(st.text(max_size=40))
def test_escape_leaves_no_markup(label: str) -> None:
    body = viz.escape(label)
    text = body.replace('<BR ALIGN="CENTER"/>', "")
    assert "<" not in text and ">" not in text and '"' not in text and "\n" not in text
    assert body.count("<BR") == label.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    ET.fromstring("<t>" + text + "</t>")  # valid XML text


# ------------------------------------------------------------------ limits and errors


def chain(n: int) -> Value:
    x = Value(1.0, "x")
    for _ in range(n - 1):
        x = x + 1.0
    return x


def test_graph_larger_than_max_nodes_is_refused_with_advice() -> None:
    big = chain(400)
    n = len(topological_order(big))
    with pytest.raises(ValueError, match=r"more than max_nodes=300.*smaller part") as info:
        viz.draw(big)
    assert str(n) in str(info.value)
    assert isinstance(viz.draw(big, max_nodes=n), graphviz.Digraph)
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(chain(5), max_nodes=4)


def test_bad_arguments_are_clear() -> None:
    J, _ = text_example()
    with pytest.raises(TypeError, match="root must be a Value"):
        viz.draw(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(J, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(J, max_nodes=0)
    with pytest.raises(TypeError, match="params"):
        viz.draw(J, params=[1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="format"):
        viz.render(J, "gif")
    with pytest.raises(ValueError, match="suffix"):
        viz.save(J, "picture.gif")


def test_without_dot_draw_works_and_rendering_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    J, _ = text_example()
    g = viz.draw(J)
    assert g.source.startswith("digraph")
    with pytest.raises(viz.GraphvizNotFoundError, match="Install Graphviz") as info:
        viz.save_svg(J, tmp_path / "J.svg")
    assert isinstance(info.value, graphviz.ExecutableNotFound)
    assert "apt-get install graphviz" in str(info.value) and "brew install graphviz" in str(info.value)
    assert not (tmp_path / "J.svg").exists()
    # the DOT text needs no Graphviz
    path = viz.save(J, tmp_path / "J.dot")
    assert path.read_text(encoding="utf-8") == g.source


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_save_writes_each_format(tmp_path: Path, fmt: str, magic: bytes) -> None:
    J, _ = text_example()
    path = viz.save(J, tmp_path / f"J.{fmt}")
    assert path.read_bytes().startswith(magic)


@needs_dot
def test_draw_network_wires_every_unit_to_the_next_layer() -> None:
    layers = [("input layer", ["size", "bedrooms", "zip <code>"]), ("dense layer", ["h1", "h2"]), ("out", ["price"])]
    root = svg_root(viz.draw_network(layers, title="houses & prices"))
    got = texts(root)
    for name in ["size", "bedrooms", "zip <code>", "h1", "h2", "price", "input layer", "houses & prices"]:
        assert name in got
    assert len(groups(root, "edge")) == 3 * 2 + 2 * 1
    with pytest.raises(ValueError, match="at least"):
        viz.draw_network([("only", ["x"])])


@needs_dot
def test_legend_names_the_kinds_present() -> None:
    J, _ = text_example()
    got = texts(svg_root(viz.draw(J, params=(), legend=True, title="the example")))
    assert "the example" in got
    for kind in ("input", "constant", "intermediate", "output", viz.LEGEND_NUMBERS, viz.LEGEND_DERIVATIVES):
        assert kind in [t.strip() for t in got], (kind, got)  # (legend items are spaced by no-break spaces)
    assert "parameter" not in got and " parameter" not in got


@needs_dot
@settings(max_examples=25)
@given(
    st.lists(st.integers(1, 6), min_size=2, max_size=4),
    st.sampled_from(["LR", "RL", "TB", "BT"]),
    st.randoms(use_true_random=False),
)
def test_network_units_are_drawn_in_the_given_order(sizes: list[int], rankdir: str, rng: random.Random) -> None:
    """Each layer's units stand in one column (one row for TB/BT), top to bottom (left to right) as given.

    Labels of random lengths tempt dot's crossing reduction to reorder the units."""
    layers = [(f"layer {i}", [f"u{i}.{j} " + "x" * rng.randint(0, 10) for j in range(n)]) for i, n in enumerate(sizes)]
    plain = viz.draw_network(layers, rankdir=rankdir).pipe(format="plain").decode()
    pos = {p[1]: (float(p[2]), float(p[3])) for p in (line.split() for line in plain.splitlines()) if p[0] == "node"}
    for i, n in enumerate(sizes):
        across = [pos[f"l{i}u{j}"][0 if rankdir in ("TB", "BT") else 1] for j in range(n)]
        along = {pos[f"l{i}u{j}"][1 if rankdir in ("TB", "BT") else 0] for j in range(n)}
        assert len(along) == 1, (i, along)  # one column (row) per layer
        expected = sorted(across) if rankdir in ("TB", "BT") else sorted(across, reverse=True)
        assert across == expected, (i, across)


# ------------------------------------------------------------------ every number shown, parameters by what they are


def micrograd_readme_expression() -> Value:
    """micrograd's README example: no labels anywhere; after g.backward(), a.grad = 138.83…, b.grad = 645.57…."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


@needs_dot
def test_unlabelled_leaves_show_their_gradients() -> None:
    g = micrograd_readme_expression()
    g.backward()
    leaves = [n for n in topological_order(g) if n.op is None]
    users = [n for n in leaves if n.constant is None]
    assert len(users) == 2 and len(leaves) == 8
    got = texts(svg_root(viz.draw(g)))
    for leaf in users:  # a and b: data and gradient shown
        assert viz.fmt(leaf.grad) in got
    assert "138.8" in got and "645.6" in got
    assert got.count("const") == 6  # the numbers written into the expression, and only those
    assert got.count("grad") == len(topological_order(g)) - 6


def test_a_leaf_is_a_constant_only_when_made_from_a_number_inside_an_operation() -> None:
    x, k = Value(2.0), Value(3.0)  # a user's leaf without a label is no constant
    y = 3 * x * k
    y.backward()
    order = topological_order(y)
    labels = node_labels(viz.draw(y))
    for i, node in enumerate(order):
        if node.op is None:
            is_constant = viz.STYLE["constant"]["bg"] in labels[f"v{i}"]
            assert is_constant == (node.constant is not None)
            assert (">grad<" in labels[f"v{i}"]) == (node.constant is None)


def test_parameters_come_from_params_or_a_model_never_from_names() -> None:
    from micrograd_lr.logistic import LogisticRegression
    from micrograd_lr.nn import MLP

    J, nodes = text_example()
    labels = node_labels(viz.draw(J))
    order = topological_order(J)
    for name in "abc":  # b is not a parameter just because it is called b
        assert viz.STYLE["input"]["bg"] in labels[f"v{order.index(nodes[name])}"]
    model = LogisticRegression(2)
    x = [Value(1.0, "x1"), Value(2.0, "x2")]
    z = model.w[0] * x[0] + model.w[1] * x[1] + model.b
    zo = topological_order(z)
    for params in (model, model.parameters(), ["w1", "w2", "b"]):
        lab = node_labels(viz.draw(z, params=params))
        for p in model.parameters():
            assert viz.STYLE["parameter"]["bg"] in lab[f"v{zo.index(p)}"]
        for xi in x:
            assert viz.STYLE["input"]["bg"] in lab[f"v{zo.index(xi)}"]
    net = MLP(2, [2, 1], seed=0)
    out = net([1.0, 2.0])  # one Value: the last layer has one unit, as in micrograd
    assert isinstance(out, Value)
    lab = node_labels(viz.draw(out, params=net))
    no = topological_order(out)
    assert all(viz.STYLE["parameter"]["bg"] in lab[f"v{no.index(p)}"] for p in net.parameters())
    with pytest.raises(TypeError, match="params"):
        viz.draw(J, params=3)  # type: ignore[arg-type]


# ------------------------------------------------------------------ every derivative on its own edge (laid out)


def _bezier(points: list[list[float]], samples: int = 12) -> list[tuple[float, float]]:
    """Points along a Graphviz B-spline given as control points p0 (c1 c2 p)…."""
    out = [(points[0][0], points[0][1])]
    for k in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[k - 1], points[k], points[k + 1], points[k + 2]
        for s in range(1, samples + 1):
            t = s / samples
            u = 1 - t
            out.append(
                tuple(  # type: ignore[arg-type]
                    u**3 * p0[c] + 3 * u * u * t * p1[c] + 3 * u * t * t * p2[c] + t**3 * p3[c] for c in (0, 1)
                )
            )
    return out


def _dist(p: tuple[float, float], path: list[tuple[float, float]]) -> float:
    """Distance from p to the polyline through path."""
    best = float("inf")
    for (x1, y1), (x2, y2) in itertools.pairwise(path):
        dx, dy = x2 - x1, y2 - y1
        n = dx * dx + dy * dy
        t = 0.0 if n == 0 else max(0.0, min(1.0, ((p[0] - x1) * dx + (p[1] - y1) * dy) / n))
        best = min(best, ((x1 + t * dx - p[0]) ** 2 + (y1 + t * dy - p[1]) ** 2) ** 0.5)
    return best


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")
    return float(x), float(y)


def derivative_label_distances(g: graphviz.Digraph) -> list[tuple[str, float, float]]:
    """For each local-derivative label of a laid-out graph: (its text, distance to its own edge, to the nearest other).

    An edge is the drawn path from a value into an operation.  A derivative is either an edge's own
    label (at Graphviz's label position) or a label node the path runs through (then the path
    includes the stretch through the node, from where it enters to where it leaves).
    """
    laid = json.loads(g.pipe(format="json"))
    names = {o["_gvid"]: o["name"] for o in laid.get("objects", [])}
    centre = {o["name"]: _point(o["pos"]) for o in laid.get("objects", []) if "pos" in o}
    text = {o["name"]: o.get("label", "") for o in laid.get("objects", [])}
    segments: dict[tuple[str, str], list[tuple[float, float]]] = {}
    edge_labels: list[tuple[tuple[str, ...], tuple[float, float], str]] = []
    for e in laid.get("edges", []):
        pts: list[tuple[float, float]] = []
        for op in e.get("_draw_", []):
            if op["op"] in ("b", "B"):
                pts += _bezier(op["points"])
        key = (names[e["tail"]], names[e["head"]])
        segments[key] = pts
        if "lp" in e:
            edge_labels.append((key, _point(e["lp"]), e.get("label", "")))
    # whole edges value -> operation: a path through a derivative node joins its two pieces
    # (x + x has two edges from x into one operation: a path is named by its derivative node too)
    paths: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    owner: dict[str, tuple[str, ...]] = {}
    for (tail, head), pts in segments.items():
        if head.startswith("d"):
            (after,) = [h for (t, h) in segments if t == head]
            owner[head] = (tail, head, after)
            paths[owner[head]] = pts + segments[(head, after)]
        elif not tail.startswith("d"):
            paths[(tail, head)] = pts
    found = []
    for node, path in owner.items():
        others = [_dist(centre[node], p) for k, p in paths.items() if k != path]
        found.append((text[node], _dist(centre[node], paths[path]), min(others, default=float("inf"))))
    for edge, pos, label in edge_labels:
        others = [_dist(pos, p) for k, p in paths.items() if k != edge]
        found.append((label, _dist(pos, paths[edge]), min(others, default=float("inf"))))
    return found


def assert_each_derivative_on_its_own_edge(root: Value) -> None:
    found = derivative_label_distances(viz.draw(root))
    assert len(found) == sum(len(n.parents) for n in topological_order(root))
    for label, own, other in found:
        assert own < other, (label, own, other)


@needs_dot
def test_each_derivative_sits_on_its_own_edge_in_the_gallery_graphs() -> None:
    from micrograd_lr import gallery

    J, _ = text_example()
    assert_each_derivative_on_its_own_edge(J)
    nodes = gallery._one_sample()
    nodes["L"].backward()
    assert_each_derivative_on_its_own_edge(nodes["L"])
    g = micrograd_readme_expression()
    g.backward()
    assert_each_derivative_on_its_own_edge(g)


@st.composite
def random_graphs(draw: st.DrawFn) -> Value:
    """A small graph: a few leaves, then operations on earlier nodes (shared inputs, constants, one-input ops)."""
    nodes = [Value(draw(st.floats(0.5, 2.0)), draw(st.sampled_from(["", "a", "b", "w1", "x"]))) for _ in range(3)]
    for _ in range(draw(st.integers(2, 7))):
        kind = draw(st.sampled_from(["+", "*", "-", "/", "tanh", "k*", "sigmoid", "**2"]))
        x = nodes[draw(st.integers(0, len(nodes) - 1))]
        y = nodes[draw(st.integers(0, len(nodes) - 1))]
        out = {
            "+": x + y,
            "*": x * y,
            "-": x - y,
            "/": x / (y * y + 1),
            "tanh": x.tanh(),
            "k*": 2 * x,
            "sigmoid": x.sigmoid(),
            "**2": x**2,
        }[kind]
        out.label = draw(st.sampled_from(["", "u", "v", "z"]))
        nodes.append(out)
    root = nodes[-1]
    for n in nodes[:-1]:  # join the loose ends so the picture has all of them
        if n not in topological_order(root):
            root = root + n
    root.backward()
    return root


@needs_dot
@settings(max_examples=12)
@given(random_graphs())
def test_each_derivative_sits_on_its_own_edge_in_any_graph(root: Value) -> None:
    assert_each_derivative_on_its_own_edge(root)
