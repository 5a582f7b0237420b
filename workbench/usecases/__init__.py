"""The application layer: one typed function per thing a user does.

Every front end — the command line, the pipeline, the fairness runner, and later the web
app and the daily refresh — does three things: parse its input once (arguments, YAML, a
form), call one use case here, and hand the typed, frozen result to a writer
(:mod:`workbench.usecases.writers`) or a view. A use case never prints, parses YAML,
reads the environment or decides where files go; where independent work runs is passed
in as an :class:`~workbench.compute.Executor`.

============================  ==============================================================
user action                   use case
============================  ==============================================================
load and validate a log       :func:`load_and_validate`
discover the map, answer      :func:`discover_map_and_answers`
partition a log by case       :func:`partition_log`
answer a partitioned log      :func:`answer_partitioned` (out of core)
learn a simulation model      :func:`learn_simulation_model`
compare what-if scenarios     :func:`compare_scenarios`
validate a simulation         :func:`validate_simulation`
train a prediction model      :func:`train_predictor`
score the open cases          :func:`score_open_cases`
audit fairness                :func:`audit_fairness` (historical, models, process changes)
build the report              :func:`build_run_report`
============================  ==============================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use, so a command pays only for what it runs
    from workbench.usecases.audit import (
        AuditSettings,
        FairnessAudit,
        ModelScores,
        ProcessChange,
        audit_fairness,
        audit_settings,
    )
    from workbench.usecases.discover import MapAndAnswers, discover_map_and_answers
    from workbench.usecases.load import load_and_validate
    from workbench.usecases.partitioned import (
        PartitionedAnswers,
        PartitionedCopy,
        answer_partitioned,
        partition_log,
    )
    from workbench.usecases.predict import ScoredCases, score_open_cases, train_predictor, tuning_budget
    from workbench.usecases.report import RunResults, TrainedEntry, build_run_report
    from workbench.usecases.simulate import (
        ModelUncertainty,
        ScenarioComparison,
        ScenarioOutcome,
        compare_scenarios,
        judge_model,
        learn_simulation_model,
        refused_comparison,
        replay_cases,
        validate_simulation,
    )

#: public name -> the module that defines it
_HOME = {
    "load_and_validate": "load",
    "MapAndAnswers": "discover",
    "discover_map_and_answers": "discover",
    "PartitionedCopy": "partitioned",
    "partition_log": "partitioned",
    "PartitionedAnswers": "partitioned",
    "answer_partitioned": "partitioned",
    "learn_simulation_model": "simulate",
    "ScenarioOutcome": "simulate",
    "ScenarioComparison": "simulate",
    "ModelUncertainty": "simulate",
    "compare_scenarios": "simulate",
    "replay_cases": "simulate",
    "validate_simulation": "simulate",
    "judge_model": "simulate",
    "refused_comparison": "simulate",
    "ScoredCases": "predict",
    "tuning_budget": "predict",
    "train_predictor": "predict",
    "score_open_cases": "predict",
    "AuditSettings": "audit",
    "ModelScores": "audit",
    "ProcessChange": "audit",
    "FairnessAudit": "audit",
    "audit_settings": "audit",
    "audit_fairness": "audit",
    "RunResults": "report",
    "TrainedEntry": "report",
    "build_run_report": "report",
}

__all__ = [
    "load_and_validate",
    "MapAndAnswers",
    "discover_map_and_answers",
    "PartitionedCopy",
    "partition_log",
    "PartitionedAnswers",
    "answer_partitioned",
    "learn_simulation_model",
    "ScenarioOutcome",
    "ScenarioComparison",
    "ModelUncertainty",
    "compare_scenarios",
    "replay_cases",
    "validate_simulation",
    "judge_model",
    "refused_comparison",
    "ScoredCases",
    "tuning_budget",
    "train_predictor",
    "score_open_cases",
    "AuditSettings",
    "ModelScores",
    "ProcessChange",
    "FairnessAudit",
    "audit_settings",
    "audit_fairness",
    "RunResults",
    "TrainedEntry",
    "build_run_report",
]


def __getattr__(name: str) -> Any:
    """Import a use case's module on first use (the prediction stack alone takes a second to import)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workbench.usecases' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"workbench.usecases.{home}"), name)
    globals()[name] = value
    return value
