"""Limits and the hard cases of issue 14 that must still read: UTF-16, nested Parquet columns not mapped."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from tests.io.test_readers import COLUMNS, ROWS, log_config, write_csv
from workbench.config.limits import SourceLimits
from workbench.errors import EventLogError, SourceError
from workbench.io import load_log
from workbench.io.limits import check_csv_file
from workbench.io.sniff import sniff_format


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_utf16_csv_declared_as_such_reads(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "u.csv", encoding=encoding)
    events = load_log(log_config(tmp_path, {"path": "u.csv", "encoding": encoding})).events
    assert events["case_id"].nunique() == 2
    assert sniff_format(path, encoding) == "text"


def test_a_utf16_csv_with_a_bom_declared_utf8_says_which_encoding_to_set(tmp_path: Path) -> None:
    write_csv(tmp_path / "u.csv", encoding="utf-16")
    with pytest.raises(SourceError, match=r"UTF-16 text .*set source.encoding: utf-16"):
        load_log(log_config(tmp_path, {"path": "u.csv"}))


def test_gzipped_utf16_reads(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    (tmp_path / "u.csv.gz").write_bytes(gzip.compress(frame.to_csv(index=False).encode("utf-16")))
    assert len(load_log(log_config(tmp_path, {"path": "u.csv.gz", "encoding": "utf-16"})).events) == 5


def test_an_unmapped_nested_parquet_column_reads_as_json_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["tags"] = [["a", "b"], [], ["c"], None, ["d"]]
    frame["meta"] = [{"k": 1}] * 5
    frame.to_parquet(tmp_path / "n.parquet", index=False)
    events = load_log(log_config(tmp_path, {"path": "n.parquet"})).events
    assert len(events) == 5


def test_a_mapped_nested_parquet_column_is_one_line(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["dept"] = [["HR"], ["HR"], ["HR"], ["IT"], ["IT"]]
    frame.to_parquet(tmp_path / "n.parquet", index=False)
    with pytest.raises(EventLogError, match=r"column 'dept' holds lists or structs .*flatten it"):
        load_log(log_config(tmp_path, {"path": "n.parquet"}))


def test_raising_a_limit_in_the_config_lets_the_file_through(tmp_path: Path) -> None:
    write_csv(tmp_path / "l.csv")
    with pytest.raises(SourceError, match=r"6 columns, more than the limit of 5 \(max_columns\).*source.limits"):
        load_log(log_config(tmp_path, {"path": "l.csv", "limits": {"max_columns": 5}}))
    assert len(load_log(log_config(tmp_path, {"path": "l.csv", "limits": {"max_columns": 6}})).events) == 5


def test_sizes_in_limits_accept_units() -> None:
    assert int(SourceLimits.model_validate({"max_line_bytes": "2MB"}).max_line_bytes) == 2_000_000


def test_line_length_names_the_line_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 3 + b"1," + b"x" * 5000 + b"\n1,2\n")
    limits = SourceLimits.model_validate({"max_line_bytes": 4096})
    with pytest.raises(SourceError, match=r"line 5 is longer than 4,096 bytes"):
        check_csv_file(path, compressed=False, encoding="utf-8", delimiter=",", limits=limits)
    check_csv_file(path, compressed=False, encoding="utf-8", delimiter=",", limits=SourceLimits())


@pytest.mark.parametrize("block", [7, 64, 4 * 2**20])
@pytest.mark.parametrize("compressed", [False, True])
def test_long_line_is_numbered_whatever_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   block: int, compressed: bool) -> None:
    import workbench.io.limits as limits_module

    monkeypatch.setattr(limits_module, "_BLOCK", block)
    lines = [b"a,b"] + [b"1," + b"x" * (i % 30) for i in range(200)] + [b"1," + b"y" * 40] + [b"2,3"] * 5
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / ("x.csv.gz" if compressed else "x.csv")
    path.write_bytes(gzip.compress(data) if compressed else data)
    short = SourceLimits.model_validate({"max_line_bytes": 41})
    with pytest.raises(SourceError, match=r"line 202 is longer than 41 bytes"):
        check_csv_file(path, compressed=compressed, encoding="utf-8", delimiter=",", limits=short)
    scan = check_csv_file(path, compressed=compressed, encoding="utf-8", delimiter=",",
                          limits=SourceLimits.model_validate({"max_line_bytes": 42}))
    assert (scan.quote, scan.nul) == (False, False)


def test_the_scan_reports_quotes_and_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 2000 + b'"3",4\n5,\x006\n')
    scan = check_csv_file(path, compressed=False, encoding="utf-8", delimiter=",", limits=SourceLimits())
    assert (scan.quote, scan.nul) == (True, True)


def test_readers_do_not_import_the_demo() -> None:
    import ast

    source = (Path(__file__).resolve().parents[2] / "workbench" / "io" / "readers.py").read_text(encoding="utf-8")
    imported = [n.module or "" for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith("workbench.demo")]


def _nested(depth: int) -> str:
    """An XES-like file ``depth`` elements deep, with a comment and a CDATA section holding '<'."""
    if depth == 1:
        return '<?xml version="1.0"?>\n<log/>\n'
    body = ("<log>" + "<list key='l'>" * (depth - 2) + "<string key='a' value='x/y'><![CDATA[<not a tag>]]></string>"
            + "</list>" * (depth - 2) + "</log>")
    return '<?xml version="1.0"?>\n<!-- a comment with <tags> -->\n' + body + "\n"


@pytest.mark.parametrize("depth", [1, 2, 5, 64, 65, 300])
def test_the_fast_xml_depth_count_agrees_with_a_parser(tmp_path: Path, depth: int) -> None:
    from lxml import etree

    from workbench.io.limits import check_xml_file

    path = tmp_path / "d.xes"
    path.write_text(_nested(depth), encoding="utf-8")
    tree = etree.parse(str(path), etree.XMLParser(huge_tree=True))
    assert max(len(list(e.iterancestors())) + 1 for e in tree.iter()) == depth
    if depth > 64:
        with pytest.raises(SourceError, match=r"more than 64 deep .*xml_max_depth"):
            check_xml_file(path, compressed=False, limits=SourceLimits())
    else:
        check_xml_file(path, compressed=False, limits=SourceLimits())
    check_xml_file(path, compressed=False, limits=SourceLimits.model_validate({"xml_max_depth": depth}))
    if depth > 1:
        with pytest.raises(SourceError, match="xml_max_depth"):
            check_xml_file(path, compressed=False, limits=SourceLimits.model_validate({"xml_max_depth": depth - 1}))
