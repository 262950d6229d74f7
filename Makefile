# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/amc-cltv run --workflow segmentation

lint: $(STAMP)
	$(BIN)/ruff check amc_cltv tests bench
	$(BIN)/ruff format --check amc_cltv tests bench
	$(BIN)/mypy

# The report's browser test needs Debian's chromium: installed where we are root, else that one test skips.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null); } \
	  || echo "chromium unavailable: the browser test will skip"

test: $(STAMP) lint browser
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .amc-cltv results .pytest_cache .mypy_cache .ruff_cache
