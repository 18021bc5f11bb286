"""Outflow-to-work charts, drawn from the page model's frames (`cohort.pagemodels.outflow`).

The builders only draw: every value and every text (Dutch numbers, "×", "—*") arrives ready in the frame, and a
hidden value arrives as null. A hidden period is a gap in its line with a grey "×" on the axis whose hover says
"verborgen", so a gap never reads as "no data" and no hidden number reaches the figure.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from cohort.charts.base import (
    axis_names,
    base_layout,
    dec_texts,
    house_figure,
    int_texts,
    interval_texts,
    plotly_text,
    text_matrix,
    values,
)
from cohort.charts.palette import COHORT_COLOUR, COMPARISON_COLOUR, DARK_TEXT, GREY, hex_to_rgb
from cohort.fmt import fmt_dec

GROUP_COLOURS = {"Cohort loopt": COHORT_COLOUR, "Vergelijking": COMPARISON_COLOUR}
GROUP_LABELS = {
    "Cohort loopt": "Gebieden waar het cohort loopt",
    "Vergelijking": "Gebieden nog niet gestart of zonder cohort",
}
RATE_MEASURES = {"werk": "Uitstroom naar werk", "uitstroom": "Uitstroom totaal"}
TARGET_GROUP_COLOUR = "#7A4C9E"  # purple: apart from the area blue, legible on white
HIDDEN_HOVER = ("verborgen: rust op een aantal van 1 tot en met 4, of is mee verborgen zodat zo’n klein aantal "
                "niet terug te rekenen is")


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = hex_to_rgb(colour)
    return f"rgba({red},{green},{blue},{alpha})"


def _gap(values: np.ndarray, bounds: np.ndarray, sign: int) -> np.ndarray:
    """Error-bar lengths; NaN where the value or bound is hidden or missing (no bar is drawn there)."""
    return sign * (bounds - values)


def period_midpoints(frame: pl.DataFrame) -> np.ndarray:
    """The middle day of each period (`eerste` … end of `laatste`), where its point is drawn on a time axis."""
    mids = []
    for first, last in zip(frame.get_column("eerste").to_list(), frame.get_column("laatste").to_list(), strict=True):
        end = date(last.year + last.month // 12, last.month % 12 + 1, 1) - timedelta(days=1)
        mids.append(first + (end - first) / 2)
    return np.array(mids, dtype="datetime64[D]")


def _marker(day: date, label: str) -> tuple[dict, dict]:
    """A dashed vertical line with a label at the top, inside the plot (above it would collide with the legend)."""
    shape = {"type": "line", "x0": day, "x1": day, "y0": 0, "y1": 1, "yref": "paper", "xref": "x",
             "line": {"color": GREY, "width": 1.5, "dash": "dash"}}
    note = {"x": day, "y": 1, "yref": "paper", "xref": "x", "text": label, "showarrow": False, "xanchor": "left",
            "yanchor": "top", "xshift": 3, "font": {"color": DARK_TEXT, "size": 12},
            "bgcolor": "rgba(255,255,255,0.8)"}
    return shape, note


def _band(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One closed polygon per run of periods with both bounds, separated by gaps (Plotly's "toself" closes each
    segment on its own), so a hidden period leaves a hole in the band instead of a line across it."""
    usable = np.isfinite(low) & np.isfinite(high)
    days = np.datetime_as_string(x, unit="D").astype(object)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    start = None
    for i in range(len(x) + 1):
        if i < len(x) and usable[i]:
            start = i if start is None else start
            continue
        if start is not None:
            run = slice(start, i)
            xs += [days[run], days[run][::-1], np.array([None], dtype=object)]
            ys += [high[run], low[run][::-1], np.array([np.nan])]
            start = None
    if not xs:
        return np.array([], dtype=object), np.array([])
    return np.concatenate(xs), np.concatenate(ys)


def _hidden_marks(x: np.ndarray, labels: list[str], name: str, *, legend: bool = True, group: str = "") -> go.Scatter:
    """Grey "×" on the axis for hidden periods: the gap means "verborgen", not "geen gegevens"."""
    return go.Scatter(
        # On the axis line, not clipped by it (half a marker would read as an arrow).
        x=x, y=np.zeros(len(x)), mode="markers", name="Verborgen (×)", showlegend=legend, legendgroup="verborgen",
        cliponaxis=False,
        marker={"symbol": "x-thin", "size": 11, "color": GREY, "line": {"width": 2, "color": GREY}},
        customdata=text_matrix([labels]),
        hovertemplate=f"<b>%{{customdata[0]}}</b>: {HIDDEN_HOVER}<extra>{plotly_text(group or name)}</extra>",
    )


def _period_axis(frame: pl.DataFrame) -> dict:
    """Ticks: each period's label under its point when there are few periods (a year or so), else the years."""
    periods = frame.unique("eerste").sort("eerste")
    if 0 < periods.height <= 8:
        return {"tickvals": period_midpoints(periods), "ticktext": periods.get_column("periode").to_list()}
    return {"tickformat": "%Y", "dtick": "M12"}


def outflow_band_figure(series: pl.DataFrame, *, measure: str = "werk", title: str,
                        peildatum: date | None = None) -> go.Figure:
    """Rate per 1,000 per month for each period with its 95% band, cohort vs comparison areas.

    `series` is the page model's frame: one row per period and group with `eerste`, `laatste`, `periode`,
    `groep`, `persoonsmaanden_tekst` and, for `measure` ("werk": to work; "uitstroom": all outflow),
    `<m>_per_1000`, `<m>_lower`, `<m>_upper` (null when hidden), `<m>_tekst`, `<m>_interval_tekst`,
    `<m>_aantal_tekst` and `<m>_verborgen`. The band is drawn first and light, so the line stays the thing to read.
    """
    measure_label = RATE_MEASURES[measure]
    traces = []
    hidden_shown = False
    for group, colour in GROUP_COLOURS.items():
        rows = series.filter(pl.col("groep") == group).sort("eerste")
        if rows.height == 0:
            continue
        x = period_midpoints(rows)
        band_x, band_y = _band(x, values(rows, f"{measure}_lower"), values(rows, f"{measure}_upper"))
        traces.append(go.Scatter(
            x=band_x, y=band_y, mode="lines", fill="toself", fillcolor=_rgba(colour, 0.18), line={"width": 0},
            hoverinfo="skip", showlegend=False, name=f"95%-interval {GROUP_LABELS[group]}",
        ))
        custom = text_matrix([rows.get_column(c) for c in ("periode", f"{measure}_tekst", f"{measure}_interval_tekst",
                                                           f"{measure}_aantal_tekst", "persoonsmaanden_tekst")])
        traces.append(go.Scatter(
            x=x, y=values(rows, f"{measure}_per_1000"), name=GROUP_LABELS[group], mode="lines+markers",
            marker={"size": 5}, line={"color": colour, "width": 2.5 if group == "Cohort loopt" else 2},
            customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           "%{customdata[2]})<br>%{customdata[3]} personen uitgestroomd op %{customdata[4]} "
                           f"persoonsmaanden in de bijstand<extra>{GROUP_LABELS[group]}</extra>"),
        ))
        hidden = rows.get_column(f"{measure}_verborgen").to_numpy()
        if hidden.any():
            labels = [label for label, h in zip(rows.get_column("periode").to_list(), hidden, strict=True) if h]
            traces.append(_hidden_marks(x[hidden], labels, GROUP_LABELS[group], legend=not hidden_shown))
            hidden_shown = True
    layout: dict = {"xaxis": _period_axis(series)}
    if peildatum is not None:
        shape, note = _marker(peildatum, "peildatum")
        layout |= {"shapes": [shape], "annotations": [note]}
    return house_figure(traces, title=title, y_title=f"{measure_label} per 1.000 per maand", layout=layout)


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
    """Mean over areas by months since their own start (`did.event_time_profile`), with a 95% band.

    "rate" is the area rate itself; "diff" the area's change minus the comparison's change (0 = no effect).
    Points whose value is null (the page model blanks those resting on too few areas) are left out.
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
            mode="lines", fill="toself", fillcolor=_rgba(COHORT_COLOUR, 0.18), line={"width": 0}, hoverinfo="skip",
            name="95%-interval (spreiding tussen gebieden)",
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
    layout: dict = {
        "xaxis": {"dtick": 3, "zeroline": False},
        "shapes": [_vline(0)],
        "annotations": [{"x": 0, "y": 1, "yref": "paper", "text": "start cohort", "showarrow": False,
                         "xanchor": "left", "yanchor": "bottom", "font": {"color": DARK_TEXT, "size": 12}}],
    }
    if measure == "diff":
        layout["yaxis"] = {"rangemode": "normal", "zeroline": True, "zerolinecolor": "#BEBEBE"}
    return house_figure(traces, title=title, y_title=y_title,
                        x_title="Maanden sinds de start van het cohort in het gebied", layout=layout)


def _hidden_bar_texts(frame: pl.DataFrame, flag: str) -> list[str]:
    # A hidden rate gets no bar, only its sign next to the axis (the reader sees "verborgen", not "nul").
    return ["—*" if hidden else "" for hidden in frame.get_column(flag).to_list()]


def unit_ranking_figure(ranking: pl.DataFrame, *, title: str, reference: float | None = None) -> go.Figure:
    """Horizontal bars per unit with 95% Poisson whiskers, highest on top, hidden rates at the bottom.

    `ranking`: `naam`, `code`, `soort`, `werk_per_1000`, `werk_lower`, `werk_upper` (null when hidden),
    `werk_tekst`, `interval_tekst`, `aantal_tekst`, `persoonsmaanden_tekst`, `maanden_tekst`, `verborgen`.
    Areas in the cohort colour, target groups apart; `reference` (the comparison areas' rate) as a line.
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
        custom = text_matrix([part.get_column(c) for c in ("_label", "werk_tekst", "interval_tekst", "aantal_tekst",
                                                           "persoonsmaanden_tekst", "maanden_tekst")])
        traces.append(go.Bar(
            # y stays a list of names: category labels, few enough, and read back as such.
            y=part.get_column("_label").to_list(), x=np.nan_to_num(rates), orientation="h", name=name,
            marker={"color": colour}, text=_hidden_bar_texts(part, "verborgen"), textposition="outside",
            error_x={"type": "data", "symmetric": False, "array": _gap(rates, highs, 1),
                     "arrayminus": _gap(rates, lows, -1), "color": DARK_TEXT, "thickness": 1.2, "width": 3},
            customdata=custom,
            hovertemplate=("%{customdata[0]}<br><b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           "%{customdata[2]})<br>%{customdata[3]} naar werk in %{customdata[5]} cohortmaanden"
                           " (%{customdata[4]} persoonsmaanden)<extra></extra>"),
        ))
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
    return house_figure(traces, title=title, x_title="Uitstroom naar werk per 1.000 per maand",
                        height=max(320, 90 + 24 * rows.height), layout=layout)


def level_comparison_figure(frame: pl.DataFrame, *, title: str) -> go.Figure:
    """Per stadsdeel (or the city): cohort months vs comparison months, bars with 95% whiskers.

    `frame`: `stadsdeel` and, for `cohort_` and `vergelijking_`: `per_1000`, `lower`, `upper` (null when hidden
    or without such months), `tekst`, `interval_tekst`, `verborgen`.
    """
    rows = frame.sort("stadsdeel", descending=True)
    names = [plotly_text(s) for s in rows.get_column("stadsdeel").to_list()]
    traces = []
    for prefix, group in (("vergelijking_", "Vergelijking"), ("cohort_", "Cohort loopt")):
        rates = values(rows, f"{prefix}per_1000")
        lows, highs = values(rows, f"{prefix}lower"), values(rows, f"{prefix}upper")
        custom = text_matrix([names, rows.get_column(f"{prefix}tekst"), rows.get_column(f"{prefix}interval_tekst")])
        traces.append(go.Bar(
            # x stays a list (0 under a hidden rate's sign, None without such months): seven or so bars.
            y=names, x=[0.0 if hidden else None if np.isnan(r) else float(r)
                        for r, hidden in zip(rates, rows.get_column(f"{prefix}verborgen").to_list(), strict=True)],
            orientation="h", name=GROUP_LABELS[group],
            marker={"color": GROUP_COLOURS[group]}, text=_hidden_bar_texts(rows, f"{prefix}verborgen"),
            textposition="outside",
            error_x={"type": "data", "symmetric": False, "color": DARK_TEXT, "thickness": 1.2, "width": 3,
                     "array": _gap(rates, highs, 1), "arrayminus": _gap(rates, lows, -1)},
            customdata=custom,
            hovertemplate=("%{customdata[0]}: <b>%{customdata[1]}</b> per 1.000 per maand (95%-interval "
                           f"%{{customdata[2]}})<extra>{GROUP_LABELS[group]}</extra>"),
        ))
    return house_figure(traces, title=title, x_title="Uitstroom naar werk per 1.000 per maand",
                        height=max(300, 110 + 46 * rows.height),
                        layout={"barmode": "group", "legend": {"traceorder": "reversed"},
                                "yaxis": {"gridcolor": "rgba(0,0,0,0)"},
                                "xaxis": {"showgrid": True, "gridcolor": "#E6E6E6", "rangemode": "tozero"}})


def measures_figure(frame: pl.DataFrame, measures: tuple, *, title: str, peildatum: date | None = None) -> go.Figure:
    """Small multiples: per measure, the rate per 1,000 per period for cohort vs comparison areas.

    `measures` are `outflow.Measure`s (label, kind, side_effect): each panel's title says whether it is a flow
    (per month) or a stock (persons at month end), and side effects are marked as such. `frame` is long: `eerste`,
    `laatste`, `periode`, `groep`, `maatregel`, `per_1000` (null when hidden), `per_1000_tekst`, `aantal_tekst`,
    `persoonsmaanden_tekst`, `verborgen`.
    """
    columns = 2
    n_rows = max(1, -(-len(measures) // columns))
    titles = [f"{m.label}{' (neveneffect)' if m.side_effect else ''}: {m.unit_label}" for m in measures]
    fig = make_subplots(rows=n_rows, cols=columns, subplot_titles=titles, shared_xaxes=True,
                        vertical_spacing=0.5 / max(n_rows, 1) if n_rows > 1 else 0.1, horizontal_spacing=0.08)
    parts = frame.sort("eerste").partition_by("maatregel", "groep", as_dict=True)
    traces, trace_rows, trace_cols = [], [], []
    hidden_shown = False
    for i, measure in enumerate(measures):
        row, col = i // columns + 1, i % columns + 1
        for group, colour in GROUP_COLOURS.items():
            rows = parts.get((measure.name, group))
            if rows is None or rows.height == 0:
                continue
            x = period_midpoints(rows)
            traces.append(go.Scatter(
                x=x, y=values(rows, "per_1000"), mode="lines", name=GROUP_LABELS[group],
                legendgroup=group, showlegend=i == 0, line={"color": colour, "width": 2},
                customdata=text_matrix([rows.get_column(c) for c in ("periode", "per_1000_tekst", "aantal_tekst",
                                                                      "persoonsmaanden_tekst")]),
                hovertemplate=(f"{measure.label}, %{{customdata[0]}}: <b>%{{customdata[1]}}</b> per 1.000"
                               f"<br>%{{customdata[2]}} op %{{customdata[3]}} persoonsmaanden in de bijstand"
                               f"<extra>{GROUP_LABELS[group]}</extra>"),
            ))
            trace_rows.append(row)
            trace_cols.append(col)
            hidden = rows.get_column("verborgen").to_numpy()
            if hidden.any():
                labels = [p for p, h in zip(rows.get_column("periode").to_list(), hidden, strict=True) if h]
                traces.append(_hidden_marks(x[hidden], labels, measure.label, legend=not hidden_shown,
                                            group=f"{measure.label}, {GROUP_LABELS[group]}"))
                hidden_shown = True
                trace_rows.append(row)
                trace_cols.append(col)
    if traces:
        fig.add_traces(traces, rows=trace_rows, cols=trace_cols)
    fig.update_annotations(font={"size": 12})
    layout: dict = {name: {**_period_axis(frame), "showticklabels": True} for name in axis_names(fig, "x")}
    # Legend at the bottom: at the top (base_layout's place) it would cover the first row of panel titles.
    layout |= {"margin": {"t": 90, "b": 50},
               "legend": {"y": 0, "yanchor": "bottom", "yref": "container", "x": 0, "xanchor": "left"}}
    if peildatum is not None:
        layout["shapes"] = [
            {"type": "line", "x0": peildatum, "x1": peildatum, "y0": 0, "y1": 1, "xref": axis,
             "yref": f"{axis.replace('x', 'y')} domain", "line": {"color": GREY, "width": 1, "dash": "dash"}}
            for axis in ("x" if i == 0 else f"x{i + 1}" for i in range(len(measures)))
        ]
    return base_layout(fig, title=title, height=160 + 210 * n_rows, layout=layout)
