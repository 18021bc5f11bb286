"""Shared Plotly layout: Dutch separators, house colours, readable fonts, no chart junk."""

from __future__ import annotations

import plotly.graph_objects as go

from cohort.fmt import MONTHS_NL_SHORT, PLOTLY_SEPARATORS
from cohort.palette import DARK_TEXT

FONT_FAMILY = "Amsterdam Sans, Arial, sans-serif"


def base_layout(fig: go.Figure, *, title: str, y_title: str = "", x_title: str = "", height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        separators=PLOTLY_SEPARATORS,
        font={"family": FONT_FAMILY, "color": DARK_TEXT, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, linecolor="#BEBEBE")
    fig.update_yaxes(title_text=y_title, gridcolor="#E6E6E6", zeroline=False, rangemode="tozero")
    return fig


def dutch_month_labels(months: list) -> list[str]:
    return [f"{MONTHS_NL_SHORT[m.month - 1]} {m.year}" for m in months]
