# Everything a fresh machine needs: `make run` and `make test` set up the virtualenv themselves.
# `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_DATA ?= ../shared/data
CODE := streams schemas tests benchmarks scripts

.DEFAULT_GOAL := help
.PHONY: help run test lint format typecheck unit services schemas bench bench-state browser clients clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ## The main job: embedded broker + worker on SQLite, with the sample articles
	$(BIN)/warta run --samples

test: $(STAMP) services browser clients lint typecheck ## The whole suite: lint, types, schemas, unit, agents, end to end
	$(BIN)/python -m schemas.export --check
	WARTA_SHARED_DATA=$(SHARED_DATA) $(BIN)/pytest -q -ra

unit: $(STAMP) ## Only the tests that need no broker (a minute)
	$(BIN)/pytest -q -m "not e2e"

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

typecheck: $(STAMP) ## mypy (strict) on the package, tests and benchmarks
	$(BIN)/mypy

# PostgreSQL runs on every machine of this project; start it if it is down.
services: ## Start the local PostgreSQL if it is down
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
	  (pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 2)
	@pg_isready -h 127.0.0.1 -p 5432

# The dashboard's browser test drives Debian's chromium (never a downloaded browser build).
browser: ## Install Debian's chromium for the dashboard's browser test
	@test -x /usr/bin/chromium || \
	  (apt-get update && apt-get install -y --no-install-recommends chromium)

# The README's kcat command is run by a test with Debian's kcat (it documents what that one does).
clients: ## Install Debian's kcat for the README's client test
	@command -v kcat >/dev/null || \
	  (apt-get update && apt-get install -y --no-install-recommends kcat)

schemas: $(STAMP) ## Regenerate schemas/json and the AsyncAPI document after a model change
	$(BIN)/python -m schemas.export
	$(BIN)/warta schema asyncapi

bench: $(STAMP) ## The benchmarks on ../shared/data (SHARED_DATA=...), printing figures
	WARTA_SHARED_DATA=$(SHARED_DATA) $(BIN)/python -m benchmarks $(SHARED_DATA)

# An hour or more: 300,000 articles through the dedupe stage (COUNT=... for fewer).
COUNT ?= 300000
bench-state: $(STAMP) ## Dedupe state on disk: worker RSS as the window fills, disk, speed, recovery
	$(BIN)/python -m benchmarks.state --count $(COUNT)

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
