"""Rollout charts: the cohort period of every unit on one timeline (a Gantt chart), coloured by status."""

from __future__ import annotations

import html
from datetime import date, datetime, time

import plotly.graph_objects as go
import polars as pl

from cohort.charts.base import base_layout
from cohort.contract import STATUS_ORDER, Status, UnitKind
from cohort.fmt import fmt_date
from cohort.palette import DARK_TEXT, GREY, STATUS_COLOURS, STATUS_LABELS

TARGET_GROUP_BAND = "#F2F2F2"
MS_PER_DAY = 86_400_000


def _label(naam: str, code: str) -> str:
    return html.escape(f"{naam} ({code})")


def _ms(day: date) -> datetime:
    return datetime.combine(day, time())


def rollout_timeline_figure(rows: pl.DataFrame, *, peildatum: date, title: str) -> go.Figure:
    """Horizontal bars from start to eind per unit (`rollout.timeline_rows`), one trace per status.

    Areas on top in order of start, target groups in a shaded band at the bottom. Open-ended periods are drawn
    to the end of the data with a hatched fill (they have no end date). The peildatum is a dashed line.
    """
    fig = go.Figure()
    labels = [_label(n, c) for n, c in zip(rows.get_column("naam"), rows.get_column("code"), strict=True)]
    rows = rows.with_columns(pl.Series("label", labels))
    for status in STATUS_ORDER:
        part = rows.filter(pl.col("status") == status.value)
        if part.height == 0:
            continue
        starts = part.get_column("start").to_list()
        ends = part.get_column("eind_getekend").to_list()
        open_end = part.get_column("open_einde").to_list()
        durations = [((e - s).days + 1) * MS_PER_DAY for s, e in zip(starts, ends, strict=True)]
        custom = [
            [lab, fmt_date(s), "loopt nog (geen einddatum)" if o else fmt_date(e), STATUS_LABELS[status].lower()]
            for lab, s, e, o in zip(part.get_column("label").to_list(), starts, part.get_column("eind").to_list(),
                                    open_end, strict=True)
        ]
        fig.add_trace(go.Bar(
            y=part.get_column("label").to_list(), x=durations, base=[_ms(s) for s in starts], orientation="h",
            name=STATUS_LABELS[status], marker={
                "color": STATUS_COLOURS[status],
                "pattern": {"shape": ["/" if o else "" for o in open_end], "fgcolor": "white", "size": 7,
                            "fillmode": "overlay"},
                "line": {"color": STATUS_COLOURS[status], "width": 1},
            },
            customdata=custom,
            hovertemplate=("%{customdata[0]}<br>%{customdata[1]} – %{customdata[2]}<br>Op de peildatum: "
                           "<b>%{customdata[3]}</b><extra></extra>"),
        ))
    n_groups = rows.filter(pl.col("soort") == UnitKind.TARGET_GROUP).height
    base_layout(fig, title=title, height=max(300, 130 + 24 * rows.height))
    fig.update_xaxes(type="date", tickformat="%Y", dtick="M12", showgrid=True, gridcolor="#EEEEEE")
    # Category order top to bottom as in `rows`: Plotly puts the first category at the bottom, so reverse.
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], gridcolor="rgba(0,0,0,0)",
                     rangemode="normal")
    fig.update_layout(barmode="overlay", bargap=0.25, legend={"traceorder": "normal"})
    if n_groups:
        # Shaded band behind the target groups, with its own label, so they are not read as areas.
        fig.add_shape(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=-0.5, y1=n_groups - 0.5,
                      fillcolor=TARGET_GROUP_BAND, line={"width": 0}, layer="below")
        fig.add_annotation(xref="paper", x=0.005, yref="y", y=-0.5, text="Stedelijke doelgroepen",
                           showarrow=False, xanchor="left", yanchor="bottom", font={"size": 12, "color": GREY})
    marker = _ms(peildatum)
    fig.add_shape(type="line", x0=marker, x1=marker, y0=0, y1=1, yref="paper", xref="x",
                  line={"color": DARK_TEXT, "width": 1.5, "dash": "dash"})
    # Inside the plot at the top (above it the label would run into the legend).
    fig.add_annotation(x=marker, y=1, yref="paper", xref="x", text=f"peildatum {fmt_date(peildatum)}",
                       showarrow=False, xanchor="left", yanchor="top", xshift=3, bgcolor="rgba(255,255,255,0.85)",
                       font={"size": 12, "color": DARK_TEXT})
    return fig


def status_colour(status: str) -> str:
    return STATUS_COLOURS[Status(status)]
