"""The local event store: Parquet partitions (one per month) named by an atomically switched manifest.

Why Parquet files and a manifest rather than a database file: every write creates *new*
files and nothing is changed in place, so the one thing that must be atomic is the
switch of ``manifest.json`` -- a single ``os.replace`` of a fully written, fsynced file,
atomic on every POSIX file system. Readers only ever see files the manifest names.

A merge runs as

1. ``journal.json`` written (the new generation and the files it will create);
2. the changed partitions written to new files (temporary name, fsync, rename);
3. the new manifest written to a temporary file, fsynced and renamed over
   ``manifest.json`` -- the commit point;
4. the files of the old generation deleted, then the journal.

:meth:`EventStore.recover` runs before every refresh. A journal left by a killed refresh
is *finished* when the manifest already names its generation (only the clean-up was
missing) and *rolled back* otherwise (its new files are deleted; the old manifest was
never touched). Either way the store is exactly one whole generation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import SourceError

__all__ = ["Manifest", "EventStore", "StoreError"]

MANIFEST = "manifest.json"
JOURNAL = "journal.json"
DATA = "data"
#: the folder of what a refresh keeps besides the data (the questions' per-case tables)
CACHE = "cache"


class StoreError(SourceError):
    """The event store folder cannot be used (not a store, damaged manifest)."""


@dataclass(frozen=True)
class Manifest:
    """What the store holds: one file per partition, the recorded source schema and the watermark."""

    generation: int
    log: str
    partitions: dict[str, str]
    columns: dict[str, str]
    key: tuple[str, ...]
    watermark_column: str
    timestamp_column: str
    source_columns: dict[str, str] = field(default_factory=dict)
    #: per partition: rows, latest event time (ISO) and latest watermark (see ``watermark``)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    watermark: dict[str, str] | None = None
    key_check: str | None = None
    rows: int = 0
    data_as_of: str | None = None
    merged_at: str | None = None
    format: int = 1
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        data = asdict(self)
        data["key"] = list(self.key)
        data["history"] = list(self.history)[-30:]
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["key"] = tuple(data["key"])
        data["history"] = tuple(data.get("history", ()))
        return cls(**data)


def _ours(name: str) -> bool:
    """A name the store itself puts in its folder (a temporary file of a killed write included)."""
    return name in (DATA, JOURNAL, MANIFEST, "refresh.lock", CACHE) or (name.startswith(".") and name.endswith(".tmp"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _text_writer(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def _parquet_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)

    return write


class EventStore:
    """A folder holding one event store; every change goes through :meth:`commit`."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def data(self) -> Path:
        return self.root / DATA

    def manifest(self) -> Manifest | None:
        """The current manifest, or ``None`` for a store not built yet."""
        path = self.root / MANIFEST
        if not path.exists():
            if self.root.exists() and any(not _ours(p.name) for p in self.root.iterdir()):
                raise StoreError(
                    f"'{self.root}' is not an event store (it holds other files and no {MANIFEST}); "
                    "choose an empty or new folder for 'store'"
                )
            return None
        try:
            return Manifest.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"the store manifest '{path}' is damaged ({exc}); rebuild the store with --full") from None

    def recover(self) -> str | None:
        """Finish or roll back a refresh that was killed; return what was done (``None``: nothing to do)."""
        journal_path = self.root / JOURNAL
        done: str | None = None
        if journal_path.exists():
            try:
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
            except ValueError:
                journal = {"generation": -1, "files": []}  # written atomically, so only an unreadable disk
            current = self.manifest()
            if current is not None and current.generation == journal["generation"]:
                done = f"finished the interrupted refresh (generation {journal['generation']})"
            else:
                for name in journal.get("files", []):
                    (self.data / name).unlink(missing_ok=True)
                done = f"rolled back the interrupted refresh (generation {journal['generation']})"
        self._sweep()
        for stale in (self.root / f".{MANIFEST}.tmp", self.root / f".{JOURNAL}.tmp"):
            stale.unlink(missing_ok=True)
        if journal_path.exists():
            journal_path.unlink()
            _fsync_dir(self.root)
        return done

    def _sweep(self) -> None:
        """Delete data files the manifest does not name (an old generation, or a rolled-back one)."""
        if not self.data.exists():
            return
        current = self.manifest()
        keep = set(current.partitions.values()) if current is not None else set()
        for path in self.data.iterdir():
            if path.name not in keep and (path.name.startswith("part-") or path.name.startswith(".part-")):
                path.unlink()

    def read(self, columns: Iterable[str] | None = None, partitions: Iterable[str] | None = None) -> pd.DataFrame:
        """The stored rows (of the given partitions), in partition order."""
        current = self.manifest()
        if current is None:
            return pd.DataFrame()
        names = sorted(current.partitions) if partitions is None else sorted(partitions)
        cols = list(columns) if columns is not None else None
        frames = [pd.read_parquet(self.data / current.partitions[p], columns=cols) for p in names]
        if not frames:
            return pd.DataFrame(columns=cols or list(current.columns))
        return pd.concat(frames, ignore_index=True)

    def commit(
        self,
        base: Manifest | None,
        changed: dict[str, pd.DataFrame],
        manifest: Manifest,
        *,
        on_step: Callable[[str], None] | None = None,
    ) -> Manifest:
        """Write the ``changed`` partitions (an empty frame deletes one) as a new generation, switch the manifest.

        ``manifest`` carries the new metadata; its generation and partition files are filled in here.
        """
        step = on_step or (lambda _name: None)
        generation = (base.generation if base is not None else 0) + 1
        files = {p: f"part-{p}-g{generation:08d}.parquet" for p, frame in changed.items() if len(frame)}
        self.data.mkdir(parents=True, exist_ok=True)
        journal = {"generation": generation, "files": sorted(files.values())}
        _write_durably(self.root / JOURNAL, _text_writer(json.dumps(journal)))
        step("journal-written")
        for partition, name in sorted(files.items()):
            _write_durably(self.data / name, _parquet_writer(changed[partition]))
            step("partition-written")
        partitions = dict(base.partitions) if base is not None else {}
        for partition, frame in changed.items():
            if len(frame):
                partitions[partition] = files[partition]
            else:
                partitions.pop(partition, None)
        final = replace(manifest, generation=generation, partitions=dict(sorted(partitions.items())))
        _write_durably(self.root / MANIFEST, _text_writer(final.to_json()))
        step("manifest-switched")
        self._sweep()
        (self.root / JOURNAL).unlink()
        _fsync_dir(self.root)
        step("cleaned")
        return final
