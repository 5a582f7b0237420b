"""The multithreaded CSV path reads exactly what the C engine reads, or hands the file back to it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.config.log import SourceConfig
from workbench.errors import SourceError
from workbench.io.readers import _read_csv_arrow, read_csv

SAME = {
    "plain": "a,b\n1,x\n2,y\n",
    "quoted line break": 'a,b\n"x\ny",1\nz,2\n',
    "missing values": 'a,b\nNA,?\n"NA",""\n,x\n N A ,  \n',
    "crlf": "a,b\r\n1,2\r\n3,4\r\n",
    "blank lines": "a,b\n\n1,2\n\n3,4\n",
    "byte-order mark": "\ufeffa,b\n1,2\n",
    "header only": "a,b\n",
    "spaces kept": "a,b\n  1 ,2\n",
    "quotes": 'a,b\nx"y,1\n"p""q",2\n',
}
HANDED_BACK = {
    "repeated name": "a,a\n1,2\n",
    "empty name": ",b\n1,2\n",
    "short row": "a,b,c\n1,2\n3,4,5\n",
    "long row": "a,b\n1,2,3\n",
    "index column": "a,b\n1,2,3\n4,5,6\n",
    "NUL byte": "a,b\n1\x00,2\n",
}


def _c_engine(path: Path, config: SourceConfig) -> pd.DataFrame:
    return pd.read_csv(path, sep=config.delimiter, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                       na_values=list(config.na_values), engine="c")


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_same_frame_as_the_c_engine(tmp_path: Path, text: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    config = SourceConfig(path=path)
    fast = _read_csv_arrow(path, config)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _c_engine(path, config))


@pytest.mark.parametrize("text", HANDED_BACK.values(), ids=HANDED_BACK.keys())
def test_unsure_files_go_to_the_c_engine(tmp_path: Path, text: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    config = SourceConfig(path=path)
    assert _read_csv_arrow(path, config) is None
    try:
        expected = _c_engine(path, config)
    except pd.errors.ParserError:
        with pytest.raises(SourceError, match="not well-formed CSV"):
            read_csv(config)
        return
    if "\x00" in text:  # refused before reading: a NUL byte in the first bytes looks binary
        with pytest.raises(SourceError, match="does not look like a CSV file"):
            read_csv(config)
        return
    pd.testing.assert_frame_equal(read_csv(config), expected)


def test_other_delimiter_and_na_values(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("a;b\n-;1\nx;-\n", encoding="utf-8")
    config = SourceConfig(path=path, delimiter=";", na_values=("-",))
    fast = _read_csv_arrow(path, config)
    assert fast is not None
    assert fast["a"].isna().tolist() == [True, False]
    pd.testing.assert_frame_equal(fast, _c_engine(path, config))
