"""Shared pieces of every YAML config: a frozen strict base model and a loader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from workbench.errors import ConfigError, reading

__all__ = [
    "FrozenModel", "TimeZoneName", "check_time_zone", "exactly_one", "load_yaml", "parse_config",
    "format_validation_error",
]

M = TypeVar("M", bound=BaseModel)


class FrozenModel(BaseModel):
    """Base of every config: immutable, and unknown keys are an error (no silent typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def exactly_one(model: BaseModel, names: Sequence[str], *, needs: str) -> str:
    """The one field of ``names`` that is set (not ``None``) on ``model``.

    For ``model_validator(mode="after")`` checks of "give one of these" settings: raises
    ``ValueError`` (pydantic turns it into the config error) saying which were given, e.g.
    ``"a variants filter needs exactly one of top_k, min_count, min_share (got none)"``.
    """
    given = [name for name in names if getattr(model, name) is not None]
    if len(given) != 1:
        raise ValueError(f"{needs} exactly one of {', '.join(names)} (got {given or 'none'})")
    return given[0]


def check_time_zone(value: str) -> str:
    """Accept an IANA time-zone name (``Europe/Copenhagen``, ``UTC``); anything else is an error."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Copenhagen'") from None
    return value


#: A config field holding a time-zone name, checked when the config is read.
TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]


#: A config larger than this is not a config (YAML configs are a few KB).
_MAX_CONFIG_BYTES = 2**20
#: YAML aliases (``*name``) allowed in one config; a few are handy, thousands are an expansion bomb.
_MAX_ALIASES = 100


def _check_aliases(text: str, path: Path) -> None:
    if "*" not in text or "&" not in text:
        return
    aliases = sum(isinstance(token, yaml.AliasToken) for token in yaml.scan(text))
    if aliases > _MAX_ALIASES:
        raise ConfigError(
            f"config file '{path}' uses {aliases} YAML aliases (*name), more than {_MAX_ALIASES}; write the "
            "values out instead (many aliases can expand a small file into gigabytes)"
        )


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path``; raise :class:`ConfigError` with one clear line."""
    with reading(path):
        return _load_yaml(Path(path))


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"config file '{path}' does not exist; check the path")
    if path.is_dir():
        raise ConfigError(f"config path '{path}' is a folder; give a .yaml file")
    size = path.stat().st_size
    if size > _MAX_CONFIG_BYTES:
        raise ConfigError(
            f"config file '{path}' is {size / 2**20:.1f} MB; a config is a few KB of YAML (is it the log itself? "
            "name the log in source.path)"
        )
    try:
        text = path.read_text(encoding="utf-8")
        _check_aliases(text, path)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file '{path}' is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"config file '{path}' cannot be read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"config file '{path}' is not valid YAML{where}: {problem}") from None
    if data is None:
        raise ConfigError(f"config file '{path}' is empty; see configs/ for examples")
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file '{path}' must hold a mapping of keys to values, not a {type(data).__name__}"
        )
    return data


def format_validation_error(exc: ValidationError, source: str) -> str:
    """Turn a pydantic error into one line naming the key, the rule and the value."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        value = err.get("input")
        shown = "" if err["type"] in ("missing",) or isinstance(value, dict) else f" (got {value!r})"
        if len(shown) > 90:
            shown = shown[:80] + "...)"
        parts.append(f"'{loc}': {msg}{shown}")
    more = f"; and {len(exc.errors()) - 3} more" if len(exc.errors()) > 3 else ""
    return f"{source}: " + "; ".join(parts) + more


def parse_config(model: type[M], data: dict[str, Any], source: str = "config") -> M:
    """Validate ``data`` into ``model``; raise :class:`ConfigError` with one clear line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None
