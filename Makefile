# Set-up and everyday commands. `make digits` runs the main job and `make test` the tests; each builds the virtual
# environment `.venv` on first use (torch's CPU build first, then this project with its development tools) and reuses
# it afterwards, reinstalling only when settings.ini or setup.py change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ARGS ?=
TESTS ?= tests

.PHONY: all venv test digits docs serve-docs export clean-venv
all: test

$(INSTALLED): settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e ".[dev]"
	touch $@

venv: $(INSTALLED) ## build or refresh the environment only

test: $(INSTALLED) ## every notebook and the pytest suite (ARGS='--flags "slow"': slow cells too; TESTS=tests/test_cli.py: one file)
	$(BIN)/python -m pytest $(TESTS) $(ARGS)

digits: $(INSTALLED) ## the main job: writes tyche-digits/ (ARGS='--n-samples 500' and so on)
	$(BIN)/tyche digits $(ARGS)

docs: $(INSTALLED) ## build the docs site into _docs/
	$(BIN)/python tools/docs.py $(ARGS)

serve-docs: docs ## build the docs and serve them on http://127.0.0.1:8000 (search needs HTTP, not file://)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _docs 8000

export: $(INSTALLED) ## regenerate both packages and README.md from the notebooks, and clean the notebooks
	$(BIN)/python tools/export.py
	$(BIN)/nbdev_clean

clean-venv: ## remove the environment (the next command rebuilds it)
	rm -rf $(VENV)
