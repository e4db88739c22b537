"""The step-through page's Python side: the table's expressions, the steps, the trace, the HTML."""

from __future__ import annotations

import html
import json
import math
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import DOMAINS  # the table's test domains, one per row

from micrograd_lr import TABLE, Value, dot, vsum
from micrograd_lr.gallery import computation_graph_example
from micrograd_lr.stepper import evaluate, fmt, stepper, steps, to_javascript, trace

FAST = settings(max_examples=25)


def _env(name: str, xs: list[float], out: float, k: Any) -> dict[str, Any]:
    return {"a": xs[0], "b": xs[1] if len(xs) > 1 else math.nan, "xs": xs, "k": k, "out": out}


@pytest.mark.parametrize("name", sorted(TABLE))
@FAST
@given(data=st.data())
def test_each_rows_expressions_compute_what_its_python_rules_compute(name: str, data: st.DataObject) -> None:
    op = TABLE[name]
    xs, k = data.draw(DOMAINS[name], label="inputs, constant")
    out = op.forward(xs, k)
    local = tuple(op.local(xs, out, k))
    env = _env(name, xs, out, k)
    assert evaluate(op.expr, env, op.constant) == pytest.approx(out, rel=1e-13, abs=1e-300)
    n_ary = "xs" in op.expr
    for i in range(len(xs)):
        expression = op.expr_local[0] if n_ary else op.expr_local[i]
        got = evaluate(expression, {**env, "i": i}, op.constant)
        assert got == pytest.approx(local[i], rel=1e-13, abs=1e-300), (op.expr_local, i)
    if not n_ary:
        assert len(op.expr_local) == len(xs), "one local-derivative expression per input"


@pytest.mark.parametrize(
    "bad",
    [
        *["__import__('os')", "a; alert(1)", "a[0]", "constructor", "'x'", "a ** 2", "window.pwned", "", "a\nb = 1"],
        *["a (b)", "exp a", "(a", "a)", "a,", "2 3"],
    ],
)
def test_expressions_outside_the_small_language_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="expression"):
        to_javascript(bad)


def test_expressions_become_javascript_over_the_pages_own_functions() -> None:
    assert to_javascript("sigmoid(a) - y", "y") == "(F.sigmoid ( a ) - k)"
    assert to_javascript("k * pow(a, k - 1)") == "(k * Math.pow ( a , k - 1 ))"


@pytest.mark.parametrize(
    ("x", "text"),
    [(33.0, "33"), (0.7310585786, "0.7311"), (1e-6, "1e-06"), (-0.0, "0"), (123456.0, "1.235e+05"),
     (9.99996, "10"), (-2.5e-7, "-2.5e-07"), (0.0001, "0.0001"), (1.0625, "1.063"), (-6.0, "-6")],
)
def test_fmt_writes_four_significant_digits_like_the_page(x: float, text: str) -> None:
    assert fmt(x) == text


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fmt_is_percent_g_except_that_exact_halves_round_away_from_zero(x: float) -> None:
    text, expected = fmt(x), ("0" if x == 0 else f"{x:.4g}")
    if text != expected:
        # only an exact tie may differ: x lies exactly halfway between the two 4-digit neighbours
        d = Decimal(x)
        unit = Decimal(1).scaleb(d.adjusted() - 3)
        assert (d / unit) % 1 == Decimal("0.5"), (x, text, f"{x:.4g}")
        assert abs(Decimal(text)) > abs(Decimal(expected))


def test_trace_of_the_texts_example_is_its_forward_and_backward_pass() -> None:
    J = computation_graph_example()["J"]
    lines = trace(J).splitlines()
    assert lines[1:5] == ["forward, left to right:", "  u = b · c = 3 · 2 = 6", "  v = a + u = 5 + 6 = 11",
                          "  J = 3 · v = 3 · 11 = 33"]
    assert lines[5].startswith("zero_grad(): every gradient is set to 0")
    assert lines[7:] == [
        "  dJ = 1",
        "  dv += dJ · ∂J/∂v = 1 · 3 = 3, so dv = 0 + 3 = 3",
        "  da += dv · ∂v/∂a = 3 · 1 = 3, so da = 0 + 3 = 3",
        "  du += dv · ∂v/∂u = 3 · 1 = 3, so du = 0 + 3 = 3",
        "  db += du · ∂u/∂b = 3 · 2 = 6, so db = 0 + 6 = 6",
        "  dc += du · ∂u/∂c = 3 · 3 = 9, so dc = 0 + 9 = 9",
    ]
    assert J.grad == 0.0, "tracing does not run backward on the graph"


def test_a_shared_node_accumulates_one_contribution_per_step_and_says_so() -> None:
    a = Value(2.0, "a")
    sq = a * a
    sq.label = "s"
    out = sq + a
    out.label = "out"
    backward = [s.text for s in steps(out) if s.kind == "backward" and s.node == 0]
    assert len(backward) == 3
    assert [re.search(r"contribution (\d) of 3", t).group(1) for t in backward] == ["1", "2", "3"]  # type: ignore[union-attr]
    assert backward[-1].endswith("= 5 (contribution 3 of 3: a is used 3 times)")
    out.backward()
    assert a.grad == 5.0


def _random_graph(data: st.DataObject) -> tuple[Value, list[Value]]:
    xs = [Value(data.draw(st.floats(0.2, 3.0)), name) for name in "xyz"]
    x, y, z = xs
    parts = [
        (x + y) * z - x / y,
        x**y + z**2 - (-x),
        (z * 0.3).exp() + x.log() + y.tanh() + z.sigmoid() + (x - 1.0).relu(),
        (x - z).logistic_loss(data.draw(st.sampled_from([0.0, 1.0]))),
        dot([x, y], [z, x]) + dot([x, y], [1.5, -0.5]),
    ]
    return vsum(parts), xs


@FAST
@given(st.data())
def test_the_steps_reach_the_gradients_backward_computes(data: st.DataObject) -> None:
    root, leaves = _random_graph(data)
    walk = steps(root)
    final = {}
    for s in walk:
        if s.kind in ("seed", "backward"):
            final[s.node] = s.value
    root.backward()
    from micrograd_lr.engine import topological_order

    order = topological_order(root)
    for leaf in leaves:
        assert final[order.index(leaf)] == leaf.grad  # the same products in the same order
    forward = [s for s in walk if s.kind == "forward"]
    assert [s.value for s in forward] == [n.data for n in order if n.op is not None]


HOSTILE = ["</script><script>window.pwned=1</script>", '<img src=x onerror="window.pwned=1">', "<!--", "]]>&amp;"]


def test_hostile_labels_never_reach_the_page_as_markup() -> None:
    a, b = Value(1.0, HOSTILE[0]), Value(2.0, HOSTILE[1])
    c = a * b
    c.label = HOSTILE[2]
    d = c + 1.0
    d.label = HOSTILE[3]
    page = stepper(d).html()
    assert page.count("</script") == 2, "only the page's own two scripts close"
    assert page.lower().count("<script") == 2
    without_graphviz_comments = re.sub(r"<!-- [\w&#;]+ -->", "", page)  # <!-- v0 -->, <!-- v0&#45;&gt;o2 -->
    for label in HOSTILE:
        assert label not in without_graphviz_comments
    data_text = re.search(r'<script type="application/json" id="mg-data">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    data = json.loads(data_text)
    assert [n["name"] for n in data["nodes"] if n["kind"] != "const"] == [*HOSTILE[:3], HOSTILE[3]]


def test_the_page_is_self_contained() -> None:
    page = stepper(computation_graph_example()["J"]).html()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "nothing is fetched"
    assert "@import" not in page and "url(" not in page


def test_repr_html_is_an_isolated_frame_holding_the_page(tmp_path: Any) -> None:
    s = stepper(computation_graph_example()["J"], title="J = 3(a + bc)")
    frame = s._repr_html_()
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1)) == s.html()  # type: ignore[union-attr]
    path = s.save(tmp_path / "j.html")
    assert path.read_text(encoding="utf-8") == s.html()
    assert "<title>J = 3(a + bc)</title>" in s.html()


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="root must be a Value"):
        stepper(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes=2"):
        stepper(computation_graph_example()["J"], max_nodes=2)
    with pytest.raises(TypeError, match="title"):
        stepper(Value(1.0), title=5)  # type: ignore[arg-type]


def test_a_lone_leaf_still_has_a_walk() -> None:
    kinds = [s.kind for s in steps(Value(2.0, "w"))]
    assert kinds == ["start", "zero", "seed"]


# ---------------------------------------------------------------- the command line


def test_graph_steps_prints_the_trace_and_html_writes_the_page_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from micrograd_lr import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["graph", "3*(a + b*c)", "--set", "a=5", "b=3", "c=2", "--steps", "--html", "page.html"]) == 0
    out = capsys.readouterr().out
    assert "Start: the leaves are a = 5, b = 3, c = 2." in out, "the number 3 is a constant, not a leaf"
    assert "  db += d(b*c) · ∂(b*c)/∂b = 3 · 2 = 6, so db = 0 + 6 = 6" in out  # boxes named by their part
    assert "wrote page.html" in out
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert 'data-role="explanation"' in page and "<title>3*(a + b*c)</title>" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"], "no picture unless -o asks for one"


def test_demo_writes_both_pages_and_prints_the_trace_of_j(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    from micrograd_lr.commands import demo

    demo.computation_graph()
    assert "  dc += du · ∂u/∂c = 3 · 3 = 9, so dc = 0 + 9 = 9" in capsys.readouterr().out
    demo.pages(tmp_path)
    for name in ("computation_graph.html", "logistic_regression.html"):
        assert 'data-role="explanation"' in (tmp_path / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- far uses: dashed copies keep the layout small


def _chain(n: int, x: float = 1.0) -> Value:
    """a + a + ... + a with n terms, one + after another: a is used by every one of them."""
    a = Value(x, "a")
    s = a
    for _ in range(n - 1):
        s = s + a
    s.label = "s"
    return s


def _page_data(page: str) -> dict[str, Any]:
    text = re.search(r'<script type="application/json" id="mg-data">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    return dict(json.loads(text))


def test_a_sum_repeating_one_name_100_times_is_laid_out_quickly_with_a_copy_per_far_use() -> None:
    import time

    from micrograd_lr.viz import MAX_SPAN

    n = 100
    start = time.perf_counter()
    page = stepper(_chain(n, 2.5)).html()
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"{elapsed:.1f} s to build the page"  # without copies: over 30 s
    # the + at distance d from a (the first + has both inputs at d = 1) is far when d > MAX_SPAN
    far = n - 1 - MAX_SPAN
    copies = re.findall(r'<g id="c(\d+)_(\d+)" class="node">', page)
    assert len(copies) == far == 95
    data = _page_data(page)
    assert data["nodes"][0]["copies"] == [f"c{i}_{j}" for i, j in sorted((int(i), int(j)) for i, j in copies)]
    assert all(node.get("copies") is None for node in data["nodes"][1:]), "only a is used far away"
    for i, j in copies:
        assert data["nodes"][int(i)]["parents"][int(j)] == 0, "a copy stands for an input that is a"
        edge = re.search(rf'<g id="e{i}_{j}" class="edge">\s*<title>(.*?)</title>', page)
        assert edge is not None and edge.group(1) == f"c{i}_{j}&#45;&gt;o{i}", "the use's edge starts at its copy"
    # every copy shows a's name and number; every input keeps exactly one edge
    assert page.count("data 2.5") == 1 + far
    edges = re.findall(r'<g id="e(\d+)_(\d+)" class="edge">', page)
    assert len(edges) == len(set(edges)) == 2 * (n - 1)


def test_near_uses_and_one_wide_sum_draw_no_copies() -> None:
    a = Value(1.0, "a")
    for root in (computation_graph_example()["J"], vsum([a] * 100), _chain(1 + 4)):
        page = stepper(root).html()
        assert not re.search(r'<g id="c\d+_\d+"', page)
        assert 'data-role="copies"' not in page, "the note on dashed boxes only when there are some"
    assert 'data-role="copies"' in stepper(_chain(7)).html()
