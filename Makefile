# The two commands: `make drill` runs a real drill end to end, `make test` runs every test.
# Both bootstrap first (`make setup`: venv, Docker engine, compose plugin, token, images).
SHELL := /bin/bash
VENV := .venv/bin
SCENARIO ?= scenarios/server-down.yaml

.PHONY: setup drill test unit lint bench clean

setup:
	@bash scripts/setup.sh

drill: setup
	@$(VENV)/drill run $(SCENARIO) --mode auto

test: setup lint
	@$(VENV)/pytest -p no:cacheprovider tests

unit:
	@$(VENV)/pytest -p no:cacheprovider -m "not docker" tests

lint:
	@$(VENV)/ruff check .
	@$(VENV)/mypy

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(VENV)/python $$b || exit $$?; done

clean:
	@$(VENV)/drill down --volumes || true
	rm -rf build .venv
