"""Key figures of one simulated replication, overall and per user group.

Only cases that arrive inside the measurement window (after the warm-up) count.
Times are hours of elapsed (calendar) time:

- ``resolution_time_h`` (mean): time to resolution, arrival to the last resolving status
  (``statuses.resolved``; the case's end when it has none) -- the figure a manager sees first;
- ``cycle_time_h`` (mean), ``cycle_time_median_h``, ``cycle_time_p90_h``: time to closure,
  arrival to end of finished cases;
- ``waiting_time_h``: time queueing for a worker plus delays that are not the user's;
- ``waiting_on_user_h``: time after statuses that hand the case to the user (waiting for
  the user, a mail to the user, a resolution awaiting confirmation);
- ``work_time_h``: time being worked on (including pauses outside working hours);
- ``throughput_per_week``: cases finished inside the window per week;
- ``backlog_mean`` and ``backlog_end``: open cases, on average and at the window's end;
- ``unfinished_cases``: cases of the window still open when the run stopped;
- ``team_wait_h:<team>``: mean time a case queued at the team, summed over its pick-ups there
  (a worker keeps a case over consecutive steps; a reopen or a return queues again);
- ``utilisation:<team>``: share of the team's working time its staff held a case.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.schema import TEAM
from workbench.simulation.engine import SimulationRun

__all__ = ["CASE_KPIS", "GROUP_KPIS", "run_kpis"]

#: Per-case KPIs reported overall and per group (mean over finished cases).
GROUP_KPIS: tuple[str, ...] = (
    "resolution_time_h",
    "cycle_time_h",
    "waiting_time_h",
    "waiting_on_user_h",
    "work_time_h",
)
CASE_KPIS: tuple[str, ...] = (*GROUP_KPIS, "cycle_time_median_h", "cycle_time_p90_h")


def run_kpis(
    run: SimulationRun, *, group_attributes: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KPIs of one replication.

    Returns
    -------
    kpis : pandas.DataFrame
        Columns ``kpi``, ``value``, ``n_cases``.
    group_kpis : pandas.DataFrame
        Columns ``attribute``, ``group``, ``kpi``, ``value``, ``n_cases``.
    """
    c = run.cases
    w0 = (run.window_start - run.start).total_seconds()
    w1 = (run.window_end - run.start).total_seconds()
    inside = c[(c["arrival_s"] >= w0) & (c["arrival_s"] < w1)]
    done = inside[inside["finished"]]
    done = done.assign(work_time_h=done["work_h"])
    n = len(done)
    rows = [(k, float(done[k].mean()) if n else np.nan, n) for k in GROUP_KPIS]
    rows.append(("cycle_time_median_h", float(done["cycle_time_h"].median()) if n else np.nan, n))
    rows.append(("cycle_time_p90_h", float(done["cycle_time_h"].quantile(0.9)) if n else np.nan, n))
    weeks = max((w1 - w0) / (7 * 86400.0), 1e-9)
    ends = c["end_s"].to_numpy()
    finished_in = int(((ends >= w0) & (ends < w1) & c["finished"].to_numpy()).sum())
    rows.append(("throughput_per_week", finished_in / weeks, finished_in))
    arr = c["arrival_s"].to_numpy()
    end_open = np.where(c["finished"].to_numpy(), ends, np.inf)
    overlap = np.clip(np.minimum(end_open, w1) - np.maximum(arr, w0), 0.0, None)
    rows.append(("backlog_mean", float(overlap.sum() / max(w1 - w0, 1e-9)), len(c)))
    rows.append(("backlog_end", float(((arr < w1) & (end_open > w1)).sum()), len(c)))
    rows.append(("unfinished_cases", float((~inside["finished"]).sum()), len(inside)))
    waits = run.team_waits
    in_ids = set(inside["case_id"].tolist())
    waits = waits[waits["case_id"].isin(in_ids)]
    for team, g in waits.groupby(TEAM, sort=True):
        rows.append((f"team_wait_h:{team}", float(g["queue_h"].mean()), int(g["case_id"].nunique())))
    for _, u in run.team_usage.iterrows():
        value = u["busy_h"] / u["available_h"] if u["available_h"] > 0 else np.nan
        rows.append((f"utilisation:{u[TEAM]}", float(value), int(u["staff"])))
    kpis = pd.DataFrame(rows, columns=["kpi", "value", "n_cases"])
    group_rows = []
    for attr in group_attributes:
        if attr not in done.columns:
            continue
        for group, g in done.groupby(attr, sort=True, dropna=False):
            label = "(missing)" if pd.isna(group) else str(group)
            for k in GROUP_KPIS:
                group_rows.append((attr, label, k, float(g[k].mean()), len(g)))
    group_kpis = pd.DataFrame(group_rows, columns=["attribute", "group", "kpi", "value", "n_cases"])
    return kpis, group_kpis
