"""Scoring open cases: one ranked row per open case, with reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.models import open_cases, score_open_cases


@pytest.mark.slow
def test_every_open_case_is_scored_and_ranked(duration_result, reopen_result, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    models = [duration_result.model, reopen_result.model]
    scored = score_open_cases(demo_events, models=models, top_features=2)
    expected = set(open_cases(demo_events, end_activities=("Closed",)))
    assert set(scored["case_id"]) == expected and len(scored) == len(expected) > 0
    assert list(scored["rank"]) == list(range(1, len(scored) + 1))
    remaining = scored["predicted_remaining_days"].to_numpy()
    assert (np.diff(remaining) <= 1e-12).all() and (remaining >= 0).all()
    assert (scored["predicted_end"] >= scored["last_event_at"]).all()
    assert scored["remaining_reasons"].str.count(";").eq(1).all()  # two features each
    resolved = scored["last_activity"] == "Resolved with mail"
    assert scored.loc[resolved, "reopen_probability"].between(0, 1).all()
    assert scored.loc[~resolved, "reopen_probability"].isna().all()
    assert (scored.loc[resolved, "predicted_remaining_days"] == 0).all()  # resolved: nothing left to resolution
    by_reopen = score_open_cases(demo_events, models=models, rank_by="reopen", top_features=0)
    probs = by_reopen["reopen_probability"].dropna().to_numpy()
    assert (np.diff(probs) <= 1e-12).all() and by_reopen["reopen_probability"].iloc[: len(probs)].notna().all()
    assert "remaining_reasons" not in by_reopen.columns or by_reopen["remaining_reasons"].isna().all()


@pytest.mark.slow
def test_scoring_rejects_bad_requests(duration_result, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="give at least one model"):
        score_open_cases(demo_events, models=[])
    with pytest.raises(ConfigError, match="at most one remaining-time model"):
        score_open_cases(demo_events, models=[duration_result.model, duration_result.model])
    with pytest.raises(ConfigError, match="rank_by must be 'remaining' or 'reopen'"):
        score_open_cases(demo_events, models=[duration_result.model], rank_by="age")  # type: ignore[arg-type]
