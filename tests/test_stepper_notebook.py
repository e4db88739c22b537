"""examples/walkthrough.ipynb runs headless from top to bottom and shows its pictures and pages."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "walkthrough.ipynb"


@pytest.mark.slow
def test_the_walkthrough_notebook_runs_and_shows_svg_and_step_through_pages() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat (the dev extra)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (the dev extra)")
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (the dev extra)")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    data = [out.get("data", {}) for out in outputs]
    svgs = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
    pages = [d["text/html"] for d in data if "text/html" in d and "<iframe" in d["text/html"]]
    assert len(svgs) >= 5, "the graphs and the plots are inline SVG"
    assert len(pages) == 3, "three step-through pages"
    assert all('data-role="explanation"' in html.unescape(p) for p in pages)
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "dc += du · ∂u/∂c = 3 · 3 = 9" in printed
    assert "dz: autograd" in printed
