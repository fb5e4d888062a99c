# Two commands set everything up on a fresh clone: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps make a second run fast: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

build: $(VENV)/.installed
	$(BIN)/exporter build sources --out dist

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf dist/*.apkg dist/*.pdf dist/html
