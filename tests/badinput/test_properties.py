"""Property tests: generated CSVs, log configs and scenarios never make the readers or validators crash.

Whatever hypothesis throws at them, the readers and validators either succeed or raise a
:class:`~workbench.errors.WorkbenchError` (one line, exit 2 at the command line) -- never
another exception, which would reach the user as a traceback or a "this is a bug" line.
Examples in all: 900 CSVs + 500 configs + 300 config texts + 400 scenarios = 2,100.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.config import load_log_config
from workbench.errors import WorkbenchError
from workbench.io import load_log

pytestmark = pytest.mark.slow

_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="wb-prop-") as name:
        yield Path(name)


def _must_be_ours(call) -> object:  # type: ignore[no-untyped-def]
    try:
        return call()
    except WorkbenchError as exc:
        text = str(exc)
        assert text.strip(), "an error without a message"
        return exc


# -- CSVs -------------------------------------------------------------------------------------

_cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["", "NA", "?", "2024-01-01 10:00", "2024-13-45", "01/02/2024 10:00", "1e308", "nan",
                     '"', '""', "a,b", "line\nbreak", "\x00", "2024-03-31T02:30:00+02:00", "-1"]),
    st.integers(-10**6, 10**6).map(str),
)
_header_name = st.one_of(st.sampled_from(["case", "act", "ts", "x", "", "case"]), st.text(max_size=6))


@st.composite
def _csv_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:  # now and then: raw bytes
        return draw(st.binary(max_size=400))
    columns = draw(st.lists(_header_name, min_size=0, max_size=6))
    if draw(st.booleans()):
        columns = ["case", "act", "ts", *columns]
    rows = draw(st.lists(st.lists(_cell, min_size=0, max_size=len(columns) + 2), max_size=12))
    sep = draw(st.sampled_from([",", ";", "\t", ","]))
    frame_text = sep.join(columns) + "\n" + "\n".join(sep.join(r) for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252", "latin-1"]))
    return frame_text.encode(encoding, errors="replace")


_source_extra = st.fixed_dictionaries({}, optional={
    "delimiter": st.sampled_from([",", ";", "\t", "|", "", ",,"]),
    "encoding": st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "klingon", "ascii"]),
    "na_values": st.lists(st.sampled_from(["", "NA", "?", "null"]), max_size=3),
    "limits": st.fixed_dictionaries({}, optional={"max_columns": st.integers(-1, 20),
                                                  "max_line_bytes": st.integers(-1, 500)}),
})


@settings(max_examples=900, **_SETTINGS)
@given(data=_csv_bytes(), extra=_source_extra, gz=st.booleans())
def test_generated_csvs_never_crash_the_reader(data: bytes, extra: dict, gz: bool) -> None:
    import gzip

    with _folder() as folder:
        name = "log.csv.gz" if gz else "log.csv"
        (folder / name).write_bytes(gzip.compress(data) if gz else data)
        config = {"name": "p", "source": {"path": name, **extra},
                  "columns": {"case_id": "case", "activity": "act", "timestamp": "ts"}}
        (folder / "log.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

        def read() -> object:
            return load_log(load_log_config(folder / "log.yaml"), pseudonymise=False)

        result = _must_be_ours(read)
        if not isinstance(result, WorkbenchError):
            assert isinstance(result.events, pd.DataFrame)  # type: ignore[attr-defined]


# -- configs ----------------------------------------------------------------------------------

_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**9), st.floats(allow_nan=True),
                    st.text(max_size=10), st.sampled_from(["csv", "xes", "parquet", "sql", "demo", "good.csv",
                                                           "Europe/Copenhagen", "Mars/Olympus", "case", "act"]))
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)
_known_keys = ["name", "description", "source", "columns", "case_attributes", "event_attributes", "statuses",
               "calendar", "privacy", "cleaning", "time", "lifecycle", "group_attributes", "person_columns"]


@st.composite
def _config_dict(draw: st.DrawFn) -> dict:
    config: dict = {"name": draw(st.one_of(st.text(max_size=8), _scalar))}
    if draw(st.booleans()):
        config["source"] = draw(st.one_of(
            st.fixed_dictionaries({"path": st.sampled_from(["good.csv", "missing.csv", "", "."])},
                                  optional={"kind": _scalar, "encoding": _scalar, "delimiter": _scalar,
                                            "limits": _value, "days": _scalar, "seed": _scalar, "url": _scalar}),
            _value))
    if draw(st.booleans()):
        config["columns"] = draw(st.one_of(
            st.fixed_dictionaries({"case_id": st.sampled_from(["case", "x"]), "activity": st.just("act"),
                                   "timestamp": st.sampled_from(["ts", "case"])},
                                  optional={"resource": _scalar, "team": _scalar}),
            _value))
    for key in draw(st.lists(st.sampled_from([*_known_keys, "unknown_key"]), max_size=3)):
        config[key] = draw(_value)
    return config


@settings(max_examples=500, **_SETTINGS)
@given(config=_config_dict())
def test_generated_log_configs_never_crash_the_loader(config: dict) -> None:
    with _folder() as folder:
        (folder / "good.csv").write_text("case,act,ts\n1,a,2024-01-01 10:00\n1,b,2024-01-02 10:00\n",
                                         encoding="utf-8")
        path = folder / "log.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

        def read() -> object:
            loaded = load_log_config(path)
            if loaded.source.resolved_kind == "demo":  # generating a year of demo log is not the point here
                return loaded
            return load_log(loaded, pseudonymise=False)

        _must_be_ours(read)


@settings(max_examples=300, **_SETTINGS)
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                      st.sampled_from(["a: &x [1]\nb: *x\n", "!!python/object:os.system ls", "---\n...\n",
                                       "a: b: c", "[", "{", "name: x\nsource: {path: good.csv}\n"])))
def test_generated_config_texts_never_crash_the_loader(text: str) -> None:
    with _folder() as folder:
        path = folder / "log.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _must_be_ours(lambda: load_log_config(path))


# -- scenarios --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model():  # type: ignore[no-untyped-def]
    from workbench.config import load_log_config as load
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.simulation import discover_model

    with _folder() as folder:
        generate_demo_log(DemoParams(days=21), seed=2).events.to_csv(folder / "demo.csv", index=False)
        data = yaml.safe_load((Path(__file__).resolve().parents[2] / "configs" / "logs" / "demo.yaml").read_text())
        data["source"] = {"path": "demo.csv"}
        (folder / "log.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        config = load(folder / "log.yaml")
        return discover_model(load_log(config, pseudonymise=False).events, config=config)


_names = st.sampled_from(["IT-infrastruktur", "IT-service og support", "No team", "", "In progress",
                          "Registered", "department", "priority", "Høj", "x"])
_number = st.one_of(st.integers(-3, 5), st.floats(-2, 5, allow_nan=False), st.just(float("nan")),
                    st.just(float("inf")), st.text(max_size=3))


@st.composite
def _change(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["staff", "calendar", "routing", "route_attribute", "misrouting", "volume",
                                 "automate", "remove", "duration", "priority", "teleport"]))
    fields = {
        "staff": {"team": _names, "add": _number, "set": _number},
        "calendar": {"team": _names, "hours": st.dictionaries(st.sampled_from(["mon", "fri", "sun", "xyz"]),
                                                              st.lists(st.lists(_number, max_size=3), max_size=2),
                                                              max_size=2),
                     "timezone": st.sampled_from(["UTC", "Mars/Olympus"])},
        "routing": {"at": _names, "team": _names, "next": st.dictionaries(_names, _number, max_size=3)},
        "route_attribute": {"attribute": _names, "value": _names, "team": _names},
        "misrouting": {"factor": _number, "team": _names},
        "volume": {"factor": _number},
        "automate": {"activity": _names, "team": _names},
        "remove": {"activity": _names, "team": _names},
        "duration": {"activity": _names, "scale": _number, "of": st.sampled_from(["work", "delay", "x"]),
                     "distribution": st.fixed_dictionaries({"family": st.sampled_from(["expon", "lognorm", "nope"]),
                                                            "scale": _number})},
        "priority": {"attribute": _names, "value": _names, "rank_offset": _number},
        "teleport": {"to": _names},
    }[kind]
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True)) if fields else []
    return {"type": kind, **{k: draw(fields[k]) for k in chosen}}


@settings(max_examples=400, **_SETTINGS)
@given(changes=st.lists(_change(), max_size=3), name=st.one_of(st.text(max_size=6), st.none()))
def test_generated_scenarios_never_crash_loading_or_applying(small_model, changes: list, name: str | None) -> None:  # type: ignore[no-untyped-def]
    from workbench.simulation.scenarios import apply_scenario, load_scenario

    with _folder() as folder:
        path = folder / "scenario.yaml"
        path.write_text(yaml.safe_dump({"name": name, "changes": changes}, allow_unicode=True), encoding="utf-8")
        _must_be_ours(lambda: apply_scenario(small_model, load_scenario(path)))
