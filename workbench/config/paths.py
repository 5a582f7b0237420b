"""One rule for paths inside configs: a relative path is relative to the config file that names it.

Every config reader (log, filters, rules, scenarios, training, audits, experiments) resolves
the paths it holds with :func:`resolve_config_path`, so a config means the same thing from
whichever folder the workbench is started.

Examples
--------
>>> from pathlib import Path
>>> resolve_config_path(Path("/srv/configs/training/demo.yaml"), Path("../logs/demo.yaml")).as_posix()
'/srv/configs/logs/demo.yaml'
>>> resolve_config_path(Path("/srv/configs/training/demo.yaml"), Path("/data/log.csv")).as_posix()
'/data/log.csv'
>>> resolve_config_path(Path("/srv/x.yaml"), None) is None
True
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_config_path"]


def resolve_config_path(config_file: str | Path, value: str | Path | None) -> Path | None:
    """``value`` made absolute against the folder of ``config_file`` (absolute paths and ``None`` unchanged).

    Parameters
    ----------
    config_file : str or Path
        The config file the path was written in.
    value : str, Path or None
        The path as written in that file.
    """
    if value is None:
        return None
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    base = Path(config_file).expanduser().absolute().parent
    return Path(os.path.normpath(base / path))
