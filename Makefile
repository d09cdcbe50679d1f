# `make run` starts the bot (or, with no Slack settings, the local workbench), `make test` runs the
# whole suite; both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check diagram digest bench clean i18n extract

# Translations (docs/i18n.md): flows/locale/<lang>/LC_MESSAGES/<domain>.po, compiled to .mo here.
LOCALE := flows/locale
LANGUAGES := en cy
DOMAINS := conversation people cards workbench
PO := $(foreach l,$(LANGUAGES),$(foreach d,$(DOMAINS),$(LOCALE)/$(l)/LC_MESSAGES/$(d).po))
MO := $(PO:.po=.mo)
BABEL_KEYWORDS := --no-default-keywords -k t -k N_ -k NN_:1,2 -k gettext -k ngettext:1,2 -k pgettext:1c,2

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)
	$(MAKE) --no-print-directory i18n

# With no Slack settings at all (environment or .env), the local workbench on 127.0.0.1 instead.
run: $(STAMP) $(MO)
	$(BIN)/mosovo-bot run --workbench-if-no-slack

# The workbench's browser test drives Debian's Chromium: installed here when missing and possible
# (root with apt-get); otherwise that test fails saying how to install it.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the workbench's browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "the browser test needs $(CHROMIUM): apt-get install -y --no-install-recommends chromium"; \
	fi

test: $(STAMP) $(MO) | $(CHROMIUM)
	$(BIN)/pytest -q

# Compile the catalogues (the venv stamp, `run` and `test` do it; a test fails on a stale .mo).
i18n: $(MO)

$(LOCALE)/%.mo: $(LOCALE)/%.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After marking strings: extract each domain's, merge into its catalogues (English filled in with
# the msgid), then translate the new Welsh entries and `make i18n`.
extract: $(STAMP)
	for d in $(DOMAINS); do \
	  $(BIN)/pybabel extract -F $(LOCALE)/$$d.cfg $(BABEL_KEYWORDS) --sort-output --add-location=file \
	    --no-wrap -o $(LOCALE)/$$d.pot . || exit 1; \
	  for l in $(LANGUAGES); do [ -f $(LOCALE)/$$l/LC_MESSAGES/$$d.po ] || \
	    $(BIN)/pybabel init -i $(LOCALE)/$$d.pot -d $(LOCALE) -D $$d -l $$l --no-wrap || exit 1; done; \
	  $(BIN)/pybabel update -i $(LOCALE)/$$d.pot -d $(LOCALE) -D $$d \
	    --no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date || exit 1; \
	done
	$(BIN)/python scripts/i18n_english.py $(LOCALE)

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
