"""Learning routing rules and queue priorities from the steps of a log.

Routing is a Markov chain over steps with a little memory. A decision is made after
each step (and at the start of a case): the next step or the end. The rules are
counted at eight levels of detail, from ``at`` alone to ``at`` + previous step + visit
number + a case attribute; the engine uses the most specific rule that was seen at least
``min_support`` times (more conditions first; an attribute before the previous step
before the visit number). An attribute is used at a step only
when it pays for itself: the gain in log-likelihood must beat the BIC penalty.
Rules seen fewer than ``min_support`` times are left out (the engine falls back to a
more general one), except an attribute value's own rule: a value seen only a few times
at a step keeps what those cases did, shrunk towards the step's general rule (a
Dirichlet prior whose strength is chosen by leave-one-out likelihood over the step's
decisions). Falling back to the general rule would send, say, the few network tickets
forwarded again after a send-back to any team in the proportions of all tickets,
although every one of them went to the network team.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.simulation.model import END, START, QueuePriority, RoutingRule

__all__ = ["decisions_frame", "fit_routing", "infer_queue_priority"]


def decisions_frame(
    frame: pd.DataFrame, attrs: pd.DataFrame, open_cases: np.ndarray, max_visit: int
) -> pd.DataFrame:
    """One row per routing decision: ``at``, ``before``, ``visit``, ``target`` and the case attributes."""
    case = frame["case"].to_numpy()
    node = frame["node"].to_numpy(dtype=object)
    n = len(frame)
    visit = frame.groupby(["case", "node"]).cumcount().to_numpy() + 1
    first = frame["first"].to_numpy()
    last = np.r_[case[1:] != case[:-1], True] if n else np.zeros(0, bool)
    # decisions after each step
    target = np.where(last, END, np.concatenate([node[1:], np.array([END], dtype=object)]))
    before = np.where(first, START, np.concatenate([np.array([START], dtype=object), node[:-1]]))
    after_steps = pd.DataFrame(
        {"case": case, "at": node, "before": before, "visit": np.minimum(visit, max_visit), "target": target}
    )
    # a case still open at the end of the log did not really end
    after_steps = after_steps[~(last & open_cases[case])]
    starts = pd.DataFrame(
        {"case": case[first], "at": START, "before": None, "visit": 1, "target": node[first]}
    )
    out = pd.concat([starts, after_steps], ignore_index=True)
    for col in attrs.columns:
        out[col] = attrs[col].to_numpy()[out["case"].to_numpy()]
    return out


def _loglik(counts: pd.DataFrame) -> float:
    """Sum of n * log(n / row total) over a (context x target) count table."""
    values = counts.to_numpy(dtype=float)
    totals = values.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(values > 0, values * np.log(values / totals), 0.0)
    return float(terms.sum())


def _choose_attribute(d: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    base = _loglik(pd.crosstab(d["at"], d["target"]))
    n = len(d)
    targets = d["target"].nunique()
    best, best_score = None, 0.0
    for attr in candidates:
        values = d[attr].nunique()
        if values < 2:
            continue
        ll = _loglik(pd.crosstab(d[attr].fillna("(missing)"), d["target"]))
        penalty = 0.5 * (values - 1) * (targets - 1) * np.log(max(n, 2))
        score = (ll - base) - penalty
        if score > best_score:
            best, best_score = attr, score
    return best


def _rules(
    d: pd.DataFrame, keys: list[str], at: str, min_support: int, attr: str | None
) -> list[RoutingRule]:
    out = []
    for key_values, g in d.groupby(keys, dropna=False, sort=True) if keys else [((), d)]:
        if len(g) < min_support:
            continue
        if not isinstance(key_values, tuple):
            key_values = (key_values,)
        kv = dict(zip(keys, key_values, strict=True))
        if attr is not None and pd.isna(kv.get(attr)):
            continue
        probs = g["target"].value_counts(normalize=True)
        out.append(
            RoutingRule(
                at=at,
                before=kv.get("before"),
                visit=int(kv["visit"]) if "visit" in kv else None,
                when={attr: str(kv[attr])} if attr is not None else {},
                next={str(k): round(float(v), 6) for k, v in probs.items()},
                count=len(g),
            )
        )
    return out


#: least observations of an attribute value at a step for its own (shrunk) rule
_MIN_SHRUNK = 3
#: prior strengths tried for the shrunk rules (leave-one-out likelihood picks one per step)
_ALPHAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def _prior_strength(counts: pd.DataFrame, prior: pd.Series) -> float:
    """The Dirichlet prior strength that predicts each decision best from the others of its value (leave-one-out)."""
    n = counts.to_numpy(dtype=float)
    p = prior.reindex(counts.columns, fill_value=0.0).to_numpy(dtype=float)
    rows = n.sum(axis=1, keepdims=True)
    best, best_ll = _ALPHAS[0], -np.inf
    for alpha in _ALPHAS:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(n > 0, n * np.log((n - 1.0 + alpha * p) / (rows - 1.0 + alpha)), 0.0)
        ll = float(np.nan_to_num(terms, nan=-np.inf).sum())
        if ll > best_ll:
            best, best_ll = alpha, ll
    return best


def _shrunk_rules(d: pd.DataFrame, at: str, attr: str, min_support: int) -> list[RoutingRule]:
    """Rules for the values of ``attr`` seen at least ``_MIN_SHRUNK`` but fewer than ``min_support`` times at ``at``."""
    known = d[d[attr].notna()]
    counts = pd.crosstab(known[attr].astype(str), known["target"])
    if counts.empty:
        return []
    prior = d["target"].value_counts(normalize=True)
    alpha = _prior_strength(counts, prior)
    out = []
    for value, row in counts.iterrows():
        total = float(row.sum())
        if not _MIN_SHRUNK <= total < min_support:
            continue
        probs = (row.reindex(prior.index, fill_value=0).astype(float) + alpha * prior) / (total + alpha)
        probs = probs[probs > 0].sort_values(ascending=False)
        out.append(
            RoutingRule(
                at=at, when={attr: str(value)}, next={str(k): round(float(v), 6) for k, v in probs.items()},
                count=int(total),
            )
        )
    return out


def fit_routing(
    decisions: pd.DataFrame, *, attributes: Sequence[str], min_support: int = 20
) -> tuple[list[RoutingRule], dict[str, str]]:
    """Routing rules for every step, and the attribute chosen at each step (if any)."""
    rules: list[RoutingRule] = []
    chosen: dict[str, str] = {}
    for at, d in decisions.groupby("at", sort=False):
        at = str(at)
        base = _rules(d, [], at, 1, None)
        rules.extend(base)
        rules.extend(_rules(d, ["visit"], at, min_support, None) if d["visit"].nunique() > 1 else [])
        if at != START:
            rules.extend(_rules(d, ["before"], at, min_support, None))
            if d["visit"].nunique() > 1:
                rules.extend(_rules(d, ["before", "visit"], at, min_support, None))
        attr = _choose_attribute(d, attributes) if attributes and len(d) >= 2 * min_support else None
        if attr is not None:
            chosen[at] = attr
            rules.extend(_rules(d, [attr], at, min_support, attr))
            rules.extend(_shrunk_rules(d, at, attr, min_support))
            if d["visit"].nunique() > 1:
                rules.extend(_rules(d, ["visit", attr], at, min_support, attr))
            if at != START:
                rules.extend(_rules(d, ["before", attr], at, min_support, attr))
                if d["visit"].nunique() > 1:
                    rules.extend(_rules(d, ["before", "visit", attr], at, min_support, attr))
    return _dedupe(rules), chosen


def _dedupe(rules: list[RoutingRule]) -> list[RoutingRule]:
    """Drop specific rules that say the same as the general rule at their step."""
    general = {r.at: r.next for r in rules if r.before is None and r.visit is None and not r.when}
    out = []
    for r in rules:
        g = general.get(r.at)
        if (r.before is not None or r.visit is not None or r.when) and g is not None:
            keys = set(g) | set(r.next)
            tv = 0.5 * sum(abs(g.get(k, 0.0) - r.next.get(k, 0.0)) for k in keys)
            if tv < 0.01:
                continue
        out.append(r)
    return out


def infer_queue_priority(
    queue_waits: pd.DataFrame, attributes: Sequence[str], *, max_values: int = 6, alpha: float = 1e-4
) -> QueuePriority | None:
    """Find a case attribute that orders the queues, if the log shows one.

    ``queue_waits`` has one row per step picked up from a queue while every worker was
    busy: ``pool``, ``wait`` (seconds of contention) and the case attributes. Waits are
    ranked within each pool (so busy teams do not dominate); an attribute qualifies when
    a Kruskal-Wallis test on those ranks gives ``p < alpha`` and the mean wait of its
    slowest value is at least 1.5 times that of its fastest. The strongest one wins.
    """
    from scipy import stats

    if queue_waits.empty:
        return None
    q = queue_waits.copy()
    q["rank"] = q.groupby("pool")["wait"].rank(pct=True)
    best: tuple[float, QueuePriority] | None = None
    for attr in attributes:
        if attr not in q or not 2 <= q[attr].nunique() <= max_values:
            continue
        groups = [g["rank"].to_numpy() for _, g in q.groupby(attr) if len(g) >= 20]
        if len(groups) < 2:
            continue
        p = float(stats.kruskal(*groups).pvalue)
        means = q.groupby(attr)["wait"].mean()
        if p >= alpha or means.min() <= 0 or means.max() / means.min() < 1.5:
            continue
        order = q.groupby(attr)["rank"].mean().sort_values()
        ranks = {str(v): float(i) for i, v in enumerate(order.index)}
        default = float(np.median(list(ranks.values())))
        if best is None or p < best[0]:
            best = (p, QueuePriority(attribute=attr, ranks=ranks, default_rank=default))
    return None if best is None else best[1]
