# The developer workflow: `make demo`, `make test`, `make binary`. Each creates .venv when needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SHELL_SCRIPTS := $(shell git ls-files "*.sh" 2>/dev/null) .ci/run .ci/smoke-binary

.PHONY: venv lint test demo binary bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/shellcheck $(SHELL_SCRIPTS)

test: lint
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) -m sandbox.demo

binary: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN pyinstaller.spec

bench: $(STAMP)
	$(PY) bench/startup.py

clean:
	rm -rf build dist .sandbox
