"""Complaint charts: rate per period with intervals, the funnel plot, and categories as stacked bars.

Unit names come from uploaded workbooks and Plotly renders a subset of HTML in hover text, legends and tick
labels (links included), so every name is passed through `base.plotly_text` before it reaches a figure.

Small numbers (`cohort.privacy`): a hidden count and everything computed from it (rate, interval, bar height,
position in the funnel) never reaches a figure. Frames from `complaints.protect_complaints` say what is hidden
(`klachten_verborgen`, `klachten_tekst`); for other frames the rule hides counts from 1 to threshold-1.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from cohort.charts.base import base_layout, dec_texts, int_texts, interval_texts, plotly_text, text_matrix, values
from cohort.complaints import FUNNEL_CLASSES
from cohort.contract import COMPLAINT_LABELS
from cohort.fmt import fmt_dec, fmt_int, fmt_interval
from cohort.palette import COHORT_COLOUR, COMPLAINT_COLOUR, DARK_TEXT, GREY
from cohort.privacy import DEFAULT_RULE, HIDDEN_SUFFIX, TEXT_SUFFIX, SuppressionRule, count_text

# Okabe-Ito based, colour-blind safe; bejegening (treatment) in the house red because it is the category the
# criticism is about.
CATEGORY_COLOURS: dict[str, str] = {
    "Bejegening": COMPLAINT_COLOUR,
    "Bereikbaarheid": "#0072B2",
    "Koers": "#E69F00",
    "Overig": GREY,
}
HIDDEN_TEXT = "verborgen (klein aantal)"
HIDDEN_MARK = "×"
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


def hidden_flags(frame: pl.DataFrame, rule: SuppressionRule = DEFAULT_RULE, count: str = "klachten") -> list[bool]:
    """Per row: is the count hidden? From a protected frame's `<count>_verborgen`, else by the rule."""
    flag = f"{count}{HIDDEN_SUFFIX}"
    if flag in frame.columns:
        return [bool(v) for v in frame.get_column(flag).to_list()]
    return [rule.hides(v) for v in frame.get_column(count).to_list()]


def count_texts(frame: pl.DataFrame, rule: SuppressionRule = DEFAULT_RULE, count: str = "klachten") -> list[str]:
    """Per row the count as shown: a protected frame's `<count>_tekst`, else '<5' for a hidden count."""
    text = f"{count}{TEXT_SUFFIX}"
    if text in frame.columns:
        return frame.get_column(text).to_list()
    return [count_text(v, rule) for v in frame.get_column(count).to_list()]


def _rate_texts(hidden: bool, rate: float | None, low: float | None, high: float | None) -> tuple[str, str]:
    """(rate, interval) as Dutch text; hidden when the count is, so it cannot be recomputed."""
    if hidden:
        return HIDDEN_TEXT, HIDDEN_TEXT
    return fmt_dec(rate, 2), fmt_interval(low, high, 2)


def rate_by_period_figure(
    periods: pl.DataFrame, *, title: str, overall_rate: float | None, rule: SuppressionRule = DEFAULT_RULE
) -> go.Figure:
    """Complaints per 1,000 conversations per period with the exact 95% interval as error bars.

    `periods` comes from `complaints.complaints_by_period` or a period table of `complaints.protect_complaints`;
    periods without conversations are left out. A period whose count is hidden gets no point and no interval,
    only a grey "×" on the axis ("verborgen", not "geen gegevens"). A dashed line marks the rate over the whole
    window. One tiny period (a first month with a handful of conversations) can have an interval ten times wider
    than the rest; the y-axis is then capped just above the second-widest interval and the cut bar is labelled
    with its real upper bound, so the other periods stay readable.
    """
    rows = periods.filter(pl.col("gesprekken") > 0)
    fig = go.Figure()
    layout: dict = {}
    shapes: list[dict] = []
    annotations: list[dict] = []
    if rows.height:
        hidden = hidden_flags(rows, rule)
        texts = count_texts(rows, rule)
        labels = rows.get_column("periode_label").to_list()

        def shown(column: str) -> list[float | None]:
            return [None if h else v for v, h in zip(rows.get_column(column).to_list(), hidden, strict=True)]

        rates, lows, highs = shown("per_1000"), shown("ondergrens"), shown("bovengrens")
        customdata = []
        for row, hide, text in zip(rows.iter_rows(named=True), hidden, texts, strict=True):
            rate_text, interval_text = _rate_texts(hide, row["per_1000"], row["ondergrens"], row["bovengrens"])
            customdata.append([
                row["periode_label"], text, fmt_int(row["gesprekken"]), rate_text, interval_text,
                fmt_int(row["maanden"]),
            ])
        fig.add_trace(
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
                customdata=customdata,
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} klachten op %{customdata[2]} gesprekken"
                    "<br>%{customdata[3]} per 1.000 (95%-interval %{customdata[4]})"
                    "<br>%{customdata[5]} maanden in de periode<extra></extra>"
                ),
            )
        )
        if any(hidden):
            fig.add_trace(_hidden_marks([lab for lab, h in zip(labels, hidden, strict=True) if h]))
        top = _axis_top([r for r in rates if r is not None], [h for h in highs if h is not None])
        if top is not None:
            layout["yaxis"] = {"range": [0, top]}
            annotations += [
                {"x": label, "y": top, "yanchor": "top", "showarrow": False, "xshift": 4, "xanchor": "left",
                 "text": f"↑ tot {fmt_dec(high, 1)}", "font": {"color": COMPLAINT_COLOUR, "size": 11}}
                for label, high in zip(labels, highs, strict=True) if high is not None and high > top
            ]
    if overall_rate is not None:
        # What add_hline(annotation_position="top left") adds, as dicts (each add_* revalidates the layout).
        shapes.append({"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": overall_rate, "y1": overall_rate,
                       "yref": "y", "line": {"color": DARK_TEXT, "dash": "dash", "width": 1}})
        annotations.append({"text": f"hele periode: {fmt_dec(overall_rate, 2)}", "showarrow": False, "x": 0,
                            "xanchor": "left", "xref": "x domain", "y": overall_rate, "yanchor": "bottom",
                            "yref": "y"})
    base_layout(fig, title=title, y_title="Klachten per 1.000 gesprekken", x_title="Periode")
    fig.update_layout(layout, xaxis={"type": "category"}, showlegend=False, shapes=shapes, annotations=annotations)
    return fig


def _hidden_marks(labels: list[str]) -> go.Scatter:
    """Grey "×" on the axis for hidden periods: the gap means "verborgen", not "geen gegevens"."""
    return go.Scatter(
        x=labels, y=[0] * len(labels), mode="text", text=[HIDDEN_MARK] * len(labels), textposition="top center",
        textfont={"color": GREY, "size": 16}, name="Verborgen (klein aantal)",
        hovertemplate="<b>%{x}</b><br>Aantal klachten verborgen: 1 tot en met 4, of mee verborgen zodat zo’n "
        "klein aantal niet terug te rekenen is<extra></extra>",
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
    funnel: pl.DataFrame,
    lines: pl.DataFrame,
    *,
    title: str,
    overall_rate: float,
    unit_noun: str = "eenheid",
    rule: SuppressionRule = DEFAULT_RULE,
) -> go.Figure:
    """Funnel plot: rate per 1,000 conversations against conversations, with 95% and 99,8% limits.

    `funnel` comes from `complaints.with_funnel_class` (rows without conversations are left out), `lines` from
    `complaints.funnel_lines`. Target groups get a diamond marker, areas and stadsdelen a circle. Units whose
    count is hidden are left out: a point's height with the conversations on the x-axis gives the count back
    (the page names them in a note, see `hidden_units`).
    """
    fig = go.Figure()
    for level, style in LIMIT_STYLES.items():
        limit = lines.filter(pl.col("level") == level).sort("exposure")
        if limit.height == 0:
            continue
        x = values(limit, "exposure")
        for bound, show in (("upper", True), ("lower", False)):
            fig.add_trace(
                go.Scatter(
                    x=x, y=values(limit, bound), mode="lines", name=style["name"],
                    legendgroup=style["name"], showlegend=show, hoverinfo="skip",
                    line={"color": GREY, "dash": style["dash"], "width": style["width"]},
                )
            )
    points = funnel.filter(pl.col("gesprekken") > 0)
    points = points.filter(~pl.Series(hidden_flags(points, rule), dtype=pl.Boolean))
    for kind, symbol, name in (("doelgroep", "diamond", "Doelgroep"), (None, "circle", unit_noun.capitalize())):
        rows = points.filter(pl.col("soort") == kind) if kind else points.filter(pl.col("soort") != "doelgroep")
        if rows.height == 0:
            continue
        classes = pl.col("trechter").fill_null("").replace_strict(FUNNEL_CLASSES, default="—", return_dtype=pl.String)
        customdata = text_matrix([
            [plotly_text(name) for name in rows.get_column("eenheid").to_list()],
            int_texts(rows, "klachten"), int_texts(rows, "gesprekken"), dec_texts(rows.get_column("per_1000"), 2),
            interval_texts(rows.get_column("ondergrens"), rows.get_column("bovengrens"), 2),
            rows.select(classes).to_series(),
        ])
        colours = pl.col("trechter").fill_null("").replace_strict(POINT_COLOURS, default=GREY, return_dtype=pl.String)
        fig.add_trace(
            go.Scatter(
                x=rows.get_column("gesprekken").to_numpy(),
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
    base_layout(fig, title=title, y_title="Klachten per 1.000 gesprekken", x_title="Aantal gesprekken", height=460)
    fig.update_layout(
        xaxis={"tickformat": ",d"},
        # The overall rate as a line across the plot (what add_hline adds), labelled at the right.
        shapes=[{"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": overall_rate, "y1": overall_rate,
                 "yref": "y", "line": {"color": DARK_TEXT, "width": 1}}],
        annotations=[{"x": 1, "xref": "paper", "xanchor": "right", "y": overall_rate, "yanchor": "bottom",
                      "showarrow": False, "text": f"gemiddelde {fmt_dec(overall_rate, 2)}",
                      "font": {"color": DARK_TEXT, "size": 12}}],
    )
    return fig


def categories_figure(
    long: pl.DataFrame,
    *,
    by: str,
    title: str,
    axis_title: str,
    horizontal: bool = False,
    order: list[str] | None = None,
    rule: SuppressionRule = DEFAULT_RULE,
) -> go.Figure:
    """Stacked bars of complaints per category, from `complaints.categories_long` (columns `by`, categorie,
    klachten; optionally klachten_tekst and klachten_verborgen from a protected table). Vertical bars over
    periods, horizontal bars per unit or stadsdeel (names escaped). A hidden count has no bar segment (its
    height would be the count) and reads "<5" or "×" in the hover text."""
    categories = order or sorted(set(long.get_column(by).to_list()))
    shown = [plotly_text(c) for c in categories]
    fig = go.Figure()
    for label in COMPLAINT_LABELS.values():
        rows = long.filter(pl.col("categorie") == label)
        keys = rows.get_column(by).to_list()
        hidden = dict(zip(keys, hidden_flags(rows, rule), strict=True))
        texts = dict(zip(keys, count_texts(rows, rule), strict=True))
        counts = dict(zip(keys, rows.get_column("klachten").to_list(), strict=True))
        values = [None if hidden.get(c, False) else counts.get(c, 0) for c in categories]
        customdata = [[name, texts.get(c, "0")] for name, c in zip(shown, categories, strict=True)]
        bar = go.Bar(
            name=label,
            marker={"color": CATEGORY_COLOURS[label]},
            customdata=customdata,
            hovertemplate="<b>%{customdata[0]}</b><br>" + label + ": %{customdata[1]}<extra></extra>",
        )
        if horizontal:
            bar.update(y=shown, x=values, orientation="h")
        else:
            bar.update(x=shown, y=values)
        fig.add_trace(bar)
    height = max(380, 26 * len(categories) + 120) if horizontal else 380
    if horizontal:
        base_layout(fig, title=title, x_title="Aantal klachten", y_title=axis_title, height=height)
        axes = {"yaxis": {"type": "category", "autorange": "reversed"},
                "xaxis": {"rangemode": "tozero", "tickformat": ",d", "gridcolor": "#E6E6E6"}}
    else:
        base_layout(fig, title=title, y_title="Aantal klachten", x_title=axis_title, height=height)
        axes = {"xaxis": {"type": "category"}, "yaxis": {"tickformat": ",d"}}
    fig.update_layout(axes, barmode="stack", legend_traceorder="normal")
    return fig
