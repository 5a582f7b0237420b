"""Schema drift: the source's columns checked against the log config before anything is merged.

The vendor may change the ticket system's database at any release. A refresh first
compares the source's columns with the columns the log config names and with the types
they had when the store was built; a renamed, missing or retyped column stops the
refresh with one line naming it, before a single row is read into the store.
"""

from __future__ import annotations

import difflib

from workbench.errors import SourceError
from workbench.refresh.source import SourceSchema

__all__ = ["SchemaDriftError", "check_schema"]

_TIME_FAMILIES = ("timestamp", "timestamptz", "date", "text", "unknown")


class SchemaDriftError(SourceError):
    """The source's columns no longer match the log config (renamed, missing or retyped)."""


def check_schema(
    schema: SourceSchema,
    roles: dict[str, str],
    *,
    recorded: dict[str, str] | None,
    time_columns: tuple[str, ...],
    previous: dict[str, str] | None = None,
) -> None:
    """Raise :class:`SchemaDriftError` naming the first column that is missing, renamed or retyped.

    Parameters
    ----------
    schema : SourceSchema
        The source's columns now.
    roles : dict
        Source column -> the role the log config gives it (see :func:`configured_columns`).
    recorded : dict, optional
        Source column -> type family when the store was built (``None``: a new store).
    time_columns : tuple of str
        Columns that must hold timestamps (or ISO text): the timestamp and the watermark.
    previous : dict, optional
        Every source column -> type family at the last refresh: a configured column that is gone
        while a new column of its type appeared was probably renamed, and the message says so.
    """
    present = schema.columns
    for column, role in roles.items():
        if column in present:
            continue
        unknown = [c for c in present if c not in roles]
        new = [c for c in unknown if previous is None or c not in previous]
        if previous is not None and column in previous:
            new = [c for c in new if present[c] == previous[column]]
        close = difflib.get_close_matches(column, new, n=1, cutoff=0.5) or (new if len(new) == 1 else [])
        if close:
            why = f"was it renamed to '{close[0]}'?"
        elif unknown:
            why = f"columns the log config does not name: {', '.join(repr(c) for c in unknown[:8])}"
        else:
            why = "no other column there"
        raise SchemaDriftError(
            f"schema drift: column '{column}' ({role}) is missing from {schema.where}; {why}; "
            "update the log config (nothing was merged)"
        )
    for column in time_columns:
        family = present[column]
        if family not in _TIME_FAMILIES:
            raise SchemaDriftError(
                f"schema drift: column '{column}' ({roles[column]}) in {schema.where} holds {family} values, "
                "not timestamps; fix the log config (nothing was merged)"
            )
    if recorded is None:
        return
    for column in roles:
        before, now = recorded.get(column), present[column]
        if before is not None and before != now and "unknown" not in (before, now):
            raise SchemaDriftError(
                f"schema drift: column '{column}' ({roles[column]}) in {schema.where} changed type from {before} "
                f"to {now}; check the source, then rebuild the store with --full (nothing was merged)"
            )
