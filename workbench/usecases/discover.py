"""Use case: discover the process map and answer the desk's questions (filters, rules and variants too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from workbench.analysis.filters import FilterPipeline
from workbench.analysis.rules import RuleSet
from workbench.analysis.run import Discovery, analyse_log, discovery_tables, summary_lines
from workbench.config import LogConfig
from workbench.discovery import ProcessMap, ProcessModel, build_process_map, discover_process_model
from workbench.errors import ConfigError

__all__ = ["MapAndAnswers", "discover_map_and_answers"]

NodeDuration = Literal["auto", "until_next"]


@dataclass(frozen=True)
class MapAndAnswers:
    """The process map of the (filtered) log and every answer computed from it.

    Attributes
    ----------
    log_name : str
        The log config's name (titles and summaries).
    discovery : Discovery
        The filtered events, the filter report, the questions' answers, the rule checks, the variants.
    process_map : ProcessMap
        The directly-follows map with frequencies, durations and case ids.
    process_model : ProcessModel
        The inductive-miner model (BPMN and Petri net) of the filtered events.
    min_case_share : float or None
        The map's simplification (``None``: the renderer picks a readable level).
    """

    log_name: str
    discovery: Discovery
    process_map: ProcessMap
    process_model: ProcessModel
    min_case_share: float | None = None

    @property
    def events(self) -> pd.DataFrame:
        """The events after the filters."""
        return self.discovery.events

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by file stem (variants, each question's summary/table/cases, rules, filters)."""
        return discovery_tables(self.discovery)

    def summary(self) -> list[str]:
        """A short plain-language summary: the headline answers, variants and rule violations."""
        return summary_lines(self.log_name, self.discovery)


def discover_map_and_answers(
    events: pd.DataFrame,
    log_config: LogConfig,
    *,
    filters: FilterPipeline | None = None,
    rules: RuleSet | None = None,
    per_person: bool = False,
    top_n: int = 20,
    min_messages: int | None = None,
    min_case_share: float | None = None,
    node_duration: NodeDuration = "auto",
) -> MapAndAnswers:
    """Apply ``filters`` in order, build the process map, answer the questions, check ``rules``, list variants.

    Parameters
    ----------
    events : pandas.DataFrame
        A clean canonical event log (not modified).
    log_config : LogConfig
        Its config (statuses, calendar, privacy).
    filters, rules : optional
        Parsed filter pipeline and rule set.
    per_person : bool
        Also compute per-person tables (pseudonymised identifiers only).
    top_n, min_messages : optional
        The communication question: how many tickets to list, or a message threshold.
    min_case_share : float, optional
        The map's simplification, 0..1.
    node_duration : {"auto", "until_next"}
        What an activity's duration on the map means.

    Examples
    --------
    The map and the answers for five days of the demo desk:

    >>> from workbench.config import load_log_config
    >>> from workbench.usecases import load_and_validate
    >>> config = load_log_config("configs/logs/demo.yaml")
    >>> config = config.model_copy(update={"source": config.source.model_copy(update={"days": 5})})
    >>> events = load_and_validate(config, pseudonymise=False).events
    >>> result = discover_map_and_answers(events, config)
    >>> print(f"{len(result.discovery.variants)} variants")
    38 variants
    >>> print(result.summary()[2])  # doctest: +ELLIPSIS
    2. Do tickets land with the right team the first time? 214 of 224 resolved tickets (95.5%) ...

    Raises
    ------
    ConfigError
        When ``node_duration`` is not one of the two choices.
    EventLogError, PrivacyError
        From the analysis (no events left after the filters; per-person output without pseudonyms).
    """
    if node_duration not in ("auto", "until_next"):
        raise ConfigError(f"node_duration must be auto or until_next, got {node_duration!r}")
    discovery = analyse_log(
        events, log_config, filters=filters, rules=rules, per_person=per_person, top_n=top_n,
        min_messages=min_messages,
    )
    process_map = build_process_map(discovery.events, node_duration=node_duration)
    process_model = discover_process_model(discovery.events, noise_threshold=0.2)
    return MapAndAnswers(log_name=log_config.name, discovery=discovery, process_map=process_map,
                         process_model=process_model, min_case_share=min_case_share)
