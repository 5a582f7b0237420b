"""The one place a refresh calls the rest of the workbench: prepare the log, analyse it, score it.

Everything a refresh recomputes goes through these few functions, so they can later be
replaced by the application layer's use cases without touching the rest of the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.cleaning import Finding
from workbench.config import LogConfig

__all__ = ["prepare_store_log", "analyse", "load_rule_set", "load_model", "score_open", "retrain"]


def prepare_store_log(rows: pd.DataFrame, log: LogConfig, *, source: str) -> Any:
    """Map and clean the stored rows into the canonical log (``LoadedLog``).

    The rows were pseudonymised when they were loaded into the store, so they are not
    pseudonymised again; the data-quality report says where it happened.
    """
    from workbench.cleaning import DataQualityReport
    from workbench.io import prepare_log
    from workbench.schema import RESOURCE

    loaded = prepare_log(rows, log, source=source, pseudonymise=False)
    events = loaded.events
    if log.privacy.pseudonymise:  # the dtype prepare_log gives pseudonyms
        events = events.assign(**{c: events[c].astype("string") for c in (RESOURCE, *log.person_columns)
                                  if c in events.columns})
    if not log.privacy.pseudonymise:
        note = "OFF (privacy.pseudonymise: false): outputs contain real identifiers"
    else:
        note = "keyed HMAC pseudonyms, applied when the rows were loaded into the event store"
    findings = tuple(
        Finding(f.check, f.count, f.unit, f.action, note) if f.check == "person identifiers pseudonymised" else f
        for f in loaded.quality.findings
    )
    quality = DataQualityReport(**{**loaded.quality.__dict__, "findings": findings})
    return type(loaded)(events=events, quality=quality, config=loaded.config)


def load_rule_set(path: Path) -> Any:
    """Read a rule config (``configs/rules/*.yaml``)."""
    from workbench.analysis import load_rules

    return load_rules(path)


def analyse(events: pd.DataFrame, log: LogConfig, *, rules: Any | None) -> Any:
    """The desk's questions, the rule checks and the variants (a ``Discovery``)."""
    from workbench.analysis.run import discover_log

    return discover_log(events, log, rules=rules)


def load_model(name: str, *, version: str | None = None, tracking_uri: str | None = None) -> Any:
    """A registered model (``TrainedModel``) from MLflow."""
    from workbench.models.tracking import load_trained_model

    return load_trained_model(name, version=version, tracking_uri=tracking_uri)


def score_open(events: pd.DataFrame, model: Any) -> pd.DataFrame:
    """Every open case scored with ``model``, ranked."""
    from workbench.models.scoring import score_open_cases

    return score_open_cases(events, models=[model])


def retrain(events: pd.DataFrame, log: LogConfig, *, training_config: Path, name: str) -> Any:
    """Train the model again on ``events`` with the settings of ``training_config`` (a ``TrainingResult``)."""
    from workbench.models import load_training_config, train_model

    config = load_training_config(training_config)
    if config.name != name:
        config = config.model_copy(update={"name": name})
    return train_model(events, config=config, log_config=log)
