# Two commands set everything up on a fresh clone: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test test-fast clean system-packages test-system-packages

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

# System packages, installed only when missing (CI runs as root on Debian bookworm):
# an emoji font so that 🚀 and ✅ print instead of empty boxes, and for the tests a headless
# Chromium that shows the Anki cards as a phone would. Without root or apt-get, say what is missing.
define apt_install
	@missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null \
	      || echo "warning: could not install$$missing" >&2; \
	  else echo "warning: please install$$missing (apt-get install$$missing)" >&2; fi; \
	fi
endef
SYSTEM_PACKAGES := fonts-noto-color-emoji
TEST_SYSTEM_PACKAGES := $(SYSTEM_PACKAGES) chromium

system-packages:
	$(call apt_install,$(SYSTEM_PACKAGES))

test-system-packages:
	$(call apt_install,$(TEST_SYSTEM_PACKAGES))

build: $(VENV)/.installed $(MATHJAX) system-packages
	$(BIN)/exporter build sources --out dist

test: $(VENV)/.installed-test $(MATHJAX) test-system-packages
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# While working: everything but the end-to-end tests marked slow (CI runs them all).
test-fast: $(VENV)/.installed-test $(MATHJAX) test-system-packages
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf dist/*.apkg dist/*.pdf dist/html
