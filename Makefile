# genenorm-edu: two entry points, both work on a fresh machine with Python 3.11+.
#   make lab   set up, generate the data, open JupyterLab on notebooks/
#   make test  set up and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told it is on purpose (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Commands run through make see the venv's tools (nbgrader runs `alembic`).
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup lab instructor-lab test test-fast benchmark data student-notebooks clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

data: setup
	$(BIN)/genenorm-edu data

lab: data
	@echo "JupyterLab on http://localhost:$(PORT)/lab (stop: Ctrl-C twice)"
	$(BIN)/jupyter lab --no-browser --port=$(PORT) $(ALLOW_ROOT) --ServerApp.root_dir=notebooks

instructor-lab: data
	@echo "JupyterLab + nbgrader Formgrader on http://localhost:$(PORT)/lab (stop: Ctrl-C twice)"
	$(BIN)/jupyter lab --no-browser --port=$(PORT) $(ALLOW_ROOT)

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not e2e"

benchmark: setup
	$(BIN)/python benchmarks/bench_normalization.py
	$(BIN)/python benchmarks/bench_medians.py

student-notebooks: setup
	$(BIN)/genenorm-edu release

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
