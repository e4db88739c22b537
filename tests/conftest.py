"""Shared test set-up: the Hypothesis profiles, and the expensive results computed once per session.

Hypothesis profiles (``deadline=None`` in both: timings on a shared machine are noise, not bugs):

* ``dev``, the default: a modest number of examples per property, for a quick loop;
* ``ci``: many more examples; chosen when the environment variable CI is set (``CI=true make test``)
  or with ``HYPOTHESIS_PROFILE=ci``.

A test that sets its own ``max_examples`` keeps it in both profiles: those are the tests where one
example is expensive (it trains a model or draws pictures).

Tests that take seconds are marked ``slow``; ``pytest -m "not slow"`` leaves them out for a quick loop.
Every test that needs the trained cats or the demo's figures is marked here, by the fixture it uses.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# One BLAS thread, here and in the scripts the tests start (they inherit the environment), unless told
# otherwise. The arrays here are small: a second thread gains nothing, and on a machine whose cores are
# busy OpenBLAS's waiting threads made training the cats 5-10 times slower. Set before NumPy is imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


SLOW_FIXTURES = {"trained_cats", "demo_run"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def trained_cats() -> dict[str, Any]:
    """The vectorized model trained on the embedded cats exactly as the cost-curve figure trains it
    (float32, 2000 iterations, α = 0.005, from zeros): the same cached result the gallery draws."""
    from micrograd_lr import gallery

    return gallery.cat_model()


@dataclass(frozen=True)
class DemoRun:
    """What one ``micrograd-lr demo`` printed, and the folder it wrote its figures into (none without dot)."""

    out: str
    figures: Path
    iterations: int


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``micrograd-lr demo`` run once, in this process, with every figure written to a fresh folder.

    In-process, it shares the cats trained for the cost curve with ``trained_cats``; the demo and
    gallery tests all read this one run.
    """
    from micrograd_lr.cli import main

    figures = tmp_path_factory.mktemp("demo") / "figs"
    iterations = 300
    argv = ["demo", "--iterations", str(iterations), "--out", str(figures)]
    if shutil.which("dot") is None:  # the walk through the text needs no Graphviz; the figures do
        argv.append("--no-figures")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    assert code == 0, buffer.getvalue()
    return DemoRun(buffer.getvalue(), figures, iterations)
