"""Read-only mappings for the demo's parameters (a frozen dataclass's dict fields stay frozen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

__all__ = ["FrozenDict", "frozen", "frozen_default"]


class FrozenDict(dict):
    """A read-only ``dict``: pickles, deep-copies, compares and serialises like a dict."""

    def _readonly(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("DemoParams mappings are read-only; use dataclasses.replace(params, name={...})")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly
    __ior__ = _readonly

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict:
        return self


def frozen(mapping: Mapping[str, Any]) -> FrozenDict:
    """``mapping`` as a :class:`FrozenDict`, nested mappings too."""
    return FrozenDict({k: (frozen(v) if isinstance(v, Mapping) else v) for k, v in mapping.items()})


def frozen_default(mapping: Mapping[str, Any]) -> Any:
    """A dataclass field whose default is a fresh :class:`FrozenDict` of ``mapping``."""
    return field(default_factory=lambda: frozen(mapping))
