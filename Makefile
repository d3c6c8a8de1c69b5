# The two commands: `make demo` and `make test`. Each creates .venv when needed.
# `make test-fast` is the quick check while editing: the tests not marked slow, and ruff.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
STAMP_DOCS := $(VENV)/.installed-docs
# MkDocs' and Material's notices about MkDocs' future are not warnings about this site
export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test test-fast lint docs bench bench-startup clean

define LINT
	$(BIN)/ruff check src tests benchmarks docs examples
	$(BIN)/mypy src
	$(BIN)/lint-imports
endef

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

# the test extras: pytest, pytest-mpl, hypothesis, ruff, mypy, import-linter, playwright
$(STAMP_TEST): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@ $(STAMP_RUN)

$(STAMP_DOCS): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[docs]"
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/scalinglaws demo

# Every test, slow ones included, in one pytest run over tests/ (never a run that could select
# nothing: pytest exits 5 when no test is collected); then the linters.
test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q tests
	$(LINT)

test-fast: $(STAMP_TEST)
	$(BIN)/python -m pytest -q -m "not slow" tests
	$(BIN)/ruff check src tests benchmarks docs examples

# The documentation site into site/: strict, so any warning fails the build; the gallery's
# examples run as it builds (they read the reference datasets beside the repository).
docs: $(STAMP_DOCS)
	$(BIN)/mkdocs build --strict

lint: $(STAMP_TEST)
	$(LINT)

bench: $(STAMP_TEST)
	$(BIN)/python benchmarks/bench_fit.py

bench-startup: $(STAMP_RUN)
	$(BIN)/python benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info scalinglaws-demo
