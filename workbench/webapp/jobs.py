"""The web app's background job: one what-if scenario against the baseline, run in its own process.

:func:`run_scenario_job` is what the app's run manager runs (a top-level function, so it can be
sent to another process). It opens the experiment, takes the simulation model and its verdict
the pipeline wrote, and calls the same use cases as the command line:
:func:`workbench.usecases.compare_scenarios` for the paired replications and
:func:`workbench.usecases.audit_fairness` for the process-change audit. It returns plain data
(JSON-able), which the pages then show in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ConfigError

__all__ = ["run_scenario_job", "scenario_from_spec", "job_spec", "MAX_REPLICATIONS"]

#: More replications than this would hold a slot for too long; the editor offers fewer.
MAX_REPLICATIONS = 50

Progress = Callable[[float, str], None]


def job_spec(*, experiment: Path, outputs: Path, scenario: dict[str, Any], replications: int, seed: int,
             language: str = "en") -> dict[str, Any]:
    """The spec :func:`run_scenario_job` reads (what the Store keeps with the run)."""
    return {"experiment": str(experiment), "outputs": str(outputs), "scenario": scenario,
            "replications": int(replications), "seed": int(seed), "language": language}


def scenario_from_spec(data: dict[str, Any]) -> Any:
    """Validate a scenario given as a dict (the YAML file's shape): one line naming the problem."""
    from workbench.config import parse_config
    from workbench.simulation import Scenario

    if not isinstance(data, dict):
        raise ConfigError(f"a scenario must be a mapping with 'name' and 'changes', got {type(data).__name__}")
    return parse_config(Scenario, data, source=f"scenario '{data.get('name', '')}'")


def _plain(value: Any) -> Any:
    """``value`` as strict JSON data: numpy scalars as Python ones, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-able dicts (missing and infinite values as None)."""
    return [_plain(row) for row in frame.to_dict("records")]


def run_scenario_job(spec: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Run one scenario against the baseline and audit the change for fairness.

    Parameters
    ----------
    spec : dict
        ``experiment`` and ``outputs`` (paths), ``scenario`` (a dict in the scenario file's
        shape), ``replications``, ``seed`` and optionally ``language`` (of the progress lines).
    progress : callable
        ``progress(share, message)``: share done 0..1 and one line.

    Returns
    -------
    dict
        ``scenario``, ``replications``, ``seed``, ``comparison`` and ``group_comparison`` (rows of
        the tables the command line writes), ``audit`` (rows of the process-change audit),
        ``audit_notes``, ``verdict`` (the model's, or None), ``cautions`` (see
        :data:`~workbench.simulation.verdict.Caution`) and ``warnings``.

    Raises
    ------
    ConfigError, ScenarioError
        A malformed scenario, or one that names what the model does not have (the same one
        line as the command line gives).
    """
    from workbench.i18n import Translator
    from workbench.simulation.uncertainty import check_refits
    from workbench.usecases import (
        ModelUncertainty,
        ProcessChange,
        audit_fairness,
        audit_settings,
        compare_scenarios,
    )
    from workbench.usecases.simulate import REFITS
    from workbench.webapp.experiment import open_experiment

    t = Translator(str(spec.get("language", "en")))
    try:
        replications = int(spec["replications"])
        seed = int(spec["seed"])
        experiment = open_experiment(spec["experiment"], spec["outputs"])
    except KeyError as exc:
        raise ConfigError(f"the run's spec lacks {exc}; it needs experiment, outputs, scenario, replications, "
                          "seed") from None
    if not 2 <= replications <= MAX_REPLICATIONS:
        raise ConfigError(f"replications must be between 2 and {MAX_REPLICATIONS}, got {replications}")
    scenario = scenario_from_spec(spec.get("scenario"))  # type: ignore[arg-type]
    progress(0.02, t._("Reading the model"))
    model = experiment.model
    verdict = experiment.verdict

    refits = check_refits(int(spec.get("refits", experiment.config.simulation.refits)))
    if refits > MAX_REPLICATIONS:
        raise ConfigError(f"refits must be at most {MAX_REPLICATIONS}, got {refits}")

    def tick(name: str, done: int, total: int) -> None:
        if name == REFITS:  # the model's uncertainty, after the replications
            progress(0.45 + 0.4 * done / max(total, 1),
                     t._("Model uncertainty: refit %(done)s of %(total)s") % {"done": done, "total": total})
        else:
            progress(0.05 + (0.4 if refits else 0.8) * done / max(total, 1),
                     t._("Replication %(done)s of %(total)s") % {"done": done, "total": total})

    uncertainty = None
    if refits:
        uncertainty = ModelUncertainty(events=experiment.events, log_config=experiment.inputs.log, refits=refits)
    comparison = compare_scenarios(
        model, [("scenario", scenario)], replications=replications, seed=seed, verdict=verdict,
        allow_unusable=experiment.config.simulation.allow_unusable, progress=tick, uncertainty=uncertainty,
    )
    result = comparison.outcomes[0].result
    progress(0.88, t._("Checking the change for fairness"))
    inputs = experiment.inputs
    settings = audit_settings(inputs.log, inputs.audit, seed=seed)
    audit = audit_fairness(
        experiment.events, inputs.log, settings, config=inputs.audit, historical=False,
        changes=[ProcessChange(name=scenario.name, group_kpis=result.group_kpis, kpis=result.kpis)],
    )
    progress(1.0, t._("Done"))
    table = audit.result.table if audit.result is not None else pd.DataFrame()
    return _plain({
        "scenario": scenario.model_dump(mode="json"),
        "replications": replications,
        "refits": refits,
        "seed": seed,
        "comparison": _records(result.comparison),
        "group_comparison": _records(result.group_comparison),
        "audit": _records(table),
        "audit_notes": list(audit.result.notes) if audit.result is not None else [audit.note] if audit.note else [],
        "verdict": verdict.to_dict() if verdict is not None else None,
        "cautions": list(result.settings.get("cautions", [])),
        "warnings": list(result.warnings),
    })
