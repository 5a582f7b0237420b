"""The directly-follows process map with frequency and performance on every node and edge.

Everything is computed in one vectorised pass over integer codes (no per-case Python
loop), so a map of a one-million-event log takes a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.discovery._words import ENGLISH
from workbench.errors import EventLogError
from workbench.schema import ACTIVITY, CASE_ID, START_TIMESTAMP, TIMESTAMP, check_canonical

__all__ = ["END_NODE", "START_NODE", "ProcessMap", "build_process_map"]

#: Name of the artificial node every case starts from.
START_NODE = "[start]"
#: Name of the artificial node every case ends in.
END_NODE = "[end]"

NodeDuration = Literal["auto", "activity", "since_previous", "until_next"]

_NS_PER_HOUR = 3_600_000_000_000.0


@dataclass(frozen=True)
class ProcessMap:
    """A directly-follows map: tidy tables of nodes, edges and the cases behind them.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per node: ``node``, ``kind`` (``"start"``, ``"activity"``, ``"end"``),
        ``cases`` (cases with the activity), ``events`` (occurrences), ``case_share``
        (``cases / n_cases``), ``median_hours``, ``mean_hours``, ``p90_hours`` (see
        :attr:`node_duration`) and ``timed_events`` (events with a known duration).
        Start first, then activities by descending ``cases``, then end.
    edges : pandas.DataFrame
        One row per directly-follows pair: ``source``, ``target``, ``cases``, ``events``,
        ``case_share`` and ``median_hours``, ``mean_hours``, ``p90_hours`` (see
        :attr:`edge_duration`; missing for edges from start and to end), by descending
        ``cases``.
    node_cases : pandas.DataFrame
        ``node``, ``case_id``, ``events``: the cases behind every node (at most
        :attr:`max_case_ids` per node), grouped by node, case ids in sorted order.
    edge_cases : pandas.DataFrame
        ``source``, ``target``, ``case_id``, ``events``: the cases behind every edge.
    n_cases, n_events : int
        Size of the log the map was built from.
    node_duration : str
        What the node durations measure: ``"activity"``, ``"since_previous"`` or
        ``"until_next"``; :attr:`node_duration_text` says it in words.
    edge_duration : str
        ``"completion_to_completion"`` or ``"completion_to_start"``.
    max_case_ids : int or None
        The cap on case ids kept per node and edge (``None``: all kept).

    Percentiles use linear interpolation (pandas' default).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    node_cases: pd.DataFrame
    edge_cases: pd.DataFrame
    n_cases: int
    n_events: int
    node_duration: str
    edge_duration: str
    max_case_ids: int | None = None

    @property
    def node_duration_text(self) -> str:
        """The node duration in words, for labels and notes."""
        return ENGLISH.node_duration[self.node_duration]

    @property
    def edge_duration_text(self) -> str:
        """The edge duration in words, for labels and notes."""
        return ENGLISH.edge_duration[self.edge_duration]

    @property
    def activities(self) -> list[str]:
        """The activity names, most frequent first."""
        return self.nodes.loc[self.nodes["kind"] == "activity", "node"].tolist()

    def node_case_ids(self, node: str) -> list[str]:
        """Return the ids of the cases that contain ``node`` (an activity, start or end)."""
        if node not in set(self.nodes["node"]):
            raise EventLogError(
                f"node {node!r} is not in the process map; use one of {self.nodes['node'].tolist()}"
            )
        return self.node_cases.loc[self.node_cases["node"] == node, "case_id"].tolist()

    def edge_case_ids(self, source: str, target: str) -> list[str]:
        """Return the ids of the cases in which ``target`` directly follows ``source``."""
        mask = (self.edges["source"] == source) & (self.edges["target"] == target)
        if not mask.any():
            raise EventLogError(
                f"edge {source!r} -> {target!r} is not in the process map; "
                "list the edges with process_map.edges[['source', 'target']]"
            )
        rows = self.edge_cases
        keep = (rows["source"] == source) & (rows["target"] == target)
        return rows.loc[keep, "case_id"].tolist()


def build_process_map(
    events: pd.DataFrame,
    *,
    max_case_ids: int | None = None,
    node_duration: NodeDuration = "auto",
) -> ProcessMap:
    """Build the directly-follows map of a canonical event log.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event log (see :mod:`workbench.schema`); it is not modified and
        need not be sorted (events are ordered by case, timestamp, then row order).
    max_case_ids : int, optional
        Keep at most this many case ids per node and per edge (the first in case-id
        order); counts and durations always use every case. ``None`` keeps all.
    node_duration : {"auto", "activity", "since_previous", "until_next"}
        What a node's duration measures. ``"auto"`` (default) uses the activity
        duration (``timestamp - start_timestamp``) when the log has start timestamps,
        otherwise the time since the previous event of the case (the usual
        approximation for completion-only logs). ``"until_next"`` is the time a case
        stays in a status, which suits status-change logs.

    Returns
    -------
    ProcessMap
        Edges measure the time between the two events: completion to completion, or
        completion to start when activity durations are used.

    Raises
    ------
    EventLogError
        When a required column is missing, the log is empty, a case id, activity or
        timestamp is missing, or an activity uses the reserved names ``[start]``/``[end]``.
    """
    _check_log(events)
    if max_case_ids is not None and (not isinstance(max_case_ids, int) or max_case_ids < 1):
        raise EventLogError(f"max_case_ids must be a positive integer or None, got {max_case_ids!r}")
    has_start = START_TIMESTAMP in events.columns and bool(events[START_TIMESTAMP].notna().any())
    if node_duration == "auto":
        node_duration = "activity" if has_start else "since_previous"
    if node_duration not in ENGLISH.node_duration:
        raise EventLogError(
            f"node_duration must be one of 'auto', 'activity', 'since_previous', 'until_next', "
            f"got {node_duration!r}"
        )
    if node_duration == "activity" and not has_start:
        raise EventLogError(
            "node_duration='activity' needs start timestamps, but column 'start_timestamp' is missing "
            "or empty; use node_duration='since_previous' or 'until_next'"
        )
    edge_duration = "completion_to_start" if node_duration == "activity" else "completion_to_completion"

    case_codes, case_names = pd.factorize(events[CASE_ID], sort=True)
    act_codes, act_names = pd.factorize(events[ACTIVITY], sort=True)
    n_act = len(act_names)
    start_code, end_code = n_act, n_act + 1
    names = np.array([*map(str, act_names), START_NODE, END_NODE], dtype=object)
    kinds = np.array(["activity"] * n_act + ["start", "end"], dtype=object)

    complete = events[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    order = np.lexsort((np.arange(len(events)), complete, case_codes))
    case = case_codes[order].astype(np.int64)
    act = act_codes[order].astype(np.int64)
    done = complete[order]
    if has_start:
        begun = events[START_TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")[order]
        begun_known = begun != np.iinfo(np.int64).min
    else:
        begun = done
        begun_known = np.zeros(len(done), dtype=bool)

    first = np.ones(len(case), dtype=bool)
    first[1:] = case[1:] != case[:-1]
    last = np.ones(len(case), dtype=bool)
    last[:-1] = first[1:]

    # Edges: consecutive events of a case, then the artificial start and end edges.
    follow = np.flatnonzero(~first)
    target_time = np.where(begun_known, begun, done) if edge_duration == "completion_to_start" else done
    edge_src = np.concatenate([act[follow - 1], np.full(first.sum(), start_code), act[last]])
    edge_tgt = np.concatenate([act[follow], act[first], np.full(last.sum(), end_code)])
    edge_case = np.concatenate([case[follow], case[first], case[last]])
    edge_hours = np.concatenate(
        [
            (target_time[follow] - done[follow - 1]) / _NS_PER_HOUR,
            np.full(first.sum() + last.sum(), np.nan),
        ]
    )

    # Nodes: every event, then one start and one end event per case.
    node_hours = _node_hours(node_duration, done, begun, begun_known, first, last)
    n_cases = len(case_names)
    all_cases = np.arange(n_cases, dtype=np.int64)
    node_code = np.concatenate([act, np.full(n_cases, start_code), np.full(n_cases, end_code)])
    node_case = np.concatenate([case, all_cases, all_cases])
    node_hours = np.concatenate([node_hours, np.full(2 * n_cases, np.nan)])

    n_codes = n_act + 2
    nodes, node_cases = _aggregate(node_code, node_case, node_hours, n_cases, max_case_ids)
    edges, edge_cases = _aggregate(
        edge_src * n_codes + edge_tgt, edge_case, edge_hours, n_cases, max_case_ids
    )

    codes = nodes.pop("code").to_numpy()
    nodes.insert(0, "node", names[codes])
    nodes.insert(1, "kind", kinds[codes])
    rank = nodes["kind"].map({"start": 0, "activity": 1, "end": 2})
    nodes = (
        nodes.assign(_rank=rank)
        .sort_values(["_rank", "cases", "events", "node"], ascending=[True, False, False, True])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    code = edges.pop("code").to_numpy()
    edges.insert(0, "source", names[code // n_codes])
    edges.insert(1, "target", names[code % n_codes])
    edges = edges.drop(columns="timed_events")
    edges = edges.sort_values(["cases", "events", "source", "target"], ascending=[False, False, True, True])
    edges = edges.reset_index(drop=True)

    case_names = np.asarray(case_names, dtype=object)
    node_cases = pd.DataFrame(
        {
            "node": pd.Categorical(names[node_cases["code"]], categories=nodes["node"]),
            "case_id": case_names[node_cases["case"]],
            "events": node_cases["events"],
        }
    )
    ecode = edge_cases["code"]
    edge_cases = pd.DataFrame(
        {
            "source": pd.Categorical(names[ecode // n_codes], categories=list(names)),
            "target": pd.Categorical(names[ecode % n_codes], categories=list(names)),
            "case_id": case_names[edge_cases["case"]],
            "events": edge_cases["events"],
        }
    )
    return ProcessMap(
        nodes=nodes,
        edges=edges,
        node_cases=node_cases,
        edge_cases=edge_cases,
        n_cases=n_cases,
        n_events=len(events),
        node_duration=node_duration,
        edge_duration=edge_duration,
        max_case_ids=max_case_ids,
    )


def _check_log(events: pd.DataFrame) -> None:
    check_canonical(events, what="process map",
                    empty_hint="a process map needs at least one event; check the filters")
    reserved = sorted({START_NODE, END_NODE} & set(events[ACTIVITY].unique()))
    if reserved:
        raise EventLogError(
            f"column 'activity': the names {reserved} are reserved for the map's start and end; rename them"
        )


def _node_hours(
    node_duration: str,
    done: np.ndarray,
    begun: np.ndarray,
    begun_known: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
) -> np.ndarray:
    hours = np.full(len(done), np.nan)
    if node_duration == "activity":
        hours[begun_known] = (done[begun_known] - begun[begun_known]) / _NS_PER_HOUR
    elif node_duration == "since_previous":
        idx = np.flatnonzero(~first)
        hours[idx] = (done[idx] - done[idx - 1]) / _NS_PER_HOUR
    else:
        idx = np.flatnonzero(~last)
        hours[idx] = (done[idx + 1] - done[idx]) / _NS_PER_HOUR
    return hours


def _aggregate(
    code: np.ndarray,
    case: np.ndarray,
    hours: np.ndarray,
    n_cases: int,
    max_case_ids: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-code counts and duration statistics, and the (code, case, events) pairs."""
    pair, pair_events = np.unique(code * n_cases + case, return_counts=True)
    pair_code = pair // n_cases
    pair_case = pair % n_cases
    uniq, cases = np.unique(pair_code, return_counts=True)
    events = np.bincount(code)[uniq]
    frame = pd.DataFrame({"code": code, "hours": hours})
    grouped = frame.dropna(subset=["hours"]).groupby("code")["hours"]
    stats = pd.DataFrame(
        {
            "median_hours": grouped.median(),
            "mean_hours": grouped.mean(),
            "p90_hours": grouped.quantile(0.9),
            "timed_events": grouped.size(),
        }
    ).reindex(uniq)
    table = pd.DataFrame(
        {
            "code": uniq,
            "cases": cases.astype(np.int64),
            "events": events.astype(np.int64),
            "case_share": cases / n_cases,
            "median_hours": stats["median_hours"].to_numpy(),
            "mean_hours": stats["mean_hours"].to_numpy(),
            "p90_hours": stats["p90_hours"].to_numpy(),
            "timed_events": stats["timed_events"].fillna(0).to_numpy().astype(np.int64),
        }
    )
    behind = pd.DataFrame({"code": pair_code, "case": pair_case, "events": pair_events.astype(np.int64)})
    if max_case_ids is not None:
        behind = behind[behind.groupby("code").cumcount() < max_case_ids].reset_index(drop=True)
    return table, behind
