"""Write viz/stepper.png, the README's picture of the step-through page (needs Playwright and Chromium).

    .venv/bin/python scripts/stepper_screenshot.py [OUT.png]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from micrograd_lr.gallery import computation_graph_example
from micrograd_lr.stepper import stepper


def main(out: Path) -> None:
    browser_path = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if browser_path is None:
        raise SystemExit("Chromium is needed: sh scripts/ensure-chromium.sh")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = stepper(computation_graph_example()["J"], title="J = 3(a + bc)").save(Path(tmp) / "J.html")
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = p.chromium.launch(executable_path=browser_path, args=args)
        page = browser.new_page(viewport={"width": 1000, "height": 560}, device_scale_factor=1.5)
        page.goto(page_path.resolve().as_uri())
        page.evaluate("window.micrograd.go(9)")  # the backward step ∂J/∂b += ∂J/∂u · ∂u/∂b
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("viz/stepper.png"))
