"""Complaints: rates per 1,000 conversations over time, per unit or stadsdeel, funnel limits and categories.

Complaints are the side effect that must stand beside the success numbers. With about thirty complaints in two
years most monthly counts are 0, so time series use a coarser grain (quarter, half year, year), and units are
compared in a funnel plot (Spiegelhalter 2005) so small units are not mistaken for outliers.

Counting window: from the first month of the selection up to the peildatum month (or the end of the selection if
that is earlier), the same window as the headline on the overview page. City totals count areas only; target
groups are reported beside them.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cohort import privacy
from cohort.contract import COMPLAINT_COLUMNS, COMPLAINT_LABELS, UnitKind
from cohort.metrics import PER, RateWithInterval, rate_per_1000, with_phase
from cohort.selection import Selection
from cohort.stats import funnel_grid, funnel_limits, poisson_interval_columns

GRAINS: dict[str, str] = {"kwartaal": "Kwartaal", "halfjaar": "Halfjaar", "jaar": "Jaar"}
_TRUNCATE: dict[str, str] = {"kwartaal": "1q", "halfjaar": "6mo", "jaar": "1y"}
CITY_LABEL = "Amsterdam (gebieden)"
MIN_EXPECTED_COMPLAINTS = 0.03  # lower end of the drawn funnel, see `funnel_lines`

# Funnel position of a unit, from high to low; the labels are shown in hover text and tables.
FUNNEL_CLASSES: dict[str, str] = {
    "boven_998": "Opvallend hoog (boven 99,8%-grens)",
    "boven_95": "Hoog (boven 95%-grens)",
    "binnen": "Binnen de grenzen",
    "onder_95": "Laag (onder 95%-grens)",
    "onder_998": "Opvallend laag (onder 99,8%-grens)",
    "te_klein": "Te weinig gesprekken om te beoordelen",
}


def complaint_window(selection: Selection) -> tuple[date, date]:
    """(first, last) month counted: first month of the selection up to the peildatum month or the period's end."""
    return selection.first_month, min(selection.last_month, selection.peildatum_month)


def period_start_expr(grain: str, column: str = "maand") -> pl.Expr:
    """First month of the quarter, half year or year that `column` falls in (calendar periods)."""
    if grain not in _TRUNCATE:
        raise ValueError(f"Onbekende periode {grain!r}; kies uit {', '.join(GRAINS)}.")
    return pl.col(column).dt.truncate(_TRUNCATE[grain]).alias("periode")


def period_label(start: date, grain: str) -> str:
    """date(2021, 4, 1) -> 'K2 2021' (kwartaal), 'H1 2021' (halfjaar), '2021' (jaar)."""
    if grain == "kwartaal":
        return f"K{(start.month - 1) // 3 + 1} {start.year}"
    if grain == "halfjaar":
        return f"H{1 if start.month <= 6 else 2} {start.year}"
    if grain == "jaar":
        return str(start.year)
    raise ValueError(f"Onbekende periode {grain!r}; kies uit {', '.join(GRAINS)}.")


def _with_rate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add per_1000, ondergrens, bovengrens (exact Poisson 95%) of klachten per gesprekken."""
    return poisson_interval_columns(frame, "klachten", "gesprekken", per=PER, prefix="_").rename(
        {"_rate": "per_1000", "_lower": "ondergrens", "_upper": "bovengrens"}
    )


def complaints_by_period(phased: pl.DataFrame, grain: str) -> pl.DataFrame:
    """Areas only, per calendar period: months counted, conversations, complaints (total and per category), rate.

    `phased` comes from `metrics.with_phase` (it has `soort` and `klachten`), limited to the counting window.
    Columns: periode (date), periode_label, maanden, gesprekken, klachten, the four category columns, per_1000,
    ondergrens, bovengrens. `maanden` shows when a first or last period is only partly in the window.
    """
    areas = phased.filter(pl.col("soort") == UnitKind.AREA)
    grouped = (
        areas.with_columns(period_start_expr(grain))
        .group_by("periode")
        .agg(
            pl.col("maand").n_unique().alias("maanden"),
            pl.col("gesprekken").sum(),
            pl.col("klachten").sum(),
            *[pl.col(c).sum() for c in COMPLAINT_COLUMNS],
        )
        .sort("periode")
    )
    labels = [period_label(p, grain) for p in grouped.get_column("periode").to_list()]
    grouped = grouped.with_columns(pl.Series("periode_label", labels, dtype=pl.String))
    return _with_rate(grouped).select(
        "periode", "periode_label", "maanden", "gesprekken", "klachten", *COMPLAINT_COLUMNS,
        "per_1000", "ondergrens", "bovengrens",
    )





def city_rate(phased: pl.DataFrame) -> RateWithInterval:
    """Complaints per 1,000 conversations over all area rows given (the funnel's reference line)."""
    areas = phased.filter(pl.col("soort") == UnitKind.AREA)
    return rate_per_1000(int(areas.get_column("klachten").sum()), int(areas.get_column("gesprekken").sum()))


def with_funnel_class(totals: pl.DataFrame, overall_rate: float) -> pl.DataFrame:
    """Add the 95% and 99,8% limits at each row's number of conversations and the row's funnel class.

    A rate exactly on a limit counts as inside. Rows without conversations get null limits and class null; rows
    where fewer than 0,03 complaints are expected get `te_klein` (the interpolated limits are unusable there).
    """
    exposures = totals.get_column("gesprekken").cast(pl.Float64).to_numpy()
    limits = funnel_limits(overall_rate, exposures, per=PER, levels=(0.95, 0.998))
    narrow = limits.filter(pl.col("level") == 0.95)
    wide = limits.filter(pl.col("level") == 0.998)
    out = totals.with_columns(
        narrow.get_column("lower").alias("grens_95_onder"),
        narrow.get_column("upper").alias("grens_95_boven"),
        wide.get_column("lower").alias("grens_998_onder"),
        wide.get_column("upper").alias("grens_998_boven"),
    )
    rate = pl.col("per_1000")
    funnel_class = (
        pl.when(rate.is_null() | pl.col("grens_95_boven").is_null())
        .then(None)
        .when(pl.col("gesprekken") * overall_rate / PER < MIN_EXPECTED_COMPLAINTS)
        .then(pl.lit("te_klein"))
        .when(rate > pl.col("grens_998_boven"))
        .then(pl.lit("boven_998"))
        .when(rate > pl.col("grens_95_boven"))
        .then(pl.lit("boven_95"))
        .when(rate < pl.col("grens_998_onder"))
        .then(pl.lit("onder_998"))
        .when(rate < pl.col("grens_95_onder"))
        .then(pl.lit("onder_95"))
        .otherwise(pl.lit("binnen"))
    )
    return out.with_columns(funnel_class.alias("trechter"))


def funnel_lines(overall_rate: float, min_conversations: float, max_conversations: float, n: int = 200) -> pl.DataFrame:
    """Smooth funnel limits (long format: exposure, level, lower, upper) over the range of the units shown.

    Runs from half the smallest unit to a bit past the largest, so every point lies inside the drawn range, but
    never below an expected count of 0,03 complaints: there the interpolated 95% upper limit of
    `stats.funnel_limits` collapses to 0 (no whole count fits), which would draw a misleading spike.
    """
    if not overall_rate > 0:
        raise ValueError("Zonder klachten is er geen trechter te tekenen (gemiddelde is 0).")
    top = max(float(max_conversations), 1.0) * 1.05
    floor = MIN_EXPECTED_COMPLAINTS / overall_rate * PER
    low = min(max(float(min_conversations) / 2.0, floor), top)
    return funnel_limits(overall_rate, funnel_grid(top, n=n, min_exposure=low), per=PER)


def conspicuously_high(funnel: pl.DataFrame) -> list[str]:
    """Names of the rows above the 99,8% limit, highest rate first."""
    return funnel.filter(pl.col("trechter") == "boven_998").sort("per_1000", descending=True).get_column(
        "eenheid"
    ).to_list()


def categories_long(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """One row per (`by`, category): columns `by`, categorie (Dutch label), klachten. Category order as contract."""
    long = frame.select(by, *COMPLAINT_COLUMNS).unpivot(
        index=by, on=list(COMPLAINT_COLUMNS), variable_name="kolom", value_name="klachten"
    )
    return long.with_columns(pl.col("kolom").replace_strict(COMPLAINT_LABELS).alias("categorie")).select(
        by, "categorie", "klachten"
    )


# --- Small numbers (AVG): one protected result for every view of the complaints --------------------------------

COUNT_COLUMNS: tuple[str, ...] = ("klachten", *COMPLAINT_COLUMNS)
RATE_COLUMNS: tuple[str, ...] = ("per_1000", "ondergrens", "bovengrens")
TABLES: tuple[str, ...] = ("gebied", "stadsdeel", "stad", "doelgroepen", *GRAINS)
GROUPS_LABEL = "Stedelijke doelgroepen (samen)"


def _unit_rows(phased: pl.DataFrame) -> pl.DataFrame:
    counts = ["gesprekken", *COUNT_COLUMNS]
    units = phased.group_by("code", "naam", "soort", "stadsdeel").agg(pl.col(counts).sum())
    areas = units.filter(pl.col("soort") == UnitKind.AREA)
    groups = units.filter(pl.col("soort") == UnitKind.TARGET_GROUP)
    parts = [
        units.with_columns(pl.lit("gebied").alias("tabel"), pl.col("naam").alias("eenheid")),
        areas.group_by("stadsdeel").agg(pl.col(counts).sum()).with_columns(
            pl.lit("stadsdeel").alias("tabel"), pl.col("stadsdeel").alias("eenheid"), pl.lit("stadsdeel").alias("soort")
        ),
        areas.select(pl.col(counts).sum()).with_columns(
            pl.lit("stad").alias("tabel"), pl.lit(CITY_LABEL).alias("eenheid"), pl.lit("stad").alias("soort")
        ),
    ]
    if groups.height:
        parts.append(groups.select(pl.col(counts).sum()).with_columns(
            pl.lit("doelgroepen").alias("tabel"), pl.lit(GROUPS_LABEL).alias("eenheid"),
            pl.lit("doelgroepen").alias("soort"),
        ))
    return pl.concat(parts, how="diagonal_relaxed")


def _period_rows(phased: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for grain in GRAINS:
        periods = complaints_by_period(phased, grain).select("periode", "periode_label", "maanden", "gesprekken",
                                                            *COUNT_COLUMNS)
        parts.append(periods.with_columns(pl.lit(grain).alias("tabel"), pl.col("periode_label").alias("eenheid")))
    return pl.concat(parts, how="diagonal_relaxed")


def _rows_where(frame: pl.DataFrame, condition: pl.Expr) -> list[int]:
    return frame.with_row_index("_rij").filter(condition).get_column("_rij").to_list()


def complaint_constraints(combined: pl.DataFrame) -> list[privacy.TotalConstraint]:
    """Every published equation between the complaint counts (rows of `protect_complaints`' frame).

    A stadsdeel is the sum of its areas, the city of the stadsdelen and of the years, a year of its half years,
    a half year of its quarters, and the target groups together of the groups.
    """
    def rows(condition: pl.Expr) -> list[int]:
        return _rows_where(combined, condition)

    table = pl.col("tabel")
    areas = (table == "gebied") & (pl.col("soort") == UnitKind.AREA)
    city = rows(table == "stad")
    equations: list[tuple[list[int], list[int]]] = [
        (rows((table == "stadsdeel") & (pl.col("stadsdeel") == name)), rows(areas & (pl.col("stadsdeel") == name)))
        for name in combined.filter(table == "stadsdeel").get_column("stadsdeel").to_list()
    ]
    groups = (table == "gebied") & (pl.col("soort") == UnitKind.TARGET_GROUP)
    equations += [(city, rows(table == "stadsdeel")), (city, rows(table == "jaar")),
                  (rows(table == "doelgroepen"), rows(groups))]
    for coarse, fine in (("jaar", "halfjaar"), ("halfjaar", "kwartaal")):
        for row in rows(table == coarse):
            start = combined.get_column("periode")[row]
            within = pl.col("periode").dt.truncate(_TRUNCATE[coarse]) == start
            equations.append(([row], rows((table == fine) & within)))
    return [
        privacy.TotalConstraint((total[0], "klachten"), tuple((p, "klachten") for p in parts))
        for total, parts in equations if total and parts
    ]


def protect_complaints(phased: pl.DataFrame, rule: privacy.SuppressionRule) -> pl.DataFrame:
    """All complaint counts of one window, protected together, so no view gives away what another hides.

    `phased` is limited to the counting window (`complaint_window`). One row per unit (`tabel` "gebied"),
    stadsdeel, the city (areas), the target groups together ("doelgroepen") and per quarter, half year and year
    (areas). The tables are linked (a stadsdeel is the sum of its areas, a year of its quarters, and the city
    total is also on the overview page), so the cells to hide are chosen for all of them at once
    (`privacy.protect_cells`): hiding a count in one table but showing it in another would undo it.

    `klachten`: null when hidden, `klachten_tekst` ("×" for every hidden cell, see `cohort.privacy`),
    `klachten_verborgen`. Rates (`per_1000` and the 95% bounds) are hidden where `klachten` is (text "—*");
    `gesprekken` gets primary suppression ("<5"). Categories are not in this result: with about thirty complaints,
    categories per unit or period would force most unit counts to be hidden too (see `city_categories`).
    """
    combined = _with_rate(pl.concat([_unit_rows(phased), _period_rows(phased)], how="diagonal_relaxed"))
    combined = combined.drop(*COMPLAINT_COLUMNS)
    values: dict[privacy.Cell, int | None] = {
        (row, "klachten"): None if value is None else int(value)
        for row, value in enumerate(combined.get_column("klachten").to_list())
    }
    hidden = privacy.protect_cells(values, complaint_constraints(combined), rule)
    flags = pl.Series("klachten_verborgen", [(row, "klachten") in hidden for row in range(combined.height)],
                      dtype=pl.Boolean)
    texts = [privacy.PROTECTED_TEXT if flag else privacy.fmt_int(values[(row, "klachten")])
             for row, flag in enumerate(flags.to_list())]
    result = combined.with_columns(
        pl.when(flags).then(None).otherwise(pl.col("klachten")).alias("klachten"),
        pl.Series("klachten_tekst", texts, dtype=pl.String),
        flags,
    )
    result = privacy.suppress_rates(result, "klachten", RATE_COLUMNS, rule, formatter=lambda v: privacy.fmt_dec(v, 2),
                                    hidden_column="klachten_verborgen")
    return privacy.suppress_counts(result, ["gesprekken"], rule)


def city_categories(phased: pl.DataFrame, rule: privacy.SuppressionRule) -> pl.DataFrame:
    """Complaints per category for all areas over the window: one row, protected against the city total.

    Only the city is split by category: the city total (shown everywhere) is the one row total, so hiding a
    small category costs one other category, not the unit counts. Columns: eenheid, klachten and the four
    categories, each with `_tekst` and `_verborgen` (`privacy.suppress_categories`).
    """
    areas = phased.filter(pl.col("soort") == UnitKind.AREA)
    row = areas.select(pl.col(list(COUNT_COLUMNS)).sum()).with_columns(pl.lit(CITY_LABEL).alias("eenheid"))
    return privacy.suppress_categories(row.select("eenheid", *COUNT_COLUMNS), list(COMPLAINT_COLUMNS), "klachten", rule)


def categories_long_protected(categories: pl.DataFrame) -> pl.DataFrame:
    """`city_categories` as one row per category: categorie, klachten (null when hidden), klachten_tekst."""
    return pl.DataFrame({
        "categorie": [COMPLAINT_LABELS[c] for c in COMPLAINT_COLUMNS],
        "klachten": [categories.get_column(c)[0] for c in COMPLAINT_COLUMNS],
        "klachten_tekst": [categories.get_column(f"{c}{privacy.TEXT_SUFFIX}")[0] for c in COMPLAINT_COLUMNS],
    }, schema={"categorie": pl.String, "klachten": pl.Int64, "klachten_tekst": pl.String})


def protected_table(protected: pl.DataFrame, table: str) -> pl.DataFrame:
    """One table of `protect_complaints`: "gebied", "stadsdeel", "stad", "doelgroepen" or a grain."""
    if table not in TABLES:
        raise ValueError(f"Onbekende tabel {table!r}; kies uit {', '.join(TABLES)}.")
    rows = protected.filter(pl.col("tabel") == table)
    return rows.sort("periode") if table in GRAINS else rows.sort("eenheid")


def protected_level(protected: pl.DataFrame, level: str) -> pl.DataFrame:
    """The units of a level ("gebied": areas and target groups, "stadsdeel", "stad") from `protect_complaints`."""
    return protected_table(protected, level)


def hidden_cells(frame: pl.DataFrame, columns: tuple[str, ...] = ("klachten",)) -> tuple[int, int]:
    """(hidden, total) cells over `columns` of a protected table, for `privacy.explain_hidden_nl`."""
    hidden = sum(int(frame.get_column(f"{c}{privacy.HIDDEN_SUFFIX}").sum()) for c in columns)
    return hidden, frame.height * len(columns)


def display_table(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """A table and download of a protected frame: text columns (Dutch, "×", "—*") under the plain column names.

    Nothing hidden can be read from it: hidden numbers are null in the frame and their texts are signs.
    """
    out = []
    for column in columns:
        text = f"{column}{privacy.TEXT_SUFFIX}"
        out.append(pl.col(text).alias(column) if text in frame.columns else pl.col(column))
    return frame.select(out)


def protect_for_selection(
    units: pl.DataFrame, monthly: pl.DataFrame, selection: Selection, rule: privacy.SuppressionRule
) -> pl.DataFrame:
    """`protect_complaints` over the counting window of a selection (the frames of `apply_selection`)."""
    first, last = complaint_window(selection)
    phased = with_phase(monthly, units).filter(pl.col("maand").is_between(first, last))
    return protect_complaints(phased, rule)


def hidden_units(frame: pl.DataFrame) -> list[str]:
    """Names of the rows of a protected table whose complaint count is hidden (left out of the funnel)."""
    return frame.filter(pl.col("klachten_verborgen")).get_column("eenheid").to_list()


def headline_count_text(row: pl.DataFrame, rule: privacy.SuppressionRule, column: str = "klachten") -> str:
    """A protected total for a tile: '<5' when the count itself is small, '×' when hidden to protect another."""
    if not bool(row.get_column(f"{column}{privacy.HIDDEN_SUFFIX}")[0]):
        return row.get_column(f"{column}{privacy.TEXT_SUFFIX}")[0]
    return privacy.PROTECTED_TEXT


PERIOD_TABLE_COLUMNS = ["periode_label", "maanden", "gesprekken", "klachten", *RATE_COLUMNS]
UNIT_TABLE_COLUMNS = ["eenheid", "gesprekken", "klachten", *RATE_COLUMNS]


def period_table_frame(protected: pl.DataFrame, grain: str) -> pl.DataFrame:
    """The numbers behind the period chart (table and download): hidden cells read '×' and '—*'."""
    periods = protected_table(protected, grain).filter((pl.col("gesprekken") > 0) | pl.col("gesprekken_verborgen"))
    return display_table(periods, PERIOD_TABLE_COLUMNS)


def unit_table_frame(protected_level_rows: pl.DataFrame, funnel: pl.DataFrame | None = None) -> pl.DataFrame:
    """The numbers behind the funnel (table and download) for every unit with conversations, hidden ones too.

    `funnel` (from `with_funnel_class` on the units whose count is shown) adds the 99,8% limit and the place in
    the funnel; hidden units get neither (it would narrow their count down).
    """
    rows = protected_level_rows.filter((pl.col("gesprekken") > 0) | pl.col("gesprekken_verborgen"))
    table = display_table(rows, UNIT_TABLE_COLUMNS)
    if funnel is None or funnel.is_empty():
        return table.with_columns(pl.lit(None, pl.String).alias("grens_998_boven"), pl.lit(None, pl.String)
                                  .alias("trechter"))
    places = funnel.select(
        "eenheid",
        pl.col("grens_998_boven").map_elements(lambda v: privacy.fmt_dec(v, 2), return_dtype=pl.String),
        pl.col("trechter").replace_strict(FUNNEL_CLASSES, default=None, return_dtype=pl.String),
    )
    return table.join(places, on="eenheid", how="left")
