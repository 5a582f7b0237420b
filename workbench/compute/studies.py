"""Optuna studies whose trials run through an executor, with the same result on any of them.

:func:`optimize` asks the study for ``batch_size`` trials at a time (ask-and-tell), runs
their objective as independent tasks on the executor, and tells the study the values in
trial order. The sampler sees the same history in the same order whichever executor
ran the trials, so a seeded study gives the same trials and the same best value in
process, in a local pool or on a Dask cluster -- provided the batch size is the same
(TPE proposes a batch from the history before the batch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workbench.errors import ConfigError

if TYPE_CHECKING:
    import optuna

    from workbench.compute.executors import Executor, Progress

__all__ = ["optimize"]


def optimize(
    study: optuna.Study,
    objective: Callable[..., float],
    suggest: Callable[[optuna.Trial], dict[str, Any]],
    *,
    n_trials: int,
    batch_size: int,
    executor: Executor | None = None,
    extra_args: tuple[Any, ...] = (),
    progress: Progress | None = None,
) -> optuna.Study:
    """Run ``n_trials`` trials of ``objective(params, trial_number, *extra_args)`` through ``executor``.

    Parameters
    ----------
    study : optuna.Study
        The study (with a seeded sampler for reproducible trials).
    objective : callable
        A module-level function ``objective(params, trial_number, *extra_args) -> float``;
        its randomness must come from its arguments (e.g. a seed in ``extra_args``).
    suggest : callable
        ``suggest(trial) -> params``: draws the trial's parameters (runs here, not remotely).
    n_trials, batch_size : int
        The budget, and how many trials run at once (the results depend on it: keep it fixed).
    executor : Executor, optional
        Where the trials run (default: in process).
    extra_args : tuple
        Passed to every objective call (training data, seed, ...).
    progress : callable, optional
        ``progress(done, total)`` over the trials.
    """
    from workbench.compute.executors import InProcessExecutor

    if n_trials < 1 or batch_size < 1:
        raise ConfigError(f"n_trials and batch_size must be at least 1, got {n_trials} and {batch_size}")
    run = executor or InProcessExecutor()
    done = 0
    while done < n_trials:
        trials = [study.ask() for _ in range(min(batch_size, n_trials - done))]
        tasks = [(suggest(t), t.number, *extra_args) for t in trials]
        base = done

        def step(finished: int, _total: int, base: int = base) -> None:
            if progress is not None:
                progress(base + finished, n_trials)

        values = run.map(objective, tasks, progress=step)
        for trial, value in zip(trials, values, strict=True):
            study.tell(trial, float(value))
        done += len(trials)
    return study
