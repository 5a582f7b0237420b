"""Writing the report: ``report.html`` always, ``report.pdf`` when Chromium is installed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import SourceError, StageError
from workbench.io.writers import atomic_path, write_text
from workbench.report._chromium import find_chromium, print_pdf
from workbench.report.html import render_html
from workbench.report.model import Report

__all__ = ["write_report", "ReportFiles", "HTML_NAME", "PDF_NAME"]

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"


@dataclass(frozen=True)
class ReportFiles(Mapping[str, Path]):
    """The files written, as a read-only mapping ``{"html": ..., "pdf": ...}``, and a note.

    ``"pdf"`` is only a key when the PDF was written; :attr:`pdf_note` then says
    ``""``, else why there is no PDF (no Chromium, or Chromium failed). A missing PDF is
    not an error: the HTML report is complete and prints from any browser.
    """

    html: Path
    pdf: Path | None = None
    pdf_note: str = ""

    def _files(self) -> dict[str, Path]:
        return {"html": self.html, **({"pdf": self.pdf} if self.pdf is not None else {})}

    def __getitem__(self, key: str) -> Path:
        return self._files()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files())

    def __len__(self) -> int:
        return len(self._files())


def write_report(
    report: Report,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    chromium: str | Path | None = None,
    pdf_timeout: float = 120.0,
) -> ReportFiles:
    """Write ``report.html`` (atomically) and, when Chromium is available, ``report.pdf``.

    Parameters
    ----------
    report : Report
        The assembled report.
    out_dir : str or Path
        The output folder (created when missing).
    pdf : bool, default True
        Also print a PDF. Without Chromium only the HTML is written and
        :attr:`ReportFiles.pdf_note` says so.
    chromium : str or Path, optional
        The Chromium binary; default Debian's ``chromium`` on the PATH.
    pdf_timeout : float, default 120
        Seconds Chromium may take.

    Returns
    -------
    ReportFiles
        A mapping ``{"html": path, "pdf": path}`` (``"pdf"`` only when written), with
        ``pdf_note`` explaining a missing PDF. A stale ``report.pdf`` from an earlier run
        is removed when no new one could be made, so the two files always match.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SourceError(f"report folder '{out}' is a file; choose a folder for the report")
    out.mkdir(parents=True, exist_ok=True)
    html_path = write_text(render_html(report), out / HTML_NAME)
    pdf_path = out / PDF_NAME
    if not pdf:
        note = "PDF not requested"
    else:
        binary = Path(chromium) if chromium is not None else find_chromium()
        if binary is None or not binary.exists():
            note = (
                "no PDF: Chromium is not installed (Debian: apt-get install chromium); "
                "open report.html in a browser and print it instead"
            )
        else:
            try:
                with atomic_path(pdf_path) as tmp:
                    print_pdf(html_path, tmp, chromium=binary, timeout=pdf_timeout)
                return ReportFiles(html=html_path, pdf=pdf_path)
            except StageError as exc:
                note = f"no PDF: {exc}"
    if pdf_path.exists():
        pdf_path.unlink()
        note += f"; removed the older {PDF_NAME}"
    return ReportFiles(html=html_path, pdf=None, pdf_note=note)
