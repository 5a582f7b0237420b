"""What a page gets when it is built for one user's session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from workbench.i18n import Translator
from workbench.webapp.accounts import User
from workbench.webapp.runs import RunManager
from workbench.webapp.settings import AppSettings
from workbench.webapp.store import Store

if TYPE_CHECKING:
    import panel

__all__ = ["PageContext", "PageFactory"]


@dataclass(frozen=True)
class PageContext:
    """The logged-in user, their language and the app's shared services, for one session's page."""

    user: User
    language: Literal["da", "en"]
    translator: Translator
    store: Store
    runs: RunManager
    settings: AppSettings


#: Builds one page (a Panel viewable) for one session; called after the server checked the role.
PageFactory = Callable[[PageContext], "panel.viewable.Viewable"]
