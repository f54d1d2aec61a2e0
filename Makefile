# The developer workflow: `make demo`, `make test`, `make binary`. Each creates .venv when needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# Every shell script, tracked or not yet: *.sh anywhere, and files under .ci/ and installers/
# that start with a sh or bash shebang (the pkg's postinstall has no extension).
SHELL_SCRIPTS := $(sort $(shell git ls-files "*.sh" 2>/dev/null) $(shell find installers -name "*.sh") \
                  $(shell grep -rlE '^\#!(/usr/bin/env |/bin/)(ba)?sh' .ci installers))

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
	PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/actionlint .github/workflows/*.yml

test: lint
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) -m sandbox.demo

binary: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN pyinstaller.spec

bench: $(STAMP)
	$(PY) bench/startup.py
	$(PY) bench/admin_scale.py
	$(PY) bench/roster_scale.py
	$(PY) bench/rerun.py
	$(PY) bench/download.py --sizes 64M

clean:
	rm -rf build dist .sandbox
