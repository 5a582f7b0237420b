"""Login sessions (hashed token, expiry, revocation) and the login rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.webapp.accounts import User
from workbench.webapp.sessions import LoginLimiter, Sessions, hash_token
from workbench.webapp.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    found = Store(f"sqlite:///{tmp_path / 'app.sqlite'}")
    yield found
    found.dispose()


def test_a_session_lives_its_minutes_and_no_longer(store: Store) -> None:
    clock = Clock()
    sessions = Sessions(store, minutes=30, clock=clock)
    token = sessions.open(User("mona", frozenset({"manager"})))
    assert sessions.user(token) == User("mona", frozenset({"manager"}))
    clock.now += timedelta(minutes=29)
    assert sessions.lookup(token) is not None
    clock.now += timedelta(minutes=1)
    assert sessions.lookup(token) is None
    assert store.purge_sessions(now=clock.now) == 1


def test_logout_revokes_and_only_the_hash_is_stored(store: Store) -> None:
    sessions = Sessions(store, minutes=30)
    token = sessions.open(User("mona", frozenset({"manager"})))
    other = sessions.open(User("mona", frozenset({"manager"})))
    assert token != other and len(token) >= 43
    with store.engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT token_hash FROM sessions")).scalars())
    assert stored == {hash_token(token), hash_token(other)} and token not in stored
    assert sessions.close(token)
    assert sessions.lookup(token) is None and not sessions.close(token)
    assert sessions.lookup(other) is not None
    assert sessions.lookup(None) is None and sessions.lookup("made-up") is None


def test_the_rate_limit_counts_failures_per_user_and_address() -> None:
    now = [1000.0]
    limiter = LoginLimiter(max_failures=5, window_seconds=300, clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("mona", "10.0.0.1")
        assert limiter.retry_after("mona", "10.0.0.1") == 0
    limiter.failed("MONA", "10.0.0.1")
    assert limiter.retry_after("mona", "10.0.0.1") == 300
    assert limiter.retry_after("mona", "10.0.0.2") == 0 and limiter.retry_after("lars", "10.0.0.1") == 0
    now[0] += 299
    assert limiter.retry_after("mona", "10.0.0.1") == pytest.approx(1.0)
    now[0] += 1
    assert limiter.retry_after("mona", "10.0.0.1") == 0
    limiter.failed("lars", "10.0.0.1")
    limiter.succeeded("lars", "10.0.0.1")
    assert limiter.retry_after("lars", "10.0.0.1") == 0
