# govmon — set-up and everyday commands. Everything installs into .venv on first use,
# pinned by requirements.lock (regenerate with `make lock` after changing pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test run lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test,postgres,bench]'
	touch $(STAMP)

demo: $(STAMP)   ## install (first use) and run the offline demonstration
	$(BIN)/govmon demo

serve: $(STAMP)  ## the demonstration, then its web view, feeds and API at http://127.0.0.1:8080 (Ctrl-C stops)
	$(BIN)/govmon demo --serve

test: $(STAMP)   ## install (first use) and run the whole test suite
	$(BIN)/python -m pytest

run: $(STAMP)    ## one monitoring pass over the configured live sources into the default store
	$(BIN)/govmon run

lock: $(BIN)/python   ## re-resolve dependencies and rewrite requirements.lock
	$(BIN)/pip install --quiet --upgrade -e '.[test,postgres,bench]'
	$(BIN)/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
