"""Use case: read a log, validate and clean it (the data-quality report), pseudonymise its people."""

from __future__ import annotations

from workbench.config import LogConfig
from workbench.io import LoadedLog, load_log

__all__ = ["load_and_validate"]


def load_and_validate(
    log_config: LogConfig, *, secret: str | None = None, pseudonymise: bool | None = None
) -> LoadedLog:
    """Read the log ``log_config`` names, validate, clean and (by default) pseudonymise it.

    Parameters
    ----------
    log_config : LogConfig
        The parsed log config.
    secret : str, optional
        The pseudonymisation key; ``None`` lets the reader take it from the log config's
        ``privacy.secret_env`` (the front end decides; this function reads no environment
        itself).
    pseudonymise : bool, optional
        ``None`` follows the config; ``False`` only for front ends that write no identifiers.

    Returns
    -------
    LoadedLog
        The clean canonical events, the data-quality report and the config (frozen).

    Examples
    --------
    Five days of the built-in demo desk (the figures are the generator's, seed 42):

    >>> from workbench.config import load_log_config
    >>> config = load_log_config("configs/logs/demo.yaml")
    >>> config = config.model_copy(update={"source": config.source.model_copy(update={"days": 5})})
    >>> loaded = load_and_validate(config, pseudonymise=False)
    >>> print(f"{loaded.events['case_id'].nunique()} tickets, {len(loaded.events)} events")
    257 tickets, 1671 events
    """
    return load_log(log_config, secret=secret, pseudonymise=pseudonymise)
