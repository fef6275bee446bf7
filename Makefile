# Two entry points: `make demo` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian's Chromium and its WebDriver, for the browser test of the generated site.
BROWSER := /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/modeldoc scan examples/gpt-mini
	$(BIN)/modeldoc build examples/cancer-xgboost --out out/cancer-xgboost --llm offline

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check modeldoc tests benchmarks
	$(BIN)/ruff format --check modeldoc tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(BROWSER)
	$(BIN)/pytest -q

$(BROWSER):
	$(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver \
		|| { $(SUDO) apt-get update -qq && \
		     $(SUDO) apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

bench: $(STAMP)
	$(BIN)/python benchmarks/scan.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/explain.py
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/llm_cost.py
	$(BIN)/python benchmarks/pr.py
	$(BIN)/python benchmarks/hostile.py

clean:
	rm -rf $(VENV) build *.egg-info site
