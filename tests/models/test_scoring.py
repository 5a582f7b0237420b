"""Scoring open cases: one ranked row per open case, with reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError, EventLogError
from workbench.models import open_cases, parse_as_of, score_open_cases


@pytest.mark.slow
def test_every_open_case_is_scored_and_ranked(duration_result, reopen_result, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    models = [duration_result.model, reopen_result.model]
    scored = score_open_cases(demo_events, models=models, top_features=2)
    expected = set(open_cases(demo_events, end_activities=("Closed",)))
    assert set(scored["case_id"]) == expected and len(scored) == len(expected) > 0
    assert list(scored["rank"]) == list(range(1, len(scored) + 1))
    remaining = scored["predicted_remaining_days"].to_numpy()
    assert (np.diff(remaining) <= 1e-12).all() and (remaining >= 0).all()
    resolved = scored["last_activity"] == "Resolved with mail"
    as_of = demo_events["timestamp"].max()
    assert (scored["as_of"] == as_of).all()
    assert (scored.loc[~resolved, "predicted_end"] > as_of).all()  # counted from now, not from the last event
    assert scored.loc[resolved, "predicted_end"].isna().all()
    assert (scored["idle_days"] >= 0).all() and (scored["elapsed_days"] >= scored["idle_days"]).all()
    assert scored.loc[~resolved, "remaining_reasons"].str.count(";").eq(1).all()  # two features each
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


@pytest.mark.slow
def test_scored_as_of_a_cut_every_expected_end_lies_after_the_cut(  # type: ignore[no-untyped-def]
    duration_result, demo_events: pd.DataFrame
) -> None:
    from workbench.calendar import WorkingCalendar

    model = duration_result.model
    cut = pd.Timestamp("2023-03-15 12:00", tz="UTC")
    scored = score_open_cases(demo_events, models=[model], as_of=cut, top_features=1)
    seen = demo_events[demo_events["timestamp"] <= cut]
    assert set(scored["case_id"]) == set(open_cases(seen, end_activities=("Closed",)))
    waiting = scored["predicted_end"].notna()
    assert waiting.sum() > 10 and (scored.loc[waiting, "predicted_end"] >= cut).all()  # never before the cut
    assert (scored.loc[waiting, "predicted_end"] > cut).mean() > 0.9  # 0 days left only where the model says so
    assert (scored["last_event_at"] <= cut).all()
    assert (scored["idle_days"] - (cut - scored["last_event_at"]).dt.total_seconds() / 86400).abs().max() < 1e-9
    cal = WorkingCalendar.from_config(model.featurizer.calendar)
    assert cal.is_working_time(scored.loc[waiting, "predicted_end"]).all()  # the desk closes in working time
    local = scored.loc[waiting, "predicted_end"].dt.tz_convert(model.featurizer.calendar.timezone)
    assert (local.dt.strftime("%Y-%m-%d") == scored.loc[waiting, "predicted_end_date"]).all()
    # a finished extract: nothing is open
    assert score_open_cases(demo_events, models=[model], as_of=cut, complete_cases=True).empty
    with pytest.raises(EventLogError, match="is before the log's first event"):
        score_open_cases(demo_events, models=[model], as_of="2001-01-01")


def test_parse_as_of_reads_local_dates_and_rejects_others() -> None:
    assert parse_as_of("2024-03-01", timezone="Europe/Copenhagen") == pd.Timestamp("2024-02-29 23:00", tz="UTC")
    assert parse_as_of("2024-07-01T12:00+00:00") == pd.Timestamp("2024-07-01 12:00", tz="UTC")
    with pytest.raises(ConfigError, match=r"as_of 'yesterday' is not a date"):
        parse_as_of("yesterday")


def test_without_closing_statuses_the_open_rule_is_said(duration_result, demo_events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """A log config with no statuses.closed: open means "not ended like a training case", and the result says so."""
    from dataclasses import replace

    from workbench.config import StatusMeanings
    from workbench.usecases import score_open_cases as score_use_case

    mapped = score_use_case(demo_events, [duration_result.model])
    assert mapped.open_rule is None
    bare = replace(duration_result.model, statuses=StatusMeanings())
    guessed = score_use_case(demo_events, [bare])
    assert guessed.open_rule is not None and "maps no closing status" in guessed.open_rule
    for end in bare.featurizer.end_activities_[:5]:
        assert end in guessed.open_rule
    assert score_use_case(demo_events, [bare], complete_cases=True).open_rule is None
