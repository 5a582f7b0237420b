"""Assemble BENCHMARKS.md from the summary below and every benchmarks/results/*.md file.

Run:  python benchmarks/build_document.py
The figures themselves are printed by the benchmark scripts and copied into the results files;
this script only puts the document together, in the order of the data flow.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("foundation", "demo", "discovery_maps", "analysis", "simulation", "prediction", "fairness", "pipeline")


def main() -> None:
    parts = [(HERE / "SUMMARY.md").read_text(encoding="utf-8").rstrip() + "\n"]
    files = sorted((HERE / "results").glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    for path in files:
        text = path.read_text(encoding="utf-8").strip()
        # each file becomes a section of the document: every heading goes one level down
        body = "\n".join(("#" + line) if line.startswith("#") else line for line in text.splitlines())
        parts.append(f"{body}\n\n_Source: `benchmarks/results/{path.name}`._\n")
    (HERE.parent / "BENCHMARKS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"BENCHMARKS.md written from {len(files)} result files")


if __name__ == "__main__":
    main()
