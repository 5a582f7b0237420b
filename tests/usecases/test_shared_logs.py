"""Every shipped config of a public log, through the use cases a user runs first: read and clean,
the map and the five questions, and the simulation's verdict before any what-if.

These are real logs nobody tuned the workbench for (an IT provider's problems, a helpdesk,
a hospital's sepsis and billing cases, the police's fines, permit applications, simulated
hiring and lending): whatever they hold, each
answer is a sentence without a "nan" in it, and the verdict is a level or the reason there is
none, never a crash. The logs come from ../shared/data; each test is skipped when its file is
not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import load_log_config
from workbench.privacy import resolve_secret
from workbench.usecases import discover_map_and_answers, judge_model, load_and_validate

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "logs"
#: read in tests/io/test_shipped_logs.py, answered in tests/analysis/test_bpic2013.py and judged in the simulation
#: benchmark (`--sections verdicts`; a verdict on them takes minutes, not seconds)
LARGE = {"bpic2012", "bpic2013_incidents"}
PUBLIC = sorted(p.stem for p in CONFIGS.glob("*.yaml")
                if load_log_config(p).source.resolved_kind in ("csv", "xes") and p.stem not in LARGE)


@pytest.mark.slow
@pytest.mark.parametrize("name", PUBLIC)
def test_a_public_log_is_read_answered_and_judged(name: str, shared_data: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_SECRET", "test-secret-key-for-the-workbench-suite-0123456789")
    config = load_log_config(CONFIGS / f"{name}.yaml")
    if config.source.path is None or not config.source.path.exists():
        pytest.skip(f"{config.source.path} is not here")
    events = load_and_validate(config).events
    assert len(events) > 0
    found = discover_map_and_answers(events, config)
    lines = found.summary()
    assert lines and not any("nan" in line.split() or " nan " in line for line in lines), lines
    verdict, why_not = judge_model(events, config, replications=1, seed=0, key=resolve_secret())
    if verdict is None:
        assert why_not
        return
    assert verdict.level in ("good", "usable with care", "not usable")
    assert " nan " not in verdict.summary and "nan h" not in verdict.summary, verdict.summary
