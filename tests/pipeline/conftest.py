"""A small experiment on a short generated demo log, written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def write_experiment(folder: Path, *, days: int = 45, stages: list[str] | None = None,
                     scenarios: list[str] | None = None) -> Path:
    """Write a log config (demo, ``days`` long), an audit config and an experiment into ``folder``."""
    log = yaml.safe_load((REPO / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
    log["source"]["days"] = days
    (folder / "log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    audit = yaml.safe_load((REPO / "configs" / "audits" / "demo_departments.yaml").read_text(encoding="utf-8"))
    audit.update(log=str(folder / "log.yaml"), replicates=50)
    (folder / "audit.yaml").write_text(yaml.safe_dump(audit, allow_unicode=True), encoding="utf-8")
    experiment = {
        "name": "tiny",
        "description": "Tiny demo pipeline",
        "log": str(folder / "log.yaml"),
        "seed": 3,
        "rules": str(REPO / "configs" / "rules" / "service_levels.yaml"),
        "simulation": {
            "scenarios": scenarios or [str(REPO / "configs" / "scenarios" / "demo_add_infra_staff.yaml")],
            "replications": 2,
            "refits": 2,
            "n_jobs": 1,
        },
        "training": {
            "configs": [str(REPO / "configs" / "training" / "demo_duration.yaml"),
                        str(REPO / "configs" / "training" / "demo_reopen.yaml")],
            "trials": 2,
        },
        "audit": str(folder / "audit.yaml"),
        "mlflow_uri": f"sqlite:///{folder / 'mlruns' / 'mlflow.db'}",
        "output": str(folder / "out"),
    }
    if stages is not None:
        experiment["stages"] = stages
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(experiment, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory):
    """The whole pipeline, run once for the module's tests."""
    import os

    from workbench.pipeline import load_experiment

    folder = tmp_path_factory.mktemp("pipeline")
    path = write_experiment(folder)
    os.environ.setdefault("WORKBENCH_SECRET", "test-secret-key-for-the-workbench-suite-0123456789")
    lines: list[str] = []
    outcome = run(load_experiment(path), generated_at="2026-11-22 10:00 UTC", progress=lines.append)
    return folder, outcome, lines


def run(experiment, **kwargs):  # type: ignore[no-untyped-def]
    """Run the pipeline with the experiment's own MLflow store (as the command line does)."""
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.pipeline import run_pipeline

    return run_pipeline(experiment, mlflow_uri=resolve_tracking_uri(experiment.mlflow_uri), **kwargs)


def write_desks(folder: Path, desks: dict[str, tuple[int, int]], *, min_group: dict[str, int] | None = None,
                experiment: dict | None = None) -> Path:
    """Write one demo log config per desk (name -> (seed, days)) and a desks experiment naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, (seed, days) in desks.items():
        log = yaml.safe_load((REPO / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
        log["name"] = f"log-{seed}"
        log["source"].update(seed=seed, days=days)
        log["privacy"]["min_group_size"] = (min_group or {}).get(name, 10)
        path = folder / f"desk_{seed}.yaml"
        path.write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
        entries.append({"name": name, "log": path.name})
    data = {"name": "desks", "desks": entries, "seed": 7, "output": str(folder / "out"),
            "mlflow_uri": f"sqlite:///{folder / 'mlruns' / 'mlflow.db'}", "simulation": {"n_jobs": 1},
            **(experiment or {})}
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


DESKS = {"Aarhus": (1, 20), "Odense": (2, 15), "Læsø": (3, 2)}


def desk_run(folder: Path, executor: object) -> pd.DataFrame:
    """Run the desks experiment on ``executor``; return the written comparison (checked for privacy)."""
    import re

    from workbench.pipeline import load_experiment

    experiment = load_experiment(write_desks(folder, DESKS, min_group={"Læsø": 300}))
    outcome = run(experiment, generated_at="2026-12-05 08:00 UTC", executor=executor)
    out = folder / "out" / "desks"
    result = outcome.results.desks
    assert result is not None and result.suppressed == ("Læsø",)
    assert (out / "desks_suppressed.txt").read_text(encoding="utf-8") == "Læsø\n"
    written = pd.read_csv(out / "desks_comparison.csv")
    assert list(written.columns) == ["question", "metric", "unit", "Aarhus", "Odense"]
    # nothing keyed by person leaves a desk: no raw or pseudonymised staff/user id in any file
    ids = re.compile(r"agent-\d{3}|user-\d{5}|staff-[0-9a-f]{16}|user-[0-9a-f]{16}")
    for path in out.iterdir():
        assert not ids.search(path.read_text(encoding="utf-8")), path
    return written
