# Two commands do everything on a fresh machine:
#   make demo   run the main job (the walk through the text, on the embedded data)
#   make test   run ruff, mypy and the test suite
# Each creates .venv and installs what it needs on its first run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test figures bench dot rsvg chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

dot:
	@sh scripts/ensure-dot.sh

rsvg:
	@sh scripts/ensure-rsvg.sh

chromium:
	@sh scripts/ensure-chromium.sh

demo: $(STAMP) dot
	$(BIN)/micrograd-lr demo

test: $(STAMP) dot rsvg chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

figures: $(STAMP) dot
	$(BIN)/micrograd-lr figures --out viz

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
