"""Chart helpers: SVG out, reproducible, nothing left open, clear errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.report import Image
from workbench.report.charts import bar_chart, distribution_chart, interval_chart, plot_to_svg

FRAME = pd.DataFrame(
    {
        "team": ["IT-infrastruktur", "ESDH og Post", "HR og Personale"],
        "hours": [31.2, 18.5, np.nan],
        "low": [28.0, np.nan, 10.0],
        "high": [34.9, 21.0, 14.0],
    }
)


def _draws(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.lognormal(3.2, 0.9, 400), rng.lognormal(3.0, 0.9, 400)


def test_interval_chart_is_svg_with_the_labels():
    svg = interval_chart(FRAME, "team", "hours", "low", "high", title="Median hours", unit="h", reference=0.0)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Dc:date" not in svg and "<dc:date>" not in svg  # no clock in the output
    Image(svg, "image/svg+xml", "fits an Image block")


def test_charts_are_reproducible():
    base, scen = _draws(1)
    assert distribution_chart(base, scen, title="T", unit="h") == distribution_chart(
        base, scen, title="T", unit="h"
    )
    assert interval_chart(FRAME, "team", "hours", "low", "high", title="T") == interval_chart(
        FRAME, "team", "hours", "low", "high", title="T"
    )
    other = distribution_chart(*_draws(2), title="T", unit="h")
    assert other != distribution_chart(base, scen, title="T", unit="h")


def test_distribution_chart_ignores_non_finite_and_counts_the_tail():
    base, scen = _draws(3)
    svg = distribution_chart(
        [*list(base), np.nan, np.inf], scen, title="Time to close", unit="h", clip_quantile=0.9
    )
    assert "<svg" in svg


def test_bar_chart_limits_bars():
    frame = pd.DataFrame({"feature": [f"f{i}" for i in range(30)], "gain": np.linspace(1, 0.1, 30)})
    assert "<svg" in bar_chart(frame, "feature", "gain", title="Gain", max_bars=5, highlight=["f0"])


def test_plot_to_svg_closes_pyplot_figures():
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    number = fig.number
    assert "<svg" in plot_to_svg(fig)
    assert not plt.fignum_exists(number)


def test_plot_to_svg_wants_a_figure():
    with pytest.raises(TypeError, match="plot_to_svg expects a matplotlib Figure, got str"):
        plot_to_svg("figure")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: interval_chart(FRAME, "team", "nope", "low", "high", title="T"),
            r"interval_chart: column\(s\) \['nope'\] not in the frame",
        ),
        (
            lambda: interval_chart(FRAME.iloc[2:], "team", "hours", "low", "high", title="T"),
            r"interval_chart 'T': no row has a finite 'hours'; nothing to draw",
        ),
        (
            lambda: distribution_chart([], [1.0], title="T"),
            r"distribution_chart 'T': baseline has 0 and scenario 1 finite values",
        ),
        (
            lambda: distribution_chart([1.0], [1.0], title="T", clip_quantile=0),
            r"clip_quantile must be in \(0, 1\], got 0",
        ),
        (
            lambda: bar_chart(FRAME, "team", "hours", title="T", max_bars=0),
            r"max_bars must be a positive integer",
        ),
    ],
)
def test_chart_errors(call, match):
    with pytest.raises(ConfigError, match=match):
        call()


def test_importing_the_report_package_does_not_import_matplotlib():
    code = "import sys, workbench.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
