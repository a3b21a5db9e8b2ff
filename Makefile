# 高小新 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# Python 3.10 (Rasa 3.6 needs it): pyenv selects it through .python-version.
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null || ls -1d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONDONTWRITEBYTECODE ?= 1
# Rasa's usage reports to its vendor are off: 高小新 serves citizens' conversations and sends nothing out.
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: help install data train run test test-fast lint format bench eval validate clean
.PHONY: audit purge faq-export catalogue-export

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

# The packages are compiled to bytecode once, here: with PYTHONDONTWRITEBYTECODE nothing else writes
# it, and compiling Rasa, SciPy and scikit-learn from source took half of every start (docs/benchmarks.md).
$(VENV)/.installed: requirements.lock pyproject.toml Makefile
	@if [ -z "$(PYTHON310)" ]; then echo "需要 Python 3.10（pyenv install 3.10）"; exit 1; fi
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$$(sed -n 's/^uv==//p' requirements.lock)"
	$(VENV)/bin/uv pip sync --compile-bytecode --python $(PY) requirements.lock
	@touch $@

install: $(VENV)/.installed ## create the Python 3.10 environment from the lock file

data: install ## regenerate the jieba dictionary, lookup table and synonyms from data/services
	$(PY) -m bot.generate

train: install ## regenerate data, then train the model if its inputs changed
	$(PY) -m bot.training

faq-export: install ## write the FAQ entries of the database back to data/faq/*.yml for review
	$(PY) -m bot.faq_export

catalogue-export: install ## write the guide edits of the staff page back to data/services/*.yml for review
	$(PY) -m bot.catalogue_export

validate: install ## check the Rasa training data and domain
	$(PY) -m rasa data validate --fail-on-warnings --domain domain.yml --data data/nlu data/rules data/stories

run: train ## start Redis, Rasa, the action server and the api; Ctrl-C stops all
	$(PY) -m bot.launcher

test: install ## run the whole test suite (trains the model first when needed)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## the suite without the slow tests (no training, no running stack)
	$(PY) -m pytest -m "not slow and not integration and not browser" $(PYTEST_ARGS)

# no `train` prerequisite: the project's row trains the model as `make train` does, and it becomes the
# served model when that one is stale (the held-out conversations are played on it)
eval: install ## train and score the NLU pipeline beside its baselines; writes docs/evaluation.md
	$(PY) -m tests.eval.run $(EVAL_ARGS)

format: install ## format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot actions api

bench: train ## the stack against the default Rasa deployment: results/bench.json, docs/benchmarks.md
	$(PY) -m tests.bench.run $(BENCH_ARGS)

clean: ## remove trained models and local data (keeps the environment)
	rm -rf models/*.tar.gz models/*.fingerprint var/ .rasa/ results/

PIP_AUDIT_VERSION := 2.10.1
AUDIT_IGNORES = $(shell sed -e 's/\#.*//' -e '/^[[:space:]]*$$/d' -e 's/^[[:space:]]*/--ignore-vuln /' .pip-audit-ignore 2>/dev/null)

audit: install ## pip-audit of requirements.lock; findings documented in SECURITY.md (.pip-audit-ignore) pass
	@mkdir -p results
	$(VENV)/bin/uv tool run --from pip-audit==$(PIP_AUDIT_VERSION) pip-audit -r requirements.lock --no-deps \
	  --disable-pip -s pypi --progress-spinner off --format json -o results/pip-audit.json $(AUDIT_IGNORES); \
	status=$$?; \
	$(PY) -c 'import json,sys; d=json.load(open("results/pip-audit.json"))["dependencies"]; \
	  s=sum(1 for x in d if "skip_reason" in x); v=[(x["name"],x["version"],y["id"]) for x in d for y in x.get("vulns",[])]; \
	  print(f"pip-audit: {len(d)-s} of {len(d)} locked packages audited, {len(v)} finding(s) not in .pip-audit-ignore"); \
	  [print("  ", *f) for f in v]; \
	  s==len(d) and print("WARNING: pip-audit reached no vulnerability data (no PyPI JSON API here): NOTHING WAS AUDITED. See SECURITY.md.")' \
	  || true; \
	exit $$status

purge: install ## delete bookings, tickets, unanswered questions and ratings past their retention period
	$(PY) -m bot.retention $(PURGE_ARGS)
