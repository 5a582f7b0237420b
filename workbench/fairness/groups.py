"""Which attributes define groups of people, and each case's group under each of them.

Staff attributes (``LogConfig.staff_attributes``, ``resource``, ``team``) describe
employees, not the people a case is about: they are never group attributes unless
an audit config explicitly allows it (``allow_staff_attributes: true``). Person
identifier columns (``LogConfig.person_columns``, e.g. ``user``) are never group
attributes at all: a "group" of one person would expose that person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, EventLogError, PrivacyError
from workbench.schema import CASE_ID, RESOURCE, TEAM

__all__ = ["INTERSECTION", "MISSING", "add_intersections", "case_groups", "check_group_attributes", "group_label_series"]

#: Label of cases whose attribute value is missing (a group of its own, never dropped).
MISSING = "(missing)"
#: Joins attribute names and values of an intersection ("department × channel").
INTERSECTION = " \u00d7 "


def check_group_attributes(
    attributes: Sequence[str],
    *,
    staff_attributes: Sequence[str] = (),
    person_columns: Sequence[str] = (),
    allow_staff_attributes: bool = False,
) -> tuple[str, ...]:
    """Return ``attributes`` as a tuple after the protection-of-people checks.

    Raises
    ------
    ConfigError
        When no group attribute is given.
    PrivacyError
        When a person identifier column is named, or a staff attribute without
        ``allow_staff_attributes``.
    """
    attrs = tuple(dict.fromkeys(attributes))
    if not attrs:
        raise ConfigError(
            "no group attributes to audit; set group_attributes in the log config or in the audit config"
        )
    people = set(person_columns)
    staff = set(staff_attributes) | {RESOURCE, TEAM}
    for attr in attrs:
        if attr in people:
            raise PrivacyError(
                f"group attribute '{attr}' is a person identifier (person_columns); a group of one person "
                "would expose that person: audit an attribute that describes groups of people instead"
            )
        if attr in staff and not allow_staff_attributes:
            raise PrivacyError(
                f"group attribute '{attr}' describes staff, not the people the cases are about; staff are not "
                "audited as groups unless the audit config sets allow_staff_attributes: true"
            )
    return attrs


def group_label_series(values: pd.Series) -> pd.Series:
    """String group labels; missing values become :data:`MISSING` (a group, not dropped)."""
    out = values.astype("object")
    mask = out.isna()
    labels = out.map(_label)
    labels[mask] = MISSING
    return labels.astype(str)


def _label(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def case_groups(events: pd.DataFrame, attributes: Sequence[str]) -> pd.DataFrame:
    """One row per case (index ``case_id``, in order of first appearance), a label column per attribute.

    The first non-missing value of each attribute in the case is used (case attributes
    are constant per case after cleaning).

    Raises
    ------
    EventLogError
        When an attribute is not a column of the log.
    """
    missing = [a for a in attributes if a not in events.columns]
    if missing:
        attrs = [c for c in events.columns if c not in (CASE_ID,)]
        raise EventLogError(
            f"group attribute{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} not in the "
            f"event log (columns: {attrs}); add it to case_attributes in the log config"
        )
    firsts = events.groupby(CASE_ID, sort=False)[list(attributes)].first()
    return pd.DataFrame({a: group_label_series(firsts[a]) for a in attributes}, index=firsts.index)


def add_intersections(groups: pd.DataFrame, attributes: Sequence[str]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Add a column per pair of attributes (``"department × channel"``) with joined labels."""
    out = groups.copy()
    names = []
    for i, a in enumerate(attributes):
        for b in attributes[i + 1:]:
            name = f"{a}{INTERSECTION}{b}"
            out[name] = out[a].astype(str) + INTERSECTION + out[b].astype(str)
            names.append(name)
    return out, tuple(names)
