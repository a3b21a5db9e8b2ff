# 高小新 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# Python 3.10 (Rasa 3.6 needs it): pyenv selects it through .python-version.
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null || ls -1d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONDONTWRITEBYTECODE ?= 1

.PHONY: help install data train run test lint bench validate clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then echo "需要 Python 3.10（pyenv install 3.10）"; exit 1; fi
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==//p' requirements.lock)"
	$(VENV)/bin/uv pip sync --python $(PY) requirements.lock
	@touch $@

install: $(VENV)/.installed ## create the Python 3.10 environment from the lock file

data: install ## regenerate the jieba dictionary, lookup table and synonyms from data/services
	$(PY) -m bot.generate

train: install ## regenerate data, then train the model if its inputs changed
	$(PY) -m bot.training

validate: install ## check the Rasa training data and domain
	$(PY) -m rasa data validate --fail-on-warnings --domain domain.yml --data data/nlu data/rules data/stories

run: train ## start Redis, Rasa, the action server and the api; Ctrl-C stops all
	$(PY) -m bot.launcher

test: install ## run the whole test suite (trains the model first when needed)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot actions api

bench: train ## measure NLU parse latency and chat throughput on this machine
	$(PY) -m tests.bench.run

clean: ## remove trained models and local data (keeps the environment)
	rm -rf models/*.tar.gz models/*.fingerprint var/ .rasa/ results/
