"""Checks the report's building blocks share when they are built (one wording for each mistake)."""

from __future__ import annotations

from workbench.errors import ConfigError

__all__ = ["as_tuple", "check_text"]


def as_tuple(value: object, name: str) -> tuple:
    """Accept a list or tuple for a sequence field (a lone string is a mistake)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{name} must be a tuple or list, got {type(value).__name__}; wrap it: ({value!r},)"
        )
    return tuple(value)


def check_text(value: object, name: str, *, required: bool = False) -> None:
    """Raise unless ``value`` is a string (and, when ``required``, not blank)."""
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise ConfigError(f"{name} must not be empty")
