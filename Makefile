# fundflow — two commands: `make demo` and `make test` (`make test-all` adds the slow and browser tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all coverage lint bench clean

# Left out of `make test`: long-running (kills, corpus-wide, big batches) and headless-Chromium tests.
SLOW := not slow and not browser and not server

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fundflow demo

test: $(STAMP)
	$(BIN)/python -m pytest -m "$(SLOW)"

test-all: $(STAMP)
	$(BIN)/python -m pytest

# The fast suite under coverage (the CLI processes the tests start included), then the share per package.
coverage: $(STAMP)
	$(BIN)/python -m pytest -m "$(SLOW)" -p no:cacheprovider --cov --cov-report=
	$(BIN)/python tests/support/coverage_packages.py

lint: $(STAMP)
	$(BIN)/ruff check fundflow tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only -p no:cacheprovider

clean:
	rm -rf $(VENV) .fundflow build *.egg-info .coverage .coverage.*
