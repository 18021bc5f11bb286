"""Complaint charts: rate per period with intervals, the funnel plot, and complaints per category.

The builders take plain data from the page model (`cohort.pagemodels.complaints`): numbers that are hidden are
already null there, with their texts ("×", "—*") beside them, so a hidden count and everything computed from
it (rate, interval, bar length, position in the funnel) never reaches a figure. Nothing here protects anything.

Unit names come from uploaded workbooks and Plotly renders a subset of HTML in hover text, legends and tick
labels (links included), so every name is passed through `base.plotly_text` (escaped once) before it reaches
a figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.basedatatypes import BaseTraceType

from cohort.analysis.complaints import FUNNEL_CLASSES
from cohort.charts.base import house_figure, plotly_text, text_matrix, values
from cohort.charts.palette import COHORT_COLOUR, COMPLAINT_COLOUR, DARK_TEXT, GREY
from cohort.fmt import fmt_dec

# Okabe-Ito based, colour-blind safe; bejegening (treatment) in the house red because it is the category the
# criticism is about.
CATEGORY_COLOURS: dict[str, str] = {
    "Bejegening": COMPLAINT_COLOUR,
    "Bereikbaarheid": "#0072B2",
    "Koers": "#E69F00",
    "Overig": GREY,
}
HIDDEN_MARK = "×"
HIDDEN_HOVER = ("Aantal klachten verborgen: 1 tot en met 4, of mee verborgen zodat zo’n klein aantal niet terug te "
                "rekenen is")
LIMIT_STYLES: dict[float, dict] = {
    0.95: {"dash": "dash", "width": 1.5, "name": "95%-grenzen"},
    0.998: {"dash": "dot", "width": 1.5, "name": "99,8%-grenzen"},
}
POINT_COLOURS: dict[str, str] = {
    "boven_998": COMPLAINT_COLOUR,
    "boven_95": "#F4A582",
    "binnen": COHORT_COLOUR,
    "onder_95": "#92C5DE",
    "onder_998": "#2166AC",
    "te_klein": GREY,
}
PERIOD_HOVER_COLUMNS = ("periode", "klachten_tekst", "gesprekken_tekst", "per_1000_tekst", "interval_tekst",
                        "maanden_tekst")
FUNNEL_HOVER_COLUMNS = ("klachten_tekst", "gesprekken_tekst", "per_1000_tekst", "interval_tekst")


def rate_by_period_figure(periods: pl.DataFrame, *, title: str, overall_rate: float | None) -> go.Figure:
    """Complaints per 1,000 conversations per period with the exact 95% interval as error bars.

    `periods`: one row per period to draw, columns `periode` (label), `per_1000`, `ondergrens`, `bovengrens`
    (null where hidden or without conversations), `verborgen` (the count is hidden) and the hover texts
    `PERIOD_HOVER_COLUMNS`. A hidden period gets no point and no interval, only a grey "×" on the axis
    ("verborgen", not "geen gegevens"). A dashed line marks the rate over the whole window. One tiny period (a
    first half year with a handful of conversations) can have an interval ten times wider than the rest; the
    y-axis is then capped just above the second-widest interval and the cut bar is labelled with its real upper
    bound, so the other periods stay readable.
    """
    traces: list[BaseTraceType] = []
    layout: dict = {}
    shapes: list[dict] = []
    annotations: list[dict] = []
    if periods.height:
        labels = periods.get_column("periode").to_list()
        rates = periods.get_column("per_1000").to_list()
        lows = periods.get_column("ondergrens").to_list()
        highs = periods.get_column("bovengrens").to_list()
        hidden = periods.get_column("verborgen").to_list()
        traces.append(
            go.Scatter(
                x=labels,
                y=rates,
                mode="markers",
                name="Klachten per 1.000 gesprekken",
                marker={"color": COMPLAINT_COLOUR, "size": 9},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [None if r is None else h - r for h, r in zip(highs, rates, strict=True)],
                    "arrayminus": [None if r is None else r - lo for r, lo in zip(rates, lows, strict=True)],
                    "color": COMPLAINT_COLOUR,
                },
                customdata=text_matrix([periods.get_column(c) for c in PERIOD_HOVER_COLUMNS]),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} klachten op %{customdata[2]} gesprekken"
                    "<br>%{customdata[3]} per 1.000 (95%-interval %{customdata[4]})"
                    "<br>%{customdata[5]} maanden in de periode<extra></extra>"
                ),
            )
        )
        if any(hidden):
            traces.append(_hidden_marks([lab for lab, h in zip(labels, hidden, strict=True) if h]))
        shown_rates = [r for r in rates if r is not None]
        top = _axis_top(shown_rates, [h for h in highs if h is not None])
        if top is not None:
            layout["yaxis"] = {"range": [0, top]}
            annotations += [
                {"x": label, "y": top, "yanchor": "top", "showarrow": False, "xshift": 4, "xanchor": "left",
                 "text": f"↑ tot {fmt_dec(high, 1)}", "font": {"color": COMPLAINT_COLOUR, "size": 11}}
                for label, high in zip(labels, highs, strict=True) if high is not None and high > top
            ]
        elif not shown_rates:
            layout["yaxis"] = {"range": [0, 1]}  # only hidden periods: keep the "×" marks on a visible axis
    if overall_rate is not None:
        # What add_hline(annotation_position="top left") adds, as dicts (each add_* revalidates the layout).
        shapes.append({"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": overall_rate, "y1": overall_rate,
                       "yref": "y", "line": {"color": DARK_TEXT, "dash": "dash", "width": 1}})
        annotations.append({"text": f"hele periode: {fmt_dec(overall_rate, 2)}", "showarrow": False, "x": 0,
                            "xanchor": "left", "xref": "x domain", "y": overall_rate, "yanchor": "bottom",
                            "yref": "y"})
    return house_figure(traces, title=title, y_title="Klachten per 1.000 gesprekken", x_title="Periode",
                        layout={**layout, "xaxis": {"type": "category"}, "showlegend": False, "shapes": shapes,
                                "annotations": annotations})


def _hidden_marks(labels: list[str]) -> go.Scatter:
    """Grey "×" on the axis for hidden periods: the gap means "verborgen", not "geen gegevens"."""
    return go.Scatter(
        x=labels, y=[0] * len(labels), mode="text", text=[HIDDEN_MARK] * len(labels), textposition="top center",
        textfont={"color": GREY, "size": 16}, name="Verborgen (klein aantal)",
        hovertemplate=f"<b>%{{x}}</b><br>{HIDDEN_HOVER}<extra></extra>",
    )


def _axis_top(rates: list[float], highs: list[float]) -> float | None:
    """Cap for the y-axis when one interval dwarfs the others (more than twice the second widest), else None."""
    if len(highs) < 3:
        return None
    ordered = sorted(highs)
    if ordered[-1] <= 2 * ordered[-2]:
        return None
    return max(ordered[-2] * 1.15, max(rates) * 1.3)


def funnel_figure(
    points: pl.DataFrame,
    lines: pl.DataFrame,
    *,
    title: str,
    overall_rate: float,
    unit_noun: str = "eenheid",
) -> go.Figure:
    """Funnel plot: rate per 1,000 conversations against conversations, with 95% and 99,8% limits.

    `points`: the units whose counts are shown, columns `eenheid`, `soort`, `gesprekken`, `per_1000`, `trechter`
    (a key of `complaints.FUNNEL_CLASSES`) and the hover texts `FUNNEL_HOVER_COLUMNS`; `lines` from
    `complaints.funnel_lines`. Target groups get a diamond marker, areas and stadsdelen a circle. Units whose
    count is hidden are not in `points` (a point's height with the conversations on the x-axis gives the count
    back); the page lists them.
    """
    traces: list[BaseTraceType] = []
    for level, style in LIMIT_STYLES.items():
        limit = lines.filter(pl.col("level") == level).sort("exposure")
        if limit.height == 0:
            continue
        x = values(limit, "exposure")
        for bound, show in (("upper", True), ("lower", False)):
            traces.append(
                go.Scatter(
                    x=x, y=values(limit, bound), mode="lines", name=style["name"],
                    legendgroup=style["name"], showlegend=show, hoverinfo="skip",
                    line={"color": GREY, "dash": style["dash"], "width": style["width"]},
                )
            )
    for kind, symbol, name in (("doelgroep", "diamond", "Doelgroep"), (None, "circle", unit_noun.capitalize())):
        rows = points.filter(pl.col("soort") == kind) if kind else points.filter(pl.col("soort") != "doelgroep")
        if rows.height == 0:
            continue
        classes = pl.col("trechter").fill_null("").replace_strict(FUNNEL_CLASSES, default="—", return_dtype=pl.String)
        customdata = text_matrix([
            [plotly_text(name) for name in rows.get_column("eenheid").to_list()],
            *[rows.get_column(c) for c in FUNNEL_HOVER_COLUMNS],
            rows.select(classes).to_series(),
        ])
        colours = pl.col("trechter").fill_null("").replace_strict(POINT_COLOURS, default=GREY, return_dtype=pl.String)
        traces.append(
            go.Scatter(
                x=values(rows, "gesprekken"),
                y=values(rows, "per_1000"),
                mode="markers",
                name=name,
                marker={
                    "symbol": symbol, "size": 11, "line": {"color": "white", "width": 1},
                    "color": rows.select(colours).to_series().to_list(),
                },
                customdata=customdata,
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} klachten op %{customdata[2]} gesprekken"
                    "<br>%{customdata[3]} per 1.000 (95%-interval %{customdata[4]})"
                    "<br>%{customdata[5]}<extra></extra>"
                ),
            )
        )
    return house_figure(traces, title=title, y_title="Klachten per 1.000 gesprekken", x_title="Aantal gesprekken",
                        height=460, layout={
        "xaxis": {"tickformat": ",d"},
        # The overall rate as a line across the plot (what add_hline adds).
        "shapes": [{"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": overall_rate, "y1": overall_rate,
                    "yref": "y", "line": {"color": DARK_TEXT, "width": 1}}],
        # Labelled at the left: the largest units, at the right, lie closest to the line.
        "annotations": [{"x": 0, "xref": "x domain", "xanchor": "left", "y": overall_rate, "yanchor": "bottom",
                         "showarrow": False, "text": f"gemiddelde {fmt_dec(overall_rate, 2)}",
                         "font": {"color": DARK_TEXT, "size": 12}}],
    })


def categories_figure(categories: Sequence[str], counts: Sequence[int | None], texts: Sequence[str], *,
                      title: str) -> go.Figure:
    """Horizontal bars: complaints per category (labels of `contract.COMPLAINT_LABELS`, in that order).

    `counts` is null where the count is hidden: such a category gets no bar (its length would be the count) but
    its text ("×") at the start of the axis, and the same text in the hover.
    """
    shown = [plotly_text(c) for c in categories]
    # The "×" of a hidden category is drawn by the text trace below, at the start of the axis.
    labels = [text if count is not None else "" for text, count in zip(texts, counts, strict=True)]
    traces: list[BaseTraceType] = [
        go.Bar(
            y=shown, x=list(counts), orientation="h",
            marker={"color": [CATEGORY_COLOURS.get(c, GREY) for c in categories]},
            customdata=text_matrix([shown, list(texts)]),
            hovertemplate="<b>%{customdata[0]}</b>: %{customdata[1]} klachten<extra></extra>",
            text=labels, textposition="outside", cliponaxis=False, name="Klachten",
        )
    ]
    hidden = [name for name, count in zip(shown, counts, strict=True) if count is None]
    if hidden:
        traces.append(go.Scatter(
            y=hidden, x=[0] * len(hidden), mode="text", text=[HIDDEN_MARK] * len(hidden), textposition="middle right",
            textfont={"color": GREY, "size": 16}, name="Verborgen", hovertemplate=f"<b>%{{y}}</b><br>{HIDDEN_HOVER}"
            "<extra></extra>",
        ))
    largest = max([c for c in counts if c is not None], default=0)
    return house_figure(traces, title=title, x_title="Aantal klachten", y_title="",
                        height=max(260, 48 * len(shown) + 120), layout={
        "yaxis": {"type": "category", "autorange": "reversed"},
        "xaxis": {"range": [0, max(largest * 1.15, 5)], "tickformat": ",d", "gridcolor": "#E6E6E6"},
        "showlegend": False,
    })
