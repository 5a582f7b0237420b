"""The Chromium edge, driven by small fake ``chromium`` scripts: flags, failures, time limit."""

from __future__ import annotations

import os
import stat
import time

import pytest

from workbench.errors import StageError
from workbench.report import write_report
from workbench.report._chromium import print_pdf

WRITES_PDF = """#!/bin/sh
for a in "$@"; do
  case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac
done
echo "$@" > "$(dirname "$0")/args.txt"
printf '%%PDF-1.4 fake' > "$out"
"""
FAILS = """#!/bin/sh
echo "some noise" >&2
echo "cannot open display" >&2
exit 3
"""
WRITES_NOTHING = "#!/bin/sh\nexit 0\n"
HANGS = """#!/bin/sh
sleep 30 &
echo $! > "$(dirname "$0")/child.pid"
wait
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _fake(tmp_path, body: str):
    path = tmp_path / "bin" / "chromium"
    path.parent.mkdir(exist_ok=True)
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_flags_and_a_pdf_through_write_report(report, tmp_path):
    fake = _fake(tmp_path, WRITES_PDF)
    files = write_report(report, tmp_path / "out", chromium=fake)
    assert files["pdf"].read_bytes() == b"%PDF-1.4 fake"
    args = (fake.parent / "args.txt").read_text(encoding="utf-8").split()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        assert flag in args
    assert any(a.startswith("--user-data-dir=") for a in args)
    assert args[-1] == (tmp_path / "out" / "report.html").resolve().as_uri()
    profile = next(a.split("=", 1)[1] for a in args if a.startswith("--user-data-dir="))
    assert not os.path.exists(profile)  # the throw-away profile is gone


def test_a_failing_chromium_names_its_exit_code_and_last_line(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(StageError, match=r"report PDF: chromium exited with code 3 \(cannot open display\)"):
        print_pdf(html, tmp_path / "r.pdf", chromium=_fake(tmp_path, FAILS))


def test_no_pdf_written_is_an_error(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(StageError, match=r"report PDF: chromium wrote no PDF to '.*r.pdf'"):
        print_pdf(html, tmp_path / "r.pdf", chromium=_fake(tmp_path, WRITES_NOTHING))


def test_time_limit_kills_the_whole_process_group(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    fake = _fake(tmp_path, HANGS)
    started = time.monotonic()
    with pytest.raises(
        StageError, match=r"report PDF: chromium did not finish within 1 s; the HTML report is"
    ):
        print_pdf(html, tmp_path / "r.pdf", chromium=fake, timeout=1.0)
    assert time.monotonic() - started < 15
    child = int((fake.parent / "child.pid").read_text(encoding="utf-8"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not _running(child):
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the fake chromium's child {child} is still running")
