# Two commands do everything: `make run` (demo system on SQLite) and `make test` (the whole suite);
# `make dev` is `make run` with DEBUG on and Django's reloading development server.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Test processes (pytest-xdist): "auto" is one per core; 0 runs the suite in this one process.
KP_TEST_WORKERS ?= auto

.PHONY: setup run dev test lint bench bundle

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	./scripts/run.sh

dev: setup
	./scripts/run.sh dev

test: setup
	$(BIN)/python -m pytest -n $(KP_TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Every bench in bench/ at a small size, then one summary table (bench/README.md).
bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The offline install: dist/keyprojects-<version>-<date>.tar.gz with every wheel, the front-end packages,
# the code and deploy/install.sh (see docs/部署手册.md).
bundle: setup
	./deploy/bundle.sh
