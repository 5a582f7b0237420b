"""Small hand-made logs for the analysis tests."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.config import StatusMeanings

FIRST_LINE = "FL"


def _make_log(rows: list[tuple], extra: dict[str, list] | None = None) -> pd.DataFrame:
    """Canonical events from ``(case_id, activity, 'YYYY-MM-DD HH:MM' UTC, team[, resource])`` tuples."""
    case, act, ts, team, res = [], [], [], [], []
    for row in rows:
        case.append(row[0])
        act.append(row[1])
        ts.append(row[2])
        team.append(row[3] if len(row) > 3 else None)
        res.append(row[4] if len(row) > 4 else None)
    df = pd.DataFrame(
        {
            "case_id": pd.Series(case, dtype="object"),
            "activity": pd.Series(act, dtype="object"),
            "timestamp": pd.to_datetime(ts, utc=True),
            "start_timestamp": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns, UTC]"),
            "resource": pd.Series(res, dtype="object"),
            "team": pd.Series(team, dtype="object"),
            "lifecycle": pd.Series([None] * len(rows), dtype="object"),
        }
    )
    for name, values in (extra or {}).items():
        df[name] = values
    return df.sort_values(["case_id", "timestamp"], kind="stable").reset_index(drop=True)


@pytest.fixture
def statuses() -> StatusMeanings:
    return StatusMeanings(
        registered=("Registered",),
        assigned=("Assigned",),
        in_progress=("In progress",),
        waiting_on_user=("Waiting for user",),
        blocked=("Blocked",),
        forwarded=("Forwarded",),
        sent_back=("Sent back",),
        resolved=("Resolved",),
        reopened=("Reopened",),
        closed=("Closed",),
        message_to_user=("Mail to user",),
        message_from_user=("Mail from user",),
        first_line_team=FIRST_LINE,
    )


@pytest.fixture
def make_log():
    """Factory of canonical logs from ``(case_id, activity, time, team[, resource])`` tuples."""
    return _make_log
