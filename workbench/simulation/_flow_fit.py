"""The process as the model holds it, from the step frame: steps, transitions with their
delays and work times, the case attributes and their joint mix, and which cases are still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import EventLogError
from workbench.schema import CASE_ID, TIMESTAMP
from workbench.simulation.distributions import Duration, fit_duration
from workbench.simulation.model import (
    ActivitySpec,
    CaseMix,
    CaseProfile,
    TransitionSpec,
)

__all__ = ["case_attribute_columns", "case_attribute_table", "case_mix", "find_open_cases", "fit_activities", "fit_delay", "fit_transitions"]


def case_attribute_columns(events, config, explicit, max_values) -> tuple[str, ...]:
    if explicit is not None:
        cols = list(explicit)
        absent = [c for c in cols if c not in events.columns]
        if absent:
            raise EventLogError(
                f"case attribute '{absent[0]}' is not a column of the event log; columns: {list(events.columns)}"
            )
    elif config is not None:
        skip = set(config.person_columns) | set(config.staff_attributes)
        cols = [c for c in config.case_attributes if c not in skip and c in events.columns]
    else:
        cols = []
    keep = []
    for c in cols:
        per_case = events.groupby(CASE_ID, sort=False)[c].first()
        if per_case.nunique() <= max_values:
            keep.append(c)
    return tuple(keep)


def case_attribute_table(events: pd.DataFrame, attrs: Sequence[str]) -> pd.DataFrame:
    """Case attributes in the order of the steps' case codes (factorised case ids, sorted)."""
    ordered = events.sort_values([CASE_ID, TIMESTAMP], kind="stable")
    codes = pd.factorize(ordered[CASE_ID])[0]
    out = pd.DataFrame(index=pd.RangeIndex(codes.max() + 1 if len(codes) else 0))
    for c in attrs:
        first = ordered.groupby(codes, sort=True)[c].first()
        out[c] = first.astype("string").to_numpy()
    return out


def case_mix(case_attrs: pd.DataFrame) -> CaseMix:
    if case_attrs.shape[1] == 0:
        return CaseMix()
    filled = case_attrs.fillna("(missing)")
    counts = filled.value_counts(sort=True)
    total = counts.sum()
    profiles = tuple(
        CaseProfile(
            values=dict(
                zip(
                    filled.columns, (str(v) for v in (key if isinstance(key, tuple) else (key,))), strict=True
                )
            ),
            weight=round(float(n / total), 8),
        )
        for key, n in counts.items()
    )
    return CaseMix(attributes=tuple(case_attrs.columns), profiles=profiles)


def fit_activities(
    f: pd.DataFrame, user_wait: frozenset[str], mode: str, pools: set[str]
) -> dict[str, ActivitySpec]:
    out = {}
    for node, g in f.groupby("node", sort=False):
        uses = bool(g["uses"].iloc[0])
        pool = g["pool"].iloc[0]
        work = fit_duration(g["work"].to_numpy()) if uses or mode == "recorded" else None
        out[str(node)] = ActivitySpec(
            activity=str(g["activity"].iloc[0]),
            team=str(pool) if pool is not None and not pd.isna(pool) and str(pool) in pools else None,
            uses_staff=uses,
            work=work,
            user_wait_after=str(g["activity"].iloc[0]) in user_wait,
            count=len(g),
        )
    return out


def fit_transitions(f: pd.DataFrame, mode: str, min_support: int, max_visit: int) -> list[TransitionSpec]:
    out = []
    visit = np.minimum(f.groupby(["case", "node"]).cumcount().to_numpy() + 1, max_visit)
    f = f.assign(visit=visit)
    g_all = f[~f["first"]]
    for (src, tgt), g in g_all.groupby(["prev_node", "node"], sort=False):
        same = bool(g["continues"].mean() >= 0.5) and bool(g["uses"].iloc[0])
        waits = g[~g["continues"]]
        delay, clock = fit_delay(waits)
        work = None
        if bool(g["uses"].iloc[0]):
            kind = g[g["continues"] == same]
            if len(kind) >= min(min_support, 10):
                work = fit_duration(kind["work"].to_numpy())
        if delay is None and work is None and not same:
            continue
        base = TransitionSpec(
            source=str(src),
            target=str(tgt),
            delay=delay,
            clock=clock,
            same_worker=same,
            work=work,
            count=len(g),
        )
        out.append(base)
        if delay is None or waits["visit"].nunique() < 2:
            continue
        # the delay before a repeated step often depends on how many times it was done already: when
        # it does, every visit level is kept (the highest one stands for "that visit or later")
        column = {"calendar": "delay_cal", "users": "delay_users"}.get(clock, "delay_work")
        overall = float(waits[column].mean())
        levels = []
        for v in range(1, max_visit + 1):
            gv = waits[waits["visit"] == v]
            if len(gv) < min_support:
                break
            levels.append((v, gv))
        differs = any(
            overall > 0 and abs(float(gv[column].mean()) - overall) / overall > 0.1 for _, gv in levels
        )
        if differs and len(levels) > 1:
            for v, gv in levels:
                d_v, _ = fit_delay(gv, clock=clock)
                out.append(base.model_copy(update={"visit": int(v), "delay": d_v, "count": len(gv)}))
    return out


Clock = Literal["working", "calendar", "users"]

#: share of a transition's events outside the team's hours above which its delay is not team time
_OUTSIDE_SHARE = 0.05


def fit_delay(waits: pd.DataFrame, clock: str | None = None) -> tuple[Duration | None, Clock]:
    """The delay of a transition, on the clock that describes it more tightly (lower CV)."""
    if waits.empty:
        return None, "working"
    fixed = clock or waits["clock_fixed"].mode().iloc[0]
    options: dict[Clock, np.ndarray] = {"working": waits["delay_work"].to_numpy(), "calendar": waits["delay_cal"].to_numpy()}
    if "delay_users" in waits:
        users = waits["delay_users"].to_numpy()
        if np.isfinite(users).all():  # every wait is one a user may end (see build_steps)
            options["users"] = users
            if float(waits["outside_team_hours"].mean()) >= _OUTSIDE_SHARE:
                # the log has these events while the team is closed (a user's reply at 16:30):
                # a delay in the team's hours would never end there, however tight its spread
                del options["working"]
    cv = {k: (v.std() / v.mean() if v.mean() > 0 else np.inf) for k, v in options.items()}
    # a fixed clock if it applies, else the tightest (ties: the first, working)
    which = next((k for k in options if k == fixed), min(cv, key=lambda k: cv[k]))
    chosen = options[which]
    if chosen.mean() <= 1.0:
        return None, which
    return fit_duration(chosen), which


def find_open_cases(events: pd.DataFrame, f: pd.DataFrame, statuses: StatusMeanings, days: float) -> np.ndarray:
    n = int(f["case"].max()) + 1 if len(f) else 0
    if not statuses.closed:
        return np.zeros(n, dtype=bool)
    last = f.groupby("case").tail(1)
    log_end = f["end"].max()
    is_open = ~last["activity"].isin(statuses.closed).to_numpy() & (
        last["end"].to_numpy() >= log_end - days * 86400.0
    )
    out = np.zeros(n, dtype=bool)
    out[last["case"].to_numpy()] = is_open
    return out


