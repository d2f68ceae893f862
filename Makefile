# symcount: `make demo` counts the gallery (one process: tools/demo.py); `make test` runs the whole suite.
# Both create .venv on first use and install into it once (stamp files).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export KERAS_BACKEND := torch
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test lint goldens docs bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@$(PY) -m tools.demo

test: $(VENV)/.installed-test
	$(PY) -m ruff check symcount tests bench tools
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

lint: $(VENV)/.installed-test
	$(PY) -m ruff check symcount tests bench tools

# Every test that uses the golden fixture (tests/conftest.py) rewrites its file; review the diff.
goldens: $(VENV)/.installed-test
	$(PY) -m pytest -q -m golden --update-goldens

docs: $(VENV)/.installed
	$(PY) -m symcount layers > docs/layers.md
	$(PY) -m tools.llm_docs

bench: $(VENV)/.installed-test
	$(PY) bench/run.py
	$(PY) bench/llm_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info
