"""Many desks side by side: aggregates only, small desks suppressed, the same on every executor."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import run
from workbench.compute import DaskExecutor
from workbench.config import load_log_config
from workbench.desks import compare_desks
from workbench.errors import ConfigError


def _desk(repo_root: Path, folder: Path, name: str, seed: int, days: int = 30, min_group: int = 10) -> Path:
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    assert "name: demo\n" in text and "days: 365" in text and "seed: 42" in text
    text = text.replace("name: demo\n", f"name: {name}\n").replace("days: 365", f"days: {days}")
    text = text.replace("seed: 42", f"seed: {seed}").replace(
        "min_group_size: 10", f"min_group_size: {min_group}"
    )
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_desks_side_by_side_with_aggregates_only_and_small_desks_suppressed(
    tmp_path, repo_root, dask_cluster
):
    paths = [
        _desk(repo_root, tmp_path, "Aarhus", seed=1),
        _desk(repo_root, tmp_path, "Odense", seed=2),
        _desk(repo_root, tmp_path, "Læsø", seed=3, days=10, min_group=100_000),
    ]
    configs = [load_log_config(p) for p in paths]
    result = compare_desks(configs)
    assert result.suppressed == ("Læsø",)
    assert list(result.table.columns) == ["question", "metric", "unit", "Aarhus", "Odense"]
    desk = result.table[result.table["question"] == "desk"].set_index("metric")
    assert {"cases", "cycle_time_median_h", "reopen_rate"} <= set(desk.index)
    assert desk.loc["cases", "Aarhus"] > 100 and desk.loc["cases", "Aarhus"] != desk.loc["cases", "Odense"]
    assert 0 < desk.loc["reopen_rate", "Aarhus"] < 1
    assert {"team_speed", "routing", "reopens", "time_split"} <= set(result.table["question"])
    with DaskExecutor(dask_cluster.address) as ex:
        remote = compare_desks(configs, executor=ex)
    pd.testing.assert_frame_equal(remote.table, result.table)
    assert remote.suppressed == result.suppressed
    # no identifier leaves a desk: no agent, user or ticket id appears anywhere in the comparison
    from workbench.io import load_log

    events = load_log(configs[0], pseudonymise=False).events
    ids = set(events["resource"].dropna().astype(str)) | set(events["case_id"].astype(str))
    text = result.table.to_csv() + result.figures.to_csv() + result.unanswered.to_csv()
    assert not [i for i in ids if len(i) > 3 and i in text]

    out = tmp_path / "out"
    assert run(["compare-desks", *map(str, paths), "--out", str(out)]) == 0
    written = pd.read_csv(out / "desks_comparison.csv")
    assert list(written.columns) == ["question", "metric", "unit", "Aarhus", "Odense"]
    assert written["Aarhus"].tolist() == pytest.approx(result.table["Aarhus"].tolist(), nan_ok=True)


def test_desks_need_distinct_names(tmp_path, repo_root, capsys):
    a = _desk(repo_root, tmp_path, "Aarhus", seed=1)
    with pytest.raises(ConfigError, match="two log configs are both named 'Aarhus'"):
        compare_desks([load_log_config(a), load_log_config(a)])
    assert run(["compare-desks", str(a), str(a), "--out", str(tmp_path / "o")]) == 2
    assert "error: two log configs are both named 'Aarhus'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_desks_experiment_gives_the_same_numbers_on_a_real_dask_cluster(tmp_path, dask_cluster):
    """`desks:` in an experiment, run by the pipeline on a scheduler and two worker processes."""
    from tests.pipeline.conftest import desk_run

    here = desk_run(tmp_path / "here", None)  # the pipeline's default: a local pool (n_jobs 1: in process)
    with DaskExecutor(dask_cluster.address) as ex:
        remote = desk_run(tmp_path / "dask", ex)
    pd.testing.assert_frame_equal(remote, here)
