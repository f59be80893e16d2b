# Everything a fresh machine needs: `make run` and `make test` set up the virtualenv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_DATA ?= ../shared/data

.PHONY: run test lint typecheck unit services schemas bench clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/warta run --samples

# PostgreSQL runs on every machine of this project; start it if it is down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
	  (pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start && sleep 2)
	@pg_isready -h 127.0.0.1 -p 5432

lint: $(STAMP)
	$(BIN)/ruff check streams schemas tests benchmarks scripts
	$(BIN)/ruff format --check streams schemas tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -m "not e2e"

test: $(STAMP) services browser lint typecheck
	$(BIN)/python -m schemas.export --check
	WARTA_SHARED_DATA=$(SHARED_DATA) $(BIN)/pytest -q -ra

# The dashboard's browser test drives Debian's chromium (never a downloaded browser build).
browser:
	@test -x /usr/bin/chromium || \
	  (apt-get update && apt-get install -y --no-install-recommends chromium)

schemas: $(STAMP)
	$(BIN)/python -m schemas.export
	$(BIN)/warta schema asyncapi

bench: $(STAMP)
	WARTA_SHARED_DATA=$(SHARED_DATA) $(BIN)/python -m benchmarks $(SHARED_DATA)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
