"""Each shipped log config reads its real log from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import load_log_config
from workbench.io import load_log
from workbench.schema import ACTIVITY, START_TIMESTAMP, TEAM

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "logs"


def load(name: str):
    return load_log(load_log_config(CONFIGS / f"{name}.yaml"))


@pytest.mark.slow
def test_bpic2013_incidents(shared_data: Path) -> None:
    loaded = load("bpic2013_incidents")
    assert (loaded.quality.cases_kept, loaded.quality.events_read) == (7554, 65533)
    assert "Accepted/Wait - User" in set(loaded.events[ACTIVITY])
    assert loaded.events[TEAM].notna().all()
    assert loaded.events["resource"].str.startswith("staff-").all()


def test_helpdesk(shared_data: Path) -> None:
    loaded = load("helpdesk_4tu")
    assert loaded.quality.cases_kept == 4580 and loaded.quality.activities == 14


def test_sepsis_case_attributes_spread(shared_data: Path) -> None:
    loaded = load("sepsis")
    assert loaded.quality.cases_kept == 1050 and loaded.quality.events_read == 15214
    per_case = loaded.events.groupby("case_id")["age"].nunique(dropna=False)
    assert (per_case == 1).all()


@pytest.mark.slow
def test_bpic2012_pairs_start_and_complete(shared_data: Path) -> None:
    loaded = load("bpic2012")
    assert loaded.quality.cases_kept == 13087
    work = loaded.events[loaded.events[ACTIVITY].str.startswith("W_")]
    assert work[START_TIMESTAMP].notna().mean() > 0.9
    paired = work[work[START_TIMESTAMP].notna()]
    assert (paired[START_TIMESTAMP] <= paired["timestamp"]).all()
