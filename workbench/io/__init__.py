"""Read event logs into the canonical schema; write outputs atomically.

:func:`load_log` is the one entry point the rest of the workbench uses: it reads the
source named in a :class:`~workbench.config.LogConfig`, maps it to the canonical
columns, validates and cleans it, and pseudonymises person identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.cleaning import CODED_TEXT, DataQualityReport, Finding, clean_log, decoded
from workbench.config import LogConfig
from workbench.errors import EventLogError, reading
from workbench.io.mapping import to_canonical
from workbench.io.outputs import OutputFolder
from workbench.io.readers import NESTED_COLUMNS, Reader, read_csv_coded, read_source
from workbench.io.writers import atomic_path, check_not_input, write_bytes, write_table, write_text
from workbench.privacy import pseudonymise_frame, resolve_secret
from workbench.schema import RESOURCE

__all__ = [
    "LoadedLog",
    "load_log",
    "prepare_log",
    "read_source",
    "to_canonical",
    "atomic_path",
    "write_table",
    "write_text",
    "write_bytes",
    "check_not_input",
    "OutputFolder",
]


@dataclass(frozen=True)
class LoadedLog:
    """A clean canonical event log with its data-quality report and the config it came from."""

    events: pd.DataFrame
    quality: DataQualityReport
    config: LogConfig

    @property
    def pseudonymised(self) -> bool:
        return self.config.privacy.pseudonymise


def _describe_source(config: LogConfig) -> str:
    src = config.source
    if src.resolved_kind == "sql":
        return f"log '{config.name}' (SQL {src.table or 'query'})"
    if src.resolved_kind == "demo":
        return f"log '{config.name}' (demo, seed {src.seed}, {src.days} days)"
    return f"log '{config.name}' ({src.path.name if src.path else ''})"


def _refuse_nested(raw: pd.DataFrame, config: LogConfig) -> None:
    """A mapped column that held lists or structs (Parquet) has no single value per event."""
    nested = set(raw.attrs.get(NESTED_COLUMNS, ()))
    if not nested:
        return
    mapped = [src for src in config.columns.model_dump().values() if src is not None]
    mapped += list(config.case_attributes.values()) + list(config.event_attributes.values())
    hit = next((str(src) for src in mapped if src in nested), None)
    if hit is not None:
        raise EventLogError(
            f"column '{hit}' holds lists or structs (a nested Parquet type), not one value per event; "
            "flatten it in the export (one column per field) or leave it out of the log config"
        )


def _has_values(values: pd.Series) -> bool:
    """Whether ``values`` holds a non-missing value (its first rows usually say so)."""
    return bool(values.iloc[:1000].notna().any() or values.notna().any())


def prepare_log(
    raw: pd.DataFrame,
    config: LogConfig,
    *,
    secret: str | None = None,
    source: str | None = None,
    pseudonymise: bool | None = None,
) -> LoadedLog:
    """Map, clean and pseudonymise a source table already in memory (pure; ``raw`` is not changed).

    ``pseudonymise=None`` follows ``config.privacy.pseudonymise``; ``False`` is only for
    callers that write no identifiers (e.g. ``workbench validate``).
    """
    source = source or _describe_source(config)
    _refuse_nested(raw, config)
    canonical = to_canonical(raw, config)
    events, report = clean_log(canonical, config, source=source, decode=False)
    findings = list(report.findings)
    if pseudonymise is None:
        pseudonymise = config.privacy.pseudonymise
    if pseudonymise:
        key = resolve_secret(secret=secret, secret_env=config.privacy.secret_env)
        columns = {RESOURCE: "staff", **{c: c for c in config.person_columns}}
        events = pseudonymise_frame(events, columns, key)  # coded person columns: hashed once per distinct text
        present = [c for c in columns if c in events.columns and _has_values(events[c])]
        findings.append(Finding("person identifiers pseudonymised", 0, "values", "info",
                                f"keyed HMAC pseudonyms in {', '.join(present) or 'no column with values'}"))
    elif config.privacy.pseudonymise:
        findings.append(Finding("person identifiers pseudonymised", 0, "values", "info",
                                "not applied here: this step writes no identifiers"))
    else:
        findings.append(Finding("person identifiers pseudonymised", 0, "values", "info",
                                "OFF (privacy.pseudonymise: false): outputs contain real identifiers"))
    if events.attrs.get(CODED_TEXT):  # the text the CSV reader kept coded, as the text reader gives it
        events = decoded(events)
    report = DataQualityReport(**{**report.__dict__, "findings": tuple(findings)})
    return LoadedLog(events=events, quality=report, config=config)


def load_log(config: LogConfig, *, secret: str | None = None, pseudonymise: bool | None = None) -> LoadedLog:
    """Read, validate, clean and pseudonymise the log named by ``config``.

    Parameters
    ----------
    config : LogConfig
        The log config (see ``configs/logs/``).
    secret : str, optional
        The pseudonymisation key; by default read from the environment variable
        ``config.privacy.secret_env`` (``WORKBENCH_SECRET``).
    pseudonymise : bool, optional
        ``None`` (default) follows the config; ``False`` only for steps that write
        no identifiers.

    Raises
    ------
    SourceError, EventLogError, PrivacyError
        With one line saying what is wrong and how to fix it.
    """
    if config.privacy.pseudonymise if pseudonymise is None else pseudonymise:
        # A missing or weak key is found before the (possibly long) read, not after it.
        resolve_secret(secret=secret, secret_env=config.privacy.secret_env)
    readers: dict[str, Reader] = {"csv": read_csv_coded}  # repeated text stays coded through cleaning
    if config.source.resolved_kind == "demo":
        from workbench.demo.source import read_demo_source

        readers["demo"] = read_demo_source
    raw = read_source(config.source, readers=readers)
    with reading(config.source.path):
        return prepare_log(raw, config, secret=secret, pseudonymise=pseudonymise)
