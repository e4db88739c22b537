"""Graph pictures: structure, labels, numbers, edge derivatives, backward numbering, escaping, limits, no dot."""

from __future__ import annotations

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
    edges = re.findall(r"^\t(\w+) -> (\w+)", g.source, flags=re.M)
    # each operation: one edge per input into it, one edge out of it
    assert len(edges) == sum(len(n.parents) + 1 for n in order if n.op is not None) == 9


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
    assert len(groups(root, "node")) == 10
    assert len(groups(root, "edge")) == 9
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
    for i, node in enumerate(order):
        for parent, d in zip(node.parents, node.local_grads()):
            edge = re.search(rf"^\tv{index[id(parent)]} -> o{i} \[label=<(.*)>\]$", g.source, flags=re.M)
            assert edge is not None
            assert f">{viz.fmt(d)}</FONT>" in edge.group(1) or f"= {viz.fmt(d)}</FONT>" in edge.group(1)


def test_nodes_are_numbered_in_the_order_backward_visits_them() -> None:
    J, _ = text_example()
    g = viz.draw(J)
    order = topological_order(J)
    labels = node_labels(g)
    number = {}
    for i in range(len(order)):
        m = re.search(r">#(\d+)<", labels[f"v{i}"])
        assert m is not None
        number[i] = int(m.group(1))
    # backward() walks reversed(order): the output is #1, and every node comes after all its consumers
    assert [number[i] for i in reversed(range(len(order)))] == list(range(1, len(order) + 1))
    index = {id(n): i for i, n in enumerate(order)}
    for i, node in enumerate(order):
        for p in node.parents:
            assert number[index[id(p)]] > number[i]


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
    labels = node_labels(viz.draw(L))
    order = topological_order(L)

    def fill(node: Value) -> str:
        m = re.search(r'BGCOLOR="(#\w+)"', labels[f"v{order.index(node)}"])
        assert m is not None
        return m.group(1)

    const = next(n for n in order if n.op is None and not n.label)
    assert fill(w) == fill(b) == viz.STYLE["parameter"]["bg"]
    assert fill(x) == viz.STYLE["input"]["bg"]
    assert fill(z) == viz.STYLE["intermediate"]["bg"]
    assert fill(L) == viz.STYLE["output"]["bg"]
    assert fill(const) == viz.STYLE["constant"]["bg"]
    assert len({fill(n) for n in (w, x, z, L, const)}) == 5
    # params= overrides the name rule
    labels2 = node_labels(viz.draw(L, params=[x]))
    assert viz.STYLE["parameter"]["bg"] in labels2[f"v{order.index(x)}"]
    assert viz.STYLE["input"]["bg"] in labels2[f"v{order.index(w)}"]


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
    assert len(groups(root, "node")) == 4  # x, the constant 3, ×, y
    assert len(groups(root, "edge")) == 3


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
    for kind in ("input", "constant", "intermediate", "output", "#n: order of backward()", "on edges: local ∂out/∂in"):
        assert kind in got or f" {kind}" in got, (kind, got)
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
