"""Login sessions and the login rate limit.

A session is a random 256-bit token. The browser holds it in a signed, HttpOnly cookie; the
database holds only its SHA-256, with the user, roles and expiry, so a stolen copy of the
database opens no session, an expired or revoked session is refused on the server, and logging
out ends the session everywhere at once.

Failed logins are counted per user name and client address: after ``max_failures`` within
``window_seconds`` further attempts are refused (HTTP 429) until the oldest failure is older
than the window, without even checking the password.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from workbench.webapp.accounts import User, check_roles
from workbench.webapp.store import SessionRecord, Store

__all__ = ["LoginLimiter", "Sessions", "hash_token", "new_token"]


def new_token() -> str:
    """A fresh session token (43 URL-safe characters, 256 random bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """Open, look up and end login sessions kept in ``store``; they last ``minutes``."""

    def __init__(self, store: Store, *, minutes: int, clock: Callable[[], datetime] | None = None) -> None:
        self.store, self.minutes = store, minutes
        self._clock = clock or (lambda: datetime.now(UTC))

    def open(self, user: User, *, source: str = "local") -> str:
        """Start a session for ``user``; return the token for the cookie."""
        token, now = new_token(), self._clock()
        self.store.create_session(token_hash=hash_token(token), user=user.name, roles=frozenset(user.roles),
                                  source=source, expires_at=now + timedelta(minutes=self.minutes), now=now)
        return token

    def lookup(self, token: str | None) -> SessionRecord | None:
        """The live session of ``token``; None when missing, unknown, expired or revoked."""
        if not token:
            return None
        return self.store.session(hash_token(token), now=self._clock())

    def user(self, token: str | None) -> User | None:
        """The user of a live session (roles as they were at login)."""
        record = self.lookup(token)
        if record is None:
            return None
        return User(record.user, check_roles(record.roles)) if record.roles else None

    def close(self, token: str | None) -> bool:
        """End the session of ``token`` (logout); whether it was live."""
        return bool(token) and self.store.revoke_session(hash_token(token or ""))


class LoginLimiter:
    """At most ``max_failures`` failed logins per (user, address) within ``window_seconds``."""

    def __init__(self, *, max_failures: int = 5, window_seconds: float = 300.0,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        self.max_failures, self.window = max_failures, float(window_seconds)
        self._clock = clock or time.monotonic
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        found = self._failures.get(key)
        if found is None:
            return deque()
        while found and now - found[0] >= self.window:
            found.popleft()
        if not found:
            del self._failures[key]
        return found

    def retry_after(self, user: str, address: str) -> float:
        """Seconds until ``user`` may try again from ``address`` (0 when allowed now)."""
        now = self._clock()
        with self._lock:
            found = self._recent((user.lower(), address), now)
            if len(found) < self.max_failures:
                return 0.0
            return max(1.0, self.window - (now - found[0]))

    def failed(self, user: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            key = (user.lower(), address)
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            self._failures.pop((user.lower(), address), None)
