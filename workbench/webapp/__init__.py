"""The web app (``workbench app``): pages for managers, analysts and reviewers, in Danish and English.

A Panel app per page on one Bokeh/Tornado server (:mod:`~workbench.webapp.server`), with its own
login (:mod:`~workbench.webapp.accounts`, :mod:`~workbench.webapp.sessions`), its state in a
database (:mod:`~workbench.webapp.store`) and simulations run in background processes
(:mod:`~workbench.webapp.runs`). The pages call the same use cases as the command line.

Import the parts from their modules (``from workbench.webapp.server import serve``); this
package imports nothing heavy on its own.
"""

from __future__ import annotations
