"""Plain-words pieces of the report built from stage results."""

from __future__ import annotations

from workbench.pipeline.sections import skill_callout


def test_skill_callout_says_when_a_model_beats_its_baseline() -> None:
    good = skill_callout("duration", {"test_mae": 1.45, "baseline_mae": 1.84})
    assert good is not None and good.kind == "ok"
    assert good.text == "Model 'duration' is off by 1.45 days on average, 21% less than the baseline (1.84 days)."
    bad = skill_callout("duration", {"test_mae": 2.0, "baseline_mae": 1.84})
    assert bad is not None and bad.kind == "warning" and "no better than the baseline" in bad.text


def test_skill_callout_warns_about_a_chance_level_classifier() -> None:
    weak = skill_callout("reopen", {"test_auc": 0.46, "test_brier": 0.025, "baseline_brier": 0.025})
    assert weak is not None and weak.kind == "warning"
    assert weak.text.startswith("Model 'reopen' ranks cases barely better than chance (AUC 0.46")
    miscalibrated = skill_callout("reopen", {"test_auc": 0.7, "test_brier": 0.03, "baseline_brier": 0.02})
    assert miscalibrated is not None and "less accurate than the base rate" in miscalibrated.text
    assert skill_callout("reopen", {"test_auc": 0.8, "test_brier": 0.01, "baseline_brier": 0.02}).kind == "ok"
    assert skill_callout("other", {"x": 1.0}) is None
