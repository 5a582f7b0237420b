from __future__ import annotations

import sys

from workbench.cli._progress import progress_line


def test_outside_a_terminal_every_step_is_its_own_line(capsys) -> None:
    show = progress_line("sweeping: simulation")
    show(1, 2)
    show(2, 2)
    assert capsys.readouterr().err == "sweeping: simulation 1/2\nsweeping: simulation 2/2\n"


def test_in_a_terminal_the_line_is_rewritten_and_ended_at_the_last_step(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = progress_line("comparing desks:")
    show(1, 2)
    show(2, 2)
    assert capsys.readouterr().err == "\rcomparing desks: 1/2\rcomparing desks: 2/2\n"
