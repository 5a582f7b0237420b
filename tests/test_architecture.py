"""The package layering rules, checked on the source itself (nothing is imported).

A *package* is a top-level part of :mod:`workbench` (``analysis``, ``report``, ``webapp``,
... or a top-level module such as ``schema``). No package reaches into another one's
private parts: it imports neither a private module (``workbench.report.sections._stages``)
nor a private name (``from workbench.analysis.questions import _helper``), nor reads a
private attribute of a module it imported (``sections._stages``). Inside one package,
anything goes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _private(name: str) -> bool:
    """``_name`` (not a dunder such as ``__init__`` or ``__version__``)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _package(dotted: list[str]) -> str | None:
    """The top-level workbench package of a dotted name (``None``: ``workbench`` itself, or outside it)."""
    return dotted[1] if len(dotted) > 1 and dotted[0] == "workbench" else None


def _foreign_private(dotted: list[str], own: str | None) -> bool:
    """Whether ``dotted`` names a private part of a workbench package other than ``own``."""
    package = _package(dotted)
    return package is not None and package != own and any(_private(p) for p in dotted[1:])


def violations(path: Path, root: Path = ROOT) -> Iterator[str]:
    """``file:line: what`` for each private module or name of another package that ``path`` uses."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts = parts[:-1]
    own = _package(parts)
    where = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
    bound: dict[str, list[str]] = {}  # local name -> the dotted workbench name it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                dotted = alias.name.split(".")
                if dotted[0] != "workbench":
                    continue
                if _foreign_private(dotted, own):
                    yield f"{where}:{node.lineno}: imports private module {alias.name}"
                bound[alias.asname or "workbench"] = dotted if alias.asname else ["workbench"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                base = parts if is_init else parts[:-1]
                module = base[: len(base) - (node.level - 1)] + (node.module or "").split(".")
                module = [p for p in module if p]
            else:
                module = (node.module or "").split(".")
            if module[0] != "workbench":
                continue
            if _foreign_private(module, own):
                yield f"{where}:{node.lineno}: imports from private module {'.'.join(module)}"
            for alias in node.names:
                if alias.name == "*":
                    continue
                dotted = [*module, alias.name]
                if _foreign_private(dotted, own) and not _foreign_private(module, own):
                    yield f"{where}:{node.lineno}: imports private name {alias.name} from {'.'.join(module)}"
                bound[alias.asname or alias.name] = dotted
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain = [node.attr]
        value: ast.expr = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in bound:
            dotted = [*bound[value.id], *reversed(chain)]
            if _foreign_private(dotted, own):
                yield f"{where}:{node.lineno}: uses private {'.'.join(dotted)}"


def test_the_check_finds_each_way_into_another_packages_private_parts(tmp_path: Path) -> None:
    pages = tmp_path / "workbench" / "webapp" / "pages"
    pages.mkdir(parents=True)
    source = pages / "page.py"
    source.write_text(
        "import workbench.report._format\n"  # 1: a private module
        "from workbench.report.sections._stages import fairness_section\n"  # 2: from a private module
        "from workbench.analysis.questions import _helper\n"  # 3: a private name
        "from workbench import _secret\n"  # 4: a private name of workbench itself
        "from workbench.report import sections, _checks as checks\n"  # 5: a private module by name
        "sections._stages.fairness_section\n"  # 6: a private attribute of another package's module
        "import workbench.analysis as an; an._common.check_events\n"  # 7: the same through an alias
        "from workbench.webapp.pages._common import ok\n"  # its own package: fine
        "from . import _render\n"  # relative, its own package: fine
        "from ..store import _records\n"  # relative, its own package: fine
        "workbench.webapp._private\n"  # its own package: fine
        "from workbench.report.sections import build_report\n",  # public: fine
        encoding="utf-8",
    )
    found = list(violations(source, root=tmp_path))
    assert [f.split(": ", 1)[0] for f in found] == [f"workbench/webapp/pages/page.py:{n}" for n in range(1, 8)], found


def test_no_package_uses_another_packages_private_modules_or_names() -> None:
    found = [v for path in sorted((ROOT / "workbench").rglob("*.py")) for v in violations(path)]
    if found:
        pytest.fail("private modules or names used across packages (give them a public home in their package "
                    "and import it from there):\n" + "\n".join(found), pytrace=False)
