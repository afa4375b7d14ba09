# Marsad: every command a newcomer or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MARSAD := $(BIN)/marsad
INSTALLED := $(VENV)/.installed
NATIVE := native/Cargo.toml native/Cargo.lock native/pyproject.toml native/marsad_native.pyi $(wildcard native/src/*.rs)
# rustup installs cargo here; the native core (native/, Rust) needs it to build.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install stack-up stack-down stack-status run demo test test-unit lint check bench bench-soak clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(INSTALLED) ## create .venv, build the native core, install Marsad with its pinned dependencies
$(INSTALLED): pyproject.toml devtools/pyproject.toml $(NATIVE)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	@command -v cargo >/dev/null || { echo "need Rust's cargo (rustup) on PATH to build native/"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check ./native -e ./devtools -e '.[dev]'
	@touch $@

stack-up: install ## start the local Kafka and OpenSearch (downloads them on first run)
	$(MARSAD) stack up

stack-down: install ## stop the local Kafka and OpenSearch started by `make stack-up`
	$(MARSAD) stack down

stack-status: install ## show where the local services listen and whether they answer
	$(MARSAD) stack status

run: stack-up ## run the service: worker + connectors on deploy/sources.yaml, until Ctrl-C
	$(MARSAD) run

demo: stack-up ## the same system fed by sample Arabic sites served on loopback; prints results
	$(MARSAD) demo

test: stack-up ## the whole suite: unit tests and integration tests on the real Kafka/OpenSearch
	$(BIN)/pytest

test-unit: install ## only the fast tests (no services needed)
	$(BIN)/pytest -m "not integration"

lint: install ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check kernel connectors pipeline cli devtools tests benchmarks
	$(BIN)/ruff format --check kernel connectors pipeline cli devtools tests benchmarks
	$(BIN)/mypy
	cargo fmt --manifest-path native/Cargo.toml --check
	cargo clippy --manifest-path native/Cargo.toml --release --quiet -- -D warnings

check: lint test ## everything CI checks

bench: stack-up ## every benchmark: end to end on the real stack, then each stage against its baseline
	$(MARSAD) bench --articles 3000
	$(MARSAD) bench --articles 1200 --rate 40
	$(BIN)/python -m benchmarks.connectors.throughput --kafka
	$(BIN)/python -m benchmarks.dedupe.run --paragraphs 200000
	$(BIN)/python -m benchmarks.tagging.run

bench-soak: stack-up ## the connectors' 20-minute memory run over 3,000 generated outlets
	$(BIN)/python -m benchmarks.connectors.memory

clean: ## remove the virtualenv and local state (stops the stack first)
	-[ -x $(MARSAD) ] && $(MARSAD) stack down
	rm -rf $(VENV) .marsad .mypy_cache .ruff_cache .pytest_cache native/target
