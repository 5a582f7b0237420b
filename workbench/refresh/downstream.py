"""What a refresh needs before the use cases: the stored rows as a clean log, the rule set, the model.

The recomputation itself (map and answers, scores, report) calls the application layer's
use cases (:mod:`workbench.usecases`) directly, as every other front end does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.cleaning import Finding
from workbench.config import LogConfig

__all__ = ["prepare_store_log", "load_rule_set", "load_model"]


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


def load_model(name: str, *, version: str | None = None, tracking_uri: str | None = None) -> Any:
    """A registered model (``TrainedModel``) from MLflow."""
    from workbench.models.tracking import load_trained_model

    return load_trained_model(name, version=version, tracking_uri=tracking_uri)
