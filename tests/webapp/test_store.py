"""The app's database: migrations on SQLite and PostgreSQL, scenario versions, runs, comments, trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.webapp.store import INTERRUPTED, Store, StoreError
from workbench.webapp.store._models import Base


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    found = Store(f"sqlite:///{tmp_path / 'app.sqlite'}")
    yield found
    found.dispose()


@pytest.fixture()
def postgres_store(postgres_database: str) -> Iterator[Store]:
    found = Store(postgres_database)
    try:
        yield found
    finally:
        found.dispose()


def _schema_matches_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def _round_trip(store: Store) -> None:
    first = store.save_scenario(name="One more in IT", spec={"staff": {"IT": 1}}, user="mona")
    second = store.save_scenario(name="One more in IT", spec={"staff": {"IT": 2}}, user="lars")
    private = store.save_scenario(name="Mine", spec={"volume": 1.1}, user="lars", shared=False)
    assert (first.version, second.version, private.version) == (1, 2, 1)
    assert [s.version for s in store.versions("One more in IT")] == [1, 2]
    assert [(s.name, s.version) for s in store.scenarios(user="mona")] == [("One more in IT", 2)]
    assert [(s.name, s.version) for s in store.scenarios(user="lars")] == [("Mine", 1), ("One more in IT", 2)]
    assert store.scenario(first.id).spec == {"staff": {"IT": 1}}
    run = store.create_run(spec={"scenario": second.spec, "seed": 1}, user="mona", scenario_id=second.id)
    assert run.status == "queued" and run.progress == 0.0 and run.result is None
    store.update_run(run.id, status="running", progress=0.5, message="replication 5 of 10")
    assert store.finish_run(run.id, status="done", result={"kpi": [1.5, 2.5]})
    assert not store.finish_run(run.id, status="failed", error="late")  # a finished run stays as it is
    done = store.run(run.id)
    assert (done.status, done.progress, done.result, done.error) == ("done", 1.0, {"kpi": [1.5, 2.5]}, None)
    assert done.finished_at is not None and done.finished_at.tzinfo is not None
    comment = store.add_comment(scenario_id=second.id, user="rita", text="Fine by me", sign_off=True)
    assert [(c.author, c.signed_off) for c in store.comments(second.id)] == [("rita", True)]
    assert comment.text == "Fine by me"
    store.record(user="mona", action="save_scenario", detail="One more in IT v2")
    assert [(t.user, t.action) for t in store.trail()] == [("mona", "save_scenario")]


def test_a_new_sqlite_database_is_migrated_to_head(store: Store) -> None:
    assert store.revision() == "0001"
    assert set(sa.inspect(store.engine).get_table_names()) >= {"scenarios", "runs", "comments", "trail",
                                                              "sessions", "alembic_version"}
    _schema_matches_models(store)


def test_opening_again_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    first = Store(url)
    first.save_scenario(name="A", spec={}, user="mona")
    first.dispose()
    again = Store(url)
    assert [s.name for s in again.scenarios(user="mona")] == ["A"]
    assert again.revision() == "0001"


def test_scenarios_runs_comments_and_trail_on_sqlite(store: Store) -> None:
    _round_trip(store)


def test_interrupted_runs_are_failed_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    before = Store(url)
    queued = before.create_run(spec={}, user="mona", scenario_id=None)
    running = before.create_run(spec={}, user="mona", scenario_id=None)
    before.update_run(running.id, status="running", progress=0.3)
    done = before.create_run(spec={}, user="mona", scenario_id=None)
    before.finish_run(done.id, status="done", result={"x": 1})
    before.dispose()
    after = Store(url)  # the app restarts
    assert after.fail_interrupted_runs() == 2
    for run_id in (queued.id, running.id):
        record = after.run(run_id)
        assert (record.status, record.error, record.result) == ("failed", INTERRUPTED, None)
    assert after.run(done.id).status == "done"
    assert after.fail_interrupted_runs() == 0


def test_a_result_that_is_not_json_is_refused_and_the_run_is_unchanged(store: Store) -> None:
    run = store.create_run(spec={}, user="mona", scenario_id=None)
    with pytest.raises(StoreError, match="the run's result cannot be stored as JSON"):
        store.finish_run(run.id, status="done", result={"mean": float("nan")})
    assert store.run(run.id).status == "queued"


def test_unknown_records_and_bad_values(store: Store) -> None:
    with pytest.raises(StoreError, match=r"^no scenario with id 42$"):
        store.scenario(42)
    with pytest.raises(StoreError, match=r"^no run with id 7$"):
        store.update_run(7, progress=0.5)
    with pytest.raises(StoreError, match=r"^no scenario with id 3$"):
        store.create_run(spec={}, user="mona", scenario_id=3)
    with pytest.raises(StoreError, match="unknown run status 'paused'"):
        store.update_run(1, status="paused")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="a scenario needs a name"):
        store.save_scenario(name="  ", spec={}, user="mona")


@pytest.mark.slow
def test_the_same_on_postgresql(postgres_store: Store) -> None:
    assert postgres_store.engine.dialect.name == "postgresql"
    assert postgres_store.revision() == "0001"
    _schema_matches_models(postgres_store)
    _round_trip(postgres_store)
    run = postgres_store.create_run(spec={}, user="mona", scenario_id=None)
    postgres_store.update_run(run.id, status="running")
    assert postgres_store.fail_interrupted_runs() == 1
    assert postgres_store.run(run.id).error == INTERRUPTED
