# The README's two commands: `make report` (the notebooks executed into build/report/) and `make test`.
# Each creates the virtual environment it needs in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: report test lint datasets clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebooks]'
	touch $@

report: $(VENV)/.installed
	$(VENV)/bin/polls report --output build/report

test: $(VENV)/.installed
	$(PY) -m ruff check src tests scripts benchmarks
	$(PY) -m pytest -n 2 -q

lint: $(VENV)/.installed
	$(PY) -m ruff check src tests scripts benchmarks

datasets: $(VENV)/.installed
	$(PY) scripts/build_datasets.py

clean:
	rm -rf build $(VENV)
