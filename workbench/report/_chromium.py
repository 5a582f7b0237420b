"""Printing the report to PDF with Debian's headless Chromium (a subprocess, at the edge).

Chromium runs with a throw-away profile, no network services, no sandbox (it often runs
as root in containers) and a time limit; the page's own Content-Security-Policy keeps it
from loading anything. The whole process group is killed on a timeout, so no renderer is
left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from workbench.errors import StageError

__all__ = ["find_chromium", "print_pdf", "CHROMIUM_FLAGS"]

#: Flags for a quiet, offline, profile-less headless run.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pdf-header-footer",
)

_CANDIDATES = ("chromium", "chromium-browser")


def find_chromium() -> Path | None:
    """Debian's chromium binary, or None when it is not installed."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    debian = Path("/usr/bin/chromium")
    return debian if debian.exists() else None


def print_pdf(html_path: Path, pdf_path: Path, *, chromium: Path, timeout: float = 120.0) -> Path:
    """Print ``html_path`` (opened as ``file://``) to ``pdf_path`` with headless Chromium.

    ``pdf_path`` is written directly; callers wanting an atomic write pass a temporary
    path. Raises :class:`~workbench.errors.StageError` when Chromium fails, times out or
    writes something that is not a PDF.
    """
    url = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="workbench-chromium-") as profile:
        command = [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={Path(pdf_path).resolve()}",
            url,
        ]
        env = {**os.environ, "HOME": profile}
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise StageError(
                f"report PDF: chromium did not finish within {timeout:.0f} s; the HTML report is complete, "
                "print it from a browser instead"
            ) from None
        finally:
            _kill_group(process)
    if process.returncode != 0:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise StageError(f"report PDF: chromium exited with code {process.returncode} ({last[0][:200]})")
    pdf = Path(pdf_path)
    if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
        raise StageError(f"report PDF: chromium wrote no PDF to '{pdf}'")
    return pdf


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of the Chromium process group this module started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait(timeout=10)
