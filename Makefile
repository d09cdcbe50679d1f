# `make run` starts the bot, `make test` runs the whole suite; both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check diagram digest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mosovo-bot run

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

diagram: $(STAMP)
	$(BIN)/mosovo-bot diagram

# Regenerate tests/support/slack_digest.json from ../shared/slack-reference (a test says when).
digest: $(STAMP)
	$(BIN)/python scripts/slack_digest.py

# Benchmarks print ratios measured in one run; add ARGS="--url postgresql+psycopg://…" for PostgreSQL.
bench: $(STAMP)
	$(BIN)/python -m bench.storage_bench $(ARGS)
	$(BIN)/python -m bench.sweep_bench $(ARGS)
	$(BIN)/python -m bench.home_bench $(ARGS)
	$(BIN)/python -m bench.load $(ARGS)
	$(BIN)/python -m bench.conversation_cost

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
