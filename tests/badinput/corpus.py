"""The bad-input corpus: files and configs a user (or an attacker) may hand the workbench.

Each :class:`Case` builds its inputs in a fresh folder (small text files are copied from
``files/``; binary, large and XML ones are generated here), names the command to run and a
pattern the one-line error must match. Used by ``test_corpus.py`` and by
``benchmarks/reliability.py``.
"""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"

COLUMNS = "columns: {case_id: case, activity: act, timestamp: ts}\n"
GOOD_CSV = (FILES / "good.csv").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(folder)`` writes the inputs and returns the command's arguments."""

    name: str
    build: Callable[[Path], list[str]]
    expect: str  # regex the error line must match (case-insensitive)


def _config(folder: Path, source: str, *, name: str = "log.yaml", extra: str = "") -> Path:
    path = folder / name
    path.write_text(f"name: corpus\nsource:\n{source}\n{COLUMNS}{extra}", encoding="utf-8")
    return path


def _copy(folder: Path, *names: str) -> None:
    for n in names:
        shutil.copy(FILES / n, folder / n)


def _validate_file(file_name: str, source_extra: str = "", *, copy: bool = True) -> Callable[[Path], list[str]]:
    """``workbench validate`` on a config whose source is ``file_name`` (copied from files/)."""

    def build(folder: Path) -> list[str]:
        if copy:
            _copy(folder, file_name)
        return ["validate", str(_config(folder, f"  path: {file_name}\n{source_extra}"))]

    return build


def _generated(file_name: str, data: Callable[[], bytes], source_extra: str = "") -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        (folder / file_name).write_bytes(data())
        return ["validate", str(_config(folder, f"  path: {file_name}\n{source_extra}"))]

    return build


def _config_text(text: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        _copy(folder, "good.csv")
        path = folder / "log.yaml"
        path.write_text(text, encoding="utf-8")
        return ["validate", str(path)]

    return build


def _config_file(file_name: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        _copy(folder, "good.csv", file_name)
        return ["validate", str(folder / file_name)]

    return build


# -- generated data ---------------------------------------------------------------------------


def _big_csv(rows: int = 200_000) -> bytes:
    lines = [f"{i // 4},act{i % 7},2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00,{i * 7919 % 1000003}\n"
             for i in range(rows)]
    return ("case,act,ts,x\n" + "".join(lines)).encode()


def _truncated_gz() -> bytes:
    data = gzip.compress(_big_csv(), compresslevel=1)
    return data[: len(data) * 2 // 3]


def _truncated_small_gz() -> bytes:
    data = gzip.compress(GOOD_CSV.encode())
    return data[: len(data) // 2]


def _bad_crc_gz() -> bytes:
    data = bytearray(gzip.compress(GOOD_CSV.encode()))
    data[-8] ^= 0xFF  # the CRC32 of the trailer
    return bytes(data)


def _gz_bomb() -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as fh:
        fh.write(b"case,act,ts\n")
        line = (b"1,a,2024-01-01 10:00," + b" " * 2000 + b"\n") * 500
        for _ in range(80):  # about 80 MB expanded from under 100 KB
            fh.write(line)
    return buf.getvalue()


def _wide_csv() -> bytes:
    header = ",".join(f"c{i}" for i in range(1_000_000))
    row = ",".join("1" * 1 for _ in range(1_000_000))
    return (header + "\n" + (row + "\n") * 3).encode()


def _long_line() -> bytes:
    return ("case,act,ts\n1,a," + "x" * 4096 + "\n").encode()


def _utf16() -> bytes:
    return GOOD_CSV.encode("utf-16")


def _binary() -> bytes:
    return bytes(range(256)) * 64


def _zip() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _parquet(frame_kind: str) -> Callable[[], bytes]:
    def make() -> bytes:
        import pandas as pd

        frame = pd.DataFrame({"case": ["1", "1", "2"], "act": ["a", "b", "a"],
                              "ts": ["2024-01-01 10:00", "2024-01-02 10:00", "2024-01-01 11:00"]})
        if frame_kind == "list":
            frame["act"] = [[1, 2], [3], []]
        elif frame_kind == "struct":
            frame["case"] = [{"id": 1}, {"id": 1}, {"id": 2}]
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()

    return make


def _damaged_parquet() -> bytes:
    return b"PAR1" + b"\x00garbage" * 100 + b"PAR1"


def _deep_xes() -> bytes:
    depth = 200
    return (b'<?xml version="1.0"?>\n<log>' + b"<list key='x'>" * depth + b"</list>" * depth + b"</log>\n")


_XES_EVENT = (b'    <event><string key="concept:name" value="a"/>'
              b'<date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event>\n')


def _entity_bomb_xes() -> bytes:
    """A billion-laughs XES: eight levels of entities, each ten of the level below."""
    levels = [b'  <!ENTITY a "aaaaaaaaaa">\n']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        levels.append(b"  <!ENTITY " + name.encode() + b' "' + f"&{prev};".encode() * 10 + b'">\n')
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE log [\n' + b"".join(levels) + b"]>\n"
            b'<log xes.version="1.0">\n  <trace><string key="concept:name" value="1"/>\n'
            b'    <event><string key="concept:name" value="&h;"/>'
            b'<date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event>\n  </trace>\n</log>\n')


def _entity_xes(doctype: bytes) -> Callable[[], bytes]:
    """An XES whose trace name is the entity ``&xxe;``, declared by ``doctype`` (or not at all)."""
    return lambda: (b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype + b'<log xes.version="1.0">\n'
                    b'  <trace><string key="concept:name" value="&xxe;"/>\n' + _XES_EVENT + b"  </trace>\n</log>\n")


def _truncated_xes() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'
            b'  <trace><string key="concept:name" value="1"/>\n'
            b'    <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T10:\n')


def _bad_utf8_xes() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<log><trace><string key="concept:name" value="K\xf8ge"/>'
            b"</trace></log>\n")


def _sqlite(folder: Path) -> Path:
    import sqlite3

    path = folder / "tickets.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table events (case_id text, act text, ts text)")
        conn.execute("insert into events values ('1', 'a', '2024-01-01 10:00')")
    return path


def _sql(source: str, *, with_db: bool = False) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        if with_db:
            _sqlite(folder)
        return ["validate", str(_config(folder, source))]

    return build


def _alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    return "name: bomb\nsource: {path: good.csv}\n" + COLUMNS + "\n".join(lines) + "\n"


# -- simulate ---------------------------------------------------------------------------------


def _simulate(*args: str, scenario: str = "scenario_ok.yaml") -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        _copy(folder, "good.csv", scenario)
        config = _config(folder, "  path: good.csv\n")
        return ["simulate", str(config), "--scenario", str(folder / scenario), "--out", str(folder / "out"),
                "-n", "1", "--jobs", "1", *args]

    return build


def _simulate_bad_model(folder: Path) -> list[str]:
    _copy(folder, "good.csv", "scenario_ok.yaml")
    config = _config(folder, "  path: good.csv\n")
    (folder / "model.yaml").write_text("name: m\nactivities: {}\nrouting: []\nestimation: 3\n", encoding="utf-8")
    return ["simulate", str(config), "--scenario", str(folder / "scenario_ok.yaml"), "--model",
            str(folder / "model.yaml"), "--out", str(folder / "out"), "-n", "1", "--jobs", "1"]


def _other_command(command: str, text: str, *extra: str) -> Callable[[Path], list[str]]:
    """``workbench <command> <config>`` on a broken config of that command (the log itself is fine)."""

    def build(folder: Path) -> list[str]:
        _copy(folder, "good.csv")
        _config(folder, "  path: good.csv\n")
        path = folder / f"{command}.yaml"
        path.write_text(text, encoding="utf-8")
        return [command, str(path), *[a.replace("{folder}", str(folder)) for a in extra]]

    return build


def _discover_bad_filters(folder: Path) -> list[str]:
    _copy(folder, "good.csv")
    config = _config(folder, "  path: good.csv\n")
    (folder / "filters.yaml").write_text("steps:\n  - {type: teleport, where: nowhere}\n", encoding="utf-8")
    return ["discover", str(config), "--filters", str(folder / "filters.yaml"), "--out", str(folder / "out")]


CASES: tuple[Case, ...] = (
    # CSV content
    Case("empty_csv", _validate_file("empty.csv"), r"empty"),
    Case("header_only_csv", _validate_file("header_only.csv"), r"empty|no events|0 rows"),
    Case("semicolon_csv_comma_config", _validate_file("semicolon.csv"), r"not found.*delimiter"),
    Case("ragged_csv", _validate_file("ragged.csv"), r"not well-formed CSV.*line 3"),
    Case("bad_timestamps_csv", _validate_file("bad_timestamps.csv"), r"timestamp|date"),
    Case("cp1252_declared_utf8", _validate_file("cp1252.csv"), r"not valid utf-8 text at line 2.*source\.encoding"),
    Case("unknown_encoding", _validate_file("good.csv", "  encoding: klingon-8\n"), r"unknown encoding 'klingon-8'"),
    Case("utf16_declared_utf8", _generated("u16.csv", _utf16), r"UTF-16 text.*source\.encoding: utf-16"),
    Case("missing_mapped_column",
         _config_text("name: corpus\nsource: {path: good.csv}\ncolumns: {case_id: ticket, activity: act, timestamp: ts}\n"),
         r"'ticket' \(for case_id\) not found in the log"),
    # compression
    Case("truncated_csv_gz", _generated("big.csv.gz", _truncated_gz), r"damaged gzip file"),
    Case("truncated_small_csv_gz", _generated("small.csv.gz", _truncated_small_gz), r"damaged gzip file"),
    Case("bad_crc_csv_gz", _generated("crc.csv.gz", _bad_crc_gz), r"damaged gzip file"),
    Case("gzip_bomb", _generated("bomb.csv.gz", _gz_bomb), r"max_compression_ratio"),
    Case("decompressed_over_limit", _generated("big2.csv.gz", lambda: gzip.compress(_big_csv(20_000)),
                                               "  limits: {max_decompressed_bytes: 100KB}\n"),
         r"max_decompressed_bytes.*source\.limits"),
    # limits
    Case("million_columns_csv", _generated("wide.csv", _wide_csv), r"1,000,000 columns.*max_columns"),
    Case("long_line_csv", _generated("long.csv", _long_line, "  limits: {max_line_bytes: 1KB}\n"),
         r"line 2 is longer than.*max_line_bytes"),
    Case("too_many_columns_for_limit", _validate_file("good.csv", "  limits: {max_columns: 2}\n"),
         r"3 columns.*max_columns"),
    # wrong kind of file
    Case("binary_named_csv", _generated("data.csv", _binary), r"binary"),
    Case("xlsx_named_csv", _generated("export.csv", _zip), r"ZIP archive.*export the sheet as CSV"),
    Case("pdf_named_csv", _generated("report.csv", _pdf), r"PDF"),
    Case("parquet_named_csv", _generated("data.csv", _parquet("flat")), r"Parquet"),
    Case("csv_named_parquet", _generated("data.parquet", lambda: GOOD_CSV.encode()), r"does not look like a Parquet"),
    Case("damaged_parquet", _generated("broken.parquet", _damaged_parquet), r"cannot be read as Parquet"),
    Case("parquet_list_column", _generated("nested.parquet", _parquet("list")), r"column 'act' holds lists or structs"),
    Case("parquet_struct_column", _generated("nested2.parquet", _parquet("struct")),
         r"column 'case' holds lists or structs"),
    Case("folder_as_source", lambda f: ((f / "dir.csv").mkdir(), ["validate", str(_config(f, "  path: dir.csv\n"))])[1],
         r"is a folder"),
    Case("missing_source_file", lambda f: ["validate", str(_config(f, "  path: nowhere.csv\n"))], r"does not exist"),
    # XES
    Case("xes_entity_bomb", _generated("entity_bomb.xes", _entity_bomb_xes), r"declares XML entities"),
    Case("xes_external_entity",
         _generated("external_entity.xes", _entity_xes(b'<!DOCTYPE log [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
         r"declares XML entities"),
    Case("xes_undeclared_entity", _generated("undeclared_entity.xes", _entity_xes(b"")),
         r"XML entity '&xxe;'.*does not define"),
    Case("xes_truncated", _generated("truncated.xes", _truncated_xes), r"not well-formed XES/XML"),
    Case("xes_too_deep", _generated("deep.xes", _deep_xes), r"xml_max_depth"),
    Case("xes_bad_utf8", _generated("bad.xes", _bad_utf8_xes), r"not well-formed XES/XML|UTF-8"),
    # SQL
    Case("sql_missing_driver", _sql("  kind: sql\n  url: postgresql://u:pw@127.0.0.1:1/db\n  table: events\n"),
         r"pip install -e \"\.\[postgres\]\"|cannot read table"),
    Case("sql_missing_table", _sql("  kind: sql\n  url: sqlite:///tickets.db\n  table: nope\n", with_db=True),
         r"cannot read table or view 'nope'"),
    Case("sql_url_env_unset", _sql("  kind: sql\n  url_env: WORKBENCH_CORPUS_NO_SUCH_VAR\n  table: events\n"),
         r"WORKBENCH_CORPUS_NO_SUCH_VAR.*not set"),
    Case("sql_bad_url", _sql("  kind: sql\n  url: 'nosuchdb://x'\n  table: events\n"), r"not a usable database URL"),
    # configs
    Case("config_not_yaml", _config_file("not_yaml.yaml"), r"not valid YAML"),
    Case("config_a_list", _config_file("list.yaml"), r"must hold a mapping"),
    Case("config_unknown_key", _config_file("unknown_key.yaml"), r"colums_typo.*unknown key"),
    Case("config_missing", lambda f: ["validate", str(f / "no_such.yaml")], r"does not exist"),
    Case("config_empty", _config_text(""), r"is empty"),
    Case("config_alias_bomb", _config_text(_alias_bomb()), r"YAML aliases"),
    Case("config_huge", _config_text("name: x\n# " + "x" * (2 * 2**20) + "\n"), r"MB; a config is a few KB"),
    Case("config_bad_time_zone", _config_text("name: x\nsource: {path: good.csv}\n" + COLUMNS
                                              + "calendar: {timezone: Mars/Olympus}\n"), r"unknown time zone"),
    Case("config_zero_limit", _config_text("name: x\nsource: {path: good.csv, limits: {max_columns: 0}}\n"
                                           + COLUMNS), r"max_columns"),
    Case("config_unknown_extension", _config_text("name: x\nsource: {path: good.xlsx}\n" + COLUMNS),
         r"cannot tell the source kind"),
    Case("config_not_utf8", lambda f: ((f / "log.yaml").write_bytes(b"name: K\xf8ge\n"),
                                       ["validate", str(f / "log.yaml")])[1], r"not UTF-8"),
    # simulate
    Case("simulate_days_below_warmup", _simulate("--days", "10"), r"warm-up"),
    Case("simulate_unknown_team", _simulate(scenario="scenario_bad_team.yaml"), r"team 'No-such-team' does not exist"),
    Case("simulate_scenario_not_yaml", _simulate(scenario="scenario_not_yaml.yaml"), r"not valid YAML"),
    Case("simulate_bad_model_file", _simulate_bad_model, r"model"),
    Case("simulate_bad_log_format", _simulate("--log-format", "xlsx"), r"--log-format must be parquet or csv"),
    # the other commands' configs
    Case("audit_config_unknown_key", _other_command("audit", "name: a\nlog: log.yaml\nflagg: {}\n"), r"flagg.*unknown key"),
    Case("audit_config_missing_log", _other_command("audit", "name: a\nlog: no_such_log.yaml\n"), r"does not exist"),
    Case("run_experiment_not_yaml", _other_command("run", "name: [x\n"), r"not valid YAML"),
    Case("train_config_a_list", _other_command("train", "- a\n- b\n"), r"must hold a mapping"),
    Case("discover_bad_filter_step", _discover_bad_filters, r"teleport|type"),
)
