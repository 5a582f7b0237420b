"""One experiment as the web app sees it: its configs and what the pipeline wrote, read lazily, once per process.

:func:`open_experiment` returns the same :class:`Experiment` for the same experiment file and
output folder, so every session of the app shares one copy of the clean log, the learned
simulation model and the answers. Nothing here computes an analysis of its own: the answers
come from :func:`workbench.usecases.discover_map_and_answers`, the tables from the files the
pipeline's writers wrote (``load/events.parquet``, ``simulate/model.yaml``,
``simulate/verdict.json``, ``simulate/<scenario>/*.csv``, ``predict/at_risk.csv``,
``audit/audit.csv``). The output folder is only read.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.fairness.result import AuditResult
    from workbench.pipeline.config import ExperimentConfig, ExperimentInputs
    from workbench.simulation import SimulationModel, Verdict
    from workbench.usecases import MapAndAnswers

T = TypeVar("T")

__all__ = ["Experiment", "ModelChoices", "ScenarioTables", "open_experiment", "verdict_from_dict",
           "audit_from_records"]

#: The files a page needs, relative to the output folder.
EVENTS = "load/events.parquet"
MODEL = "simulate/model.yaml"
VERDICT = "simulate/verdict.json"
AT_RISK = "predict/at_risk.csv"
AUDIT = "audit/audit.csv"
AUDIT_SETTINGS = "audit/settings.json"
PROCESS_MAP = "discover/process_map.html"
SCENARIO_TABLES = ("comparison", "group_comparison")


@dataclass(frozen=True)
class ModelChoices:
    """What a scenario may name: the model's teams (with staff), activities and case attributes with values."""

    teams: dict[str, int]
    activities: tuple[str, ...]
    attributes: dict[str, tuple[str, ...]]
    routing_points: tuple[str, ...]
    can_route_directly: bool
    has_misrouting: bool


@dataclass(frozen=True)
class ScenarioTables:
    """A scenario the pipeline ran: its folder name and the comparison tables it wrote."""

    key: str
    comparison: pd.DataFrame
    group_comparison: pd.DataFrame


def verdict_from_dict(data: dict[str, Any]) -> Verdict:
    """A :class:`~workbench.simulation.Verdict` from its ``to_dict`` form (``verdict.json``, a run's result)."""
    from workbench.simulation import Check, Verdict

    try:
        checks = tuple(Check(name=str(c["name"]), figure=float("nan") if c["figure"] is None else float(c["figure"]), level=c.get("level"),
                             detail=str(c.get("detail", "")), per_team=dict(c.get("per_team") or {}))
                       for c in data["checks"])
        return Verdict(level=data["level"], checks=checks)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"the model's verdict is not readable ({exc}); run the simulate stage again") from None


def audit_from_records(records: list[dict[str, Any]], notes: tuple[str, ...] = ()) -> AuditResult:
    """An :class:`~workbench.fairness.result.AuditResult` from its table's rows (``audit.csv``, a run's result)."""
    from workbench.fairness.result import AuditResult

    if not records:
        return AuditResult(notes=notes)
    return AuditResult(table=pd.DataFrame.from_records(records), notes=notes)


class Experiment:
    """An experiment's configs and outputs, each read on first use and kept (thread-safe).

    Parameters
    ----------
    path : Path
        The experiment YAML.
    outputs : Path
        The folder the pipeline wrote for it.
    """

    def __init__(self, path: Path, outputs: Path) -> None:
        from workbench.pipeline import load_experiment

        self.path = Path(path)
        self.outputs = Path(outputs)
        if not self.outputs.is_dir():
            raise ConfigError(f"output folder '{self.outputs}' does not exist; run 'workbench run {self.path}' "
                              "first, or name the folder with --outputs")
        self.config: ExperimentConfig = load_experiment(self.path)
        self._lock = threading.RLock()
        self._cache: dict[Hashable, Any] = {}
        self._building: dict[Hashable, threading.RLock] = {}

    def __repr__(self) -> str:
        return f"Experiment({str(self.path)!r}, outputs={str(self.outputs)!r})"

    def _once(self, key: Hashable, make: Any) -> Any:
        # One lock per key: a session waits only for what it needs, never for another item being built.
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            lock = self._building.setdefault(key, threading.RLock())
        with lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = make()
            with self._lock:
                self._cache[key] = value
                self._building.pop(key, None)
            return value

    def shared(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` built once per process for this experiment and ``key``, then shared by every session.

        For content that is the same for every user of a page in one language (HTML strings, tables
        prepared for display): it must not be modified, and must hold nothing of a user or a role.
        """
        result: T = self._once(("shared", key), make)
        return result

    def has(self, name: str) -> bool:
        """Whether the pipeline wrote ``name`` (relative to the output folder)."""
        return (self.outputs / name).is_file()

    def _require(self, name: str, stage: str) -> Path:
        path = self.outputs / name
        if not path.is_file():
            raise ConfigError(f"'{path}' is missing: the '{stage}' stage has not run for this experiment; "
                              f"run 'workbench run {self.path}'")
        return path

    # -- configs ------------------------------------------------------------------------------------------------
    @property
    def inputs(self) -> ExperimentInputs:
        """Every config the experiment names, parsed once."""
        from workbench.pipeline import parse_inputs

        result: ExperimentInputs = self._once("inputs", lambda: parse_inputs(self.config))
        return result

    @property
    def timezone(self) -> str:
        """The log's time zone (times are shown in it)."""
        return str(self.inputs.log.calendar.timezone)

    @property
    def min_group_size(self) -> int:
        """Groups smaller than this are not shown."""
        return int(self.inputs.log.privacy.min_group_size)

    # -- outputs ------------------------------------------------------------------------------------------------
    @property
    def events(self) -> pd.DataFrame:
        """The clean, pseudonymised log the pipeline loaded (do not modify)."""
        path = self._require(EVENTS, "load")
        frame: pd.DataFrame = self._once("events", lambda: pd.read_parquet(path))
        return frame

    @property
    def as_of(self) -> pd.Timestamp:
        """The moment of the last event in the log: the data is as of then."""
        return pd.Timestamp(self._once("as_of", lambda: self.events["timestamp"].max()))

    @property
    def computed_at(self) -> dt.datetime | None:
        """When the pipeline last wrote its run state (UTC), if it did."""
        state = self.outputs / "run_state.json"
        if not state.is_file():
            return None
        return dt.datetime.fromtimestamp(state.stat().st_mtime, tz=dt.UTC)

    @property
    def discovery(self) -> MapAndAnswers:
        """The map and the five questions' answers, from the use case on the clean log (computed once)."""
        from workbench.usecases import discover_map_and_answers

        def make() -> MapAndAnswers:
            p = self.inputs
            return discover_map_and_answers(self.events, p.log, filters=p.filters, rules=p.rules)

        result: MapAndAnswers = self._once("discovery", make)
        return result

    @property
    def model(self) -> SimulationModel:
        """The simulation model the simulate stage learned (``simulate/model.yaml``)."""
        from workbench.simulation import load_model

        path = self._require(MODEL, "simulate")
        result: SimulationModel = self._once("model", lambda: load_model(path))
        return result

    @property
    def verdict(self) -> Verdict | None:
        """The model's fidelity verdict (``simulate/verdict.json``), or None when it was not checked."""
        if not self.has(VERDICT):
            return None
        path = self.outputs / VERDICT
        result: Verdict = self._once("verdict", lambda: verdict_from_dict(json.loads(path.read_text("utf-8"))))
        return result

    @property
    def choices(self) -> ModelChoices:
        """The names a scenario may use, from the model."""
        from workbench.simulation.model import END

        def make() -> ModelChoices:
            m = self.model
            acts = tuple(sorted({a.activity for a in m.activities.values()}))
            points = tuple(sorted({a.activity for n, a in m.activities.items()
                                   if any(r.at == n and r.next != {END: 1.0} for r in m.routing)}))
            attrs = {a: tuple(m.case_mix.values_of(a)) for a in m.case_mix.attributes}
            return ModelChoices(
                teams={name: int(t.staff) for name, t in sorted(m.teams.items())}, activities=acts,
                attributes=attrs, routing_points=points, can_route_directly=bool(m.statuses.assigned),
                has_misrouting=any(n.endswith("]") for n in m.activities),
            )

        result: ModelChoices = self._once("choices", make)
        return result

    @property
    def scenarios(self) -> tuple[ScenarioTables, ...]:
        """The scenarios the pipeline ran, with their comparison tables."""

        def make() -> tuple[ScenarioTables, ...]:
            folder = self.outputs / "simulate"
            found = []
            for sub in sorted(folder.iterdir()) if folder.is_dir() else ():
                if all((sub / f"{t}.csv").is_file() for t in SCENARIO_TABLES):
                    found.append(ScenarioTables(key=sub.name, comparison=pd.read_csv(sub / "comparison.csv"),
                                                group_comparison=pd.read_csv(sub / "group_comparison.csv")))
            return tuple(found)

        result: tuple[ScenarioTables, ...] = self._once("scenarios", make)
        return result

    @property
    def at_risk(self) -> pd.DataFrame:
        """The open cases ranked by predicted remaining time (``predict/at_risk.csv``)."""
        path = self._require(AT_RISK, "predict")

        def make() -> pd.DataFrame:
            frame = pd.read_csv(path, dtype={"case_id": str, "team": str, "last_activity": str})
            for column in ("last_event_at", "as_of", "predicted_end"):
                if column in frame.columns:
                    frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
            return frame

        result: pd.DataFrame = self._once("at_risk", make)
        return result

    @property
    def audit(self) -> AuditResult | None:
        """The pipeline's fairness audit (``audit/audit.csv`` and its notes), or None when it did not run."""
        if not self.has(AUDIT):
            return None

        def make() -> AuditResult:
            table = pd.read_csv(self.outputs / AUDIT)
            notes: tuple[str, ...] = ()
            if self.has(AUDIT_SETTINGS):
                notes = tuple(json.loads((self.outputs / AUDIT_SETTINGS).read_text("utf-8")).get("notes", ()))
            return audit_from_records(table.to_dict("records"), notes)

        result: AuditResult = self._once("audit", make)
        return result

    @property
    def activities(self) -> tuple[str, ...]:
        """The log's activity labels (to say the at-risk reasons in words)."""
        result: tuple[str, ...] = self._once(
            "activities", lambda: tuple(str(a) for a in self.events["activity"].unique()))
        return result


@functools.lru_cache(maxsize=8)
def _open(path: Path, outputs: Path) -> Experiment:
    return Experiment(path, outputs)


def open_experiment(path: str | Path, outputs: str | Path) -> Experiment:
    """The process's one :class:`Experiment` for this experiment file and output folder (opened on first use)."""
    return _open(Path(path).resolve(), Path(outputs).resolve())
