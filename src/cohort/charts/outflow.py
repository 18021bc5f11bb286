"""Outflow-to-work charts."""

from __future__ import annotations

import html
from datetime import date

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from cohort.charts.base import base_layout, dutch_month_labels
from cohort.fmt import fmt_dec, fmt_int, fmt_interval
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
    fig.update_xaxes(tickformat="%Y", dtick="M12")
    return fig


# --- Page "Uitstroom naar werk" -------------------------------------------------------------------------------

RATE_MEASURES = {
    "werk": ("werk_per_1000", "werk_lower", "werk_upper", "Uitstroom naar werk"),
    "uitstroom": ("uitstroom_per_1000", "uitstroom_lower", "uitstroom_upper", "Uitstroom totaal"),
}
TARGET_GROUP_COLOUR = "#7A4C9E"  # purple: apart from the area blue, legible on white
MEASURE_GROUP_COLOURS = GROUP_COLOURS


def _texts(frame: pl.DataFrame, column: str, formatter=fmt_int) -> list[str]:
    """Dutch text per row: the `<column>_tekst` of a protected frame ("<5", "—*") when there is one."""
    if f"{column}_tekst" in frame.columns:
        return frame.get_column(f"{column}_tekst").to_list()
    return [formatter(v) for v in frame.get_column(column).to_list()]


def _gap(values: list, bounds: list, sign: int) -> list:
    """Error-bar lengths; None where the value or bound is hidden or missing (no bar is drawn there)."""
    return [None if v is None or b is None else sign * (b - v) for v, b in zip(values, bounds, strict=True)]


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = hex_to_rgb(colour)
    return f"rgba({red},{green},{blue},{alpha})"


def add_month_marker(fig: go.Figure, month: date, label: str, *, row: int | None = None) -> go.Figure:
    """A dashed vertical line with a label at the top (shape + annotation: add_vline mishandles date labels)."""
    fig.add_shape(type="line", x0=month, x1=month, y0=0, y1=1, yref="paper", xref="x",
                  line={"color": GREY, "width": 1.5, "dash": "dash"})
    # Inside the plot area, at the top: above it, the label would collide with the legend.
    fig.add_annotation(x=month, y=1, yref="paper", xref="x", text=label, showarrow=False, xanchor="left",
                       yanchor="top", xshift=3, font={"color": DARK_TEXT, "size": 12}, bgcolor="rgba(255,255,255,0.8)")
    return fig


def outflow_band_figure(frame: pl.DataFrame, *, measure: str = "werk", title: str,
                        peildatum: date | None = None) -> go.Figure:
    """Monthly rate per 1,000 with its 95% band, cohort vs comparison (from `outflow.monthly_outflow_intervals`).

    `measure` is "werk" (outflow to work) or "uitstroom" (all outflow). The band is drawn first and in the
    group's colour, lightly, so the line stays the thing to read.
    """
    rate_col, low_col, high_col, measure_label = RATE_MEASURES[measure]
    fig = go.Figure()
    for group, colour in GROUP_COLOURS.items():
        rows = frame.filter(pl.col("groep") == group).sort("maand")
        if rows.height == 0:
            continue
        months = rows.get_column("maand").to_list()
        lows, highs = rows.get_column(low_col).to_list(), rows.get_column(high_col).to_list()
        fig.add_trace(go.Scatter(
            x=months + months[::-1], y=highs + lows[::-1], fill="toself", fillcolor=_rgba(colour, 0.18),
            line={"width": 0}, hoverinfo="skip", showlegend=False, name=f"95%-interval {GROUP_LABELS[group]}",
        ))
        custom = [
            [label, rate, fmt_interval(low, high), events, persons]
            for label, rate, low, high, events, persons in zip(
                dutch_month_labels(months), _texts(rows, rate_col, fmt_dec), lows, highs,
                _texts(rows, "uitstroom_werk" if measure == "werk" else "uitstroom"),
                _texts(rows, "bijstand"), strict=True)
        ]
        fig.add_trace(go.Scatter(
            x=months, y=rows.get_column(rate_col).to_list(), name=GROUP_LABELS[group], mode="lines",
            line={"color": colour, "width": 2.5 if group == "Cohort loopt" else 2}, customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 (95%-interval %{customdata[2]})"
                           "<br>%{customdata[3]} personen uitgestroomd van %{customdata[4]} in de bijstand"
                           f"<extra>{GROUP_LABELS[group]}</extra>"),
        ))
    base_layout(fig, title=title, y_title=f"{measure_label} per 1.000 per maand")
    fig.update_xaxes(tickformat="%Y", dtick="M12")
    if peildatum is not None:
        add_month_marker(fig, peildatum.replace(day=1), "peildatum")
    return fig


EVENT_MEASURES = {
    "rate": ("rate", "rate_lower", "rate_upper", "n_units", "Uitstroom naar werk per 1.000 per maand"),
    "diff": ("diff", "diff_lower", "diff_upper", "n_units_diff",
             "Verschil met vergelijking (per 1.000 per maand)"),
}


def event_time_figure(profile: pl.DataFrame, *, measure: str = "rate", title: str) -> go.Figure:
    """Mean over units by months since their own start (`did.event_time_profile`), with a 95% band.

    "rate" is the unit rate itself; "diff" the unit's change minus the comparison's change (0 = no effect).
    """
    value_col, low_col, high_col, n_col, y_title = EVENT_MEASURES[measure]
    rows = profile.filter(pl.col(value_col).is_not_null()).sort("event_time")
    k = rows.get_column("event_time").to_list()
    values = rows.get_column(value_col).to_list()
    band = rows.filter(pl.col(low_col).is_not_null())
    fig = go.Figure()
    if band.height:
        band_k = band.get_column("event_time").to_list()
        fig.add_trace(go.Scatter(
            x=band_k + band_k[::-1],
            y=band.get_column(high_col).to_list() + band.get_column(low_col).to_list()[::-1],
            fill="toself", fillcolor=_rgba(COHORT_COLOUR, 0.18), line={"width": 0}, hoverinfo="skip",
            name="95%-interval (spreiding tussen eenheden)",
        ))
    custom = [
        [f"{m:+d}" if m else "0", fmt_dec(v, 1), fmt_interval(lo, hi), fmt_int(n)]
        for m, v, lo, hi, n in zip(k, values, rows.get_column(low_col).to_list(),
                                   rows.get_column(high_col).to_list(), rows.get_column(n_col).to_list(),
                                   strict=True)
    ]
    fig.add_trace(go.Scatter(
        x=k, y=values, mode="lines+markers", name="Gemiddelde over gebieden",
        line={"color": COHORT_COLOUR, "width": 2.5}, marker={"size": 5}, customdata=custom,
        hovertemplate=("Maand %{customdata[0]} t.o.v. start: <b>%{customdata[1]}</b> (95%-interval "
                       "%{customdata[2]})<br>%{customdata[3]} gebieden<extra></extra>"),
    ))
    base_layout(fig, title=title, y_title=y_title, x_title="Maanden sinds de start van het cohort in het gebied")
    fig.update_xaxes(dtick=3, zeroline=False)
    if measure == "diff":
        fig.update_yaxes(rangemode="normal", zeroline=True, zerolinecolor="#BEBEBE")
    fig.add_vline(x=0, line={"color": GREY, "width": 1.5, "dash": "dash"})
    fig.add_annotation(x=0, y=1, yref="paper", text="start cohort", showarrow=False, xanchor="left",
                       yanchor="bottom", font={"color": DARK_TEXT, "size": 12})
    return fig


def unit_ranking_figure(ranking: pl.DataFrame, *, title: str, reference: float | None = None) -> go.Figure:
    """Horizontal bars per unit (from `outflow.unit_outflow_ranking`) with 95% Poisson whiskers, highest on top.

    Areas in the cohort colour, target groups apart; `reference` (e.g. the comparison areas' rate) as a line.
    """
    fig = go.Figure()
    # Plotly draws the first category at the bottom; hidden rates (null) go to the bottom of the list.
    rows = ranking.sort("werk_per_1000", descending=False, nulls_last=False)
    labels = [html.escape(f"{naam} ({code})") for naam, code in zip(rows["naam"], rows["code"], strict=True)]
    for kind, colour, name in (("gebied", COHORT_COLOUR, "Gebied"), ("doelgroep", TARGET_GROUP_COLOUR,
                                                                     "Stedelijke doelgroep")):
        mask = [s == kind for s in rows.get_column("soort").to_list()]
        part = rows.filter(pl.Series(mask))
        if part.height == 0:
            continue
        rates = part.get_column("werk_per_1000").to_list()
        lows, highs = part.get_column("werk_lower").to_list(), part.get_column("werk_upper").to_list()
        custom = [
            [label, r, fmt_interval(lo, hi), n, fmt_int(p), fmt_int(m)]
            for label, r, lo, hi, n, p, m in zip(
                [lab for lab, keep in zip(labels, mask, strict=True) if keep], _texts(part, "werk_per_1000", fmt_dec),
                lows, highs,
                _texts(part, "uitstroom_werk"), part.get_column("persoonsmaanden").to_list(),
                part.get_column("maanden").to_list(), strict=True)
        ]
        fig.add_trace(go.Bar(
            y=[c[0] for c in custom], x=rates, orientation="h", name=name, marker={"color": colour},
            error_x={"type": "data", "symmetric": False, "array": _gap(rates, highs, 1),
                     "arrayminus": _gap(rates, lows, -1), "color": DARK_TEXT, "thickness": 1.2, "width": 3},
            customdata=custom,
            hovertemplate=("%{customdata[0]}<br><b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           "%{customdata[2]})<br>%{customdata[3]} naar werk in %{customdata[5]} cohortmaanden"
                           " (%{customdata[4]} persoonsmaanden)<extra></extra>"),
        ))
    height = max(320, 90 + 24 * rows.height)
    base_layout(fig, title=title, x_title="Uitstroom naar werk per 1.000 per maand", height=height)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(showgrid=True, gridcolor="#E6E6E6", rangemode="tozero")
    fig.update_layout(barmode="overlay", bargap=0.3)
    if reference is not None:
        fig.add_vline(x=reference, line={"color": GREY, "width": 1.5, "dash": "dash"})
        fig.add_annotation(x=reference, y=1, yref="paper", text=f"vergelijking: {fmt_dec(reference)}",
                           showarrow=False, xanchor="left", yanchor="bottom", font={"size": 12})
    return fig


def level_comparison_figure(frame: pl.DataFrame, *, title: str) -> go.Figure:
    """Per stadsdeel (or the city): cohort months vs comparison months, bars with 95% whiskers (`outflow_by_level`)."""
    fig = go.Figure()
    rows = frame.sort("stadsdeel", descending=True)
    names = [html.escape(str(s)) for s in rows.get_column("stadsdeel").to_list()]
    for prefix, group in (("vergelijking_", "Vergelijking"), ("cohort_", "Cohort loopt")):
        rates = rows.get_column(f"{prefix}per_1000").to_list()
        lows, highs = rows.get_column(f"{prefix}lower").to_list(), rows.get_column(f"{prefix}upper").to_list()
        custom = [[n, fmt_dec(r), fmt_interval(lo, hi)] for n, r, lo, hi in zip(names, rates, lows, highs,
                                                                                   strict=True)]
        fig.add_trace(go.Bar(
            y=names, x=rates, orientation="h", name=GROUP_LABELS[group], marker={"color": GROUP_COLOURS[group]},
            error_x={"type": "data", "symmetric": False, "color": DARK_TEXT, "thickness": 1.2, "width": 3,
                     "array": _gap(rates, highs, 1), "arrayminus": _gap(rates, lows, -1)},
            customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           f"%{{customdata[2]}})<extra>{GROUP_LABELS[group]}</extra>"),
        ))
    base_layout(fig, title=title, x_title="Uitstroom naar werk per 1.000 per maand",
                height=max(300, 110 + 46 * rows.height))
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(showgrid=True, gridcolor="#E6E6E6", rangemode="tozero")
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
    for i, measure in enumerate(measures):
        row, col = i // columns + 1, i % columns + 1
        for group, colour in MEASURE_GROUP_COLOURS.items():
            rows = monthly_measures.filter((pl.col("maatregel") == measure.name) & (pl.col("groep") == group))
            rows = rows.sort("maand")
            if rows.height == 0:
                continue
            months = rows.get_column("maand").to_list()
            custom = [[lab, fmt_dec(v, 2), n, fmt_int(b)] for lab, v, n, b in zip(
                dutch_month_labels(months), rows.get_column("per_1000").to_list(),
                _texts(rows, "aantal"), rows.get_column("bijstand").to_list(), strict=True)]
            fig.add_trace(go.Scatter(
                x=months, y=rows.get_column("per_1000").to_list(), mode="lines", name=GROUP_LABELS[group],
                legendgroup=group, showlegend=i == 0, line={"color": colour, "width": 2}, customdata=custom,
                hovertemplate=(f"{measure.label}, %{{customdata[0]}}: <b>%{{customdata[1]}}</b> per 1.000"
                               f"<br>%{{customdata[2]}} van %{{customdata[3]}} in de bijstand"
                               f"<extra>{GROUP_LABELS[group]}</extra>"),
            ), row=row, col=col)
    base_layout(fig, title=title, height=160 + 210 * n_rows)
    fig.update_annotations(font={"size": 12})
    fig.update_xaxes(tickformat="%Y", showgrid=False, linecolor="#BEBEBE", showticklabels=True)
    fig.update_yaxes(gridcolor="#E6E6E6", rangemode="tozero")
    # Legend at the bottom: at the top (base_layout's place) it would cover the first row of panel titles.
    fig.update_layout(margin={"t": 90, "b": 50}, legend={"y": 0, "yanchor": "bottom", "yref": "container",
                                                         "x": 0, "xanchor": "left"})
    if peildatum is not None:
        for i in range(len(measures)):
            axis = "x" if i == 0 else f"x{i + 1}"
            fig.add_shape(type="line", x0=peildatum.replace(day=1), x1=peildatum.replace(day=1), y0=0, y1=1,
                          xref=axis, yref=f"{axis.replace('x', 'y')} domain",
                          line={"color": GREY, "width": 1, "dash": "dash"})
    return fig
