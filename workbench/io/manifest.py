"""An output folder's manifest: the files the workbench wrote there, by the sha256 of their bytes.

The manifest (``.workbench-manifest.json``) holds ``files`` (name -> sha256) and, while a
write is under way, ``pending`` (the same, for files about to be renamed into place): a
process killed between the rename and the manifest update leaves a folder whose pending
file, if it reached its place, still counts as written by the workbench.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import OutputError
from workbench.io.durable import output_mode, sha256_file

__all__ = ["MANIFEST_NAME", "TMP_SUFFIX", "foreign_files", "read_manifest", "save_manifest"]

MANIFEST_NAME = ".workbench-manifest.json"
#: Suffix of the temporary files a write renames into place (a killed write may leave one).
TMP_SUFFIX = ".wb-tmp"


def read_manifest(folder: Path) -> dict[str, str]:
    """The manifest's ``files``; a ``pending`` write that reached its file (killed before the
    manifest was updated) counts as written."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data.get("files", {}) if isinstance(data, dict) else {}
        pending = data.get("pending", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        raise OutputError(
            f"the output manifest '{path}' is damaged; delete it and pass --force to write into '{folder}'"
        ) from None
    manifest = {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    for name, digest in (pending.items() if isinstance(pending, dict) else ()):
        target = folder / str(name)
        if target.is_file() and sha256_file(target) == digest:
            manifest[str(name)] = str(digest)
    return manifest


def foreign_files(folder: Path, manifest: dict[str, str], prefix: str = "") -> Iterator[str]:
    """Yield names (relative to the top folder) of files the manifests do not list."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = prefix + entry.name
        if entry.name == MANIFEST_NAME or (entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX)):
            continue
        if entry.is_dir(follow_symlinks=False):
            sub = Path(entry.path)
            if (sub / MANIFEST_NAME).is_file():  # a nested output folder keeps its own manifest
                yield from (name + "/" + f for f in foreign_files(sub, read_manifest(sub)))
            else:
                yield from foreign_files(sub, manifest, name + "/")
        elif name not in manifest:
            yield name


def save_manifest(root: Path, files: dict[str, str], pending: dict[str, str] | None = None) -> None:
    """Write the manifest of ``root`` atomically: ``files``, and the writes ``pending`` if any."""
    path = root / MANIFEST_NAME
    content: dict[str, object] = {"written_by": "workbench", "files": dict(sorted(files.items()))}
    if pending:
        content["pending"] = pending
    text = json.dumps(content, indent=1)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{MANIFEST_NAME}.", suffix=TMP_SUFFIX, dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp_name, output_mode())
    os.replace(tmp_name, path)
