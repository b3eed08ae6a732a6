# The README's two commands: `make report` (the notebooks executed into build/report/) and `make test`.
# Each creates the virtual environment it needs in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: report test lint datasets clean bench

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

# The raking peers need Python 3.12+ (rimpy) and do not all install beside each other in .venv.
BENCH_PYTHON ?= python3.12
benchmarks/.venv/.installed:
	$(BENCH_PYTHON) -m venv benchmarks/.venv
	benchmarks/.venv/bin/python -m pip install --quiet rimpy weightipy ipfn balance samplics svy \
		leafblower polars numpy pandas scipy pyarrow
	touch $@

bench: $(VENV)/.installed benchmarks/.venv/.installed
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_trend.py
	$(PY) benchmarks/bench_read_long.py --out benchmarks/results/read.md
	benchmarks/.venv/bin/python benchmarks/bench_rake.py --out benchmarks/results/rake.md
