"""Routing rules learned from a log's decisions."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.simulation._routing import _prior_strength, fit_routing


def _decisions(groups: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [
        {"case": i, "at": "Forwarded", "before": "In progress", "visit": 1, "target": target, "category": category}
        for i, (category, target) in enumerate(
            (c, t) for c, targets in groups.items() for t, n in targets.items() for _ in range(n)
        )
    ]
    return pd.DataFrame(rows)


def test_a_rare_value_keeps_where_its_cases_went_instead_of_the_general_split():
    # network tickets forwarded again after a send-back: only eight, every one to the network team
    d = _decisions({"Hardware": {"Infra": 180, "Post": 20}, "Post": {"Post": 180, "Infra": 20}, "Net": {"Infra": 8}})
    rules, chosen = fit_routing(d, attributes=["category"], min_support=20)
    assert chosen == {"Forwarded": "category"}
    net = [r for r in rules if r.when == {"category": "Net"}]
    assert len(net) == 1 and net[0].count == 8
    assert net[0].next["Infra"] > 0.9  # the general rule would say about 0.5
    assert sum(net[0].next.values()) == pytest.approx(1.0)
    # a value seen fewer than three times has no rule of its own
    d2 = _decisions({"Hardware": {"Infra": 180, "Post": 20}, "Post": {"Post": 180, "Infra": 20}, "Net": {"Infra": 2}})
    assert not [r for r in fit_routing(d2, attributes=["category"], min_support=20)[0] if r.when == {"category": "Net"}]


def test_the_prior_is_strong_where_the_values_route_alike_and_weak_where_they_differ():
    alike = pd.DataFrame({"A": [50, 52, 49], "B": [50, 48, 51]}, index=["x", "y", "z"])
    differ = pd.DataFrame({"A": [99, 1, 50], "B": [1, 99, 50]}, index=["x", "y", "z"])
    prior = pd.Series({"A": 0.5, "B": 0.5})
    assert _prior_strength(alike, prior) > _prior_strength(differ, prior)
