"""The output policy: foreign files refused, inputs never written, manifest, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import OutputError, WorkbenchError
from workbench.io.outputs import MANIFEST_NAME, OutputFolder, sha256_file


def test_output_error_is_a_workbench_error_and_file_exists_error() -> None:
    assert issubclass(OutputError, WorkbenchError)
    assert issubclass(OutputError, FileExistsError)


def test_new_folder_is_created_and_writes_are_recorded(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path / "out" / "deep")
    path = folder.write_text("a.txt", "hello")
    folder.write_table("tables/t.csv", pd.DataFrame({"x": [1, 2]}))
    folder.write_table("t.parquet", pd.DataFrame({"x": [1, 2]}))
    assert path.read_text() == "hello"
    manifest = json.loads((folder.root / MANIFEST_NAME).read_text())["files"]
    assert set(manifest) == {"a.txt", "tables/t.csv", "t.parquet"}
    assert manifest["a.txt"] == sha256_file(path)
    assert pd.read_parquet(folder.root / "t.parquet")["x"].tolist() == [1, 2]


def test_reopening_a_folder_the_workbench_wrote_is_allowed(tmp_path: Path) -> None:
    OutputFolder.open(tmp_path).write_text("sub/a.txt", "1")
    again = OutputFolder.open(tmp_path)
    again.write_text("sub/a.txt", "2")
    assert (tmp_path / "sub" / "a.txt").read_text() == "2"


def test_foreign_file_is_refused_naming_it_and_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"holds 'notes.txt'.*--force"):
        OutputFolder.open(tmp_path)
    folder = OutputFolder.open(tmp_path, force=True)
    folder.write_text("result.txt", "ok")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_foreign_file_in_a_subfolder_is_refused(tmp_path: Path) -> None:
    OutputFolder.open(tmp_path).write_text("logs/a.csv", "x\n1\n")
    (tmp_path / "logs" / "baseline_rep01.csv").write_text("user's")
    with pytest.raises(OutputError, match=r"logs/baseline_rep01\.csv"):
        OutputFolder.open(tmp_path)


def test_nested_output_folder_with_its_own_manifest_is_not_foreign(tmp_path: Path) -> None:
    OutputFolder.open(tmp_path / "stage").write_text("a.txt", "1")
    OutputFolder.open(tmp_path).write_text("b.txt", "2")


def test_a_file_as_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        OutputFolder.open(tmp_path / "f")


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_inputs_are_never_written_even_with_force(tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    log = data / "kpis.csv"
    log.write_text("case,activity\n1,a\n")
    before = log.read_bytes()
    if how == "same":
        given: Path = log
    elif how == "relative":
        monkeypatch.chdir(tmp_path)
        given = Path("data/../data/kpis.csv")
    elif how == "symlink":
        given = tmp_path / "link.csv"
        given.symlink_to(log)
    else:
        given = tmp_path / "hard.csv"
        os.link(log, given)
    # the output folder is the input's folder, reached the same way or another
    folder = OutputFolder.open(data, inputs=[given, None], force=True)
    with pytest.raises(OutputError, match="would overwrite the input"):
        folder.write_table("kpis.csv", pd.DataFrame({"x": [1]}))
    assert log.read_bytes() == before


def test_hard_link_to_an_input_inside_the_folder_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("a\n1\n")
    out = tmp_path / "out"
    out.mkdir()
    os.link(log, out / "scores.csv")
    folder = OutputFolder.open(out, inputs=[log], force=True)
    with pytest.raises(OutputError, match="would overwrite the input"):
        folder.write_text("scores.csv", "x")
    assert log.read_text() == "a\n1\n"


def test_symlinked_subfolder_to_the_inputs_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "base.csv").write_text("a\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "logs").symlink_to(data, target_is_directory=True)
    folder = OutputFolder.open(out, inputs=[data / "base.csv"], force=True)
    with pytest.raises(OutputError, match="input"):
        folder.write_text("logs/base.csv", "x")
    assert (data / "base.csv").read_text() == "a\n"


@pytest.mark.parametrize("name", ["../escape.txt", "/abs.txt", MANIFEST_NAME, ""])
def test_names_outside_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    folder = OutputFolder.open(tmp_path / "o")
    with pytest.raises(OutputError):
        folder.target(name)


def test_keep_edited_writes_next_to_an_edited_file(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    first = folder.write_text("model.yaml", "a: 1\n", keep_edited=True)
    assert first.name == "model.yaml"
    # not edited: rewritten in place
    assert folder.write_text("model.yaml", "a: 2\n", keep_edited=True) == first
    first.write_text("a: 2  # my comment\n")
    again = OutputFolder.open(tmp_path)
    second = again.write_text("model.yaml", "a: 3\n", keep_edited=True)
    assert second.name == "model-2.yaml"
    assert first.read_text() == "a: 2  # my comment\n"
    second.write_text("edited too\n")
    third = again.write_text("model.yaml", "a: 4\n", keep_edited=True)
    assert third.name == "model-3.yaml"


def test_keep_edited_skips_an_input(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("mine\n")
    folder = OutputFolder.open(tmp_path, inputs=[model], force=True)
    written = folder.write_text("model.yaml", "learned\n", keep_edited=True)
    assert written.name == "model-2.yaml" and model.read_text() == "mine\n"


def test_plain_write_over_an_edited_file_needs_force(tmp_path: Path) -> None:
    OutputFolder.open(tmp_path).write_text("summary.txt", "1")
    (tmp_path / "summary.txt").write_text("edited")
    folder = OutputFolder.open(tmp_path)
    with pytest.raises(OutputError, match="changed since the workbench wrote it"):
        folder.write_text("summary.txt", "2")
    assert (tmp_path / "summary.txt").read_text() == "edited"


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("a.txt", "old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        folder.write_with("a.txt", broken)
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "a.txt"]


def test_damaged_manifest_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(OutputError, match=r"manifest .* is damaged"):
        OutputFolder.open(tmp_path)


def test_bad_table_suffix(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"\.csv or \.parquet"):
        OutputFolder.open(tmp_path).write_table("t.xlsx", pd.DataFrame({"x": [1]}))


def test_a_write_killed_after_its_rename_is_still_the_workbenchs(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("a.txt", "old")
    # as if killed between the rename and the manifest update: the new file is there, noted as pending
    (tmp_path / "a.txt").write_text("new")
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    manifest["pending"] = {"a.txt": sha256_file(tmp_path / "a.txt")}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest))
    OutputFolder.open(tmp_path).write_text("a.txt", "newer")
    assert (tmp_path / "a.txt").read_text() == "newer"


def test_a_folder_where_the_file_should_go_is_one_clear_error(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("a/b.txt", "x")
    with pytest.raises(OutputError, match=r"cannot write .*a folder of that name is in the way"):
        folder.write_text("a", "file where a folder is")


def test_open_for_file_allows_other_files_but_not_a_foreign_target(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    folder, name = OutputFolder.open_for_file(tmp_path / "quality.csv")
    folder.write_text(name, "a,b\n")
    again, name = OutputFolder.open_for_file(tmp_path / "quality.csv")  # its own file: rewritten
    again.write_text(name, "a,b,c\n")
    with pytest.raises(OutputError, match=r"notes.txt' was not written by the workbench.*--force"):
        OutputFolder.open_for_file(tmp_path / "notes.txt")
    forced, name = OutputFolder.open_for_file(tmp_path / "notes.txt", force=True)
    forced.write_text(name, "replaced on purpose")
    log = tmp_path / "log.csv"
    log.write_text("x\n")
    with pytest.raises(OutputError, match="would overwrite the input"):
        OutputFolder.open_for_file(tmp_path / "log.csv", inputs=[log], force=True)
    with pytest.raises(OutputError, match="is a folder"):
        OutputFolder.open_for_file(tmp_path)


# -- batches --------------------------------------------------------------------------------

_BATCH_KILLED = """
import os, signal, sys
from pathlib import Path
import workbench.io.outputs as outputs

real_replace, renames = os.replace, []
kill_after = int(sys.argv[2])

def replace(src, dst):
    if Path(dst).name != outputs.MANIFEST_NAME:
        if len(renames) == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        renames.append(dst)
    real_replace(src, dst)

outputs.os.replace = replace
folder = outputs.OutputFolder.open(sys.argv[1])
with folder.batch():
    for i in range(6):
        folder.write_text(f"sub{i % 2}/f{i}.txt", "new " * 50_000 + str(i))
"""


def test_a_batch_writes_every_file_and_one_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("keep.txt", "same")
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    with folder.batch():
        paths = [folder.write_text(f"t/{i}.txt", str(i)) for i in range(10)]
        folder.write_table("t/table.csv", pd.DataFrame({"x": [1]}))
        folder.write_text("keep.txt", "same")  # unchanged: not rewritten
        assert not paths[0].exists()  # nothing appears before the batch ends
    assert [p.read_text() for p in paths] == [str(i) for i in range(10)]
    # 11 files once each, the pending and the final manifest, their one folder (four per file before)
    assert len(fsyncs) == 11 + 2 + 1
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert "pending" not in manifest and len(manifest["files"]) == 12
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".wb-tmp")]
    OutputFolder.open(tmp_path)  # still the workbench's folder


def test_an_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    path = folder.write_text("a.txt", "same")
    inode = path.stat().st_ino
    folder.write_text("a.txt", "same")
    with folder.batch():
        folder.write_text("a.txt", "same")
    assert path.stat().st_ino == inode  # a rename would have given a new inode
    folder.write_text("a.txt", "changed")
    assert path.read_text() == "changed" and path.stat().st_ino != inode


def test_an_exception_inside_a_batch_changes_no_file(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("a.txt", "old")
    with pytest.raises(RuntimeError, match="boom"), folder.batch():
        folder.write_text("a.txt", "new")
        folder.write_text("b.txt", "new")
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old"
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["files"] == {"a.txt": sha256_file(tmp_path / "a.txt")}


def test_a_second_write_of_a_name_in_a_batch_wins(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    with folder.batch():
        folder.write_text("a.txt", "first")
        folder.write_text("a.txt", "second")
    assert (tmp_path / "a.txt").read_text() == "second"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".wb-tmp")]


def test_a_batch_over_an_edited_file_is_refused_before_anything_changes(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path)
    folder.write_text("a.txt", "old")
    folder.write_text("b.txt", "old")
    (tmp_path / "b.txt").write_text("edited by hand")
    with pytest.raises(OutputError, match="changed since the workbench wrote it"), folder.batch():
        folder.write_text("a.txt", "new")
        folder.write_text("b.txt", "new")
    assert (tmp_path / "a.txt").read_text() == "old"


@pytest.mark.parametrize("kill_after", [0, 1, 3, 5])
def test_a_batch_killed_mid_rename_leaves_old_or_new_files_never_partial(tmp_path: Path, kill_after: int) -> None:
    import subprocess
    import sys

    folder = OutputFolder.open(tmp_path)
    for i in range(6):
        folder.write_text(f"sub{i % 2}/f{i}.txt", "old " * 10 + str(i))
    script = tmp_path.parent / f"kill_{kill_after}.py"
    script.write_text(_BATCH_KILLED)
    done = subprocess.run([sys.executable, str(script), str(tmp_path), str(kill_after)], check=False)
    assert done.returncode == -9
    contents = [(tmp_path / f"sub{i % 2}/f{i}.txt").read_text() for i in range(6)]
    new = ["new " * 50_000 + str(i) for i in range(6)]
    old = ["old " * 10 + str(i) for i in range(6)]
    assert all(c in (o, n) for c, o, n in zip(contents, old, new, strict=True))
    assert sum(c == n for c, n in zip(contents, new, strict=True)) == kill_after
    again = OutputFolder.open(tmp_path)  # old and new files alike are the workbench's; temp files are ignored
    assert all(again.manifest[f"sub{i % 2}/f{i}.txt"] == sha256_file(tmp_path / f"sub{i % 2}/f{i}.txt")
               for i in range(6))
    again.write_text("sub0/f0.txt", "after")  # and the next run writes over them without --force


def test_tables_with_dates_are_written_as_to_csv_writes_them(tmp_path: Path) -> None:
    stamps = pd.Series(pd.to_datetime(["2023-01-01T10:00:00.123456Z", None, "1950-03-04T00:00:00.000000Z",
                                       "2024-02-29T23:59:59.999999Z"], utc=True, format="ISO8601"))
    frame = pd.DataFrame({"utc": stamps, "naive": stamps.dt.tz_localize(None),
                          "local": stamps.dt.tz_convert("Europe/Copenhagen"), "n": [1.5, None, 3, 4],
                          "ns": stamps + pd.Timedelta(1, "ns"), "text": ["a", None, "b,c", "d"]})
    frame.columns = ["utc", "naive", "local", "n", "ns", "utc"]  # a repeated name too
    before = frame.copy()
    path = OutputFolder.open(tmp_path).write_table("t.csv", frame)
    assert path.read_text() == frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
    assert "2023-01-01T10:00:00.123456+0000" in path.read_text()
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed
