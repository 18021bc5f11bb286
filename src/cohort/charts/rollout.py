"""Rollout charts: the cohort period of every unit on one timeline (a Gantt chart), coloured by status."""

from __future__ import annotations

from datetime import date, datetime, time

import plotly.graph_objects as go
import polars as pl

from cohort.charts.base import house_figure, plotly_text, text_matrix
from cohort.charts.palette import DARK_TEXT, GREY, STATUS_COLOURS, STATUS_LABELS
from cohort.contract import STATUS_ORDER, UnitKind
from cohort.fmt import date_text_expr, fmt_date

TARGET_GROUP_BAND = "#F2F2F2"
MS_PER_DAY = 86_400_000


def _label(naam: str, code: str) -> str:
    return plotly_text(f"{naam} ({code})")


def _ms(day: date) -> datetime:
    return datetime.combine(day, time())


def rollout_timeline_figure(rows: pl.DataFrame, *, peildatum: date, title: str) -> go.Figure:
    """Horizontal bars from start to eind per unit (`rollout.timeline_rows`), one trace per status.

    Areas on top in order of start, target groups in a shaded band at the bottom. Open-ended periods are drawn
    to the end of the data with a hatched fill (they have no end date). The peildatum is a dashed line.
    """
    labels = [_label(n, c) for n, c in zip(rows.get_column("naam"), rows.get_column("code"), strict=True)]
    rows = rows.with_columns(
        pl.Series("label", labels, dtype=pl.String),
        (((pl.col("eind_getekend") - pl.col("start")).dt.total_days() + 1) * MS_PER_DAY).alias("_duur"),
        date_text_expr(pl.col("start")).alias("_start_tekst"),
        pl.when(pl.col("open_einde")).then(pl.lit("loopt nog (geen einddatum)"))
        .otherwise(date_text_expr(pl.col("eind"))).alias("_eind_tekst"),
        pl.when(pl.col("open_einde")).then(pl.lit("/")).otherwise(pl.lit("")).alias("_patroon"),
    )
    traces = []
    for status in STATUS_ORDER:
        part = rows.filter(pl.col("status") == status.value)
        if part.height == 0:
            continue
        custom = text_matrix([part.get_column("label"), part.get_column("_start_tekst"),
                              part.get_column("_eind_tekst"), [STATUS_LABELS[status].lower()] * part.height])
        traces.append(go.Bar(
            # Bars start at midnight of the start day (datetime, as Plotly reads a bar base on a date axis).
            y=part.get_column("label").to_list(), x=part.get_column("_duur").to_numpy(),
            base=part.get_column("start").cast(pl.Datetime("ms")).to_numpy().astype("datetime64[s]"),
            orientation="h", name=STATUS_LABELS[status], marker={
                "color": STATUS_COLOURS[status],
                "pattern": {"shape": part.get_column("_patroon").to_numpy(), "fgcolor": "white", "size": 7,
                            "fillmode": "overlay"},
                "line": {"color": STATUS_COLOURS[status], "width": 1},
            },
            customdata=custom,
            hovertemplate=("%{customdata[0]}<br>%{customdata[1]} – %{customdata[2]}<br>Op de peildatum: "
                           "<b>%{customdata[3]}</b><extra></extra>"),
        ))
    n_groups = rows.filter(pl.col("soort") == UnitKind.TARGET_GROUP).height
    marker = _ms(peildatum)
    shapes: list[dict] = []
    annotations: list[dict] = []
    if n_groups:
        # Shaded band behind the target groups, with its own label, so they are not read as areas.
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": -0.5,
                       "y1": n_groups - 0.5, "fillcolor": TARGET_GROUP_BAND, "line": {"width": 0}, "layer": "below"})
        annotations.append({"xref": "paper", "x": 0.005, "yref": "y", "y": -0.5, "text": "Stedelijke doelgroepen",
                            "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                            "font": {"size": 12, "color": GREY}})
    shapes.append({"type": "line", "x0": marker, "x1": marker, "y0": 0, "y1": 1, "yref": "paper", "xref": "x",
                   "line": {"color": DARK_TEXT, "width": 1.5, "dash": "dash"}})
    # Inside the plot at the top (above it the label would run into the legend).
    annotations.append({"x": marker, "y": 1, "yref": "paper", "xref": "x", "text": f"peildatum {fmt_date(peildatum)}",
                        "showarrow": False, "xanchor": "left", "yanchor": "top", "xshift": 3,
                        "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 12, "color": DARK_TEXT}})
    return house_figure(traces, title=title, height=max(300, 130 + 24 * rows.height), layout={
        "xaxis": {"type": "date", "tickformat": "%Y", "dtick": "M12", "showgrid": True, "gridcolor": "#EEEEEE"},
        # Category order top to bottom as in `rows`: Plotly puts the first category at the bottom, so reverse.
        "yaxis": {"categoryorder": "array", "categoryarray": labels[::-1], "gridcolor": "rgba(0,0,0,0)",
                  "rangemode": "normal"},
        "barmode": "overlay", "bargap": 0.25, "legend": {"traceorder": "normal"}, "shapes": shapes,
        "annotations": annotations,
    })
