"""The small time series in the map's area panel: one area's outflow to work per period, cohort period shaded.

Takes plain data from the page model (one value per quarter, None where it is hidden, and the texts to show), so
a hidden quarter is a gap in the line and its hover never shows a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import plotly.graph_objects as go

from cohort.charts.base import house_figure, text_matrix
from cohort.charts.palette import COHORT_COLOUR, STATUS_COLOURS
from cohort.contract import Status


def area_series_figure(
    starts: Sequence[date],
    rates: Sequence[float | None],
    hovers: Sequence[str],
    *,
    title: str,
    cohort_start: date | None,
    cohort_end: date | None,
    last: date | None = None,
) -> go.Figure:
    """Outflow to work per 1,000 per month for each period (x: its first month); the cohort period as a band
    (the caption under the chart names it: a label in the plot would cover the line).

    `rates`: None where the value is hidden or missing (a gap: the line is not drawn across it). `hovers`: the
    text per period ("K2 2021: 12,3 per 1.000 per maand", or "K2 2021: —* (verborgen)"). `last` closes the
    band of a cohort still running (the last month shown); the band is cut to the periods shown.
    """
    y = np.array([np.nan if rate is None else rate for rate in rates], dtype=float)
    line = go.Scatter(
        x=np.array(starts, dtype="datetime64[D]"),
        y=y,
        mode="lines+markers",
        line={"color": COHORT_COLOUR, "width": 2},
        marker={"size": 5},
        connectgaps=False,
        name="Uitstroom naar werk",
        customdata=text_matrix([list(hovers)]),
        hovertemplate="%{customdata[0]}<extra></extra>",
    )
    layout: dict = {"showlegend": False, "margin": {"t": 40}, "xaxis": {"tickformat": "%Y", "dtick": "M12"}}
    # The band only where it overlaps the periods shown: a planned cohort would stretch the axis into the future.
    band_start = max(cohort_start, starts[0]) if cohort_start is not None and starts else None
    band_end = min(cohort_end or last or starts[-1], last or starts[-1]) if starts else None
    if band_start is not None and band_end is not None and band_start <= band_end:
        layout["shapes"] = [{
            "type": "rect", "xref": "x", "yref": "paper", "x0": band_start, "x1": band_end, "y0": 0, "y1": 1,
            "fillcolor": STATUS_COLOURS[Status.ACTIVE], "opacity": 0.15, "line": {"width": 0}, "layer": "below",
        }]
    # house_figure escapes the title, once
    return house_figure([line], title=title, y_title="per 1.000 per maand", height=280, layout=layout)
