"""The page "Klachten en bejegening": every number it shows, made of release counts (no streamlit).

Complaints are rare (about thirty a year), so the release publishes them only as cumulative cells, "from the
start of the data up to the end of a half year" (`cohort.privacy.release`). The count of a window is the difference of
two such cells, so every window here is made of whole half years (`PageInput.window("klachten")`), and the
page says which months it counts when that differs from the selection. Conversations are counted over the
same months, so a rate is complaints over conversations of one window.

What the page holds:
- tiles: conversations, complaints and complaints per 1,000 conversations (exact 95% interval) in the areas,
  complaints about bejegening (categories exist for all areas together only), the target groups apart;
- complaints over time per half year and per year: each period's count is the difference of two visible
  cumulative cells, else "×"; a hidden period is a gap marked "×";
- the funnel plot per area and per stadsdeel, over the selected window and over the whole data period: with
  many areas hidden in a short window, the stadsdeel level over the whole period is where a funnel works, and
  the page says so. Units whose count is hidden are left out and named;
- the categories for all areas together, hidden categories "×";
- `released`: every count above (hidden ones too), for the attacker test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, cast

import polars as pl

from cohort.analysis.complaints import FUNNEL_CLASSES, conspicuously_high, funnel_lines, with_funnel_class
from cohort.charts.complaints import categories_figure, funnel_figure, rate_by_period_figure
from cohort.contract import COMPLAINT_COLUMNS, COMPLAINT_LABELS, UnitKind
from cohort.fmt import MISSING, fmt_dec, fmt_int, fmt_interval, fmt_month, fmt_month_short, fmt_months_short, fmt_pct
from cohort.pagemodels.common import (
    Chart,
    Notice,
    PageInput,
    Rate,
    Table,
    TableColumn,
    Tile,
    count_cell,
    make_table,
    rate_cell,
    signs_note,
    window_text,
)
from cohort.plaintext import markdown_literal
from cohort.privacy.lattice import Grain, PeriodNode, month_index
from cohort.privacy.release import Count
from cohort.privacy.rules import HIDDEN_RATE_TEXT, SuppressionRule

FunnelLevel = Literal["gebied", "stadsdeel"]
FunnelPeriod = Literal["selectie", "alles"]
GRAINS: dict[str, str] = {"halfjaar": "Per half jaar", "jaar": "Per jaar"}
FUNNEL_PERIODS: dict[str, str] = {"selectie": "Gekozen periode", "alles": "Hele looptijd van de data"}
SIDEBAR_LEVELS: dict[str, str] = {"gebied": "Gebied", "stadsdeel": "Stadsdeel"}  # labels of the sidebar filter
RATE_DECIMALS = 2
SMALL_TOTAL = 20  # below this many complaints in all, the page warns that one complaint moves a rate a lot
LOWER_BOUND_TEXT = (
    "**Een laag klachtencijfer bewijst geen goede bejegening.** Klachten zijn een ondergrens van ontevredenheid: "
    "wie zich onder druk gezet voelt, dient vaak geen klacht in, uit angst voor gevolgen voor de uitkering of "
    "omdat de drempel hoog is. Het Zwartboek van de Bijstandsbond verzamelt ervaringen van mensen die zich onder "
    "druk gezet voelden; zulke ervaringen hoeven niet in de klachtcijfers terug te komen. Lees deze cijfers "
    "daarom als het minimum van wat er misging."
)


# --- The model --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSeries:
    """Complaints per 1,000 conversations per half year or per year (`grain`), areas only."""

    grain: str
    chart: Chart | None  # None when no period has conversations or complaints
    notice: Notice | None  # how many periods are hidden, or why there is no chart
    periods: int = 0  # periods drawn
    hidden: int = 0  # of which hidden


@dataclass(frozen=True)
class FunnelView:
    """One funnel plot: a level (areas and target groups, or stadsdelen) over one window."""

    level: FunnelLevel
    period: FunnelPeriod
    window: tuple[date, date] | None
    chart: Chart | None  # None when no funnel can be drawn (no units shown, or the average is hidden or 0)
    units: int  # units with conversations in the window (those whose count is hidden included)
    shown: int  # of which in the funnel
    left_out: tuple[str, ...]  # names of the units whose complaint or conversation count is hidden
    high: tuple[str, ...]  # names above the 99,8% limit, highest rate first
    captions: tuple[str, ...]  # above the chart: how many are shown, which are left out (the chart's own
    # captions say how to read it and what the limits mean)
    result: Notice | None  # above the 99,8% limit or not, or why there is no funnel
    hint: Notice | None = None  # the level and period where more units can be shown


@dataclass(frozen=True)
class ComplaintsModel:
    title: str
    intro: str
    window: tuple[date, date] | None  # the months counted (whole half years for viewers)
    notices: tuple[Notice, ...]  # at the top: the months counted when they differ from the selection
    context: Notice  # complaints are a lower bound of dissatisfaction
    tiles: tuple[Tile, ...]
    tile_notes: tuple[str, ...]
    grains: Mapping[str, str]  # grain -> label of the "Periode per punt" control
    series: tuple[PeriodSeries, ...]
    funnel_level: FunnelLevel  # from the sidebar level ("stad" shows the stadsdelen)
    funnel_level_note: str | None
    funnel_periods: Mapping[str, str]  # period -> label of the funnel's period control (one entry: no control)
    funnels: tuple[FunnelView, ...]  # every level × period, so the page can point to the one that works
    categories: Chart | None
    categories_notice: Notice | None
    small_numbers: Notice | None
    released: tuple[Count, ...] = field(repr=False)

    @property
    def funnel_period_choice(self) -> bool:
        """Whether the page offers a choice of period for the funnel (the whole data period is something else)."""
        return len(self.funnel_periods) > 1

    def over_time(self, grain: str) -> PeriodSeries:
        """The series of `grain` (the first one for an unknown grain)."""
        return next((s for s in self.series if s.grain == grain), self.series[0])

    def funnel(self, period: str | None = None, level: str | None = None) -> FunnelView:
        """The funnel of `period` (default the first of `funnel_periods`) at `level` (default `funnel_level`)."""
        period = period if period in self.funnel_periods else next(iter(self.funnel_periods))
        level = level or self.funnel_level
        return next(f for f in self.funnels if f.period == period and f.level == level)


class _Released:
    """Collects every count the page shows (`ComplaintsModel.released`)."""

    def __init__(self) -> None:
        self.counts: list[Count] = []

    def add(self, *counts: Count) -> None:
        self.counts.extend(c for c in counts if c.query is not None)

    def result(self) -> tuple[Count, ...]:
        unique = {(c.query, c.state, c.value): c for c in self.counts}
        return tuple(unique.values())


def _plain_names(names: Iterable[str]) -> str:
    """Unit names from an upload inside our Markdown: plain text (cohort.plaintext)."""
    return "; ".join(markdown_literal(name) for name in names)


def complaints_model(page_input: PageInput) -> ComplaintsModel:
    rule, selection = page_input.rule, page_input.selection
    released = _Released()
    window = page_input.window("klachten")
    areas = page_input.codes(UnitKind.AREA)
    groups = page_input.codes(UnitKind.TARGET_GROUP)
    complaints = page_input.count("klachten", areas, window)
    conversations = page_input.count("gesprekken", areas, window)
    released.add(complaints, conversations)
    city = Rate.of(complaints, conversations)

    tiles, tile_notes = _tiles(page_input, window, areas, groups, city, released)
    series = _with_tips([_series(page_input, grain, window, areas, city, released) for grain in GRAINS])
    funnel_level: FunnelLevel = "gebied" if selection.level == "gebied" else "stadsdeel"
    periods = _funnel_periods(page_input, window)
    funnels = _with_hints([
        _funnel(page_input, level, period, period_window, released)
        for period, period_window in periods.items() for level in ("gebied", "stadsdeel")
    ])
    categories, categories_notice = _categories(page_input, window, areas, released)
    shown_funnel = next(f for f in funnels if f.level == funnel_level and f.period == "selectie")
    return ComplaintsModel(
        title="Klachten en bejegening",
        intro=_intro(window),
        window=window,
        notices=_window_notices(page_input, window),
        context=Notice("info", LOWER_BOUND_TEXT),
        tiles=tiles,
        tile_notes=tile_notes,
        grains=dict(GRAINS),
        series=series,
        funnel_level=funnel_level,
        funnel_level_note=("Op niveau ‘Hele stad’ is er niets te vergelijken: de trechter toont de stadsdelen."
                           if selection.level == "stad" else None),
        funnel_periods={period: FUNNEL_PERIODS[period] for period in periods},
        funnels=tuple(funnels),
        categories=categories,
        categories_notice=categories_notice,
        small_numbers=_small_numbers(rule, window, complaints, shown_funnel),
        released=released.result(),
    )


# --- Texts at the top -------------------------------------------------------------------------------------------


def _selected_months(page_input: PageInput) -> tuple[date, date]:
    selection = page_input.selection
    return selection.first_month, min(selection.last_month, selection.peildatum_month)


def _intro(window: tuple[date, date] | None) -> str:
    text = "Hoe ervaren mensen de aanpak? Klachten horen naast de uitstroomcijfers."
    if window is None:
        return text
    return (f"{text} Geteld van **{fmt_month(window[0])}** tot en met **{fmt_month(window[1])}**, in de gebieden; "
            "stedelijke doelgroepen staan apart.")


def _window_notices(page_input: PageInput, window: tuple[date, date] | None) -> tuple[Notice, ...]:
    first, last = _selected_months(page_input)
    why = ("Klachten tellen we alleen per heel half jaar (januari–juni, juli–december): per kwartaal of maand zouden "
           f"de meeste aantallen 1 tot en met {page_input.rule.largest_hidden} zijn.")
    selection = page_input.selection
    until = " (tot de peildatum)" if selection.peildatum_month < selection.last_month else ""
    chosen = f"de gekozen periode loopt van {fmt_month(first)} tot en met {fmt_month(last)}{until}"
    if window is None:
        return (Notice("warning", f"{why} In deze selectie past geen heel half jaar: {chosen}. Kies een langere "
                                  "periode of een latere peildatum in de zijbalk."),)
    if window == (first, last):
        return ()
    return (Notice("info", f"{why} Geteld: **{window_text(window)}**; {chosen}. De gesprekken op deze pagina tellen "
                           "over dezelfde maanden als de klachten."),)


# --- Tiles ------------------------------------------------------------------------------------------------------


def _tiles(page_input: PageInput, window: tuple[date, date] | None, areas: Sequence[str], groups: Sequence[str],
           city: Rate, released: _Released) -> tuple[tuple[Tile, ...], tuple[str, ...]]:
    if window is None:
        nothing = "Geen heel half jaar in de gekozen periode (zie hierboven)."
        labels = ("Gesprekken", "Klachten", "Klachten per 1.000 gesprekken", "Waarvan over bejegening")
        return tuple(Tile(label, MISSING, nothing) for label in labels), ()
    treatment = page_input.count("klachten_bejegening", areas, window)
    released.add(treatment)
    if groups:
        group_complaints = page_input.count("klachten", groups, window)
        group_conversations = page_input.count("gesprekken", groups, window)
        released.add(group_complaints, group_conversations)
        group_text = (f"Stedelijke doelgroepen apart: {group_complaints.text} klachten op "
                      f"{group_conversations.text} gesprekken.")
        group_counts = [group_complaints, group_conversations]
    else:
        group_text, group_counts = "Geen stedelijke doelgroepen in deze selectie.", []
    months = window_text(window)
    if city.value is not None:
        rate_definition = f"95%-interval {city.interval_text(RATE_DECIMALS)} (exacte Poisson), {months}."
    elif city.hidden:
        rate_definition = "Verborgen: het cijfer rust op een verborgen aantal."
    else:
        rate_definition = "Geen gesprekken in deze periode."
    if treatment.state == "unavailable" and window is not None:
        treatment_definition = f"De soort klacht tonen we alleen voor alle gebieden samen. {group_text}"
    else:
        treatment_definition = f"Klachten over bejegening, alle gebieden samen. {group_text}"
    tiles = (
        Tile("Gesprekken", city.exposure.text, f"Gevoerde cohortgesprekken in de gebieden, {months}."),
        Tile("Klachten", city.events.text, "Klachten over bejegening, bereikbaarheid, koers en overig, in de "
                                           "gebieden."),
        Tile("Klachten per 1.000 gesprekken", city.text(RATE_DECIMALS), rate_definition),
        Tile("Waarvan over bejegening", treatment.text, treatment_definition),
    )
    signs = any(not c.shown for c in (city.events, city.exposure, treatment, *group_counts))
    return tiles, ((signs_note(page_input.rule),) if signs else ())


# --- Over time --------------------------------------------------------------------------------------------------


def _period_label(node: PeriodNode, first: date, last: date) -> str:
    """'H1 2021', '2021', or '2021 (jan–jun)' / 'H1 2020 (jan)' when the window counts only part of it."""
    if (first, last) == (node.first, node.last):
        return node.label
    base = str(first.year) if node.grain == "jaar" else f"H{1 if first.month <= 6 else 2} {first.year}"
    return f"{base} ({fmt_months_short(first, last)})"


PERIOD_COLUMNS = (
    TableColumn("periode", "Periode", "text"),
    TableColumn("maanden", "Maanden", help="Maanden van de periode die meetellen."),
    TableColumn("gesprekken", "Gesprekken"),
    TableColumn("klachten", "Klachten"),
    TableColumn("per_1000", "Per 1.000 gesprekken", decimals=RATE_DECIMALS),
    TableColumn("ondergrens", "95%-interval onder", decimals=RATE_DECIMALS),
    TableColumn("bovengrens", "95%-interval boven", decimals=RATE_DECIMALS),
)


def _series(page_input: PageInput, grain: str, window: tuple[date, date] | None, areas: Sequence[str], city: Rate,
            released: _Released) -> PeriodSeries:
    if window is None:
        return PeriodSeries(grain, None, None)
    lattice = page_input.lattice_of("klachten")
    rows, chart_rows, left_out, hidden = [], [], 0, 0
    partial = False
    for node, first, last in lattice.within(cast(Grain, grain), *window):  # a key of GRAINS
        complaints = page_input.count("klachten", areas, (first, last))
        conversations = page_input.count("gesprekken", areas, (first, last))
        if complaints.shown and conversations.shown and not complaints.value and not conversations.value:
            left_out += 1  # nothing happened yet (before the first conversation): no point to draw
            continue
        released.add(complaints, conversations)
        rate = Rate.of(complaints, conversations)
        label = _period_label(node, first, last)
        months = month_index(last) - month_index(first) + 1
        partial |= months < {"jaar": 12, "halfjaar": 6}[grain]
        hidden += rate.hidden
        rows.append({
            "periode": (label, label), "maanden": (months, fmt_int(months)),
            "gesprekken": count_cell(conversations), "klachten": count_cell(complaints),
            "per_1000": rate_cell(rate, RATE_DECIMALS),
            "ondergrens": (rate.lower, HIDDEN_RATE_TEXT if rate.hidden else fmt_dec(rate.lower, RATE_DECIMALS)),
            "bovengrens": (rate.upper, HIDDEN_RATE_TEXT if rate.hidden else fmt_dec(rate.upper, RATE_DECIMALS)),
        })
        chart_rows.append({
            "periode": label, "per_1000": rate.value, "ondergrens": rate.lower, "bovengrens": rate.upper,
            "verborgen": rate.hidden, "klachten_tekst": complaints.text, "gesprekken_tekst": conversations.text,
            "per_1000_tekst": rate.text(RATE_DECIMALS), "interval_tekst": rate.interval_text(RATE_DECIMALS),
            "maanden_tekst": fmt_int(months),
        })
    if not rows:
        return PeriodSeries(grain, None, Notice("info", "Geen gesprekken of klachten in deze periode."))
    title = f"Klachten per 1.000 gesprekken {GRAINS[grain].lower()}, gebieden"
    notes = [signs_note(page_input.rule)] if hidden else []
    if left_out:
        notes.append("Perioden zonder gesprekken en klachten (vóór de eerste gesprekken) staan er niet in.")
    table = make_table(title, f"klachten_per_{grain}", PERIOD_COLUMNS, rows, notes)
    frame = pl.DataFrame(chart_rows, schema={
        "periode": pl.String, "per_1000": pl.Float64, "ondergrens": pl.Float64, "bovengrens": pl.Float64,
        "verborgen": pl.Boolean, "klachten_tekst": pl.String, "gesprekken_tekst": pl.String,
        "per_1000_tekst": pl.String, "interval_tekst": pl.String, "maanden_tekst": pl.String,
    })
    figure = rate_by_period_figure(frame, title=title, overall_rate=city.value)
    captions = [
        "De stip is het cijfer, de streep het 95%-interval: bij zo weinig klachten is dat breed. De stippellijn is "
        "het cijfer over de hele periode. Een streep met ‘↑ tot …’ is bovenaan afgesneden en loopt tot dat getal."
        + (" Een grijs × op de as: aantal klachten verborgen." if hidden else "")
        + (" Een eerste of laatste periode telt maar deels mee (zie ‘maanden’ in de tabel)." if partial else ""),
        *([signs_note(page_input.rule)] if hidden else []),
    ]
    notice = None
    if hidden and page_input.rule.enabled:
        notice = Notice("info", (
            f"{fmt_int(hidden)} van de {fmt_int(len(rows))} perioden zijn verborgen: aantallen van 1 tot en met "
            f"{page_input.rule.largest_hidden} tonen we niet, en ook niets waaruit ze terug te rekenen zijn (een "
            "periode is het verschil van twee tellingen ‘tot en met’)."
        ))
    alt = f"{title}: {len(rows)} perioden, {fmt_int(hidden)} verborgen."
    return PeriodSeries(grain, Chart(title, figure, table, tuple(captions), alt), notice, len(rows), hidden)


def _with_tips(series: list[PeriodSeries]) -> tuple[PeriodSeries, ...]:
    """A series with hidden periods points to the grain that hides a smaller share, if there is one."""
    def share(s: PeriodSeries) -> float:
        return s.hidden / s.periods if s.periods else 1.0

    result = []
    for one in series:
        better = [s for s in series if s.periods and share(s) < share(one)]
        notice = one.notice
        if one.hidden and notice is not None and better:
            best = min(better, key=share)
            notice = Notice(notice.kind, f"{notice.text} Meer zichtbaar? Kies ‘{GRAINS[best.grain]}’.")
        result.append(PeriodSeries(one.grain, one.chart, notice, one.periods, one.hidden))
    return tuple(result)


# --- The funnel plot --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    name: str
    kind: str  # "gebied", "doelgroep" or "stadsdeel"
    codes: tuple[str, ...]


def _funnel_units(page_input: PageInput, level: FunnelLevel) -> list[_Unit]:
    units = page_input.units
    if level == "gebied":
        rows = sorted(units.iter_rows(named=True), key=lambda r: (r["soort"] != UnitKind.AREA, r["naam"]))
        return [_Unit(r["naam"], r["soort"], (r["code"],)) for r in rows]
    areas = units.filter(pl.col("soort") == UnitKind.AREA)
    everything = page_input.dataset.units.filter(pl.col("soort") == UnitKind.AREA)
    result = []
    for name in sorted(set(areas.get_column("stadsdeel").to_list())):
        codes = tuple(areas.filter(pl.col("stadsdeel") == name).get_column("code").to_list())
        size = everything.filter(pl.col("stadsdeel") == name).height
        label = name if len(codes) == size else f"{name} ({fmt_int(len(codes))} van {fmt_int(size)} gebieden)"
        result.append(_Unit(label, "stadsdeel", codes))
    return result


def _funnel_periods(page_input: PageInput, window: tuple[date, date] | None,
                    ) -> dict[FunnelPeriod, tuple[date, date] | None]:
    """The selected window, and the whole data period when that is something else."""
    root = page_input.lattice_of("klachten").root
    periods: dict[FunnelPeriod, tuple[date, date] | None] = {"selectie": window}
    if window != (root.first, root.last):
        periods["alles"] = (root.first, root.last)
    return periods


def _nouns(level: FunnelLevel) -> tuple[str, str]:
    return ("stadsdeel", "stadsdelen") if level == "stadsdeel" else ("eenheid", "eenheden")


def _span(values: Sequence[float], text: Callable[[float], str]) -> str:
    low, high = text(min(values)), text(max(values))
    return low if low == high else f"{low} tot {high}"


FUNNEL_COLUMNS = (
    TableColumn("gesprekken", "Gesprekken"),
    TableColumn("klachten", "Klachten"),
    TableColumn("per_1000", "Per 1.000 gesprekken", decimals=RATE_DECIMALS),
    TableColumn("ondergrens", "95%-interval onder", decimals=RATE_DECIMALS),
    TableColumn("bovengrens", "95%-interval boven", decimals=RATE_DECIMALS),
    TableColumn("grens_95_boven", "95%-grens boven", decimals=RATE_DECIMALS),
    TableColumn("grens_998_boven", "99,8%-grens boven", decimals=RATE_DECIMALS),
    TableColumn("kans_boven_95", "Kans boven 95%-grens bij toeval (%)", decimals=1,
                help="De kans dat een eenheid van deze grootte met precies het gemiddelde cijfer toch boven de "
                     "95%-grens ligt (exact, Poisson). ‘1 op de 20’ geldt bij zulke kleine aantallen niet."),
    TableColumn("trechter", "Plaats in de trechter", "text"),
)


def _funnel(page_input: PageInput, level: FunnelLevel, period: FunnelPeriod, window: tuple[date, date] | None,
            released: _Released) -> FunnelView:
    noun, nouns = _nouns(level)
    if window is None:
        return FunnelView(level, period, None, None, 0, 0, (), (), (), Notice(
            "info", f"In de gekozen periode past geen heel half jaar: kies hierboven ‘{FUNNEL_PERIODS['alles']}’."))
    areas = page_input.codes(UnitKind.AREA)
    reference = Rate.of(page_input.count("klachten", areas, window), page_input.count("gesprekken", areas, window))
    released.add(reference.events, reference.exposure)
    rows, points, left_out = [], [], []
    release = page_input.release  # once: at 10,000 units this loop asks for 20,000 counts
    for unit in _funnel_units(page_input, level):
        complaints = release.count("klachten", unit.codes, *window)
        conversations = release.count("gesprekken", unit.codes, *window)
        if conversations.shown and not conversations.value:
            continue  # no conversations in the window: nothing to compare
        released.add(complaints, conversations)
        rate = Rate.of(complaints, conversations)
        rows.append((unit, complaints, conversations, rate))
        if rate.hidden:
            left_out.append(unit.name)
        else:
            points.append({"rij": len(rows) - 1, "eenheid": unit.name, "soort": unit.kind,
                           "gesprekken": float(conversations.value or 0), "klachten": complaints.value,
                           "per_1000": rate.value, "ondergrens": rate.lower, "bovengrens": rate.upper})
    shown, total = len(points), len(rows)
    captions = []
    if total:
        captions.append(f"Te zien: {fmt_int(shown)} van de {fmt_int(total)} {nouns} met gesprekken, "
                        f"{window_text(window)}.")
    if left_out:
        captions.append(f"Niet in de trechter ({fmt_int(len(left_out))}): {_plain_names(left_out)}. Hun aantal "
                        "klachten (of gesprekken) is verborgen (× in de tabel): de plaats van een punt zou het aantal "
                        "verraden. "
                        + signs_note(page_input.rule))
    if not total:
        return FunnelView(level, period, window, None, 0, 0, (), (), tuple(captions),
                          Notice("info", "Geen gesprekken in deze periode: er is geen trechter te tekenen."))
    if reference.value is None or reference.value == 0:
        if reference.hidden:
            why = "het gemiddelde van de gebieden rust op een verborgen aantal"
        elif reference.value is None:
            why = "er zijn in deze periode geen gesprekken in de gebieden"
        else:
            why = "er zijn in deze periode geen klachten in de gebieden"
        return FunnelView(level, period, window, None, total, shown, tuple(left_out), (), tuple(captions),
                          Notice("info", f"Geen trechter: {why}."))
    funnel = with_funnel_class(pl.DataFrame(points, schema={
        "rij": pl.Int64, "eenheid": pl.String, "soort": pl.String, "gesprekken": pl.Float64, "klachten": pl.Int64,
        "per_1000": pl.Float64, "ondergrens": pl.Float64, "bovengrens": pl.Float64,
    }), reference.value)
    title = (f"Trechterplot: klachten per 1.000 gesprekken per {'stadsdeel' if level == 'stadsdeel' else 'gebied'}, "
             f"{fmt_month_short(window[0])} – {fmt_month_short(window[1])}")
    places = {r["rij"]: r for r in funnel.iter_rows(named=True)}
    table = _funnel_table(title, level, period, rows, places, page_input.rule)
    if not shown:
        return FunnelView(level, period, window, None, total, 0, tuple(left_out), (), tuple(captions),
                          Notice("info", f"Geen enkele {noun} is te tonen: van alle {nouns} is het aantal klachten "
                                         "verborgen."))
    high = tuple(conspicuously_high(funnel))
    points_frame = funnel.with_columns(
        pl.Series("klachten_tekst", [fmt_int(v) for v in funnel.get_column("klachten").to_list()]),
        pl.Series("gesprekken_tekst", [fmt_int(v) for v in funnel.get_column("gesprekken").to_list()]),
        pl.Series("per_1000_tekst", [fmt_dec(v, RATE_DECIMALS) for v in funnel.get_column("per_1000").to_list()]),
        pl.Series("interval_tekst", [fmt_interval(lo, hi, RATE_DECIMALS) for lo, hi in
                                     zip(funnel.get_column("ondergrens"), funnel.get_column("bovengrens"),
                                         strict=True)]),
    )
    exposures = funnel.get_column("gesprekken")
    lines = funnel_lines(reference.value, float(exposures.min()), float(exposures.max()))  # type: ignore[arg-type]
    figure = funnel_figure(points_frame, lines, title=title, overall_rate=reference.value,
                           unit_noun="stadsdeel" if level == "stadsdeel" else "gebied")
    if high:
        result = Notice("warning", "**Opvallend hoog** (boven de 99,8%-grens): " + _plain_names(high))
    else:
        shown_noun = "getoond stadsdeel" if level == "stadsdeel" else "getoonde eenheid"
        result = Notice("success", f"Geen {shown_noun} ligt opvallend hoog (boven de 99,8%-grens).")
    alt = f"{title}: {fmt_int(shown)} van de {fmt_int(total)} {nouns}, {fmt_int(len(high))} opvallend hoog."
    chart_captions = (_reading_text(level, reference.value), _limits_text(funnel, noun, nouns))
    return FunnelView(level, period, window, Chart(title, figure, table, chart_captions, alt), total, shown,
                      tuple(left_out), high, tuple(captions), result)


def _funnel_table(title: str, level: FunnelLevel, period: FunnelPeriod, rows: list, places: Mapping[int, dict],
                  rule: SuppressionRule) -> Table:
    name_column = TableColumn("eenheid", "Stadsdeel" if level == "stadsdeel" else "Gebied of doelgroep", "text")
    table_rows = []
    for index, (unit, complaints, conversations, rate) in enumerate(rows):
        place = places.get(index)
        row = {
            "eenheid": (unit.name, unit.name), "gesprekken": count_cell(conversations),
            "klachten": count_cell(complaints), "per_1000": rate_cell(rate, RATE_DECIMALS),
        }
        if place is None:  # hidden: its interval, limits and place would narrow the count down
            row |= {c: (None, HIDDEN_RATE_TEXT) for c in ("ondergrens", "bovengrens", "grens_95_boven",
                                                          "grens_998_boven", "kans_boven_95", "trechter")}
        else:
            row |= {c: (place[c], fmt_dec(place[c], RATE_DECIMALS))
                    for c in ("ondergrens", "bovengrens", "grens_95_boven", "grens_998_boven")}
            chance = None if place["kans_boven_95"] is None else place["kans_boven_95"] * 100
            label = FUNNEL_CLASSES.get(place["trechter"] or "", "—")
            row |= {"kans_boven_95": (chance, fmt_dec(chance, 1)), "trechter": (label, label)}
        table_rows.append(row)
    hidden = len(places) < len(rows)
    stem = f"klachten_trechter_{level}" + ("" if period == "selectie" else "_alles")
    return make_table(title, stem, (name_column, *FUNNEL_COLUMNS), table_rows,
                      (signs_note(rule),) if hidden else ())


def _reading_text(level: FunnelLevel, reference: float) -> str:
    point = "een stadsdeel" if level == "stadsdeel" else "een gebied (een ruit: een stedelijke doelgroep)"
    return (
        f"Zo lees je de trechter: elk punt is {point}, links weinig gesprekken, rechts veel. De doorgetrokken lijn "
        "is het gemiddelde van de gebieden "
        f"({fmt_dec(reference, RATE_DECIMALS)} per 1.000). Binnen de gestippelde lijnen (99,8%) valt een verschil met "
        "het gemiddelde goed door toeval te verklaren; bij weinig gesprekken is de trechter daarom wijd. Alleen "
        "punten boven de bovenste stippellijn wijken meer af dan toeval aannemelijk maakt: een reden om te kijken "
        "waarom, geen oordeel."
    )


def _limits_text(funnel: pl.DataFrame, noun: str, nouns: str) -> str:
    """What the limits mean with these small expected counts, with the exact chances for the units shown."""
    expected = funnel.get_column("verwacht").to_list()
    chance_95 = [p for p in funnel.get_column("kans_boven_95").to_list() if p is not None]
    chance_998 = [p for p in funnel.get_column("kans_boven_998").to_list() if p is not None]
    n = funnel.height
    shown = f"de getoonde {nouns}" if n > 1 else f"de getoonde {noun}"
    tiny = min(expected) < 1
    expected_above = sum(chance_95)
    return (
        "Wat de grenzen betekenen: ze geven aan hoeveel klachten bij het gemiddelde cijfer door toeval alleen nog "
        "gewoon zijn, omgerekend naar een cijfer per 1.000. ‘95%’ betekent hier niet ‘1 op de 20 erbuiten’: "
        f"klachten zijn hele aantallen en per {noun} verwachten we er hier {_span(expected, lambda v: fmt_dec(v, 1))}. "
        f"De kans dat een {noun} met precies het gemiddelde cijfer toch boven de streepjeslijn (95%) ligt, is voor "
        f"{shown} {_span(chance_95, lambda p: fmt_pct(p, 1))} (exact berekend, Poisson"
        + ("; bij minder dan één verwachte klacht kan die kans oplopen tot 21%" if tiny else "") + "). "
        f"Bij toeval alleen liggen er zo gemiddeld {fmt_dec(expected_above, 1 if expected_above >= 1 else 2)} van de "
        f"{fmt_int(n)} boven die lijn: "
        "een punt boven de streepjeslijn is hier dus geen signaal. Boven de stippellijn (99,8%) is die kans "
        f"{_span(chance_998, lambda p: fmt_pct(p, 1))}; pas daar is een verschil een reden om te kijken waarom."
    )


def _with_hints(funnels: list[FunnelView]) -> list[FunnelView]:
    """Each funnel that leaves units out gets a hint to the level and period that show the most units (a
    funnel of one stadsdeel shows less than one of three areas, even with nothing left out)."""
    def most(f: FunnelView) -> tuple[int, float]:
        return (f.shown, f.shown / f.units if f.units else 0.0)

    result = []
    for funnel in funnels:
        hint = None
        best = max(funnels, key=most)
        if funnel.shown < funnel.units and best.shown > funnel.shown:
            steps = []
            if best.level != funnel.level:
                steps.append(f"kies in de zijbalk niveau ‘{SIDEBAR_LEVELS[best.level]}’")
            if best.period != funnel.period:
                steps.append(f"{'' if steps else 'kies '}hierboven ‘{FUNNEL_PERIODS[best.period]}’")
            where = "per stadsdeel" if best.level == "stadsdeel" else "per gebied"
            when = ("over de hele looptijd van de data" if best.period == "alles" else "over de gekozen periode")
            hint = Notice("info", f"Meer te zien? {where.capitalize()} {when} ({window_text(best.window)}) staan "
                                  f"{fmt_int(best.shown)} van de {fmt_int(best.units)} {_nouns(best.level)[1]} in "
                                  f"de trechter: {' en '.join(steps)}.")
        result.append(FunnelView(funnel.level, funnel.period, funnel.window, funnel.chart, funnel.units, funnel.shown,
                                 funnel.left_out, funnel.high, funnel.captions, funnel.result, hint))
    return result


# --- Categories and the closing warning -------------------------------------------------------------------------


def _categories(page_input: PageInput, window: tuple[date, date] | None, areas: Sequence[str],
                released: _Released) -> tuple[Chart | None, Notice | None]:
    if window is None:
        return None, None
    counts = [page_input.count(column, areas, window) for column in COMPLAINT_COLUMNS]
    if any(c.state == "unavailable" for c in counts):
        return None, Notice("info", "De soort klacht tonen we alleen voor alle gebieden samen: kies in de zijbalk "
                                    "geen stadsdelen of losse gebieden om de soorten te zien.")
    released.add(*counts)
    labels = [COMPLAINT_LABELS[c] for c in COMPLAINT_COLUMNS]
    title = f"Klachten per soort, {window_text(window)}, alle gebieden samen"
    hidden = any(c.hidden for c in counts)
    table = make_table(title, "klachten_per_soort", (TableColumn("soort", "Soort", "text"),
                                                     TableColumn("klachten", "Klachten")),
                       [{"soort": (label, label), "klachten": count_cell(c)} for label, c in zip(labels, counts,
                                                                                               strict=True)],
                       (signs_note(page_input.rule, rates=False),) if hidden else ())
    figure = categories_figure(labels, [c.value if c.shown else None for c in counts], [c.text for c in counts],
                               title=title)
    captions = [
        "De soort klacht tonen we alleen voor alle gebieden samen. Per gebied, stadsdeel of periode zijn het bijna "
        f"allemaal aantallen van 1 tot en met {page_input.rule.largest_hidden}; de soorten daar tonen zou ook de "
        "aantallen klachten per gebied onleesbaar maken."
        + (" Is één soort klein, dan verbergen we er nog een: anders is hij terug te rekenen uit het totaal."
           if hidden else ""),
        *([signs_note(page_input.rule, rates=False)] if hidden else []),
    ]
    alt = title + ": " + ", ".join(f"{label} {c.text}" for label, c in zip(labels, counts, strict=True)) + "."
    return Chart(title, figure, table, tuple(captions), alt), None


def _small_numbers(rule: SuppressionRule, window: tuple[date, date] | None, complaints: Count,
                   funnel: FunnelView) -> Notice | None:
    if not rule.enabled or window is None:
        return None
    if complaints.shown and (complaints.value or 0) >= SMALL_TOTAL and not funnel.left_out:
        return None
    return Notice("warning", (
        f"**Kleine aantallen:** in totaal gaat het om {complaints.text} klachten. Eén klacht meer of minder verandert "
        "een cijfer per eenheid sterk; vergelijk daarom via de trechter en kijk naar langere periodes of naar "
        f"stadsdelen. Aantallen van 1 tot en met {rule.largest_hidden} tonen we niet (privacy), en ook niets waaruit "
        "ze terug te rekenen zijn."
    ))
