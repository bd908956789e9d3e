# cxcenter: `make run` starts everything on the embedded default, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, or installed with pip for this user when missing (needs only Python).
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo python3 -m uv)
RUN := $(UV) run --frozen
export DEBUG ?= 1

.PHONY: help uv install migrate demo run test lint format messages bench

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat on http://127.0.0.1:8000"
	@echo "make test   lint and run the whole test suite"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user --quiet uv

install: uv
	$(UV) sync --frozen
	$(RUN) python manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true

migrate: install
	$(RUN) python manage.py migrate --no-input

demo: migrate
	$(RUN) python manage.py demo

run: demo
	$(RUN) honcho start -f Procfile

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

messages: install
	$(RUN) python manage.py makemessages -l nl --ignore=.venv --ignore=var --no-obsolete
	$(RUN) python manage.py compilemessages --ignore=.venv

test: lint
	$(RUN) python manage.py makemigrations --check --dry-run
	$(RUN) pytest
