# The README's two commands: `make report` (the notebooks executed into build/report/) and `make test`.
# Each creates the virtual environment it needs in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: report test lint datasets clean bench lab

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebooks]'
	touch $@

report: $(VENV)/.installed
	$(VENV)/bin/polls report --output build/report

# Open the notebooks in JupyterLab (part of the notebooks extra).
lab: $(VENV)/.installed
	$(VENV)/bin/jupyter lab notebooks

test: $(VENV)/.installed
	$(PY) -m ruff check src tests scripts benchmarks
	$(PY) -m pytest -n 2 -q

lint: $(VENV)/.installed
	$(PY) -m ruff check src tests scripts benchmarks

datasets: $(VENV)/.installed
	$(PY) scripts/build_datasets.py

# `make docs`: the documentation site (Sphinx, sources in docs/) into build/docs/html/, built
# afresh each time (the gallery notebooks run again), with warnings as errors.
.PHONY: docs
$(VENV)/.installed-docs: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

docs: $(VENV)/.installed-docs
	$(PY) -m ruff check docs
	rm -rf build/docs
	$(PY) -m sphinx -b html -W --keep-going -n -j auto docs build/docs/html -d build/docs/doctrees
	@echo "Documentation: build/docs/html/index.html"

clean:
	rm -rf build $(VENV)

# The raking peers need Python 3.12+ (rimpy) and do not all install beside each other in .venv.
BENCH_PYTHON ?= python3.12
benchmarks/.venv/.installed:
	$(BENCH_PYTHON) -m venv benchmarks/.venv
	benchmarks/.venv/bin/python -m pip install --quiet rimpy weightipy ipfn balance samplics svy \
		leafblower polars numpy pandas scipy pyarrow
	touch $@

# samplics' crosstab needs polars 1.x; svy needs polars 2 (bench_design.py uses both).
benchmarks/.venv-samplics/.installed:
	$(BENCH_PYTHON) -m venv benchmarks/.venv-samplics
	benchmarks/.venv-samplics/bin/python -m pip install --quiet samplics 'polars[pyarrow]>=1.37,<2' \
		numpy pandas scipy
	touch $@

bench: $(VENV)/.installed benchmarks/.venv/.installed benchmarks/.venv-samplics/.installed
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_trend.py
	$(PY) benchmarks/bench_read.py
	$(PY) benchmarks/bench_read_long.py --out benchmarks/results/read_long.md
	benchmarks/.venv/bin/python benchmarks/bench_rake.py --out benchmarks/results/rake.md
	benchmarks/.venv/bin/python benchmarks/bench_design.py --sizes 1e5 1e6 1e7 \
		--out benchmarks/results/design.md
