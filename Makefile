# cxcenter: `make run` starts everything on the embedded default, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, or installed with pip for this user when missing (needs only Python).
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo python3 -m uv)
RUN := $(UV) run --frozen
# Development defaults for the commands a developer runs; the environment wins.
DEV := DEBUG=$${DEBUG:-1}


.PHONY: help uv install migrate demo run test lint format messages bench seed loadtest

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat on http://127.0.0.1:8000"
	@echo "make test   lint and run the whole test suite"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user --quiet uv

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
	$(RUN) pytest

# Fill the configured database with generated customers (see README, Performance).
seed: migrate
	$(DEV) $(RUN) python manage.py seed --customers $${CUSTOMERS:-10000}

bench: install
	$(DEV) $(RUN) python manage.py bench

# A shift against gunicorn on 127.0.0.1 with production settings (see README, Performance):
# DATABASE_URL and REDIS_URL required; LOADTEST_AGENTS, LOADTEST_TIME, LOADTEST_THINK tune it.
loadtest: install
	bench/loadtest.sh
