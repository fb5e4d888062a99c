# Two commands set everything up on a fresh clone: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test test-fast clean browser

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

# MathJax draws the PDF math when Node is on the machine; without node, ziamath does and this
# step is skipped. The stamp makes a second run instant: npm ci runs again only when the lock changes.
NODE := $(shell command -v node 2>/dev/null)
MATHJAX_STAMP := node_modules/.installed
ifneq ($(NODE),)
MATHJAX := $(MATHJAX_STAMP)
endif

# MathJax is optional: if npm fails, PDFs fall back to ziamath and the stamp is not
# written, so the next run tries again.
$(MATHJAX_STAMP): package.json package-lock.json
	@if npm ci --no-audit --no-fund --loglevel=error; then touch $@; \
	else echo "warning: npm ci failed; PDF math will be drawn with ziamath" >&2; fi

# Headless Chromium opens the HTML preview in a real browser in the tests (Debian's package);
# installed only when missing, and only where apt-get can run (as root). Without it those tests skip.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	  || echo "warning: chromium is missing; the browser tests are skipped" >&2

build: $(VENV)/.installed $(MATHJAX)
	$(BIN)/exporter build sources --out dist

test: $(VENV)/.installed-test $(MATHJAX) browser
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# While working: everything but the end-to-end tests marked slow (CI runs them all).
test-fast: $(VENV)/.installed-test $(MATHJAX) browser
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf dist/*.apkg dist/*.pdf dist/html
