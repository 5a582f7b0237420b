"""The simulated logs with known injected discrimination (Pohl et al. 2023): found, and not found by chance."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.fairness import audit_history, load_audit_config
from workbench.fairness.runner import _load_events


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hospital"])  # all four: benchmarks/fairness.py
def test_protected_group_is_flagged_and_a_permuted_attribute_is_not(name, shared_data, repo_root):
    config = load_audit_config(repo_root / "configs" / "audits" / f"fairness_{name}.yaml")
    events = _load_events(config, secret=None).events
    kw = {"group_attributes": ["protected"], "outcomes": (), "replicates": 200,
          "outcome_activities": [o.to_outcome() for o in config.historical.outcome_activities]}
    result = audit_history(events, seed=config.seed, **kw)
    flagged = result.flagged_rows
    assert list(flagged["group"]) == ["True"]
    assert flagged["metric"].iloc[0] == config.historical.outcome_activities[0].name

    per_case = events.drop_duplicates("case_id").set_index("case_id")["protected"]
    rng = np.random.default_rng(0)
    for seed in range(3):
        shuffled = dict(zip(per_case.index, rng.permutation(per_case.to_numpy()), strict=False))
        permuted = events.assign(protected=events["case_id"].map(shuffled))
        assert not audit_history(permuted, seed=seed, **kw).flagged
