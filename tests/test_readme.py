"""The README's code runs as written: every ```python block, in order, in one namespace, printing what the text
after it says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
PRINTS = re.compile(r"\s*It prints `([^`]+)`")

# a line of each part of the README that must be shown in running code, in order, and what its block leaves behind
PARTS: dict[str, Any] = {
    "J = 3 * (a + b * c)": lambda ns, cwd: ns["J"].data == 33.0,
    'gallery.write_all("out/gallery"': lambda ns, cwd: (cwd / "out/gallery/sigmoid.svg").is_file(),
    "z = dot([w1, w2], [1.0, 2.0]) + b": lambda ns, cwd: ns["prediction"].parents == (),
    "nodes = one_sample(x, y, w, b)": lambda ns, cwd: ns["nodes"]["b"].grad == ns["nodes"]["z"].grad,
    "model = LogisticRegression(3)": lambda ns, cwd: ns["costs"][-1] < ns["costs"][0],
    "loop_grads, loop_cost = explicit_loop(": lambda ns, cwd: abs(ns["loop_cost"] - ns["vec_cost"]) < 1e-15,
    "error = check_gradients(": lambda ns, cwd: ns["error"] < 1e-7,
    "history = fit_mse(net, X_houses, prices": lambda ns, cwd: ns["history"][-1] < ns["history"][0],
    "d = model(X_train, train_y, X_test, test_y": lambda ns, cwd: len(ns["d"]["costs"]) == 2,
    "clf = LogisticRegressionGD(": lambda ns, cwd: ns["clf"].coef_.shape == (1, 768),
    "scores = cross_val_score(": lambda ns, cwd: ns["scores"].shape == (3,),
    'save_model("cats.npz", d': lambda ns, cwd: (cwd / "cats.npz").is_file() and (cwd / "clf.npz").is_file(),
}


def blocks() -> list[tuple[int, str, str | None]]:
    """Each python block: its line, its code, and what the sentence after it says it prints (if it says)."""
    text = README.read_text(encoding="utf-8")
    found = []
    for m in BLOCK.finditer(text):
        said = PRINTS.match(text, m.end())
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1), said.group(1) if said else None))
    return found


def test_each_part_of_the_readme_is_shown_in_a_python_block() -> None:
    codes = [code for _, code, _ in blocks()]
    for line in PARTS:
        assert sum(line in code for code in codes) == 1, f"no single ```python block of the README has {line!r}"
    assert sum(said is not None for _, _, said in blocks()) >= 3  # the printed lines the text quotes are checked


@pytest.mark.slow
def test_every_python_block_runs_and_prints_what_the_text_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    namespace: dict[str, Any] = {"__name__": "readme"}
    checked: list[str] = []
    for line, code, said in blocks():
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"the README block at line {line} fails: {type(exc).__name__}: {exc}")
        if said is not None:
            assert said in out.getvalue().splitlines(), f"README.md:{line} prints {out.getvalue()!r}, not {said!r}"
        for part, holds in PARTS.items():
            if part in code:
                assert holds(namespace, tmp_path), f"the README block at line {line} did not do what it shows"
                checked.append(part)
    assert checked == [part for part in PARTS], "the parts are shown in another order than PARTS lists them"
