# symcount: `make demo` counts the gallery (one process: tools/demo.py); `make test` runs the whole suite.
# Both create .venv on first use and install into it once (stamp files). `make docs` builds the site into site/.

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

# The site (mkdocs.yml, tools/site.py): KaTeX and Pyodide from npm (package-lock.json), built into site/; the
# playground's wheels of lark, sympy and mpmath are downloaded once into build/playground/ (tools/playground.py).
$(VENV)/.installed-docs: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[docs]"
	touch $@ $(VENV)/.installed

node_modules/katex/package.json node_modules/pyodide/package.json: package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/katex/package.json node_modules/pyodide/package.json

docs: $(VENV)/.installed-docs node_modules/katex/package.json node_modules/pyodide/package.json
	$(PY) -m symcount layers > docs/layers.md
	$(PY) -m tools.llm_docs
	$(PY) -m mkdocs build --strict
	@echo "The site is in site/: open site/index.html, or serve the folder from any static host."

bench: $(VENV)/.installed-test
	$(PY) bench/run.py
	$(PY) bench/llm_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info site node_modules
