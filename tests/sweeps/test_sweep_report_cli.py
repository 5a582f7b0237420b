"""``workbench sweep`` writes report.html with the staffing curve."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compute.conftest import small_desk
from workbench.cli import run
from workbench.simulation import model_to_yaml


@pytest.mark.slow
def test_sweep_writes_a_report_with_the_curve(tmp_path: Path, repo_root: Path) -> None:
    model = tmp_path / "desk.yaml"
    model.write_text(model_to_yaml(small_desk()), encoding="utf-8")
    out = tmp_path / "out"
    code = run(["sweep", str(repo_root / "configs" / "logs" / "demo.yaml"), "--model", str(model), "--out", str(out),
                "-n", "2", "--days", "14", "--warmup-days", "7", "--team", "IT", "--staff", "1..3",
                "--target", "resolved_within:1d>=0.8", "--language", "da", "--per-task", "2"])
    assert code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Bemandingskurve" in page and "data:image/svg+xml" in page


def test_an_unknown_report_language_is_one_line(tmp_path: Path, repo_root: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["sweep", str(repo_root / "configs" / "logs" / "demo.yaml"), "--out", str(tmp_path / "o"),
                "--language", "sv"])
    assert code == 2
    assert "language 'sv' is not available; choose one of da, en" in capsys.readouterr().err
