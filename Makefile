# The two set-up commands of the README:
#   make demo   create .venv, install the workbench, run the main job on the built-in demo data
#   make test   create .venv, install the workbench with its test tools, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test benchmark clean-venv

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(BIN)/.installed
	$(BIN)/workbench demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2

benchmark: $(BIN)/.installed
	$(BIN)/python benchmarks/foundation.py

clean-venv:
	rm -rf $(VENV)
