# genenorm-edu: two entry points, both work on a fresh machine with Python 3.11+ and make.
#   make lab   set up Python (.venv), generate the data, open JupyterLab on notebooks/
#   make test  install the system packages, set up Python and run the whole test suite
# Also: make test-floors (the fast tests at the lowest versions pyproject.toml allows),
#       make check [ASSIGNMENT=...] (validate the notebooks as the grader runs them),
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

# Debian packages, installed when missing by .ci/system-packages (as root with
# apt-get; otherwise it stops at once with the exact command to run):
#   grading: bubblewrap (the sandbox students' code runs in while grading):
#            make setup, test, test-fast, test-floors, instructor-lab, benchmark;
#   browser: chromium, chromium-driver (the browser tests): make setup, test.
#   python-venv: python3.X-venv where Debian's Python lacks ensurepip (every
#            target that creates .venv).
# make lab, data and check need only python-venv (a student never installs the others).
# GENENORM_EDU_SYSTEM_PACKAGES=skip goes on without them (their tests are skipped
# and the end of the test run says so).
SYSTEM_PACKAGES := .ci/system-packages

# The floors environment: every direct dependency at the lowest version
# pyproject.toml allows (uv's "lowest-direct" resolution), in its own venv.
FLOORS_VENV ?= .venv-floors
FLOORS_MARKERS ?= not slow and not e2e
UV := $(BIN)/uv

.PHONY: setup venv system-packages grading-packages lab check instructor-lab test test-fast \
	test-floors benchmark data student-notebooks student-bundle clean

# Everything the project needs: the system packages, then Python.
setup: system-packages venv

system-packages:
	@$(SYSTEM_PACKAGES) grading browser

grading-packages:
	@$(SYSTEM_PACKAGES) grading

# Python only: the project and its test extras in .venv.
venv: $(STAMP)

$(STAMP): pyproject.toml
	@PYTHON=$(PYTHON) $(SYSTEM_PACKAGES) python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

data: venv
	$(BIN)/genenorm-edu data

lab: data
	@echo "JupyterLab on http://localhost:$(PORT)/lab (stop: Ctrl-C twice)"
	$(BIN)/jupyter lab --no-browser --port=$(PORT) $(ALLOW_ROOT) --ServerApp.root_dir=notebooks

check: data
	$(BIN)/nbgrader validate $(if $(ASSIGNMENT),notebooks/$(ASSIGNMENT)/*.ipynb,notebooks/*/*.ipynb)

instructor-lab: grading-packages data
	@echo "JupyterLab + nbgrader Formgrader on http://localhost:$(PORT)/lab (stop: Ctrl-C twice)"
	$(BIN)/jupyter lab --no-browser --port=$(PORT) $(ALLOW_ROOT)

test: setup
	$(BIN)/python -m pytest

test-fast: grading-packages venv
	$(BIN)/python -m pytest -m "not slow and not e2e"

$(UV): $(STAMP)
	$(BIN)/python -m pip install --quiet "uv>=0.5"

# Resolve, install and test; tests/test_project.py checks (under
# GENENORM_EDU_FLOORS=1) that each direct dependency got exactly its floor.
test-floors: grading-packages $(UV)
	rm -rf $(FLOORS_VENV)
	UV_PYTHON_DOWNLOADS=never $(UV) venv --quiet --python $(PYTHON) $(FLOORS_VENV)
	$(UV) pip compile --quiet --resolution lowest-direct --extra test \
		--python $(FLOORS_VENV)/bin/python pyproject.toml -o $(FLOORS_VENV)/requirements.txt
	$(UV) pip sync --quiet --python $(FLOORS_VENV)/bin/python $(FLOORS_VENV)/requirements.txt
	$(UV) pip install --quiet --python $(FLOORS_VENV)/bin/python --no-deps -e .
	PATH=$(abspath $(FLOORS_VENV)/bin):$$PATH GENENORM_EDU_FLOORS=1 \
		$(FLOORS_VENV)/bin/python -m pytest -m "$(FLOORS_MARKERS)" -p no:cacheprovider

# Each benchmark's output replaces its section of benchmarks/RESULTS.md (with
# the machine and the date); one that fails leaves its section as it was.
RECORD := $(BIN)/python benchmarks/record.py $(if $(BENCHMARK_NOTE),--note "$(BENCHMARK_NOTE)")

benchmark: grading-packages venv
	$(RECORD) benchmarks/bench_cli.py --subcommands
	$(RECORD) benchmarks/bench_normalization.py
	$(RECORD) benchmarks/bench_medians.py
	$(RECORD) benchmarks/bench_autograde.py
	$(RECORD) benchmarks/bench_density.py

student-notebooks: venv
	$(BIN)/genenorm-edu release

student-bundle: venv
	$(if $(DIR),,$(error say where: make student-bundle DIR=../genenorm-edu-student))
	$(BIN)/genenorm-edu student-bundle $(DIR)

clean:
	rm -rf $(VENV) $(FLOORS_VENV) .pytest_cache .hypothesis
