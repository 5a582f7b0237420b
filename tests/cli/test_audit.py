"""End-to-end tests of ``workbench audit``: outputs and the exit code that gates a pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.cli import run


def _demo_log_config(repo_root: Path, folder: Path, days: int) -> Path:
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    assert "days: 365" in text
    path = folder / "demo_small.yaml"
    path.write_text(text.replace("days: 365", f"days: {days}"), encoding="utf-8")
    return path


def _audit_config(folder: Path, log: Path, *, name: str, plant: bool, extra: str = "") -> Path:
    text = (f"name: {name}\nlog: {log}\naudits: [historical{', model, process' if extra else ''}]\n"
            "group_attributes: [department]\nseed: 3\ncase_noun: tickets\n"
            "historical: {outcomes: [cycle_time, queue_wait], strata: [priority]}\n")
    if plant:
        text += "demo: {disadvantaged_department: Jobcenter}\n"
    path = folder / f"{name}.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.slow
def test_audit_exit_codes_and_outputs(tmp_path, repo_root, capsys):
    log = _demo_log_config(repo_root, tmp_path, days=60)
    # a scores table without the group column (joined from the log) that under-predicts Jobcenter
    from workbench.config import load_log_config
    from workbench.io import load_log

    events = load_log(load_log_config(log)).events
    cases = events.drop_duplicates("case_id")[["case_id", "department"]]
    rng = np.random.default_rng(0)
    y = rng.exponential(50.0, len(cases))
    pred = y + rng.normal(0, 5.0, len(cases)) - np.where(cases["department"] == "Jobcenter", 40.0, 0.0)
    pd.DataFrame({"case_id": cases["case_id"], "y_true": y, "y_pred": pred}).to_csv(tmp_path / "scores.csv",
                                                                                   index=False)
    sim = tmp_path / "sim"
    sim.mkdir()
    from tests.fairness.conftest import make_group_kpis

    group_kpis, kpis = make_group_kpis(worse_group="Jobcenter", worse_factor=1.3,
                                       sizes={"Jobcenter": 300.0, "HR": 300.0, "Økonomi": 300.0})
    group_kpis.to_csv(sim / "group_kpis.csv", index=False)
    kpis.to_csv(sim / "kpis.csv", index=False)
    extra = f"model: {{scores: {tmp_path / 'scores.csv'}, time_unit: h}}\nprocess: {{results: {sim}}}\n"

    planted = _audit_config(tmp_path, log, name="planted", plant=True, extra=extra)
    out = tmp_path / "out_planted"
    assert run(["audit", str(planted), "--out", str(out), "--replicates", "100"]) == 1
    printed = capsys.readouterr().out
    assert "FLAGGED  Department 'Jobcenter'" in printed
    table = pd.read_csv(out / "audit.csv")
    flagged = table[table["flagged"]]
    assert set(flagged["group"]) == {"Jobcenter"}
    assert set(flagged["audit"]) == {"historical", "model", "process"}
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    assert (out / "settings.json").exists()

    clean = _audit_config(tmp_path, log, name="clean", plant=False)
    assert run(["audit", str(clean), "--out", str(tmp_path / "out_clean"), "--replicates", "100", "-q"]) == 0
    assert "0 of 8 groups flagged" in capsys.readouterr().out


def test_audit_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nlog: nowhere.yaml\nflag: {reference: worst}\n", encoding="utf-8")
    assert run(["audit", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("error: audit config")
    missing = tmp_path / "missing.yaml"
    missing.write_text("name: m\nlog: nowhere.yaml\n", encoding="utf-8")
    assert run(["audit", str(missing)]) == 2
    assert "nowhere.yaml' does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_audit_simulates_a_scenario(tmp_path, repo_root):
    log = _demo_log_config(repo_root, tmp_path, days=45)
    scenario = repo_root / "configs" / "audits" / "scenarios" / "lower_jobcenter_priority.yaml"
    config = tmp_path / "prio.yaml"
    config.write_text(f"name: prio\nlog: {log}\naudits: [process]\ngroup_attributes: [department]\nseed: 1\n"
                      f"process: {{scenario: {scenario}, replications: 3}}\n", encoding="utf-8")
    code = run(["audit", str(config), "--out", str(tmp_path / "out"), "-q"])
    assert code in (0, 1)
    table = pd.read_csv(tmp_path / "out" / "audit.csv")
    assert set(table["audit"]) == {"process"}
    wait = table[(table["group"] == "Jobcenter") & (table["metric"] == "waiting_time_h")].iloc[0]
    assert wait["ratio"] > 1  # served later: waits longer
