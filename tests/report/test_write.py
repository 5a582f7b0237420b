"""Writing the report: atomic HTML, the PDF only when Chromium is there, never a stale PDF."""

from __future__ import annotations

import os

import pytest

from workbench.errors import SourceError, StageError
from workbench.report import render_html, write_report
from workbench.report import write as write_module

NO_CHROMIUM = "/nonexistent/chromium"


def test_writes_the_html_and_explains_the_missing_pdf(report, tmp_path):
    files = write_report(report, tmp_path / "out", chromium=NO_CHROMIUM)
    assert dict(files) == {"html": tmp_path / "out" / "report.html"}
    assert files["html"].read_text(encoding="utf-8") == render_html(report)
    assert files.pdf is None
    assert "no PDF: Chromium is not installed (Debian: apt-get install chromium)" in files.pdf_note
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html"]


def test_a_stale_pdf_is_removed_when_no_new_one_is_made(report, tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 old")
    files = write_report(report, tmp_path, pdf=False)
    assert "pdf" not in files
    assert not (tmp_path / "report.pdf").exists()
    assert files.pdf_note == "PDF not requested; removed the older report.pdf"


def test_html_is_written_atomically(report, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("the previous report", encoding="utf-8")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(report, tmp_path, pdf=False)
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_failing_chromium_is_a_note_not_an_error(report, tmp_path, monkeypatch):
    def broken_print(html_path, pdf_path, *, chromium, timeout):
        raise StageError("report PDF: chromium exited with code 1 (crash)")

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setattr(write_module, "print_pdf", broken_print)
    files = write_report(report, tmp_path / "out", chromium=fake)
    assert files.pdf is None
    assert files.pdf_note == "no PDF: report PDF: chromium exited with code 1 (crash)"
    assert not list((tmp_path / "out").glob("*.tmp")) and not list((tmp_path / "out").glob(".report.pdf.*"))


def test_out_dir_that_is_a_file_is_refused(report, tmp_path):
    path = tmp_path / "taken"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(
        SourceError, match=r"report folder '.*taken' is a file; choose a folder for the report"
    ):
        write_report(report, path, pdf=False)
