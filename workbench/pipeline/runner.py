"""Run typed stages in order, with progress, time left, clean failure and a record of the run.

Each :class:`Stage` declares what it needs (fields of :class:`~workbench.usecases.RunResults`
that earlier stages, or the experiment, provide) and the one field it produces.
:func:`check_plan` refuses a plan whose stage lacks an input before anything runs.
The runner records each stage in ``run_state.json``: ``done``, ``failed`` (a
:class:`~workbench.errors.StageError` names the stage and the cause; what earlier stages
wrote is kept) or ``interrupted`` (Ctrl-C, or SIGTERM under :func:`sigterm_as_interrupt`).
"""

from __future__ import annotations

import dataclasses
import json
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from workbench.errors import ConfigError, StageError, WorkbenchError
from workbench.io.outputs import OutputFolder
from workbench.usecases import RunResults

__all__ = ["Stage", "RunContext", "Progress", "check_plan", "run_stages", "previous_durations",
           "sigterm_as_interrupt", "STATE_FILE"]

STATE_FILE = "run_state.json"
Progress = Callable[[str], None]

#: What a missing input means and how to provide it (for the one-line plan error).
NEEDS: dict[str, str] = {
    "log": "the loaded log: add 'load' before it",
    "models": "a trained model: add 'train' or set model: <registered name>",
    "desk_logs": "the desks to compare: name them in 'desks' instead of 'log'",
}


@dataclass
class RunContext:
    """What the stages share: the output folder, the parsed inputs, the results so far, progress."""

    folder: OutputFolder
    inputs: Any
    results: RunResults = dataclasses.field(default_factory=RunResults)
    progress: Progress = lambda _msg: None

    def say(self, line: str) -> None:
        """One progress line inside a stage (indented under the stage's own line)."""
        self.progress(f"      {line}")


@dataclass(frozen=True)
class Stage:
    """One step: ``run(ctx)`` returns the value of ``produces``."""

    name: str
    title: str
    run: Callable[[RunContext], Any]
    needs: tuple[str, ...] = ()
    produces: str = ""


def check_plan(stages: Sequence[Stage], provided: Sequence[str] = ()) -> None:
    """Raise :class:`ConfigError` naming the first stage whose input neither an earlier stage nor the config gives."""
    available = set(provided)
    for stage in stages:
        for need in stage.needs:
            if need not in available:
                hint = NEEDS.get(need, f"'{need}': add the stage that produces it")
                raise ConfigError(f"stage '{stage.name}' needs {hint}")
        if stage.produces:
            available.add(stage.produces)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM stops the run like Ctrl-C (so ``run_state.json`` says interrupted)."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fmt(seconds: float) -> str:
    seconds = max(0.0, seconds)
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def run_stages(
    stages: list[Stage],
    ctx: RunContext,
    *,
    on_failure: Callable[[str, BaseException], None] | None = None,
    on_interrupt: Callable[[str], None] | None = None,
    expected_seconds: Mapping[str, float] | None = None,
) -> RunResults:
    """Run ``stages`` in order and return the results.

    Parameters
    ----------
    on_failure : callable, optional
        Called with the stage name and the exception before the StageError is raised.
    on_interrupt : callable, optional
        Called with the stage name when the run is interrupted (then the interrupt propagates).
    expected_seconds : mapping, optional
        Expected duration per stage (e.g. from the previous run), for the time left.
    """
    state: dict[str, Any] = {"stages": {}, "status": "running"}

    def save() -> None:
        ctx.folder.write_text(STATE_FILE, json.dumps(state, indent=2, default=str))

    save()
    for index, stage in enumerate(stages, start=1):
        # the time left only from an earlier run's durations: a log's what-ifs and training take what its
        # size, scenarios and trials make them (BPIC 2013: 13 s of reading, then more than an hour of
        # what-ifs), so no first run's pace, nor any fixed share per stage, says how long the rest takes
        left: float | None = None
        if expected_seconds and all(s.name in expected_seconds for s in stages[index - 1 :]):
            left = sum(expected_seconds[s.name] for s in stages[index - 1 :])
        eta = f", about {_fmt(left)} left" if left is not None else ""
        ctx.progress(f"[{index}/{len(stages)}] {stage.title}{eta}")
        state["stages"][stage.name] = {"status": "running"}
        save()  # a look at run_state.json shows which stage is running
        t0 = time.perf_counter()
        try:
            value = stage.run(ctx)
        except (KeyboardInterrupt, SystemExit):
            state["stages"][stage.name] = {"status": "interrupted", "seconds": round(time.perf_counter() - t0, 2)}
            state["status"] = "interrupted"
            save()
            if on_interrupt is not None:
                on_interrupt(stage.name)
            raise
        except Exception as exc:
            detail = _first_line(exc)
            state["stages"][stage.name] = {"status": "failed", "error": detail}
            state["status"] = "failed"
            save()
            if on_failure is not None:
                on_failure(stage.name, exc)
            kept = ", ".join(s for s, v in state["stages"].items() if v.get("status") == "done") or "nothing yet"
            kind = "" if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: "
            raise StageError(
                f"stage '{stage.name}' failed: {kind}{detail} (outputs of earlier stages kept in "
                f"{ctx.folder.root}: {kept})"
            ) from exc
        seconds = time.perf_counter() - t0
        if stage.produces:
            ctx.results = dataclasses.replace(ctx.results, **{stage.produces: value})
        state["stages"][stage.name] = {"status": "done", "seconds": round(seconds, 2)}
        save()
        ctx.progress(f"      done in {_fmt(seconds)}")
    state["status"] = "done"
    save()
    return ctx.results


def previous_durations(folder: OutputFolder) -> dict[str, float]:
    """Stage durations recorded by the last run in ``folder`` (for time-left estimates)."""
    path = folder.root / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v["seconds"]) for k, v in state.get("stages", {}).items() if v.get("status") == "done"}
