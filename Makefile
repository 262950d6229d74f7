# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Airflow 3 and the provider's tests live in their own environment: the main one stays light.
AIRFLOW_VENV  := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

.PHONY: run test test-airflow lint bench install install-airflow clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(AIRFLOW_VENV)/bin/python:
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip

$(AIRFLOW_STAMP): $(AIRFLOW_VENV)/bin/python pyproject.toml
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -e '.[airflow,test]'
	touch $(AIRFLOW_STAMP)

install-airflow: $(AIRFLOW_STAMP)

run: $(STAMP)
	$(BIN)/amc-cltv run --workflow segmentation

lint: $(STAMP)
	$(BIN)/ruff check amc_cltv tests bench examples
	$(BIN)/ruff format --check amc_cltv tests bench examples
	$(BIN)/mypy

# The report's browser test needs Debian's chromium: installed where we are root, else that one test skips.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null); } \
	  || echo "chromium unavailable: the browser test will skip"

test: $(STAMP) $(AIRFLOW_STAMP) lint browser
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) test-airflow

# The example DAG under real Airflow 3 (dag.test) against a real `sandbox serve`.
test-airflow: $(AIRFLOW_STAMP)
	$(AIRFLOW_VENV)/bin/python -m pytest tests/airflow_provider -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) .amc-cltv results .pytest_cache .mypy_cache .ruff_cache
