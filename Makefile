# genenorm-edu: two entry points, both work on a fresh machine with Python 3.11+.
#   make lab   set up, generate the data, open JupyterLab on notebooks/
#   make test  set up and run the whole test suite
# Also: make check [ASSIGNMENT=...] (validate the notebooks as the grader runs them),
#       make student-bundle DIR=... (the students' copy of the course, without answers)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told it is on purpose (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Commands run through make see the venv's tools (nbgrader runs `alembic`).
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup lab check instructor-lab test test-fast benchmark data student-notebooks student-bundle clean

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

check: data
	$(BIN)/nbgrader validate $(if $(ASSIGNMENT),notebooks/$(ASSIGNMENT)/*.ipynb,notebooks/*/*.ipynb)

instructor-lab: data
	@echo "JupyterLab + nbgrader Formgrader on http://localhost:$(PORT)/lab (stop: Ctrl-C twice)"
	$(BIN)/jupyter lab --no-browser --port=$(PORT) $(ALLOW_ROOT)

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not e2e"

benchmark: setup
	$(BIN)/python benchmarks/bench_reference.py
	$(BIN)/python benchmarks/bench_medians.py
	$(BIN)/python benchmarks/bench_autograde.py

student-notebooks: setup
	$(BIN)/genenorm-edu release

student-bundle: setup
	$(if $(DIR),,$(error say where: make student-bundle DIR=../genenorm-edu-student))
	$(BIN)/genenorm-edu student-bundle $(DIR)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
