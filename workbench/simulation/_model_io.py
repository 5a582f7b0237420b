"""A simulation model as text: YAML (readable, editable by hand) or JSON, saved atomically.

Lists of plain values stay on one line (``[8.0, 16.0]``), empty values are left out, and
a file that does not parse or validate fails with one line naming the key and the rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from workbench.config import parse_config
from workbench.errors import ConfigError
from workbench.simulation.model import SimulationModel

__all__ = ["load_model", "model_from_yaml", "model_to_yaml", "save_model"]


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line ("[8.0, 16.0]"), everything else in block style."""


def _scalar(v: object) -> bool:
    return isinstance(v, (int, float, str, bool)) or v is None


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(v, (int, float)) for v in data) or all(
        isinstance(v, list) and all(isinstance(x, (int, float)) for x in v) for v in data
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow and bool(data))


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = (
        all(
            _scalar(v) or (isinstance(v, dict) and all(_scalar(x) for x in v.values())) for v in data.values()
        )
        and len(str(data)) <= 110
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def _drop_empty(value: object) -> object:
    """Leave out empty optional parts (``when: {}``, ``holidays: []``) so the file reads easily."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if not (isinstance(v, (dict, list)) and not v)}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def model_to_yaml(model: SimulationModel) -> str:
    """The model as YAML text (keys in a readable order)."""
    data = _drop_empty(model.model_dump(mode="json", exclude_none=True))
    header = (
        f"# Simulation model '{model.name}' (workbench). Durations are in seconds; work times in\n"
        "# working time of the team's calendar. Edit and load with workbench.simulation.load_model.\n"
    )
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def model_from_yaml(text: str, source: str = "simulation model") -> SimulationModel:
    """Parse a model from YAML (or JSON) text; raise :class:`ConfigError` naming the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must be a mapping of keys to values")
    return parse_config(SimulationModel, data, source)


def save_model(model: SimulationModel, path: str | Path) -> Path:
    """Write the model atomically as YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
    from workbench.io.writers import write_text

    path = Path(path)
    if path.suffix.lower() == ".json":
        text = json.dumps(
            _drop_empty(model.model_dump(mode="json", exclude_none=True)), indent=1, ensure_ascii=False
        )
    elif path.suffix.lower() in (".yaml", ".yml"):
        text = model_to_yaml(model)
    else:
        raise ConfigError(f"cannot save a simulation model as '{path}': use a .yaml or .json file name")
    return write_text(text, path)


def load_model(path: str | Path) -> SimulationModel:
    """Read a model saved by :func:`save_model` (or written by hand)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"simulation model file '{path}' does not exist; check the path")
    return model_from_yaml(path.read_text(encoding="utf-8"), source=f"simulation model '{path}'")
