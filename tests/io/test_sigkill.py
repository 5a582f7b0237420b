"""SIGKILL in the middle of a write leaves the old output or the new one, never a torn file."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

_WRITER = textwrap.dedent(
    """
    import sys
    from workbench.io.outputs import OutputFolder

    folder = OutputFolder.open(sys.argv[1])
    size = int(sys.argv[2])
    n = 0
    while True:
        letter = b"AB"[n % 2 : n % 2 + 1]
        folder.write_bytes("big.bin", letter * size)
        folder.write_text("small.txt", letter.decode() * 1000)
        n += 1
        print(n, flush=True)
    """
)


def _whole(path: Path, size: int) -> bool:
    data = path.read_bytes()
    return len(data) == size and data in (b"A" * size, b"B" * size)


def test_sigkill_mid_write_leaves_old_or_new_never_torn(tmp_path: Path) -> None:
    size = 24 * 2**20
    out = tmp_path / "out"
    rng = np.random.default_rng(14)
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    kills = 0
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, str(script), str(out), str(size)], stdout=subprocess.PIPE,
                                text=True, cwd=Path(__file__).resolve().parents[2])
        assert proc.stdout is not None
        proc.stdout.readline()  # one full round written: there is an old output now
        time.sleep(float(rng.uniform(0.0, 0.4)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        kills += 1
        assert _whole(out / "big.bin", size), "big.bin is torn"
        assert (out / "small.txt").read_text() in ("A" * 1000, "B" * 1000)
        manifest = json.loads((out / ".workbench-manifest.json").read_text())["files"]
        assert set(manifest) == {"big.bin", "small.txt"}
    assert kills == 6
    # the folder is still the workbench's: it opens without --force (left-over temporary files are ours)
    from workbench.io.outputs import OutputFolder

    OutputFolder.open(out).write_text("small.txt", "C")


def test_sigkill_during_demo_log_leaves_the_old_log_or_the_new_one(tmp_path: Path) -> None:
    target = tmp_path / "demo.csv"
    cmd = [sys.executable, "-m", "workbench", "demo-log", "--days", "120", "--seed", "3", "--out", str(target)]
    root = Path(__file__).resolve().parents[2]
    subprocess.run(cmd, check=True, capture_output=True, cwd=root, timeout=300)
    reference = hashlib.sha256(target.read_bytes()).hexdigest()
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    subprocess.run([*cmd, "--force"] if _has_force() else cmd, capture_output=True, cwd=root, timeout=300)
    full = time.perf_counter() - started
    for _ in range(4):
        proc = subprocess.Popen([*cmd, "--force"] if _has_force() else cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=root)
        time.sleep(float(rng.uniform(0.3, 1.0)) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert hashlib.sha256(target.read_bytes()).hexdigest() == reference, "demo.csv is torn"


def _has_force() -> bool:
    import inspect

    from workbench.cli.log import demo_log

    return "force" in inspect.signature(demo_log).parameters
