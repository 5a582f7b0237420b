"""Run the stages of an experiment in order, with progress, time left, and clean failure.

Each stage is a function ``stage(ctx) -> dict`` that reads what earlier stages wrote
(from ``ctx.results``) and writes its own files under ``ctx.out_dir/<stage>/``. The
runner records each finished stage in ``run_state.json``; when a stage fails, the
runner stops with a :class:`~workbench.errors.StageError` naming the stage and the
cause, keeps everything earlier stages wrote, and marks the MLflow run as failed.
Running again starts over in the same folder; outputs are replaced atomically.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import StageError, WorkbenchError
from workbench.io.writers import write_text

__all__ = ["Stage", "RunContext", "run_stages", "Progress"]


@dataclass
class RunContext:
    """What the stages share: settings, the output folder, and earlier stages' results."""

    out_dir: Path
    settings: Any
    seed: int
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stage_dir(self, name: str) -> Path:
        path = self.out_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline; ``weight`` is its expected share of the run time (for time left)."""

    name: str
    title: str
    run: Callable[[RunContext], dict[str, Any]]
    weight: float = 1.0


Progress = Callable[[str], None]


def _fmt(seconds: float) -> str:
    seconds = max(0.0, seconds)
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def run_stages(
    stages: list[Stage],
    ctx: RunContext,
    *,
    progress: Progress = lambda _msg: None,
    on_failure: Callable[[str, BaseException], None] | None = None,
    expected_seconds: Mapping[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Run ``stages`` in order; return every stage's result.

    Parameters
    ----------
    progress : callable
        Receives one line per stage start and end (the CLI prints them).
    on_failure : callable, optional
        Called with the stage name and the exception before the StageError is raised
        (the pipeline marks its MLflow run as failed there).
    expected_seconds : mapping, optional
        Expected duration per stage (e.g. from the previous run), for the time left.
    """
    state_path = ctx.out_dir / "run_state.json"
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    state: dict[str, Any] = {"stages": {}, "status": "running"}
    total_weight = sum(s.weight for s in stages) or 1.0
    done_weight = 0.0
    started = time.perf_counter()
    for index, stage in enumerate(stages, start=1):
        elapsed = time.perf_counter() - started
        if expected_seconds and all(s.name in expected_seconds for s in stages[index - 1 :]):
            left = sum(expected_seconds[s.name] for s in stages[index - 1 :])
        elif done_weight > 0:
            left = elapsed / done_weight * (total_weight - done_weight)
        else:
            left = None
        eta = f", about {_fmt(left)} left" if left is not None else ""
        progress(f"[{index}/{len(stages)}] {stage.title}{eta}")
        t0 = time.perf_counter()
        try:
            result = stage.run(ctx)
        except BaseException as exc:
            state["stages"][stage.name] = {"status": "failed", "error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
            state["status"] = "failed"
            write_text(json.dumps(state, indent=2, default=str), state_path)
            if on_failure is not None:
                on_failure(stage.name, exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            kept = ", ".join(s for s, v in state["stages"].items() if v.get("status") == "done") or "nothing yet"
            kind = "" if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: "
            raise StageError(
                f"stage '{stage.name}' failed: {kind}{detail} (outputs of earlier stages kept in {ctx.out_dir}: {kept})"
            ) from exc
        seconds = time.perf_counter() - t0
        ctx.results[stage.name] = result
        done_weight += stage.weight
        state["stages"][stage.name] = {"status": "done", "seconds": round(seconds, 2)}
        write_text(json.dumps(state, indent=2, default=str), state_path)
        progress(f"      done in {_fmt(seconds)}")
    state["status"] = "done"
    write_text(json.dumps(state, indent=2, default=str), state_path)
    return ctx.results


def previous_durations(out_dir: Path) -> dict[str, float]:
    """Stage durations of the last successful run in ``out_dir`` (for time-left estimates)."""
    path = out_dir / "run_state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v["seconds"]) for k, v in state.get("stages", {}).items() if v.get("status") == "done"}
