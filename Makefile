# The README's two commands: `make run` (the main job) and `make test` (the test suite).
# Each creates .venv and installs tfsheet into it on first use; `make install` does only that.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install run docs-report docs-report-full test test-all bench clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# SCALE=quick for a few minutes' smoke run; SCALE=full for more seeds and longer training.
SCALE ?= default

# The main job writes only under report/ (ignored by git), its models included.
run: install
	$(BIN)/tfsheet report --scale $(SCALE) --out report --export-dir report/saved_models

# The committed default-scale report (docs/report): its index.md, figures and results files.
docs-report: install
	$(BIN)/tfsheet report --scale default --out docs/report --export-dir report/saved_models --compare-with docs/report-full

# The committed full-scale report (docs/report-full): hours; its header states the time it took.
docs-report-full: install
	$(BIN)/tfsheet report --scale full --out docs/report-full --export-dir report/saved_models --compare-with docs/report

test: install
	$(BIN)/python -m pytest -m "not slow"

test-all: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/engine_vs_fit.py
	$(BIN)/python benchmarks/tbptt_vs_fit.py
	$(BIN)/python benchmarks/rtrl_cost.py
	$(BIN)/python benchmarks/distribution_scaling.py
	$(BIN)/python benchmarks/versus_pytorch.py

clean:
	rm -rf runs report .pytest_cache
