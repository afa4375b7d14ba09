# Marsad: every command a newcomer or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
# The Pythons Marsad supports; `make test-matrix` runs the unit suite on each (pyenv's builds).
MATRIX ?= 3.11 3.12 3.13
VENV := .venv
BIN := $(VENV)/bin
MARSAD := $(BIN)/marsad
INSTALLED := $(VENV)/.installed
NATIVE := native/Cargo.toml native/Cargo.lock native/pyproject.toml native/marsad_native.pyi $(wildcard native/src/*.rs)
# rustup installs cargo here; the native core (native/, Rust) needs it to build.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install stack-up stack-down stack-status run demo browser test faults test-unit test-matrix fuzz lint check bench bench-soak clean

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

browser: ## Debian's Chromium for the browser tests (apt-get install chromium, as root, if missing)
	bash devtools/browser/ensure_chromium.sh

test: stack-up browser ## the whole suite but the fault injection: unit, integration and browser tests on the real stack
	$(BIN)/pytest -m "not faults"

faults: install ## fault injection on its own Kafka and OpenSearch (docs/faults.md): one run of MARSAD_FAULTS_ARTICLES (5000), a fault per phase
	$(BIN)/pytest -m faults tests/faults

test-unit: install ## only the fast tests (no services needed)
	$(BIN)/pytest -m "not integration"

test-matrix: ## the unit suite on every Python of MATRIX (.venv for $(PYTHON)'s, .venv-<version> for the others)
	@main=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	for v in $(MATRIX); do \
	  if [ "$$v" = "$$main" ]; then venv=$(VENV); py=$(PYTHON); else \
	    venv=.venv-$$v; \
	    py=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null | sort -V | tail -1); \
	    [ -n "$$py" ] || py=$$(command -v python$$v); \
	    [ -n "$$py" ] || { echo "no Python $$v on this machine: pyenv install $$v"; exit 1; }; \
	  fi; \
	  echo "== Python $$v ($$py, $$venv)"; \
	  $(MAKE) --no-print-directory VENV=$$venv PYTHON=$$py test-unit || exit 1; \
	done

fuzz: install ## the fuzz tests at length (CI runs them briefly); failures replay from .hypothesis/
	HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/fuzz

lint: install ## ruff (lint + format check), mypy --strict, the import contract, cargo fmt + clippy
	$(BIN)/ruff check kernel connectors pipeline cli devtools tests benchmarks
	$(BIN)/ruff format --check kernel connectors pipeline cli devtools tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	cargo fmt --manifest-path native/Cargo.toml --check
	cargo clippy --manifest-path native/Cargo.toml --release --quiet -- -D warnings

check: lint test ## everything CI checks

bench: stack-up ## every benchmark: end to end on the real stack, then each stage against its baseline
	$(MARSAD) bench --articles 3000
	$(MARSAD) bench --articles 1200 --rate 40
	$(BIN)/python -m benchmarks.connectors.throughput --kafka
	$(BIN)/python -m benchmarks.dedupe.run --paragraphs 200000
	$(BIN)/python -m benchmarks.tagging.run
	$(BIN)/python -m benchmarks.alerts.run

bench-soak: stack-up ## the connectors' 20-minute memory run over 3,000 generated outlets
	$(BIN)/python -m benchmarks.connectors.memory

clean: ## remove the virtualenv and local state (stops the stack first)
	-[ -x $(MARSAD) ] && $(MARSAD) stack down
	rm -rf $(VENV) .marsad .mypy_cache .ruff_cache .pytest_cache native/target
