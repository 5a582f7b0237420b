"""Reliability over the bad-input corpus: tracebacks, hangs, changed inputs, changed foreign files.

Runs every case of ``tests/badinput/corpus.py`` as a user would, ``python -m workbench ...``
in a fresh process (a case over 10 s counts as a hang; it is killed after 180 s), in a folder that also holds a file of the
user's, plus one case per command whose ``--out`` points at a folder holding the inputs
(named like the command's outputs) and the user's files. Prints one line per case and
the totals; the target is 0 in every column.

    python benchmarks/reliability.py            # all cases
    python benchmarks/reliability.py -k xes     # cases whose name contains "xes"
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.badinput.corpus import CASES  # noqa: E402

LIMIT_S = 10.0  # a case running longer than this (wall clock) counts as a hang
HARD_LIMIT_S = 180.0  # a case is killed after this, so a real hang cannot stop the benchmark
FOREIGN = "user_notes.txt"


@dataclass(frozen=True)
class Outcome:
    name: str
    code: int | None
    seconds: float
    cpu_seconds: float
    traceback: bool
    hang: bool
    changed_inputs: list[str]
    changed_foreign: list[str]
    line: str


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run_case(name: str, build: Callable[[Path], list[str]], env: dict[str, str]) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="wb-reliability-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        argv = build(folder)
        (folder / FOREIGN).write_text("the user's own file\n", encoding="utf-8")
        before = _snapshot(folder)
        started = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            proc = subprocess.run([sys.executable, "-m", "workbench", *argv], capture_output=True, text=True,
                                  timeout=HARD_LIMIT_S, cwd=tmp, env=env)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, str(exc.stdout or ""), str(exc.stderr or "")
        seconds = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        after = _snapshot(folder)
        changed = [n for n, data in before.items() if after.get(n) != data]
        lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
        return Outcome(
            name=name, code=code, seconds=seconds, cpu_seconds=cpu,
            traceback="Traceback" in out + err or "this is a bug" in err,
            hang=code is None or seconds > LIMIT_S,
            changed_inputs=[n for n in changed if n != FOREIGN],
            changed_foreign=[n for n in changed if n == FOREIGN],
            line=(lines[0] if lines else (err.strip().splitlines()[-1:] and err.strip().splitlines()[-1]) or "")[:150],
        )


# -- --out at a folder holding the inputs and the user's files --------------------------------------------


def _demo_csv() -> bytes:
    from workbench.demo import DemoParams, generate_demo_log

    return generate_demo_log(DemoParams(days=35), seed=3).events.to_csv(index=False).encode()


def _output_cases() -> list[tuple[str, Callable[[Path], list[str]]]]:
    import yaml

    demo_csv = _demo_csv()
    config = yaml.safe_load((ROOT / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))

    def work(folder: Path, log_name: str) -> Path:
        (folder / log_name).parent.mkdir(parents=True, exist_ok=True)
        (folder / log_name).write_bytes(demo_csv)
        (folder / "log.yaml").write_text(yaml.safe_dump({**config, "source": {"path": log_name}},
                                                        allow_unicode=True), encoding="utf-8")
        (folder / "scenario.yaml").write_text("name: more\nchanges:\n  - {type: volume, factor: 1.2}\n",
                                              encoding="utf-8")
        (folder / "model.yaml").write_text("# the user's own model notes\n", encoding="utf-8")
        return folder / "log.yaml"

    def audit(folder: Path, force: bool) -> list[str]:
        work(folder, "audit.csv")
        (folder / "audit.yaml").write_text(yaml.safe_dump({
            "name": "small", "log": "log.yaml", "audits": ["historical"], "group_attributes": ["department"],
            "seed": 7, "replicates": 20, "historical": {"outcomes": ["cycle_time"]}}), encoding="utf-8")
        return ["audit", str(folder / "audit.yaml"), "--out", str(folder), *(["--force"] if force else [])]

    sim = ["-n", "1", "--jobs", "1", "--warmup-days", "3"]
    return [
        ("out_validate_sim_scores_csv",
         lambda f: ["validate-sim", str(work(f, "scores.csv")), "-n", "1", "--jobs", "1", "--out", str(f)]),
        ("out_validate_sim_force",
         lambda f: ["validate-sim", str(work(f, "scores.csv")), "-n", "1", "--jobs", "1", "--out", str(f),
                    "--force"]),
        ("out_simulate_kpis_csv",
         lambda f: ["simulate", str(work(f, "kpis.csv")), "--scenario", str(f / "scenario.yaml"), *sim,
                    "--out", str(f)]),
        ("out_simulate_force_log_csv",
         lambda f: ["simulate", str(work(f, "logs/baseline_rep01.csv")), "--scenario", str(f / "scenario.yaml"),
                    *sim, "--log-format", "csv", "--out", str(f), "--force"]),
        ("out_audit_audit_csv", lambda f: audit(f, False)),
        ("out_audit_force", lambda f: audit(f, True)),
        ("out_validate_quality_csv",
         lambda f: ["validate", str(work(f, "quality.csv")), "--out", str(f / "quality.csv"), "--force"]),
        ("out_discover_summary_txt", lambda f: ["discover", str(work(f, "summary.txt")), "--out", str(f)]),
        ("out_predict_at_risk_csv",
         lambda f: ["predict", str(work(f, "at_risk.csv")), "--model", "m", "--tracking-uri",
                    f"sqlite:///{f.parent}/mlflow.db", "--out", str(f / "at_risk.csv")]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="run only cases whose name contains this")
    args = parser.parse_args()
    env = {**os.environ, "WORKBENCH_SECRET": os.environ.get("WORKBENCH_SECRET") or "reliability-" + "0" * 40}
    env.pop("WORKBENCH_TRACEBACK", None)
    cases = [(c.name, c.build) for c in CASES] + _output_cases()
    cases = [(n, b) for n, b in cases if args.k in n]
    outcomes = []
    for name, build in cases:
        o = _run_case(name, build, env)
        outcomes.append(o)
        flags = " ".join(f for f, on in (("TRACEBACK", o.traceback), ("HANG", o.hang),
                                         ("INPUT-CHANGED", bool(o.changed_inputs)),
                                         ("FOREIGN-CHANGED", bool(o.changed_foreign)),
                                         ("EXIT!=2", o.code != 2)) if on)
        print(f"{name:34} exit {o.code!s:>4} {o.seconds:5.1f} s (cpu {o.cpu_seconds:4.1f} s)  {flags or 'ok':16} "
              f"{o.line}", flush=True)
    n = len(outcomes)
    print()
    print(f"cases: {n} ({len(CASES)} bad inputs, {n - len([c for c in CASES if args.k in c.name])} --out cases)")
    print(f"tracebacks (or 'this is a bug'): {sum(o.traceback for o in outcomes)}")
    print(f"hangs over {LIMIT_S:.0f} s (wall clock): {sum(o.hang for o in outcomes)}; over {LIMIT_S:.0f} s of CPU: "
          f"{sum(o.cpu_seconds > LIMIT_S for o in outcomes)}; killed after {HARD_LIMIT_S:.0f} s: "
          f"{sum(o.code is None for o in outcomes)}")
    print(f"changed inputs: {sum(bool(o.changed_inputs) for o in outcomes)}")
    print(f"changed foreign files: {sum(bool(o.changed_foreign) for o in outcomes)}")
    print(f"exit code not 2: {sum(o.code != 2 for o in outcomes)}")
    print(f"cpu seconds per case: median {sorted(o.cpu_seconds for o in outcomes)[n // 2]:.1f}, "
          f"max {max(o.cpu_seconds for o in outcomes):.1f}; load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"slowest: {max(outcomes, key=lambda o: o.seconds).name} "
          f"({max(o.seconds for o in outcomes):.1f} s); median {sorted(o.seconds for o in outcomes)[n // 2]:.1f} s")
    bad = sum(o.traceback or o.hang or bool(o.changed_inputs) or bool(o.changed_foreign) for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
