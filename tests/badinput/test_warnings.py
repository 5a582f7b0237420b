"""Input the workbench accepts but must not use silently: a one-case log simulated gets a warning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.badinput.corpus import FILES
from workbench.cli import run


def test_a_one_case_log_is_simulated_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = (FILES / "good.csv").read_text(encoding="utf-8").splitlines()[:3]  # header and case 1 only
    (tmp_path / "one.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "log.yaml").write_text("name: one\nsource: {path: one.csv}\n"
                                       "columns: {case_id: case, activity: act, timestamp: ts}\n", encoding="utf-8")
    shutil.copy(FILES / "scenario_ok.yaml", tmp_path / "scenario.yaml")
    code = run(["simulate", str(tmp_path / "log.yaml"), "--scenario", str(tmp_path / "scenario.yaml"),
                "--out", str(tmp_path / "out"), "-n", "2", "--jobs", "1", "--days", "5", "--warmup-days", "0"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: the model was learned from only 1 case of 'one'" in err


def test_run_experiment_returns_the_warning_and_none_for_enough_cases(tmp_path: Path) -> None:
    from workbench.simulation.experiment import FEW_CASES, _few_cases_warning
    from workbench.simulation.model import FitInfo

    class _Model:
        def __init__(self, cases: int) -> None:
            self.fitted_on = FitInfo(log="x", cases=cases)

    assert _few_cases_warning(_Model(1))  # type: ignore[arg-type]
    assert _few_cases_warning(_Model(FEW_CASES)) == ()  # type: ignore[arg-type]
    assert _few_cases_warning(_Model(0)) == ()  # type: ignore[arg-type]  (a hand-written model: unknown)
