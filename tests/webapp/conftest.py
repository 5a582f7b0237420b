"""The web app's tests share one small experiment (a short generated demo log, run through the pipeline once)
and, for the page tests, a page context with an in-memory store and run manager."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET
from tests.pipeline.conftest import write_experiment

#: The stages the app reads (the report is not needed).
APP_STAGES = ["load", "discover", "simulate", "train", "predict", "audit"]


@pytest.fixture(scope="session")
def app_experiment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(experiment YAML, output folder) of a 45-day demo desk run through the pipeline once per session."""
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.pipeline import load_experiment, run_pipeline

    folder = tmp_path_factory.mktemp("app-experiment")
    path = write_experiment(folder, days=45, stages=APP_STAGES)
    old = os.environ.get("WORKBENCH_SECRET")
    os.environ["WORKBENCH_SECRET"] = TEST_SECRET
    try:
        experiment = load_experiment(path)
        run_pipeline(experiment, mlflow_uri=resolve_tracking_uri(experiment.mlflow_uri),
                     generated_at="2026-12-05 08:00 UTC", progress=lambda _line: None)
    finally:
        if old is None:
            os.environ.pop("WORKBENCH_SECRET", None)
        else:
            os.environ["WORKBENCH_SECRET"] = old
    return path, folder / "out"


# -- a page context without a server ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """A stand-in for the store's records (the fields the pages read)."""

    id: int
    name: str = ""
    version: int = 1
    spec: dict[str, Any] = field(default_factory=dict)
    created_by: str = ""
    created_at: dt.datetime = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
    shared: bool = True
    scenario_id: int | None = None
    status: str = "queued"
    progress: float = 0.0
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    finished_at: dt.datetime | None = None
    author: str = ""
    text: str = ""
    signed_off: bool = False
    user: str = ""
    action: str = ""
    detail: str = ""


class MemoryStore:
    """The store's interface, in memory."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.saved: list[Record] = []
        self.run_records: dict[int, Record] = {}
        self.comment_records: list[Record] = []
        self.trail_records: list[Record] = []

    def save_scenario(self, *, name: str, spec: dict, user: str, shared: bool = True) -> Record:
        version = 1 + sum(1 for s in self.saved if s.name == name)
        record = Record(id=next(self._ids), name=name, version=version, spec=spec, created_by=user, shared=shared)
        self.saved.append(record)
        return record

    def scenarios(self, *, user: str) -> list[Record]:
        latest: dict[str, Record] = {}
        for s in self.saved:
            if s.shared or s.created_by == user:
                latest[s.name] = s
        return list(latest.values())

    def scenario(self, scenario_id: int) -> Record:
        return next(s for s in self.saved if s.id == scenario_id)

    def versions(self, name: str) -> list[Record]:
        return [s for s in self.saved if s.name == name]

    def create_run(self, *, spec: dict, user: str, scenario_id: int | None) -> Record:
        record = Record(id=next(self._ids), spec=spec, created_by=user, scenario_id=scenario_id)
        self.run_records[record.id] = record
        return record

    def update_run(self, run_id: int, **changes: Any) -> None:
        if changes.get("result") is not None:  # as the real store: strict JSON or nothing
            json.loads(json.dumps(changes["result"], allow_nan=False))
        self.run_records[run_id] = replace(self.run_records[run_id],
                                           **{k: v for k, v in changes.items() if v is not None})

    def run(self, run_id: int) -> Record:
        return self.run_records[run_id]

    def runs(self, *, user: str | None = None, limit: int = 50) -> list[Record]:
        found = [r for r in self.run_records.values() if user is None or r.created_by == user]
        return sorted(found, key=lambda r: -r.id)[:limit]

    def add_comment(self, *, scenario_id: int, user: str, text: str, sign_off: bool) -> Record:
        record = Record(id=next(self._ids), scenario_id=scenario_id, author=user, text=text, signed_off=sign_off)
        self.comment_records.append(record)
        return record

    def comments(self, scenario_id: int) -> list[Record]:
        return [c for c in self.comment_records if c.scenario_id == scenario_id]

    def record(self, *, user: str, action: str, detail: str = "") -> None:
        self.trail_records.append(Record(id=next(self._ids), user=user, action=action, detail=detail))

    def trail(self, *, limit: int = 200) -> list[Record]:
        return self.trail_records[-limit:]


class InlineRuns:
    """The run manager's interface, running the job at once in this process."""

    def __init__(self, store: MemoryStore, job: Any) -> None:
        self.store, self.job = store, job

    def submit(self, *, spec: dict, user: str, scenario_id: int | None = None) -> int:
        run = self.store.create_run(spec=spec, user=user, scenario_id=scenario_id)
        try:
            result = self.job(spec, lambda share, message: self.store.update_run(run.id, progress=share,
                                                                                  message=message))
        except Exception as exc:  # the run manager stores any failure as the run's error
            self.store.update_run(run.id, status="failed", error=" ".join(str(exc).split()))
        else:
            self.store.update_run(run.id, status="done", progress=1.0, result=result)
        return run.id

    def cancel(self, run_id: int, *, user: str) -> bool:
        return False

    def shutdown(self) -> None:
        return None


@pytest.fixture
def make_context(app_experiment):  # type: ignore[no-untyped-def]
    """``make_context(roles, language="da")``: a page context for a user with those roles."""
    from workbench.i18n import Translator
    from workbench.webapp.accounts import User
    from workbench.webapp.context import PageContext
    from workbench.webapp.jobs import run_scenario_job

    experiment, outputs = app_experiment
    store = MemoryStore()
    runs = InlineRuns(store, run_scenario_job)

    @dataclass(frozen=True)
    class Settings:
        experiment: Path
        outputs: Path
        language: str = "da"
        per_person: bool = False

    def make(roles: tuple[str, ...] | str, language: str = "da", name: str | None = None) -> Any:
        roles = (roles,) if isinstance(roles, str) else roles
        user = User(name=name or "-".join(roles), roles=frozenset(roles))  # type: ignore[arg-type]
        return PageContext(user=user, language=language, translator=Translator(language),  # type: ignore[arg-type]
                           store=store, runs=runs, settings=Settings(experiment, outputs))  # type: ignore[arg-type]

    return make


@contextmanager
def server_in_thread(make: Callable[[], Any]) -> Iterator[Any]:
    """Run the app server that ``make()`` builds (in the thread, on its own event loop) until the block ends;
    then stop it, its background runs and its database connections."""
    from workbench.webapp.server import app_core

    box: dict[str, Any] = {}
    ready = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = make()
            box["server"] = server
            server.start()
        except BaseException as exc:
            box["error"] = exc
            ready.set()
            return
        ready.set()
        server.io_loop.start()
        server.stop()
        core = app_core(server)
        core.runs.shutdown()
        core.store.dispose()
        loop.close()

    thread = threading.Thread(target=run, name="workbench-test-server", daemon=True)
    thread.start()
    assert ready.wait(120), "the server did not start"
    if "error" in box:
        raise box["error"]
    server = box["server"]
    try:
        yield server
    finally:
        server.io_loop.add_callback(server.io_loop.stop)
        thread.join(30)
