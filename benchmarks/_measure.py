"""Run one measured step in a fresh Python process: wall time and peak resident memory.

A fresh process per step makes peak memory honest (no memory left over from an
earlier step) and includes what numpy, pandas and pyarrow allocate outside Python.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import textwrap
from datetime import date

__all__ = ["measure", "machine"]

_WRAPPER = """
import json, resource, time
{setup}
t0 = time.perf_counter()
{step}
elapsed = time.perf_counter() - t0
print("@@RESULT@@" + json.dumps({{"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "info": info}}))
"""


def measure(step: str, setup: str = "", timeout: float = 1800) -> dict:
    """Run ``setup`` (not timed) then ``step`` (timed) in a new interpreter.

    ``step`` must set a variable ``info`` (anything JSON-serialisable) to report.
    Peak memory is the process's maximum resident set size, setup included.
    """
    code = _WRAPPER.format(setup=textwrap.dedent(setup), step=textwrap.dedent(step))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            return json.loads(line[len("@@RESULT@@"):])
    raise RuntimeError(f"benchmark step failed:\n{proc.stderr[-3000:]}")


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {date.today().isoformat()}"
