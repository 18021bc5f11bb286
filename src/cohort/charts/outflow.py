"""Outflow-to-work charts."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from cohort.charts.base import base_layout, dutch_month_labels
from cohort.palette import COHORT_COLOUR, COMPARISON_COLOUR

GROUP_COLOURS = {"Cohort loopt": COHORT_COLOUR, "Vergelijking": COMPARISON_COLOUR}
GROUP_LABELS = {
    "Cohort loopt": "Gebieden waar het cohort loopt",
    "Vergelijking": "Gebieden nog niet gestart of zonder cohort",
}


def outflow_by_group_figure(monthly_groups: pl.DataFrame, *, title: str) -> go.Figure:
    """Monthly outflow to work per 1,000 persons, cohort vs comparison (from `metrics.monthly_outflow_by_group`).

    Hover text is pre-formatted in Dutch, so it does not depend on Plotly's locale handling.
    """
    fig = go.Figure()
    for group, colour in GROUP_COLOURS.items():
        rows = monthly_groups.filter(pl.col("groep") == group).sort("maand")
        if rows.height == 0:
            continue
        months = rows.get_column("maand").to_list()
        labels = dutch_month_labels(months)
        rates = rows.get_column("werk_per_1000").to_list()
        fig.add_trace(
            go.Scatter(
                x=months,
                y=rates,
                name=GROUP_LABELS[group],
                mode="lines",
                line={"color": colour, "width": 2.5 if group == "Cohort loopt" else 2},
                customdata=[[label, f"{r:.1f}".replace(".", ",")] for label, r in zip(labels, rates, strict=True)],
                hovertemplate="%{customdata[0]}: %{customdata[1]} per 1.000<extra>" + GROUP_LABELS[group] + "</extra>",
            )
        )
    base_layout(fig, title=title, y_title="Uitstroom naar werk per 1.000 per maand")
    fig.update_xaxes(tickformat="%Y")
    return fig
