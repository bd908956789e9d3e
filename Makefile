# cxcenter: `make run` starts everything on the embedded default, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, or else a private copy in var/tools: a virtual environment of the system
# Python with uv installed by its pip, so an externally managed Python (Debian, Ubuntu) is
# left alone. Exported, so the Procfile's processes (${UV}) use this same uv.
TOOLS := $(CURDIR)/var/tools
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo $(TOOLS)/bin/uv)
export UV
RUN := $(UV) run --frozen
# The test run: one worker per core (pytest-xdist), each with its own database; a
# module stays on one worker, so its module-scoped fixtures (the demo) load once.
PYTEST_ARGS ?= -n auto --dist loadfile
# Development defaults for the commands a developer runs; the environment wins.
DEV := DEBUG=$${DEBUG:-1}


.PHONY: help uv install migrate demo run test lint format messages bench seed loadtest

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat on http://127.0.0.1:8000"
	@echo "make test   lint, type-check and run the whole test suite (in parallel)"

uv:
	@$(UV) --version >/dev/null 2>&1 || { \
	  python3 -m venv --clear $(TOOLS) >/dev/null || { \
	    echo "make: python3 cannot create a virtual environment;" \
	      "on Debian or Ubuntu: apt-get install python3-venv" >&2; exit 1; }; \
	  $(TOOLS)/bin/python -m pip install --quiet uv; }
	@$(UV) --version

install: uv
	$(UV) sync --frozen

migrate: install
	$(DEV) $(RUN) python manage.py migrate --no-input

demo: migrate
	$(DEV) $(RUN) python manage.py demo

run: demo
	$(DEV) $(RUN) honcho start -f Procfile

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

messages: install
	$(DEV) $(RUN) python manage.py makemessages -l nl --ignore=.venv --ignore=var --no-obsolete
	$(DEV) $(RUN) python manage.py compilemessages --ignore=.venv

test: lint
	$(DEV) $(RUN) python manage.py makemigrations --check --dry-run
	$(DEV) $(RUN) mypy
	$(RUN) pytest $(PYTEST_ARGS)

# Fill the configured database with generated customers (see README, Performance).
seed: migrate
	$(DEV) $(RUN) python manage.py seed --customers $${CUSTOMERS:-10000}

bench: install
	$(DEV) $(RUN) python manage.py bench

# A shift against gunicorn on 127.0.0.1 with production settings (see README, Performance):
# DATABASE_URL and REDIS_URL required; LOADTEST_AGENTS, LOADTEST_TIME, LOADTEST_THINK tune it.
loadtest: install
	bench/loadtest.sh
