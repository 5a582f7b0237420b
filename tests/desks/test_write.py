"""The desks writer: the comparison, the tidy figures, the unanswered questions and the suppressed desks."""

from __future__ import annotations

import pandas as pd

from workbench.desks import DeskComparison, write_desk_comparison
from workbench.io.outputs import OutputFolder


def test_every_part_of_a_comparison_is_written_under_the_prefix(tmp_path):
    table = pd.DataFrame({"question": ["desk"], "metric": ["cases"], "unit": ["cases"], "Aarhus": [120.0]})
    figures = pd.DataFrame({"desk": ["Aarhus"], "question": ["desk"], "metric": ["cases"], "value": [120.0],
                            "unit": ["cases"]})
    unanswered = pd.DataFrame({"desk": ["Aarhus"], "question": ["handovers"], "reason": ["no team column"]})
    result = DeskComparison(table=table, figures=figures, suppressed=("Læsø", "Fanø"), unanswered=unanswered)
    paths = write_desk_comparison(result, OutputFolder.open(tmp_path / "out"), prefix="desks")
    assert sorted(p.name for p in (tmp_path / "out" / "desks").iterdir()) == [
        "desks_comparison.csv", "desks_figures.csv", "desks_suppressed.txt", "desks_unanswered.csv"]
    pd.testing.assert_frame_equal(pd.read_csv(paths["comparison"]), table)
    pd.testing.assert_frame_equal(pd.read_csv(paths["unanswered"]), unanswered)
    assert paths["suppressed"].read_text(encoding="utf-8") == "Læsø\nFanø\n"
