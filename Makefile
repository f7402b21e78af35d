# Samphan: `make run` serves the app, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell pyenv which python3.13 2>/dev/null || command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export PYTHAINLP_OFFLINE := 1

.PHONY: run test test-postgres lint bench load memory format messages system-deps clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(VENV)/.runtime $@

# SETUP_ARGS=--no-demo: an empty database for a real business (only the admin user).
run: $(VENV)/.runtime
	$(BIN)/samphan migrate --no-input
	$(BIN)/samphan collectstatic --no-input --verbosity 0
	$(BIN)/samphan setup $(SETUP_ARGS)
	@echo "Log in as admin with the password printed when it was created (or SAMPHAN_ADMIN_PASSWORD); the address follows once the server listens."
	$(BIN)/samphan serve

system-deps:
	bash scripts/system-deps.sh

test: $(VENV)/.dev system-deps
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev system-deps
	bash scripts/with-postgres.sh $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/samphan makemigrations --check --dry-run

format: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

messages: $(VENV)/.dev
	cd src/samphan && ../../$(BIN)/samphan makemessages --locale th --no-obsolete --no-location
	cd src/samphan && ../../$(BIN)/samphan compilemessages --locale th

bench: $(VENV)/.dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Memory of every process, 4 web + 2 workers on PostgreSQL (bench/memory_processes.py):
# opt-in, like the load test. E.g. make memory MEMORY_ARGS="--customers 100000"
memory: $(VENV)/.dev
	$(BIN)/python bench/memory_processes.py $(MEMORY_ARGS)

# The load test (bench/load/run.py, locust): opt-in, never part of `make bench` or CI.
load: $(VENV)/.dev
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var test-artifacts
