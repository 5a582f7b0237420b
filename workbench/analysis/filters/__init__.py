"""Filters in a declared order: the steps (:mod:`.steps`) and applying them (:mod:`.apply`).

:mod:`.steps` holds what a filter *is* (the step models a YAML file under
``configs/filters/`` is parsed into, and :func:`load_filters`); :mod:`.apply` holds what
a filter *does* (:func:`apply_filters`, returning a :class:`FilterResult`).

Event filters (``activities`` or ``attribute`` at event level, ``timeframe`` with
``mode: events``) shape the process map and the variants. The desk's questions judge
whole tickets: :attr:`FilterResult.case_events` holds every event of the cases the
filters kept, so a filter that cuts a ticket's ``Closed`` event never turns a finished
ticket into an open one.
"""

from __future__ import annotations

from workbench.analysis.filters import apply, steps
from workbench.analysis.filters.apply import *  # noqa: F403  (its __all__: FilterResult, apply_filters)
from workbench.analysis.filters.steps import *  # noqa: F403  (its __all__: the steps, load_filters, read_id_file)

__all__ = []
__all__ += steps.__all__
__all__ += apply.__all__
