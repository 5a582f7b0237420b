"""Run simulations in the background: one spawned process per run, at most ``max_parallel`` at once.

A run's job is a top-level function ``job(spec, progress) -> result`` (picklable), called in a
fresh process started with the ``spawn`` method, so a run can be cancelled by terminating its
process and the server's event loop never waits for it. The child sends progress and the result
through a pipe of its own (so a child killed mid-message harms no other run); a monitor thread in the server writes them to the
:class:`~workbench.webapp.store.Store`, so every session, and a restarted app, sees them. The
result is written in one transaction together with the status ``done``: a run is never seen
half-written. Run processes get a lower CPU priority (nice 10), so pages stay quick while simulations
run. Runs beyond ``max_parallel`` wait in a queue (status ``queued``). A run whose
process dies without a result (killed, out of memory) is marked failed; a run that was queued
or running when the app stopped is marked failed at the next start
(:meth:`Store.fail_interrupted_runs`).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError
from workbench.webapp.store import Store, StoreError

__all__ = ["JobFn", "RunManager", "cpu_job"]

JobFn = Callable[[dict[str, Any], Callable[[float, str], None]], dict[str, Any]]

_STOPPED = "stopped when the app shut down; run it again"
#: Runs are background work: their processes yield the CPU to the web server (POSIX nice value).
_NICE = 10


def _child(job: JobFn, spec: dict[str, Any], pipe: Any) -> None:
    """The body of a run's process: call ``job`` and send progress, then the result or one error line."""

    def progress(share: float, message: str = "") -> None:
        pipe.send(("progress", (float(share), str(message))))

    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(_NICE)
    try:
        result = job(spec, progress)
        if not isinstance(result, dict):
            raise TypeError(f"the job returned {type(result).__name__}, not a mapping")
        pipe.send(("done", result))
    except WorkbenchError as exc:
        pipe.send(("failed", " ".join(str(exc).split())))
    except BaseException as exc:  # a bug in the job: one line, the trace after it
        trace = "".join(traceback.format_exception(exc))[-3000:]
        pipe.send(("failed", f"unexpected failure ({type(exc).__name__}: {exc})\n{trace}"))
    finally:
        pipe.close()


@dataclass
class _Active:
    process: Any
    pipe: Any  # the parent's (reading) end of this run's own pipe


class RunManager:
    """Start, queue, watch and cancel runs of ``job``; their state lives in ``store``.

    Parameters
    ----------
    store
        Where runs, their progress and results are kept.
    job
        A top-level function ``job(spec, progress) -> dict`` run in a separate process;
        ``progress(share, message)`` reports a share between 0 and 1.
    max_parallel
        Runs executing at once; more wait in a queue.
    """

    def __init__(self, store: Store, job: JobFn, *, max_parallel: int = 2) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self.store, self.job, self.max_parallel = store, job, max_parallel
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._waiting: deque[tuple[int, dict[str, Any]]] = deque()
        self._active: dict[int, _Active] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="workbench-runs", daemon=True)
        self._monitor.start()

    # -- the API the pages use ---------------------------------------------------------------
    def submit(self, *, spec: dict[str, Any], user: str, scenario_id: int | None = None) -> int:
        """Queue a run of ``spec`` for ``user``; it starts as soon as a slot is free. Return its id."""
        if self._stop.is_set():
            raise StoreError("the app is shutting down; no new runs")
        record = self.store.create_run(spec=spec, user=user, scenario_id=scenario_id)
        self.store.record(user=user, action="run_scenario", detail=f"run {record.id}"
                          + (f" of scenario {scenario_id}" if scenario_id is not None else ""))
        with self._lock:
            self._waiting.append((record.id, record.spec))
        self._wake.set()
        return record.id

    def cancel(self, run_id: int, *, user: str) -> bool:
        """Cancel a queued or running run; False when it had finished already (or is unknown here)."""
        with self._lock:
            waiting = [item for item in self._waiting if item[0] == run_id]
            for item in waiting:
                self._waiting.remove(item)
            active = self._active.get(run_id)
        if not waiting and active is None:
            return False
        changed = self.store.finish_run(run_id, status="cancelled", message=f"cancelled by {user}")
        if active is not None:
            active.process.terminate()
        if changed:
            self.store.record(user=user, action="cancel_run", detail=f"run {run_id}")
        self._wake.set()
        return changed

    def active(self) -> list[int]:
        """Ids of the runs executing now."""
        with self._lock:
            return sorted(self._active)

    def waiting(self) -> list[int]:
        """Ids of the runs waiting for a slot, in order."""
        with self._lock:
            return [run_id for run_id, _ in self._waiting]

    def shutdown(self, *, timeout: float = 5.0) -> None:
        """Stop the monitor, terminate running processes and mark unfinished runs failed."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        self._monitor.join(timeout)
        with self._lock:
            active, waiting = dict(self._active), list(self._waiting)
            self._active.clear()
            self._waiting.clear()
        for entry in active.values():
            entry.process.terminate()
        for entry in active.values():
            entry.process.join(timeout)
            if entry.process.is_alive():
                entry.process.kill()
                entry.process.join(timeout)
        for run_id in [*active, *(run_id for run_id, _ in waiting)]:
            self.store.finish_run(run_id, status="failed", error=_STOPPED)
        for entry in active.values():
            entry.pipe.close()

    # -- the monitor thread ------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self._drain(wait=0.1)
                self._start_waiting()
            except Exception:  # the monitor must survive a database hiccup; the next turn retries
                time.sleep(0.5)
            self._wake.wait(0.05)
            self._wake.clear()

    def _drain(self, *, wait: float) -> None:
        """Read what the running children sent; a closed pipe without a final word is a dead child."""
        with self._lock:
            active = dict(self._active)
        if not active:
            time.sleep(wait)
            return
        ready = set(multiprocessing.connection.wait([e.pipe for e in active.values()], timeout=wait))
        for run_id, entry in active.items():
            if entry.pipe not in ready:
                continue
            latest: tuple[float, str] | None = None
            try:
                while entry.pipe.poll():
                    kind, payload = entry.pipe.recv()
                    if kind == "progress":
                        latest = payload
                    else:
                        self._finish(run_id, kind, payload)
                        latest = None
                        break
            except (EOFError, OSError):  # the child is gone without a result (killed, crashed, cancelled)
                entry.process.join(5)
                self._finish(run_id, "failed",
                             f"the run's process stopped without a result (exit code {entry.process.exitcode})")
                continue
            if latest is not None and math.isfinite(latest[0]):
                self.store.update_run(run_id, progress=latest[0], message=latest[1])

    def _finish(self, run_id: int, kind: str, payload: Any) -> None:
        if kind == "done":
            try:
                self.store.finish_run(run_id, status="done", result=payload)
            except StoreError as exc:  # e.g. a result the store cannot keep: the run fails with the reason
                self.store.finish_run(run_id, status="failed", error=f"the run's result could not be stored: {exc}")
        else:
            self.store.finish_run(run_id, status="failed", error=str(payload))
        with self._lock:
            entry = self._active.pop(run_id, None)
        if entry is not None:
            entry.process.join(5)
            entry.pipe.close()

    def _start_waiting(self) -> None:
        while True:
            with self._lock:
                if len(self._active) >= self.max_parallel or not self._waiting:
                    return
                run_id, spec = self._waiting.popleft()
                reader, writer = self._context.Pipe(duplex=False)
                process = self._context.Process(target=_child, args=(self.job, spec, writer),
                                                name=f"workbench-run-{run_id}", daemon=True)
                self._active[run_id] = _Active(process, reader)
            try:
                self.store.update_run(run_id, status="running", progress=0.0, message="")
                process.start()
            except Exception as exc:
                with self._lock:
                    self._active.pop(run_id, None)
                reader.close()
                self.store.finish_run(run_id, status="failed", error=f"the run could not start: {exc}")
            finally:
                writer.close()  # the child holds its own copy; when it ends, the reader sees EOF


def cpu_job(spec: dict[str, Any], progress: Callable[[float, str], None]) -> dict[str, Any]:
    """A built-in CPU-bound check job: ``spec = {"seconds": s, "steps": n, "fail": bool}``.

    Spins the CPU for about ``seconds`` in ``steps`` steps, reporting progress after each; used
    to check the app's run machinery and by the load test when the real job is not there.
    """
    seconds = float(spec.get("seconds", 1.0))
    steps = max(1, int(spec.get("steps", 10)))
    total = 0
    for step in range(steps):
        end = time.perf_counter() + seconds / steps
        while time.perf_counter() < end:
            total += sum(i * i for i in range(1000))
        progress((step + 1) / steps, f"step {step + 1} of {steps}")
    if spec.get("fail"):
        raise ValueError("asked to fail")
    return {"steps": steps, "seconds": seconds, "checksum": total % 1_000_003}
