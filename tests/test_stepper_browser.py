"""The step-through page in a real browser: headless Chromium driven by Playwright.

One browser for the whole session; every page is opened from disk with all network
access routed to a recorder that refuses it.  Skipped, with the reason shown, where
Playwright or Chromium is missing (``make test`` installs both: scripts/ensure-chromium.sh).
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import DOMAINS

from micrograd_lr import TABLE, Value, dot, vsum
from micrograd_lr.engine import topological_order
from micrograd_lr.gallery import LOGISTIC_EXAMPLE, computation_graph_example
from micrograd_lr.logistic import one_sample
from micrograd_lr.stepper import Stepper, stepper, steps


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright: pip install -e '.[dev]' (make test does it)")
    executable = _chromium()
    if executable is None:
        pytest.skip("browser tests need Chromium: run scripts/ensure-chromium.sh (make test does it)")
    with sync_playwright() as p:
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        b = p.chromium.launch(executable_path=executable, args=args)
        yield b
        b.close()


class Opened:
    """A page opened from disk, with every request it attempts and every script error it raises."""

    def __init__(self, browser: Any, page_stepper: Stepper, path: Path) -> None:
        page_stepper.save(path)
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def explanation(self) -> str:
        return str(self.page.locator('[data-role="explanation"]').text_content())

    def counter(self) -> str:
        return str(self.page.locator('[data-role="counter"]').text_content())

    def close(self) -> None:
        assert self.errors == [], "the page raised script errors"
        assert [u for u in self.requests if u != self.url] == [], "the page attempted network requests"
        self.context.close()


@pytest.fixture
def opened(browser: Any, tmp_path: Path) -> Iterator[Any]:
    pages: list[Opened] = []

    def open_page(root: Value, name: str = "page.html") -> Opened:
        pages.append(Opened(browser, stepper(root), tmp_path / name))
        return pages[-1]

    yield open_page
    for p in pages:
        p.close()


CLICK_THROUGH = """n => {
    const next = document.querySelector('[data-action="next"]');
    const panel = document.querySelector('[data-role="explanation"]');
    return Array.from({length: n}, () => { next.click(); return panel.textContent; });
}"""
"""Click the page's Next button n times, collecting the explanation after each click (one round trip)."""


def _classes(o: Opened, selector: str) -> str:
    return str(o.page.locator(selector).first.get_attribute("class"))


def test_stepping_through_j_shows_every_step_with_its_numbers(opened: Any) -> None:
    J = computation_graph_example()["J"]
    o = opened(J)
    expected = [s.text for s in steps(J)]
    assert o.counter() == f"Step 0 of {len(expected) - 1}"
    assert o.page.locator('[data-role="steps"] tbody tr').count() == len(expected), "the table lists every step"
    assert o.explanation() == expected[0]
    for i in range(1, len(expected)):
        o.page.keyboard.press("ArrowRight")
        assert o.explanation() == expected[i]
        assert o.counter() == f"Step {i} of {len(expected) - 1}"
        if expected[i].startswith("u = b · c"):
            assert "current" in _classes(o, '[data-node="u"]')
            assert o.page.locator('[data-node="u"] text.changed').text_content() == "data 6"
    assert expected[-1] == "∂J/∂c += ∂J/∂u · ∂u/∂c = 3 · 3 = 9, so ∂J/∂c = 0 + 9 = 9"
    assert "current" in _classes(o, '[data-edge="c→u"]') and "current" in _classes(o, '[data-node="c"]')
    assert o.page.locator('[data-node="c"] text.changed').text_content() == "grad 9"
    o.page.keyboard.press("ArrowRight")  # past the end: stays
    assert o.counter() == f"Step {len(expected) - 1} of {len(expected) - 1}"
    o.page.keyboard.press("ArrowLeft")
    assert o.explanation() == expected[-2]
    o.page.keyboard.press("Home")
    assert o.explanation() == expected[0]
    zero = expected.index(next(t for t in expected if t.startswith("zero_grad()")))
    o.page.evaluate(f"window.micrograd.go({zero})")
    grads = o.page.locator('text.changed').all_text_contents()
    assert grads == ["grad 0"] * 6, "the zero-grad step sets every gradient to 0"
    live = o.page.locator('[data-role="explanation"]')
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"


def test_controls_are_buttons_reachable_by_tab_with_visible_focus_and_space_plays(opened: Any) -> None:
    o = opened(computation_graph_example()["J"])
    o.page.keyboard.press("Tab")
    focused = o.page.evaluate("[document.activeElement.tagName, document.activeElement.dataset.action]")
    assert focused == ["BUTTON", "reset"]
    outline = o.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    actions = []
    for _ in range(3):
        o.page.keyboard.press("Tab")
        actions.append(o.page.evaluate("document.activeElement.dataset.action"))
    assert actions == ["back", "play", "next"]
    o.page.keyboard.press("Enter")  # the focused Next button
    assert o.counter().startswith("Step 1 ")
    o.page.select_option('[data-role="speed"]', "400")
    o.page.locator("h1").click()
    o.page.keyboard.press(" ")
    assert o.page.locator('[data-action="play"]').get_attribute("aria-pressed") == "true"
    for _ in range(60):  # polled from Python: the page's policy forbids the string eval wait_for_function uses
        if o.page.evaluate("window.micrograd.state().step") >= 2:
            break
        o.page.wait_for_timeout(100)
    assert o.page.evaluate("window.micrograd.state().step") >= 2, "playing moves on by itself"
    o.page.keyboard.press(" ")
    assert o.page.locator('[data-action="play"]').get_attribute("aria-pressed") == "false"


def test_the_one_sample_logistic_regression_steps_end_to_end(opened: Any) -> None:
    ex = LOGISTIC_EXAMPLE
    nodes = one_sample(ex["x"], ex["y"], ex["w"], ex["b"], literal=True)  # type: ignore[arg-type]
    L = nodes["L"]
    o = opened(L)
    expected = [s.text for s in steps(L)]
    assert o.page.evaluate("window.micrograd.steps()") == expected
    shown = o.page.evaluate(CLICK_THROUGH, len(expected) - 1)
    assert shown == expected[1:]
    L.backward()
    order = topological_order(L)
    state = o.page.evaluate("window.micrograd.state()")
    for name in ("w1", "w2", "b", "z", "a"):
        assert state["grads"][order.index(nodes[name])] == pytest.approx(nodes[name].grad, rel=1e-12)
    assert any(t.startswith("∂L/∂z += ∂L/∂a · ∂a/∂z") for t in expected)


def test_editing_a_leaf_recomputes_forward_and_backward(opened: Any) -> None:
    o = opened(computation_graph_example()["J"])
    o.page.keyboard.press("ArrowRight")
    o.page.fill('input[data-input="a"]', "-1")
    ex = computation_graph_example()
    ex["a"].data = -1.0
    J = ex["b"] * ex["c"]
    J.label = "u"
    v = ex["a"] + J
    v.label = "v"
    J = 3 * v
    J.label = "J"
    assert o.page.evaluate("window.micrograd.steps()") == [s.text for s in steps(J)]
    assert o.counter().startswith("Step 1 "), "the step-through continues where it was"
    o.page.evaluate("window.micrograd.go(3)")
    assert o.explanation() == "J = 3 · v = 3 · 5 = 15"
    o.page.fill('input[data-input="b"]', "1e999")
    assert o.page.locator('input[data-input="b"]').get_attribute("aria-invalid") == "true"
    assert "Cannot recompute" in o.explanation()


HOSTILE = ["</script><script>window.pwned=1</script>", '<img src=x onerror="window.pwned=1">', "<!--"]


def test_hostile_labels_show_literally_and_run_nothing(opened: Any) -> None:
    a, b = Value(2.0, HOSTILE[0]), Value(3.0, HOSTILE[1])
    c = a * b
    c.label = HOSTILE[2]
    d = (c + a).tanh()
    d.label = HOSTILE[1] + "!"
    o = opened(d)
    expected = [s.text for s in steps(d)]
    assert o.explanation() == expected[0]
    assert o.page.evaluate(CLICK_THROUGH, len(expected) - 1) == expected[1:]
    assert o.page.evaluate("typeof window.pwned") == "undefined"
    hooks = o.page.evaluate("Array.from(document.querySelectorAll('[data-node]'), g => g.dataset.node)")
    assert set(HOSTILE) <= set(hooks)
    inputs = o.page.evaluate("Array.from(document.querySelectorAll('input[data-input]'), i => i.dataset.input)")
    assert inputs == HOSTILE[:2]
    assert o.page.locator("img").count() == 0 and o.page.locator("script").count() == 2
    assert HOSTILE[0] in str(o.page.locator('[data-role="steps"]').text_content())


def test_a_screenshot_of_the_page_is_not_blank(opened: Any, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    o = opened(computation_graph_example()["J"])
    for _ in range(7):
        o.page.keyboard.press("ArrowRight")
    png = o.page.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255.0
    dark = (pixels.mean(axis=2) < 0.6).mean()
    colours = {tuple(p) for p in (pixels[::7, ::7].reshape(-1, 3) * 255).astype(int).tolist()}
    assert 0.01 < dark < 0.5, f"{dark:.3f} of the page is dark"
    assert len(colours) > 20
    graph_box = o.page.locator(".graph svg").bounding_box()
    assert graph_box is not None and graph_box["width"] > 400 and graph_box["height"] > 60


@pytest.fixture(scope="module")
def ops_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    o = Opened(browser, stepper(Value(1.0, "x")), tmp_path_factory.mktemp("ops") / "ops.html")
    o.page.evaluate("window.micrograd.ops.add.forward([1, 2], null)")  # warm up before timed examples
    yield o
    o.close()


@settings(max_examples=8)
@given(cases=st.tuples(*(DOMAINS[name] for name in sorted(TABLE))))
def test_the_pages_rules_equal_the_engines_for_every_operation(ops_page: Opened, cases: tuple[Any, ...]) -> None:
    names = sorted(TABLE)
    batch = [[name, xs, list(k) if isinstance(k, tuple) else k] for name, (xs, k) in zip(names, cases)]
    results = ops_page.page.evaluate(
        "batch => batch.map(([name, xs, k]) => { const op = window.micrograd.ops[name];"
        " const out = op.forward(xs, k); return [out, op.local(xs, out, k)]; })",
        batch,
    )
    for name, (xs, k), (js_out, js_local) in zip(names, cases, results):
        op = TABLE[name]
        out = op.forward(xs, k)
        local = list(op.local(xs, out, k))
        big = max((abs(v) for v in k), default=1.0) if isinstance(k, tuple) else 1.0
        scale = math.fsum(abs(x) for x in xs) * big  # a sum may cancel: compare against its terms' size
        assert js_out == pytest.approx(out, rel=1e-12, abs=1e-15 * scale + 1e-300), (name, xs, k)
        assert js_local == pytest.approx(local, rel=1e-12, abs=1e-300), (name, xs, k)


def _every_operation(x0: float, y0: float, z0: float) -> tuple[Value, list[Value]]:
    x, y, z = Value(x0, "x"), Value(y0, "y"), Value(z0, "z")
    parts = [
        (x + y) * z - x / y,
        x**y + z**2 - (-x),
        (z * 0.3).exp() + x.log() + y.tanh() + z.sigmoid() + (x - 1.0).relu(),
        (x - z).logistic_loss(1.0),
        dot([x, y], [z, x]) + dot([x, y], [1.5, -0.5]),
    ]
    return vsum(parts), [x, y, z]


def test_the_page_recomputes_a_graph_of_every_operation_as_the_engine_does(opened: Any) -> None:
    root, _ = _every_operation(1.0, 2.0, 3.0)
    used = {n.op.name for n in topological_order(root) if n.op is not None}
    assert used == set(TABLE), "the graph uses every row of the table"
    o = opened(root)
    rng = random.Random(14)
    for _ in range(2):
        values = [rng.uniform(0.2, 3.0) for _ in range(3)]
        for name, v in zip("xyz", values):
            o.page.fill(f'input[data-input="{name}"]', repr(v))
        fresh, leaves = _every_operation(*values)
        fresh.backward()
        order = topological_order(fresh)
        state = o.page.evaluate("window.micrograd.state()")
        assert state["values"] == pytest.approx([n.data for n in order], rel=1e-12)
        for leaf in leaves:
            assert state["grads"][order.index(leaf)] == pytest.approx(leaf.grad, rel=1e-11)


LAST_TEXTS = """selector => Array.from(document.querySelectorAll(selector), g => {
    const t = g.querySelectorAll("text");
    return [t[t.length - 2].textContent, t[t.length - 1].textContent];
})"""
"""The last two texts (data, grad) of every box the selector finds."""


def test_a_far_use_steps_through_its_dashed_copy_with_the_values_numbers(opened: Any) -> None:
    a = Value(2.0, "a")
    s = a
    for _ in range(11):  # a + a + ... + a, 12 terms: the last uses of a are far from it
        s = s + a
    s.label = "s"
    o = opened(s)
    copies = o.page.locator('[data-copy-of="a"]')
    assert copies.count() == 7
    expected = steps(s)
    first = next(k for k, step in enumerate(expected) if step.kind == "backward" and step.node == 0)
    o.page.evaluate(f"window.micrograd.go({first})")  # ∂s/∂a += ∂s/∂s · ∂s/∂a: the use next to s
    edge = str(expected[first].edge)
    copy = o.page.locator(f"#c{edge[1:]}")
    assert copy.get_attribute("data-copy-of") == "a"
    assert "current" in str(copy.get_attribute("class")) and "current" in _classes(o, '[data-node="a"]')
    assert "current" in _classes(o, f"#{edge}")
    assert copy.locator("text.changed").text_content() == "grad 1"
    grads = o.page.evaluate(LAST_TEXTS, '[data-copy-of="a"]')
    assert grads == [["data 2", "grad 1"]] * 7, "every copy shows a's gradient so far"
    assert o.page.locator('[data-node="a"] text.changed').text_content() == "grad 1"
    others = o.page.locator('[data-copy-of="a"].current')
    assert others.count() == 1, "only the copy at the current edge is highlighted"
    o.page.evaluate(f"window.micrograd.go({len(expected) - 1})")
    o.page.fill('input[data-input="a"]', "-1.5")
    assert o.page.evaluate(LAST_TEXTS, '[data-copy-of="a"]') == [["data -1.5", "grad 12"]] * 7
