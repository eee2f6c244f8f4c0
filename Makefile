# Everything runs from a local virtualenv that the first target creates; no global installs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
STACKS := $(patsubst Pulumi.%.yaml,%,$(wildcard Pulumi.*.yaml))

.PHONY: help plan plans picture cost diff test lint bench config config-offline access clean

help:
	@echo "make plan STACK=<stack>   offline plan under Pulumi's mocks (no Azure, no Pulumi CLI)"
	@echo "make test                 the whole test suite"
	@echo "make lint                 ruff (lint + format check) and mypy"
	@echo "make access STACK=<stack> who may do what in that environment"
	@echo "make picture              redraw docs/img/prod.svg (the README's picture) from prod's plan"
	@echo "make cost STACK=<stack>   monthly cost estimate (snapshot prices; ONLINE=1: the Retail Prices API)"
	@echo "make diff A=dev B=prod    settings and resources that differ between two stacks"
	@echo "make bench                offline-plan wall time and peak memory per stack vs the floor"
	@echo "make config STACK=<stack> write feathr_config.<stack>.yaml from a deployed stack's outputs"
	@echo "make config-offline STACK=<stack>  the same from the offline plan"
	@echo "stacks: $(STACKS)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

plan: $(VENV)/.installed
	$(PY) -m infra.offline.plan $(STACK)

plans: $(VENV)/.installed
	@for s in $(STACKS); do $(PY) -m infra.offline.plan $$s --quiet || exit 1; done

picture: $(VENV)/.installed
	$(PY) -m infra.offline.plan prod --quiet
	cp build/prod/environment.svg docs/img/prod.svg

cost: $(VENV)/.installed
	$(PY) -m infra.offline.cost $(STACK) $(if $(ONLINE),--online)

A ?= dev
B ?= prod
diff: $(VENV)/.installed
	$(PY) -m infra.offline.diff $(A) $(B)

# Parallel workers (pytest-xdist). --dist loadfile keeps each test file on one worker, so the
# program runs a file shares (tests/support.py caches them per process) are made once there.
test: $(VENV)/.installed
	$(PY) -m pytest -q -n auto --dist loadfile

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

access: $(VENV)/.installed
	$(PY) -m infra.offline.access_table $(STACK)

bench: $(VENV)/.installed
	$(PY) benchmarks/offline_plan.py $(STACKS)

config-offline: plan
	cp build/$(STACK)/feathr_config.yaml feathr_config.$(STACK).yaml
	@echo "wrote feathr_config.$(STACK).yaml (from the offline plan: mocked endpoints)"

config:
	@test -n "$(STACK)" || (echo "STACK is required" >&2; exit 2)
	pulumi stack output feathrConfigYaml --stack $(STACK) --show-secrets=false > feathr_config.$(STACK).yaml
	@echo "wrote feathr_config.$(STACK).yaml"

clean:
	rm -rf build .pytest_cache .ruff_cache .mypy_cache
