"""Outflow-to-work charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from cohort.charts.base import (
    axis_names,
    base_layout,
    dec_texts,
    int_texts,
    interval_texts,
    month_label_expr,
    months,
    plotly_text,
    text_matrix,
    values,
)
from cohort.fmt import fmt_dec, fmt_int
from cohort.palette import COHORT_COLOUR, COMPARISON_COLOUR, DARK_TEXT, GREY, hex_to_rgb

GROUP_COLOURS = {"Cohort loopt": COHORT_COLOUR, "Vergelijking": COMPARISON_COLOUR}
GROUP_LABELS = {
    "Cohort loopt": "Gebieden waar het cohort loopt",
    "Vergelijking": "Gebieden nog niet gestart of zonder cohort",
}


def outflow_by_group_figure(monthly_groups: pl.DataFrame, *, title: str) -> go.Figure:
    """Monthly outflow to work per 1,000 persons, cohort vs comparison (from `metrics.monthly_outflow_by_group`).

    Hover text is pre-formatted in Dutch, so it does not depend on Plotly's locale handling.
    """
    traces = []
    for group, colour in GROUP_COLOURS.items():
        rows = monthly_groups.filter(pl.col("groep") == group).sort("maand")
        if rows.height == 0:
            continue
        rates = pl.Series([fmt_dec(r) for r in rows.get_column("werk_per_1000").to_list()])
        traces.append(go.Scatter(
            x=months(rows),
            y=values(rows, "werk_per_1000"),
            name=GROUP_LABELS[group],
            mode="lines",
            line={"color": colour, "width": 2.5 if group == "Cohort loopt" else 2},
            customdata=text_matrix([rows.select(month_label_expr()).to_series(), rates]),
            hovertemplate="%{customdata[0]}: %{customdata[1]} per 1.000<extra>" + GROUP_LABELS[group] + "</extra>",
        ))
    fig = go.Figure(data=traces)
    base_layout(fig, title=title, y_title="Uitstroom naar werk per 1.000 per maand")
    fig.update_xaxes(tickformat="%Y", dtick="M12")
    return fig


# --- Page "Uitstroom naar werk" -------------------------------------------------------------------------------

RATE_MEASURES = {
    "werk": ("werk_per_1000", "werk_lower", "werk_upper", "Uitstroom naar werk"),
    "uitstroom": ("uitstroom_per_1000", "uitstroom_lower", "uitstroom_upper", "Uitstroom totaal"),
}
TARGET_GROUP_COLOUR = "#7A4C9E"  # purple: apart from the area blue, legible on white
MEASURE_GROUP_COLOURS = GROUP_COLOURS


def _texts(frame: pl.DataFrame, column: str, formatter: Callable[..., str] = fmt_int) -> pl.Series:
    """Dutch text per row: the `<column>_tekst` of a protected frame ("<5", "—*") when there is one."""
    if f"{column}_tekst" in frame.columns:
        return frame.get_column(f"{column}_tekst")
    if formatter is fmt_int:
        return int_texts(frame, column)
    if formatter is fmt_dec:
        return dec_texts(frame.get_column(column))
    return pl.Series(column, [formatter(v) for v in frame.get_column(column).to_list()], dtype=pl.String)


def _gap(values: np.ndarray, bounds: np.ndarray, sign: int) -> np.ndarray:
    """Error-bar lengths; NaN where the value or bound is hidden or missing (no bar is drawn there)."""
    return sign * (bounds - values)


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = hex_to_rgb(colour)
    return f"rgba({red},{green},{blue},{alpha})"


def _marker_shape(month: date) -> dict:
    return {"type": "line", "x0": month, "x1": month, "y0": 0, "y1": 1, "yref": "paper", "xref": "x",
            "line": {"color": GREY, "width": 1.5, "dash": "dash"}}


def _marker_annotation(month: date, label: str) -> dict:
    # Inside the plot area, at the top: above it, the label would collide with the legend.
    return {"x": month, "y": 1, "yref": "paper", "xref": "x", "text": label, "showarrow": False, "xanchor": "left",
            "yanchor": "top", "xshift": 3, "font": {"color": DARK_TEXT, "size": 12},
            "bgcolor": "rgba(255,255,255,0.8)"}


def add_month_marker(fig: go.Figure, month: date, label: str, *, row: int | None = None) -> go.Figure:
    """A dashed vertical line with a label at the top (shape + annotation: add_vline mishandles date labels)."""
    fig.update_layout(shapes=[*fig.layout.shapes, _marker_shape(month)],
                      annotations=[*fig.layout.annotations, _marker_annotation(month, label)])
    return fig


def outflow_band_figure(frame: pl.DataFrame, *, measure: str = "werk", title: str,
                        peildatum: date | None = None) -> go.Figure:
    """Monthly rate per 1,000 with its 95% band, cohort vs comparison (from `outflow.monthly_outflow_intervals`).

    `measure` is "werk" (outflow to work) or "uitstroom" (all outflow). The band is drawn first and in the
    group's colour, lightly, so the line stays the thing to read.
    """
    rate_col, low_col, high_col, measure_label = RATE_MEASURES[measure]
    traces = []
    for group, colour in GROUP_COLOURS.items():
        rows = frame.filter(pl.col("groep") == group).sort("maand")
        if rows.height == 0:
            continue
        x = months(rows)
        traces.append(go.Scatter(
            x=np.concatenate([x, x[::-1]]), y=np.concatenate([values(rows, high_col), values(rows, low_col)[::-1]]),
            fill="toself", fillcolor=_rgba(colour, 0.18), line={"width": 0}, hoverinfo="skip", showlegend=False,
            name=f"95%-interval {GROUP_LABELS[group]}",
        ))
        custom = text_matrix([
            rows.select(month_label_expr()).to_series(), _texts(rows, rate_col, fmt_dec),
            interval_texts(rows.get_column(low_col), rows.get_column(high_col)),
            _texts(rows, "uitstroom_werk" if measure == "werk" else "uitstroom"), _texts(rows, "bijstand"),
        ])
        traces.append(go.Scatter(
            x=x, y=values(rows, rate_col), name=GROUP_LABELS[group], mode="lines",
            line={"color": colour, "width": 2.5 if group == "Cohort loopt" else 2}, customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 (95%-interval %{customdata[2]})"
                           "<br>%{customdata[3]} personen uitgestroomd van %{customdata[4]} in de bijstand"
                           f"<extra>{GROUP_LABELS[group]}</extra>"),
        ))
    fig = go.Figure(data=traces)
    base_layout(fig, title=title, y_title=f"{measure_label} per 1.000 per maand")
    fig.update_layout(xaxis={"tickformat": "%Y", "dtick": "M12"})
    if peildatum is not None:
        add_month_marker(fig, peildatum.replace(day=1), "peildatum")
    return fig


EVENT_MEASURES = {
    "rate": ("rate", "rate_lower", "rate_upper", "n_units", "Uitstroom naar werk per 1.000 per maand"),
    "diff": ("diff", "diff_lower", "diff_upper", "n_units_diff",
             "Verschil met vergelijking (per 1.000 per maand)"),
}


def _vline(x: float, width: float = 1.5) -> dict:
    """What `add_vline` adds, as a dict (add_vline and add_annotation each revalidate the whole layout)."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": {"color": GREY, "width": width, "dash": "dash"}}


def event_time_figure(profile: pl.DataFrame, *, measure: str = "rate", title: str) -> go.Figure:
    """Mean over units by months since their own start (`did.event_time_profile`), with a 95% band.

    "rate" is the unit rate itself; "diff" the unit's change minus the comparison's change (0 = no effect).
    """
    value_col, low_col, high_col, n_col, y_title = EVENT_MEASURES[measure]
    rows = profile.filter(pl.col(value_col).is_not_null()).sort("event_time")
    band = rows.filter(pl.col(low_col).is_not_null())
    traces = []
    if band.height:
        band_k = band.get_column("event_time").to_numpy()
        traces.append(go.Scatter(
            x=np.concatenate([band_k, band_k[::-1]]),
            y=np.concatenate([values(band, high_col), values(band, low_col)[::-1]]),
            fill="toself", fillcolor=_rgba(COHORT_COLOUR, 0.18), line={"width": 0}, hoverinfo="skip",
            name="95%-interval (spreiding tussen eenheden)",
        ))
    k = pl.col("event_time")
    month_text = pl.when(k > 0).then(pl.lit("+") + k.cast(pl.String)).otherwise(k.cast(pl.String))
    custom = text_matrix([
        rows.select(month_text).to_series(), dec_texts(rows.get_column(value_col)),
        interval_texts(rows.get_column(low_col), rows.get_column(high_col)), int_texts(rows, n_col),
    ])
    traces.append(go.Scatter(
        # x stays a list: a handful of event times, and callers compare it with tuples.
        x=rows.get_column("event_time").to_list(), y=values(rows, value_col), mode="lines+markers",
        name="Gemiddelde over gebieden", line={"color": COHORT_COLOUR, "width": 2.5}, marker={"size": 5},
        customdata=custom,
        hovertemplate=("Maand %{customdata[0]} t.o.v. start: <b>%{customdata[1]}</b> (95%-interval "
                       "%{customdata[2]})<br>%{customdata[3]} gebieden<extra></extra>"),
    ))
    fig = go.Figure(data=traces)
    base_layout(fig, title=title, y_title=y_title, x_title="Maanden sinds de start van het cohort in het gebied")
    layout: dict = {
        "xaxis": {"dtick": 3, "zeroline": False},
        "shapes": [_vline(0)],
        "annotations": [{"x": 0, "y": 1, "yref": "paper", "text": "start cohort", "showarrow": False,
                         "xanchor": "left", "yanchor": "bottom", "font": {"color": DARK_TEXT, "size": 12}}],
    }
    if measure == "diff":
        layout["yaxis"] = {"rangemode": "normal", "zeroline": True, "zerolinecolor": "#BEBEBE"}
    fig.update_layout(layout)
    return fig


def unit_ranking_figure(ranking: pl.DataFrame, *, title: str, reference: float | None = None) -> go.Figure:
    """Horizontal bars per unit (from `outflow.unit_outflow_ranking`) with 95% Poisson whiskers, highest on top.

    Areas in the cohort colour, target groups apart; `reference` (e.g. the comparison areas' rate) as a line.
    """
    # Plotly draws the first category at the bottom; hidden rates (null) go to the bottom of the list.
    rows = ranking.sort("werk_per_1000", descending=False, nulls_last=False)
    labels = [plotly_text(f"{naam} ({code})") for naam, code in zip(rows["naam"], rows["code"], strict=True)]
    rows = rows.with_columns(pl.Series("_label", labels, dtype=pl.String))
    traces = []
    for kind, colour, name in (("gebied", COHORT_COLOUR, "Gebied"), ("doelgroep", TARGET_GROUP_COLOUR,
                                                                     "Stedelijke doelgroep")):
        part = rows.filter(pl.col("soort") == kind)
        if part.height == 0:
            continue
        rates = values(part, "werk_per_1000")
        lows, highs = values(part, "werk_lower"), values(part, "werk_upper")
        custom = text_matrix([
            part.get_column("_label"), _texts(part, "werk_per_1000", fmt_dec),
            interval_texts(part.get_column("werk_lower"), part.get_column("werk_upper")),
            _texts(part, "uitstroom_werk"), int_texts(part, "persoonsmaanden"), int_texts(part, "maanden"),
        ])
        traces.append(go.Bar(
            # y stays a list of names: category labels, few enough, and read back as such.
            y=part.get_column("_label").to_list(), x=rates, orientation="h", name=name, marker={"color": colour},
            error_x={"type": "data", "symmetric": False, "array": _gap(rates, highs, 1),
                     "arrayminus": _gap(rates, lows, -1), "color": DARK_TEXT, "thickness": 1.2, "width": 3},
            customdata=custom,
            hovertemplate=("%{customdata[0]}<br><b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           "%{customdata[2]})<br>%{customdata[3]} naar werk in %{customdata[5]} cohortmaanden"
                           " (%{customdata[4]} persoonsmaanden)<extra></extra>"),
        ))
    fig = go.Figure(data=traces)
    height = max(320, 90 + 24 * rows.height)
    base_layout(fig, title=title, x_title="Uitstroom naar werk per 1.000 per maand", height=height)
    layout: dict = {
        "yaxis": {"categoryorder": "array", "categoryarray": labels, "gridcolor": "rgba(0,0,0,0)"},
        "xaxis": {"showgrid": True, "gridcolor": "#E6E6E6", "rangemode": "tozero"},
        "barmode": "overlay", "bargap": 0.3,
    }
    if reference is not None:
        layout["shapes"] = [_vline(reference)]
        layout["annotations"] = [{"x": reference, "y": 1, "yref": "paper", "showarrow": False, "xanchor": "left",
                                  "yanchor": "bottom", "text": f"vergelijking: {fmt_dec(reference)}",
                                  "font": {"size": 12}}]
    fig.update_layout(layout)
    return fig


def level_comparison_figure(frame: pl.DataFrame, *, title: str) -> go.Figure:
    """Per stadsdeel (or the city): cohort months vs comparison months, bars with 95% whiskers (`outflow_by_level`)."""
    rows = frame.sort("stadsdeel", descending=True)
    names = [plotly_text(s) for s in rows.get_column("stadsdeel").to_list()]
    traces = []
    for prefix, group in (("vergelijking_", "Vergelijking"), ("cohort_", "Cohort loopt")):
        rates = values(rows, f"{prefix}per_1000")
        lows, highs = values(rows, f"{prefix}lower"), values(rows, f"{prefix}upper")
        custom = text_matrix([names, dec_texts(rows.get_column(f"{prefix}per_1000")),
                              interval_texts(rows.get_column(f"{prefix}lower"), rows.get_column(f"{prefix}upper"))])
        traces.append(go.Bar(
            # x stays a list (None for a hidden rate): seven or so bars, and read back as such.
            y=names, x=rows.get_column(f"{prefix}per_1000").to_list(), orientation="h", name=GROUP_LABELS[group],
            marker={"color": GROUP_COLOURS[group]},
            error_x={"type": "data", "symmetric": False, "color": DARK_TEXT, "thickness": 1.2, "width": 3,
                     "array": _gap(rates, highs, 1), "arrayminus": _gap(rates, lows, -1)},
            customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           f"%{{customdata[2]}})<extra>{GROUP_LABELS[group]}</extra>"),
        ))
    fig = go.Figure(data=traces)
    base_layout(fig, title=title, x_title="Uitstroom naar werk per 1.000 per maand",
                height=max(300, 110 + 46 * rows.height))
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"}, yaxis={"gridcolor": "rgba(0,0,0,0)"},
                      xaxis={"showgrid": True, "gridcolor": "#E6E6E6", "rangemode": "tozero"})
    return fig


def measures_figure(monthly_measures: pl.DataFrame, measures: tuple, *, title: str,
                    peildatum: date | None = None) -> go.Figure:
    """Small multiples: per measure, the monthly rate per 1,000 for cohort vs comparison areas.

    `measures` are `outflow.Measure`s (label, kind, side_effect); each panel's title says whether it is a
    flow (per month) or a stock (persons at month end), and side effects are marked as such.
    """
    columns = 2
    n_rows = max(1, -(-len(measures) // columns))
    titles = [f"{m.label}{' (neveneffect)' if m.side_effect else ''}: {m.unit_label}" for m in measures]
    fig = make_subplots(rows=n_rows, cols=columns, subplot_titles=titles, shared_xaxes=True,
                        vertical_spacing=0.5 / max(n_rows, 1) if n_rows > 1 else 0.1, horizontal_spacing=0.08)
    # One pass over the frame: hover texts for all rows at once, then split per measure and group.
    texts = monthly_measures.with_columns(
        month_label_expr().alias("_maand_tekst"),
        dec_texts(monthly_measures.get_column("per_1000"), 2).alias("_per_1000_tekst"),
        _texts(monthly_measures, "aantal").alias("_aantal_tekst"),
        int_texts(monthly_measures, "bijstand").alias("_bijstand_tekst"),
    ).sort("maand")
    parts = texts.partition_by("maatregel", "groep", as_dict=True)
    traces, trace_rows, trace_cols = [], [], []
    for i, measure in enumerate(measures):
        row, col = i // columns + 1, i % columns + 1
        for group, colour in MEASURE_GROUP_COLOURS.items():
            rows = parts.get((measure.name, group))
            if rows is None or rows.height == 0:
                continue
            traces.append(go.Scatter(
                x=months(rows), y=values(rows, "per_1000"), mode="lines", name=GROUP_LABELS[group],
                legendgroup=group, showlegend=i == 0, line={"color": colour, "width": 2},
                customdata=text_matrix([rows.get_column(c) for c in ("_maand_tekst", "_per_1000_tekst",
                                                                      "_aantal_tekst", "_bijstand_tekst")]),
                hovertemplate=(f"{measure.label}, %{{customdata[0]}}: <b>%{{customdata[1]}}</b> per 1.000"
                               f"<br>%{{customdata[2]}} van %{{customdata[3]}} in de bijstand"
                               f"<extra>{GROUP_LABELS[group]}</extra>"),
            ))
            trace_rows.append(row)
            trace_cols.append(col)
    if traces:
        fig.add_traces(traces, rows=trace_rows, cols=trace_cols)
    base_layout(fig, title=title, height=160 + 210 * n_rows)
    fig.update_annotations(font={"size": 12})
    layout: dict = {name: {"tickformat": "%Y", "showticklabels": True} for name in axis_names(fig, "x")}
    # Legend at the bottom: at the top (base_layout's place) it would cover the first row of panel titles.
    layout |= {"margin": {"t": 90, "b": 50},
               "legend": {"y": 0, "yanchor": "bottom", "yref": "container", "x": 0, "xanchor": "left"}}
    if peildatum is not None:
        month = peildatum.replace(day=1)
        layout["shapes"] = [
            {"type": "line", "x0": month, "x1": month, "y0": 0, "y1": 1, "xref": axis,
             "yref": f"{axis.replace('x', 'y')} domain", "line": {"color": GREY, "width": 1, "dash": "dash"}}
            for axis in ("x" if i == 0 else f"x{i + 1}" for i in range(len(measures)))
        ]
    fig.update_layout(layout)
    return fig
