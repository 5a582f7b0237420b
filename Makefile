# The two set-up commands of the README:
#   make demo   create .venv, install the locked runtime, run the main job on the built-in demo data
#   make test   create .venv, install the locked runtime and test tools, run the whole test suite
# Both install exactly the versions in requirements/*.txt (hashes checked); pyproject.toml keeps
# the compatible ranges. Refresh the locks with `make lock` after changing dependencies.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: demo test test-fast lint lock benchmark bench-tools clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The build backend is locked too; the project itself is installed without build isolation.
$(VENV)/.installed-main: $(BIN)/python requirements/main.txt requirements/build.txt pyproject.toml
	$(PIP) install --require-hashes -r requirements/build.txt
	$(PIP) install --require-hashes -r requirements/main.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-main requirements/dev.txt
	$(PIP) install --require-hashes -r requirements/dev.txt
	touch $@

# polars, for benchmarks/reading.py's side-by-side comparison (not needed to run or test the workbench)
$(VENV)/.installed-bench: $(VENV)/.installed-dev requirements/bench.txt
	$(PIP) install --require-hashes -r requirements/bench.txt
	touch $@

bench-tools: $(VENV)/.installed-bench

demo: $(VENV)/.installed-main
	$(BIN)/workbench demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/python scripts/lock.py --check
	$(BIN)/ruff check workbench tests benchmarks scripts
	$(BIN)/mypy workbench

lock: $(VENV)/.installed-dev
	$(BIN)/python scripts/lock.py

benchmark: $(VENV)/.installed-main
	$(BIN)/python benchmarks/foundation.py

clean-venv:
	rm -rf $(VENV)
