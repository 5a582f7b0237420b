"""How long the report is: the HTML's rendered height (px) and size, the PDF's pages and size.

Usage::

    python benchmarks/report.py outputs/demo/report [more report folders ...]

Each folder holds ``report.html`` (and ``report.pdf`` when Chromium printed one). The
height is measured in Debian's Chromium (Playwright) at 1400 px wide, with every
``<details>`` as the page opens (folded). Prints one line per folder.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1400


def pdf_pages(path: Path) -> int:
    """Pages of a PDF (its ``/Type /Page`` objects; Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def html_height(path: Path) -> int:
    """Rendered height of the page in px at :data:`WIDTH` px wide."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.goto(path.resolve().as_uri())
        page.wait_for_timeout(500)
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        browser.close()
    return height


def main(folders: list[str]) -> None:
    for folder in folders:
        root = Path(folder)
        html = root / "report.html"
        pdf = root / "report.pdf"
        line = f"{root}: HTML {html_height(html):,} px, {html.stat().st_size:,} bytes"
        if pdf.exists():
            line += f"; PDF {pdf_pages(pdf)} pages, {pdf.stat().st_size:,} bytes"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
