from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import PrivacyError
from workbench.fairness import AuditOptions, FlagRule, audit_history, audit_model, audit_process_change
from workbench.fairness.options import audit_options

from .conftest import STATUSES, make_group_kpis, make_log, make_scores


def test_keywords_replace_the_fields_of_the_options():
    base = AuditOptions(replicates=50, seed=3, min_group_size=5)
    merged = audit_options(base, {"seed": 4})
    assert (merged.replicates, merged.seed, merged.min_group_size) == (50, 4, 5)
    assert audit_options(None, {}) == AuditOptions()
    assert audit_options(base, {}) is base


def test_an_unknown_keyword_is_refused_by_name():
    with pytest.raises(TypeError, match="replicate"):
        audit_options(None, {"replicate": 5})  # type: ignore[typeddict-unknown-key]


def test_the_historical_and_model_audits_give_the_same_result_from_options_or_keywords():
    events = make_log(slow_department="B", slow_factor=2.0)
    options = AuditOptions(replicates=60, seed=2, rule=FlagRule(relative=0.2), case_noun="tickets")
    by_options = audit_history(events, group_attributes=["department"], statuses=STATUSES, options=options)
    by_keywords = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=60, seed=2,
                                rule=FlagRule(relative=0.2), case_noun="tickets")
    pd.testing.assert_frame_equal(by_options.table, by_keywords.table)
    assert by_options.settings == by_keywords.settings
    scores = make_scores(biased_group="A", seed=1)
    a = audit_model(scores, group_attributes=["department"], options=AuditOptions(replicates=40, seed=5))
    b = audit_model(scores, group_attributes=["department"], replicates=40, seed=5)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_the_process_audit_reads_the_minimum_group_size_and_the_protection_of_people_from_the_options():
    group_kpis, kpis = make_group_kpis(worse_group="A", worse_factor=1.04, overall_factor=0.9)
    big = audit_process_change(group_kpis, kpis, options=AuditOptions(min_group_size=10**9))
    assert big.table["suppressed"].all()
    with pytest.raises(PrivacyError):
        audit_process_change(group_kpis, kpis, group_attributes=["department"],
                             options=AuditOptions(staff_attributes=("department",)))
