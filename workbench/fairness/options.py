"""What the three audits share: the flag rule, group sizes, the protection of people, the bootstrap.

:func:`~workbench.fairness.audit_history`, :func:`~workbench.fairness.audit_model` and
:func:`~workbench.fairness.audit_process_change` each accept ``options=AuditOptions(...)``;
the same settings may also be given one by one as keywords (``replicates=200, seed=1``),
which then replace those of ``options``. The process-change audit compares paired
replications with t intervals, so it reads only ``rule``, ``min_group_size`` and the
protection settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from workbench.fairness.groups import check_group_attributes
from workbench.fairness.metrics import DEFAULT_RULE, FlagRule

__all__ = ["AuditOptions", "AuditKeywords", "audit_options"]


@dataclass(frozen=True)
class AuditOptions:
    """Settings every audit of a run shares.

    Attributes
    ----------
    rule : FlagRule
        Reference, thresholds and confidence level.
    min_group_size : int
        Groups with fewer cases are suppressed and shown as such.
    staff_attributes, person_columns : sequence of str
        Columns that describe staff or identify people: never group attributes.
    allow_staff_attributes : bool
        Allow a staff attribute as a group attribute (an explicit, recorded choice).
    intersections : bool
        Also audit each pair of group attributes (historical and model audits).
    replicates : int
        Bootstrap replicates, cases resampled with replacement (historical and model audits).
    seed : int
        Seed of the bootstrap.
    case_noun : str
        What a case is called in the notes ("tickets", "applications").
    """

    rule: FlagRule = DEFAULT_RULE
    min_group_size: int = 10
    staff_attributes: Sequence[str] = ()
    person_columns: Sequence[str] = ()
    allow_staff_attributes: bool = False
    intersections: bool = False
    replicates: int = 1000
    seed: int = 0
    case_noun: str = "cases"

    def checked_groups(self, group_attributes: Sequence[str]) -> tuple[str, ...]:
        """``group_attributes`` after the protection-of-people checks (see :func:`check_group_attributes`)."""
        return check_group_attributes(group_attributes, staff_attributes=self.staff_attributes,
                                      person_columns=self.person_columns,
                                      allow_staff_attributes=self.allow_staff_attributes)


class AuditKeywords(TypedDict, total=False):
    """The fields of :class:`AuditOptions`, given one by one as keywords to an audit."""

    rule: FlagRule
    min_group_size: int
    staff_attributes: Sequence[str]
    person_columns: Sequence[str]
    allow_staff_attributes: bool
    intersections: bool
    replicates: int
    seed: int
    case_noun: str


def audit_options(options: AuditOptions | None, keywords: AuditKeywords) -> AuditOptions:
    """``options`` (default :class:`AuditOptions`) with the settings given as keywords replacing its own.

    An unknown keyword raises :class:`TypeError` naming it, as a misspelled argument would.
    """
    base = options if options is not None else AuditOptions()
    return replace(base, **keywords) if keywords else base
