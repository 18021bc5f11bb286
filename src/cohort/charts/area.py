"""The small time series in the map's detail panel: one area's outflow to work, with its cohort period shaded."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from cohort.charts.base import base_layout, dutch_month_labels
from cohort.contract import Status
from cohort.fmt import fmt_dec
from cohort.metrics import PER
from cohort.palette import COHORT_COLOUR, STATUS_COLOURS


def area_timeseries_figure(monthly: pl.DataFrame, *, name: str, start: date | None, eind: date | None) -> go.Figure:
    """Monthly outflow to work per 1,000 persons for one area; the cohort period as a shaded band."""
    rows = monthly.sort("maand").with_columns((pl.col("uitstroom_werk") / pl.col("bijstand") * PER).alias("rate"))
    months = rows.get_column("maand").to_list()
    rates = rows.get_column("rate").to_list()
    labels = dutch_month_labels(months)
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=rates,
            mode="lines",
            line={"color": COHORT_COLOUR, "width": 2},
            name="Uitstroom naar werk",
            customdata=[[label, fmt_dec(rate)] for label, rate in zip(labels, rates, strict=True)],
            hovertemplate="%{customdata[0]}: %{customdata[1]} per 1.000<extra></extra>",
        )
    )
    if start is not None and months:
        fig.add_vrect(
            x0=start, x1=eind or months[-1], fillcolor=STATUS_COLOURS[Status.ACTIVE], opacity=0.15, line_width=0,
            annotation_text="cohortperiode", annotation_position="top left",
        )
    base_layout(fig, title=f"{name}: uitstroom naar werk per maand", y_title="per 1.000", height=260)
    fig.update_layout(showlegend=False, margin={"t": 40})
    fig.update_xaxes(tickformat="%Y", dtick="M12")
    return fig
