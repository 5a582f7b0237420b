"""Docstring examples run as tests: a drift in what they print fails here."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

#: Modules whose docstring examples are runnable (add a module when you make its examples runnable).
MODULES = ("workbench.config.paths", "workbench.compute.executors", "workbench.schema",
           "workbench.usecases.load", "workbench.usecases.discover", "workbench.usecases.partitioned")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # examples name configs/ relative to the repository, as the README does
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
