# Mentora: `make run` to use it, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps, so a second `make run` does not reinstall anything unless pyproject.toml changed.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Run Mentora on http://127.0.0.1:$${PORT:-8000} with the demo programme (Ctrl-C stops it).
run: install
	DEBUG=1 bin/run

## Every check and the whole test suite, on SQLite and on PostgreSQL, then the browser tests.
test: install-dev
	bin/test

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles var/test-*.sqlite3*
