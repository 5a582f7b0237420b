"""Every file of the bad-input corpus: exit 2, one line naming the problem, no traceback, inputs untouched."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.badinput.corpus import CASES, Case
from workbench.cli import run


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_has_at_least_30_cases_with_distinct_names() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 30 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_TRACEBACK", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "in"
    folder.mkdir()
    argv = case.build(folder)
    before = _snapshot(folder)
    started = time.perf_counter()
    code = run(argv)
    seconds = time.perf_counter() - started
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip() and not line.startswith(
        ("Learning a simulation model", "simulating "))]
    assert "Traceback" not in captured.out + captured.err
    assert code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "this is a bug" not in lines[0], lines[0]
    assert re.search(case.expect, lines[0], flags=re.IGNORECASE), lines[0]
    after = _snapshot(folder)
    for name, data in before.items():
        assert after.get(name) == data, f"input {name} changed"
    assert seconds < 10, f"{case.name} took {seconds:.1f} s"
