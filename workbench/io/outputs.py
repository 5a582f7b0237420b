"""The output policy: an output folder is new, or holds only what the workbench wrote there.

:class:`OutputFolder` is the one way commands and the pipeline write files:

- the folder keeps a manifest (``.workbench-manifest.json``: file name -> sha256 of the
  bytes the workbench wrote; the write under way is noted as ``pending`` first, so a
  process killed between the rename and the manifest update leaves a consistent folder). Opening a folder that holds a file not in its manifest is
  refused in one line naming that file, unless ``force=True`` (``--force``);
- a path that is one of the command's inputs (after resolving symlinks, and the same
  file through a hard link) is never written, force or not;
- every write goes to a temporary file in the same folder, is flushed to disk and
  renamed over the target (``os.replace``), so a reader or a crash sees the old file or
  the new one, never half of one;
- a write whose bytes are what the workbench already wrote there leaves the file as it is;
- :meth:`OutputFolder.batch` writes many files with one manifest update: every file of the
  batch goes to its temporary file and is fsynced once, the manifest notes them all as
  ``pending`` once, all are renamed, each folder is fsynced once and the manifest is saved
  once; a crash mid-batch leaves each file old or new (never partial) and the folder
  consistent, an exception inside the batch leaves every file as it was;
- ``keep_edited=True`` (a learned ``model.yaml``): when the file on disk is not what the
  workbench last wrote there (the user edited it), the new content goes to
  ``<stem>-2<suffix>`` (the next free name) and the user's file stays as it is.

The manifest itself is read and written by :mod:`workbench.io.manifest`, a file's digest and a
folder's fsync are in :mod:`workbench.io.durable`, and a CSV table's date-time text is built
by :mod:`workbench.io.csv_dates`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from workbench.errors import OutputError
from workbench.io.csv_dates import CSV_DATE_FORMAT, dates_as_text
from workbench.io.durable import fsync_dir, output_mode, sha256_file
from workbench.io.manifest import MANIFEST_NAME, TMP_SUFFIX, foreign_files, read_manifest, save_manifest

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MANIFEST_NAME", "OutputFolder", "sha256_file"]



@dataclass(frozen=True)
class _Input:
    path: Path
    ident: tuple[int, int] | None


@dataclass(frozen=True)
class _Staged:
    """A file of a batch: written to ``tmp``, to be renamed to ``path``."""

    rel: str
    tmp: Path
    path: Path
    digest: str


@dataclass
class OutputFolder:
    """A folder the workbench writes into under the output policy (see the module docstring).

    Create one with :meth:`OutputFolder.open`; write with :meth:`write_text`,
    :meth:`write_bytes`, :meth:`write_table` or :meth:`write_with`.
    """

    root: Path
    inputs: tuple[_Input, ...] = ()
    force: bool = False
    manifest: dict[str, str] = field(default_factory=dict)
    _batch: dict[str, _Staged] | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls, path: str | Path, *, inputs: Sequence[str | Path | None] = (), force: bool = False
    ) -> OutputFolder:
        """Create the folder if missing and check it holds only files the workbench wrote.

        Parameters
        ----------
        path : str or Path
            The output folder.
        inputs : sequence of paths
            The command's input files (``None`` entries are skipped); they are never written.
        force : bool
            Write even though the folder holds files the workbench did not write (inputs
            stay protected).

        Raises
        ------
        OutputError
            The path is a file or an input, or the folder holds a foreign file and ``force`` is false.
        """
        root = Path(path)
        resolved_inputs = tuple(_resolve_input(Path(p)) for p in inputs if p is not None and str(p) != "")
        if root.exists() and not root.is_dir():
            raise OutputError(f"output folder '{root}' is a file; give a folder (new, or one the workbench wrote)")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create output folder '{root}': {exc.strerror or exc}") from None
        manifest = read_manifest(root)
        if not force:
            first = next(foreign_files(root, manifest), None)
            if first is not None:
                raise OutputError(
                    f"output folder '{root}' holds '{first}', which the workbench did not write; "
                    "choose a new or empty folder for --out, or pass --force to write there anyway "
                    "(inputs are never overwritten)"
                )
        return cls(root=root, inputs=resolved_inputs, force=force, manifest=manifest)

    @classmethod
    def open_for_file(
        cls, path: str | Path, *, inputs: Sequence[str | Path | None] = (), force: bool = False
    ) -> tuple[OutputFolder, str]:
        """For a command whose ``--out`` names one file: its folder and the file's name.

        The folder may hold other files (the user named this one file); the file itself must
        be new or one the workbench wrote there, unless ``force``, and never an input.

        Raises
        ------
        OutputError
            The path is a folder or an input, or an existing file the workbench did not write.
        """
        target = Path(path)
        if target.is_dir():
            raise OutputError(f"--out '{target}' is a folder; give a file name (e.g. '{target / 'result.csv'}')")
        root = target.parent
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create output folder '{root}': {exc.strerror or exc}") from None
        folder = cls(root=root, inputs=tuple(_resolve_input(Path(p)) for p in inputs if p is not None and str(p) != ""),
                     force=force, manifest=read_manifest(root))
        folder.target(target.name)
        if not force and folder._edited(target.name, target):
            what = "was changed since the workbench wrote it" if target.name in folder.manifest else (
                "was not written by the workbench")
            raise OutputError(f"'{target}' {what}; choose another --out or pass --force to replace it")
        return folder, target.name

    # -- paths ------------------------------------------------------------------------------
    def _name(self, name: str) -> str:
        rel = PurePosixPath(str(name).replace(os.sep, "/"))
        if rel.is_absolute() or not rel.parts or ".." in rel.parts or str(rel) == MANIFEST_NAME:
            raise OutputError(f"'{name}' is not a file name inside the output folder '{self.root}'")
        return str(rel)

    def _input_hit(self, path: Path) -> Path | None:
        real = path.resolve()
        try:
            st = os.stat(path)
            ident: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except OSError:
            ident = None
        for item in self.inputs:
            if real == item.path or (ident is not None and ident == item.ident):
                return item.path
        return None

    def target(self, name: str) -> Path:
        """Return the path of ``name`` inside the folder; :class:`OutputError` if it is an input."""
        rel = self._name(name)
        path = self.root / rel
        hit = self._input_hit(path)
        if hit is not None:
            raise OutputError(
                f"writing '{path}' would overwrite the input '{hit}'; choose another --out folder"
            )
        return path

    def _edited(self, rel: str, path: Path) -> bool:
        """True when the file at ``path`` exists and is not what the workbench last wrote there."""
        if not path.exists():
            return False
        expected = self.manifest.get(rel)
        return expected is None or not path.is_file() or sha256_file(path) != expected

    def _free_name(self, rel: str) -> str:
        """``rel`` itself if the workbench may write it, else ``<stem>-2<suffix>``, ``-3``, ..."""
        pure = PurePosixPath(rel)
        suffix = "".join(pure.suffixes[-1:])
        stem = pure.name[: len(pure.name) - len(suffix)] if suffix else pure.name
        candidate, n = rel, 1
        while True:
            path = self.root / candidate
            if self._input_hit(path) is None and not self._edited(candidate, path):
                return candidate
            n += 1
            candidate = str(pure.with_name(f"{stem}-{n}{suffix}"))

    # -- writing ----------------------------------------------------------------------------
    def write_with(self, name: str, write: Callable[[Path], object], *, keep_edited: bool = False) -> Path:
        """Call ``write(tmp)`` on a temporary path, then rename it to ``name`` atomically.

        With ``keep_edited=True`` a file the user edited (not what the manifest says the
        workbench wrote) is kept and the content goes to the next free ``<stem>-N<suffix>``.
        Without it, overwriting such a file needs ``force``. Returns the path written.
        """
        rel = self._name(name)
        if keep_edited:
            rel = self._free_name(rel)
        path = self.target(rel)
        if path.is_dir():
            raise OutputError(f"cannot write '{path}': a folder of that name is in the way; choose another --out")
        if not keep_edited and not self.force and self._edited(rel, path):
            what = "was changed since the workbench wrote it" if rel in self.manifest else "was not written by the workbench"
            raise OutputError(f"'{path}' {what}; move it away or pass --force to replace it")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
            os.close(fd)
        except OSError as exc:
            raise OutputError(f"cannot write into '{path.parent}': {exc.strerror or exc}") from None
        tmp = Path(tmp_name)
        staged = False
        try:
            write(tmp)
            os.chmod(tmp, output_mode())  # mkstemp makes 0600; give outputs the usual permissions
            digest = sha256_file(tmp)
            if self.manifest.get(rel) == digest and path.is_file() and sha256_file(path) == digest:
                if self._batch is not None:  # an earlier write of this batch to the same name is void
                    self._drop_staged(rel)
                return path  # the bytes the workbench wrote there already: nothing to do
            if self._batch is not None:
                self._drop_staged(rel)
                self._batch[rel] = _Staged(rel=rel, tmp=tmp, path=path, digest=digest)
                staged = True
                return path
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            save_manifest(self.root, self.manifest, pending={rel: digest})  # a kill after the rename still finds it ours
            os.replace(tmp, path)
        except OSError as exc:  # disk full, a folder where the file should go, ...
            raise OutputError(
                f"cannot write '{path}': {exc.strerror or exc}; check free space and that the path is not a folder"
            ) from None
        finally:
            if not staged and tmp.exists():
                tmp.unlink()
        fsync_dir(path.parent)
        self.manifest[rel] = digest
        save_manifest(self.root, self.manifest)
        return path

    # -- batches ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def batch(self) -> Iterator[OutputFolder]:
        """Write the files of the ``with`` block together (see the module docstring).

        Inside the block the writes return their final paths, but the files appear there
        only when the block ends without an exception; with an exception no file changes.
        A batch inside a batch joins the outer one.

        Raises
        ------
        OutputError
            A file of the batch could not be written or renamed (disk full, ...); the
            files renamed before stay new, the others old.
        """
        if self._batch is not None:
            yield self
            return
        self._batch = {}
        try:
            yield self
        except BaseException:
            self._discard_batch()
            raise
        try:
            self._commit_batch()
        finally:
            self._discard_batch()

    def _drop_staged(self, rel: str) -> None:
        assert self._batch is not None
        old = self._batch.pop(rel, None)
        if old is not None and old.tmp.exists():
            old.tmp.unlink()

    def _discard_batch(self) -> None:
        staged, self._batch = self._batch or {}, None
        for item in staged.values():
            if item.tmp.exists():
                item.tmp.unlink()

    def _commit_batch(self) -> None:
        staged = list((self._batch or {}).values())
        if not staged:
            return
        current: _Staged | None = None
        try:
            for current in staged:
                with current.tmp.open("rb+") as fh:
                    os.fsync(fh.fileno())
            current = None
            save_manifest(self.root, self.manifest, pending={item.rel: item.digest for item in staged})
            for current in staged:
                os.replace(current.tmp, current.path)
        except OSError as exc:
            where = f"'{current.path}'" if current is not None else f"the manifest of '{self.root}'"
            raise OutputError(
                f"cannot write {where}: {exc.strerror or exc}; check free space and that the path is not a folder"
            ) from None
        for parent in dict.fromkeys(item.path.parent for item in staged):
            fsync_dir(parent)
        self.manifest.update({item.rel: item.digest for item in staged})
        save_manifest(self.root, self.manifest)

    def write_text(self, name: str, text: str, *, keep_edited: bool = False) -> Path:
        """Write ``text`` as UTF-8 to ``name`` atomically."""
        return self.write_with(name, lambda tmp: tmp.write_text(text, encoding="utf-8"), keep_edited=keep_edited)

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write ``data`` to ``name`` atomically."""
        return self.write_with(name, lambda tmp: tmp.write_bytes(data))

    def write_table(self, name: str, frame: pd.DataFrame) -> Path:
        """Write ``frame`` as CSV (``.csv``) or Parquet (``.parquet``) by the name's suffix."""
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in (".csv", ".parquet", ".pq"):
            raise OutputError(f"cannot write a table to '{name}': use a .csv or .parquet file name")

        def write(tmp: Path) -> None:
            if suffix == ".csv":
                dates_as_text(frame).to_csv(tmp, index=False, date_format=CSV_DATE_FORMAT)
            else:
                frame.to_parquet(tmp, index=False)

        return self.write_with(name, write)

def _resolve_input(path: Path) -> _Input:
    try:
        st = os.stat(path)
        ident: tuple[int, int] | None = (st.st_dev, st.st_ino)
    except OSError:
        ident = None
    return _Input(path=path.resolve(), ident=ident)
