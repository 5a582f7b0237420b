"""The demo log as a log source (``source.kind: demo`` in a log config).

:func:`workbench.io.load_log` passes :func:`read_demo_source` to the readers for the
``demo`` kind, so the file and database readers need not know the demo generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from workbench.config import SourceConfig

__all__ = ["read_demo_source"]


def read_demo_source(config: SourceConfig) -> pd.DataFrame:
    """Generate the built-in demo log (seeded by ``config.seed``, ``config.days`` long) in its source-system form."""
    from workbench.demo import DemoParams, generate_demo_log

    return generate_demo_log(DemoParams(days=config.days), seed=config.seed).events
