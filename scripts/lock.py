"""Lock files for every install path, and the check that they are not stale.

    python scripts/lock.py           # regenerate requirements/*.txt with uv (needs the network)
    python scripts/lock.py --check   # fail when a lock no longer matches pyproject.toml

``pyproject.toml`` keeps compatible ranges for people who install the workbench as a library;
the lock files pin exact versions with hashes, so ``make demo``, ``make test`` and CI install
the same thing on every machine:

- ``requirements/main.txt``: the runtime dependencies (``make demo``);
- ``requirements/dev.txt``: runtime + the ``dev`` extra (``make test``, CI);
- ``requirements/postgres.txt``: runtime + the ``postgres`` extra;
- ``requirements/bench.txt``: runtime + the ``bench`` extra (polars, for the reading benchmark:
  ``make bench-tools``);
- ``requirements/build.txt``: pip and the build backend (the project is installed without
  build isolation, so the backend is locked too).

All four runtime locks pin the same versions (main and postgres are compiled with dev as
constraints). Each lock records the SHA-256 of the requirements it was compiled from; the
check recomputes it from ``pyproject.toml`` and also checks that every direct requirement is
pinned at a version its range allows.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"
PYTHON = "3.11"
STAMP = "# inputs sha256: "


def _inputs() -> dict[str, list[str]]:
    """The requirement lists each lock is compiled from, straight from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = list(project["project"]["dependencies"])
    extras = project["project"].get("optional-dependencies", {})
    return {
        "dev": deps + list(extras.get("dev", [])),
        "main": deps,
        "postgres": deps + list(extras.get("postgres", [])),
        "bench": deps + list(extras.get("bench", [])),
        "build": ["pip", *list(project["build-system"]["requires"])],
    }


def _digest(requirements: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def _compile(name: str, requirements: list[str], constraints: Path | None) -> None:
    out = LOCKS / f"{name}.txt"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{name}.in"
        src.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        if out.exists():  # uv keeps the versions already pinned unless a requirement no longer allows them
            (Path(tmp) / "out.txt").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        cmd = [
            sys.executable, "-m", "uv", "pip", "compile", str(src), "--generate-hashes",
            "--python-version", PYTHON, "--no-header", "--quiet", "-o", str(Path(tmp) / "out.txt"),
        ]
        if name == "build":
            cmd.append("--no-emit-package=setuptools-scm")
        if constraints is not None:
            cmd += ["--constraint", str(constraints)]
        subprocess.run(cmd, check=True)
        body = (Path(tmp) / "out.txt").read_text(encoding="utf-8")
    header = (
        f"# Locked install for '{name}'. Do not edit: regenerate with `python scripts/lock.py`.\n"
        f"{STAMP}{_digest(requirements)}\n"
    )
    out.write_text(header + body, encoding="utf-8")


def lock() -> None:
    """Regenerate every lock file (dev first; the others take its versions as constraints)."""
    LOCKS.mkdir(exist_ok=True)
    inputs = _inputs()
    _compile("dev", inputs["dev"], None)
    with tempfile.TemporaryDirectory() as tmp:
        pins = Path(tmp) / "pins.txt"
        pins.write_text("".join(f"{k}=={v}\n" for k, v in _pins(LOCKS / "dev.txt").items()), encoding="utf-8")
        for name in ("main", "postgres", "bench", "build"):
            _compile(name, inputs[name], pins if name != "build" else None)


def check() -> list[str]:
    """Every problem that makes a lock stale against pyproject.toml (empty: all fresh)."""
    problems = []
    for name, requirements in _inputs().items():
        path = LOCKS / f"{name}.txt"
        if not path.exists():
            problems.append(f"{path.relative_to(ROOT)} is missing")
            continue
        text = path.read_text(encoding="utf-8")
        if f"{STAMP}{_digest(requirements)}" not in text:
            problems.append(f"{path.relative_to(ROOT)} was compiled from other requirements than pyproject.toml's")
        pins = _pins(path)
        for raw in requirements:
            req = Requirement(raw)
            version = pins.get(canonicalize_name(req.name))
            if version is None:
                problems.append(f"{path.relative_to(ROOT)} does not pin '{req.name}'")
            elif not req.specifier.contains(version, prereleases=True):
                problems.append(f"{path.relative_to(ROOT)} pins {req.name}=={version}, outside '{req.specifier}'")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the locks match pyproject.toml")
    args = parser.parse_args()
    if not args.check:
        lock()
    problems = check()
    for p in problems:
        print(f"error: {p}; regenerate with: python scripts/lock.py", file=sys.stderr)
    if not problems:
        print("lock files match pyproject.toml")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
