"""Fair comparisons per unit for the Kaart, Gebieden and briefing models: a class against a benchmark, a trend.

Classes (`cohort.analysis.comparison`) and trend markers (`cohort.analysis.trend`) are computed here from counts of the
release only, so each is a function of shown numbers: a unit whose count, or whose benchmark's count, is hidden is
"verborgen" and never classified, and a trend over a window with a hidden quarter is "verborgen" (a class or a
marker would narrow the hidden count down). Nothing here reads `dataset.monthly`.

Benchmarks (the viewer chooses, `cohort.map.units.MAP_BENCHMARKS`):
- ``stad``: the unit's rate over the window against all areas of the city together, same window.
- ``vergelijking`` (outflow only): the unit's rate in its own cohort months of the window against the areas
  without a running cohort (not yet started, or never) in the window's months, pooled.
- ``voor_start`` (outflow only): the unit's own cohort months against its own months before the start, both in
  the window (exact conditional test for two rates).
Complaints arise in conversations, so only while a cohort runs: they have no comparison group and no "before".

Over-dispersion (``stad``, ``vergelijking``): Spiegelhalter's additive τ² (`cohort.analysis.comparison`) is estimated
from a fixed set of units that no viewer filter changes (all areas of the dataset, or all stadsdelen at that
level), those with shown counts, around their own pooled rate, so a real shift of all areas against the
benchmark (the cohort effect) is not mistaken for spread between them. Its counts are listed in `released`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import product

import polars as pl

from cohort.analysis.comparison import (
    BENCHMARKS,
    COMPLAINTS,
    NO_OVERDISPERSION,
    OUTFLOW_TO_WORK,
    Benchmark,
    ComparisonClass,
    Measure,
    Overdispersion,
    colour_key,
    compare_to_counts,
    compare_to_rate,
    estimate_overdispersion,
    multiple_comparison_note_nl,
)
from cohort.analysis.comparison import METHOD_NL as COMPARISON_METHOD_NL
from cohort.analysis.trend import METHOD_NL as TREND_METHOD_NL
from cohort.analysis.trend import WINDOW_MONTHS, Grain, TrendMarker, month_index, quarter_index, trend_per_unit
from cohort.charts.palette import COMPARISON_COLOURS, COMPARISON_LABELS
from cohort.fmt import fmt_dec
from cohort.map.units import MAP_BENCHMARKS, MAP_LEVELS, MAP_SPREADS, MapLevel, map_units
from cohort.pagemodels.common import PageInput, Rate
from cohort.privacy.release import Count, Phase, Release
from cohort.privacy.rules import HIDDEN_RATE_TEXT

__all__ = ["COMPARED_MEASURES", "Fairness", "LazyComparisons", "UnitClass", "UnitTrend", "fairness", "trends_of"]

COMPARED_MEASURES: dict[str, Measure] = {"uitstroom_werk": OUTFLOW_TO_WORK, "klachten": COMPLAINTS}
LEVELS_OF: dict[str, tuple[float, ...]] = {"95": (0.95, 0.998), "998": (0.998,)}
BENCHMARK_OPTIONS: tuple[str, ...] = tuple(key for key in MAP_BENCHMARKS if key != "geen")
TREND_LABELS: dict[str, str] = {
    TrendMarker.RISING: "↑ stijgend",
    TrendMarker.FALLING: "↓ dalend",
    TrendMarker.NO_CHANGE: "geen significante verandering",
    TrendMarker.TOO_LITTLE: "te weinig gegevens",
    TrendMarker.HIDDEN: HIDDEN_RATE_TEXT,
}
NOT_COMPARED = (ComparisonClass.HIDDEN.value, ComparisonClass.NO_DATA.value)
OVERDISPERSION_CHOICE_NL = (
    "Spreiding tussen gebieden. Gebieden verschillen onderling meer dan toeval alleen verklaart (bevolking, "
    "arbeidsmarkt); met duizenden persoonsmaanden per gebied zijn de exacte grenzen zo smal dat bij 99,8% elk "
    "gebied ‘afwijkt’. Daarom maken we bij het stedelijk gemiddelde en de gebieden zonder lopend cohort de "
    "grenzen ruimer met een vaste extra spreiding tussen gebieden (additieve random effects, Spiegelhalter 2005), "
    "geschat uit alle gebieden van de dataset (niet alleen de gekozen) rond hun eigen gemiddelde. We kozen "
    "een vaste extra spreiding en geen vermenigvuldigingsfactor: met een factor blijven de grootste gebieden, "
    "waarvan het toevalsdeel klein is, al bij een paar procent verschil ‘afwijken’. Een gebied heet alleen "
    "hoger of lager als zowel de exacte toets als deze ruimere grenzen dat zeggen. Bij ‘zelfde gebied vóór de "
    "start’ vergelijken we één gebied met zichzelf; daar speelt de spreiding tussen gebieden niet."
)
COMPLAINTS_ONLY_CITY_NL = (
    "Klachten ontstaan alleen in gesprekken, dus alleen terwijl een cohort loopt: er is geen vergelijkingsgroep en "
    "geen ‘vóór de start’. Klachten vergelijken we daarom alleen met het stedelijk gemiddelde."
)

TREND_NOTE_NL = (TREND_METHOD_NL + " Trends tonen we voor uitstroom naar werk, per kwartaal (per maand als het "
                 "verbergen uit staat); klachten tellen per half jaar en zijn te zeldzaam voor een trend per gebied.")


@dataclass(frozen=True)
class UnitClass:
    """One unit's class against one benchmark, with the two rates it rests on."""

    code: str
    klass: str  # a `ComparisonClass` value
    colour_key: str  # key of palette.COMPARISON_COLOURS / COMPARISON_LABELS
    text: str  # the Dutch sentence (numbers, benchmark, level)
    value: Rate
    reference: Rate

    @property
    def colour(self) -> str:
        return COMPARISON_COLOURS[self.colour_key]

    @property
    def compared(self) -> bool:
        return self.klass not in NOT_COMPARED

    @property
    def label(self) -> str:
        """For tables and tiles: "Hoger (95%)", "Niet te onderscheiden", "—*" (hidden), "—" (no data)."""
        if self.klass == ComparisonClass.HIDDEN:
            return HIDDEN_RATE_TEXT
        if self.klass == ComparisonClass.NO_DATA:
            return "—"
        return COMPARISON_LABELS[self.colour_key]


@dataclass(frozen=True)
class ComparisonSet:
    measure: str
    benchmark: str
    level: str  # key of MAP_LEVELS
    spread: str  # key of MAP_SPREADS: "ja" with the over-dispersion (stad, vergelijking), "nee" Poisson only
    classes: dict[str, UnitClass]
    benchmark_line: str  # "Maatstaf: het stedelijk gemiddelde, 2,3 per 1.000 per maand."
    notes: tuple[str, ...]  # over-dispersion, or why this benchmark does not apply
    applicable: bool


@dataclass(frozen=True)
class UnitTrend:
    code: str
    months: int
    marker: str  # a `TrendMarker` value
    text: str

    @property
    def label(self) -> str:
        return TREND_LABELS[self.marker]


ComparisonKey = tuple[str, str, str, str]  # (measure, benchmark, level, spread)


class LazyComparisons(Mapping[ComparisonKey, ComparisonSet]):
    """The comparison sets by key, each made of its counts when first asked for and then kept.

    A page shows one or two of the 24 at a time; with 10,000 units making all of them up front took 8 s. The counts
    they rest on are taken up front (`Fairness.released`), so what a viewer can see does not depend on which
    set was made first. `subset` gives some units' classes without making the whole set: each unit's class
    rests on its own counts and the fixed benchmark and spread only, so it is the same either way."""

    def __init__(self, builders: Mapping[ComparisonKey, Callable[[Sequence[str]], ComparisonSet]],
                 codes: Sequence[str]) -> None:
        self._builders = dict(builders)
        self._codes = tuple(codes)
        self._made: dict[ComparisonKey, ComparisonSet] = {}
        self._lock = threading.Lock()  # models are shared between sessions (st.cache_resource)

    def __getitem__(self, key: ComparisonKey) -> ComparisonSet:
        made = self._made.get(key)
        if made is None:
            builder = self._builders[key]  # KeyError for an unknown key, as a dict
            with self._lock:
                made = self._made.get(key)
                if made is None:
                    made = self._made[key] = builder(self._codes)
        return made

    def __iter__(self) -> Iterator[ComparisonKey]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def subset(self, key: ComparisonKey, codes: Sequence[str]) -> ComparisonSet:
        """The set of `key` for `codes` only (those of the model; others are left out)."""
        made = self._made.get(key)
        known = set(self._codes)
        wanted = [code for code in codes if code in known]
        if made is not None:
            return dataclasses.replace(made, classes={code: made.classes[code] for code in wanted})
        return self._builders[key](wanted)


@dataclass(frozen=True)
class Fairness:
    comparisons: LazyComparisons  # (measure, benchmark, level, spread); made when first asked for
    trends: dict[tuple[str, int], UnitTrend]  # (code, months): outflow to work
    trend_grain: str  # "kwartaal" for viewers, "maand" with hiding off
    caveat: str  # the multiple-comparison caveat for this many units
    method_notes: tuple[str, ...]  # comparison method, spread, complaints (city only), trends
    released: tuple[Count, ...]

    def method_for(self, measure: str) -> tuple[str, ...]:
        """The method paragraphs for a map of `measure`'s classes (complaints: also why only the city)."""
        return (*self.method_notes[:2], *(self.method_notes[2:3] if measure == "klachten" else ()))

    def comparison(self, measure: str, benchmark: str, level: str, spread: str = "ja") -> ComparisonSet:
        """The classes for the page's choices; unknown choices give the defaults."""
        return self.comparisons[self._key(measure, benchmark, level, spread)]

    def unit_class(self, measure: str, benchmark: str, level: str, spread: str, code: str) -> UnitClass | None:
        return self.comparison(measure, benchmark, level, spread).classes.get(code)

    def comparison_for(self, codes: Sequence[str], measure: str, benchmark: str, level: str,
                       spread: str = "ja") -> ComparisonSet:
        """`comparison` for some units only (the rows a page shows): the same classes, without the others."""
        return self.comparisons.subset(self._key(measure, benchmark, level, spread), codes)

    @staticmethod
    def _key(measure: str, benchmark: str, level: str, spread: str) -> ComparisonKey:
        return (measure, benchmark if benchmark in BENCHMARK_OPTIONS else "stad", level if level in LEVELS_OF else "95",
                spread if spread in MAP_SPREADS else "ja")

    def trend(self, code: str, months: int) -> UnitTrend | None:
        return self.trends.get((code, months))


# --- counts ---------------------------------------------------------------------------------------------------


def _rate(release: Release, measure: str, members: Sequence[str], window: tuple[date, date] | None,
          phase: Phase = "alle") -> Rate:
    """The rate over `window`, the measure's window (`PageInput.window`), worked out once by the caller, as is
    the release (`PageInput.release`): with 10,000 units, looking both up again for every count took seconds."""
    exposure_measure = "bijstand" if measure == "uitstroom_werk" else "gesprekken"
    events_phase: Phase = phase if measure == "uitstroom_werk" else "alle"
    if window is None:
        return Rate.of(Count(None, "unavailable"), Count(None, "unavailable"))
    return Rate.of(release.count(measure, members, *window, phase=events_phase),
                   release.count(exposure_measure, members, *window, phase=events_phase))


def _rates(release: Release, measure: str, groups: Sequence[Sequence[str]], window: tuple[date, date] | None,
           phase: Phase = "alle") -> list[Rate]:
    """`[_rate(release, measure, group, window, phase) for group in groups]`, the counts taken together
    (`Release.counts`: one pass over the period tree for all single units)."""
    if window is None:
        return [_rate(release, measure, group, None, phase) for group in groups]
    exposure_measure = "bijstand" if measure == "uitstroom_werk" else "gesprekken"
    events_phase: Phase = phase if measure == "uitstroom_werk" else "alle"
    events = release.counts(measure, groups, *window, phase=events_phase)
    exposure = release.counts(exposure_measure, groups, *window, phase=events_phase)
    return [Rate.of(e, x) for e, x in zip(events, exposure, strict=True)]


def _known_or(known: Mapping[str, Rate], units: Sequence[tuple[str, Sequence[str]]],
              rates: Callable[[list[Sequence[str]]], list[Rate]]) -> list[Rate]:
    """The rate of each of `units`: from `known` where it is there, the others taken together."""
    missing = [members for code, members in units if code not in known]
    taken = iter(rates(missing)) if missing else iter(())
    return [known[code] if code in known else next(taken) for code, _ in units]


def _frame(codes: Sequence[str], rates: Sequence[Rate]) -> pl.DataFrame:
    return pl.DataFrame({
        "code": list(codes),
        "events": [r.events.value if r.events.shown else None for r in rates],
        "exposure": [r.exposure.value if r.exposure.shown else None for r in rates],
        "hidden": [r.hidden for r in rates],
    }, schema={"code": pl.String, "events": pl.Int64, "exposure": pl.Int64, "hidden": pl.Boolean})


def _overdispersion(rates: Sequence[Rate]) -> Overdispersion:
    """τ² from the shown units, around their own pooled rate (a function of shown counts only)."""
    shown = [r for r in rates if r.value is not None]
    events = [float(r.events.value or 0) for r in shown]
    exposure = [float(r.exposure.value or 0) for r in shown]
    pooled = 1000.0 * sum(events) / sum(exposure) if sum(exposure) else 0.0
    return estimate_overdispersion(events, exposure, pooled)


# --- the comparisons ------------------------------------------------------------------------------------------


def _classes(frame: pl.DataFrame, values: dict[str, Rate], references: dict[str, Rate]) -> dict[str, UnitClass]:
    out: dict[str, UnitClass] = {}
    for row in frame.iter_rows(named=True):
        code = row["code"]
        out[code] = UnitClass(code, row["class"], colour_key(row["class"], row["level"]), row["text"], values[code],
                              references[code])
    return out


def _hidden_classes(codes: Sequence[str], values: dict[str, Rate], references: dict[str, Rate],
                    klass: ComparisonClass, text: str) -> dict[str, UnitClass]:
    return {c: UnitClass(c, klass.value, colour_key(klass.value, None), text, values[c], references[c])
            for c in codes}


def _benchmark_line(benchmark: Benchmark, measure: Measure, reference: Rate | None) -> str:
    spec = BENCHMARKS[benchmark]
    if reference is None:
        return f"Maatstaf: {spec.versus} (per gebied een eigen cijfer)."
    if reference.value is None:
        return f"Maatstaf: {spec.versus}; dat cijfer is {reference.text(measure.decimals)}, dus geen vergelijking."
    return (f"Maatstaf: {spec.versus}, {reference.text(measure.decimals)} {measure.unit} (95%-interval "
            f"{reference.interval_text(measure.decimals)}).")


def fairness(page_input: PageInput, units: Sequence[tuple[str, tuple[str, ...]]], level: MapLevel, *,
             with_trends: bool = True) -> Fairness:
    """Classes (every measure × benchmark × level) and outflow trends (6 and 12 months) for `units`
    ((code, member area codes) pairs); over-dispersion from the fixed unit set of `level`.

    `with_trends=False` leaves the trends out (a page that shows one unit's trend at a time gets it from
    `unit_trends`: a trend rests on its own unit's counts only, so it is the same either way)."""
    released: list[Count] = []
    codes = [code for code, _ in units]
    members = dict(units)
    plural = "stadsdelen" if level == "stadsdeel" else "gebieden"
    reference_units = [(u.code, u.members) for u in map_units(page_input.dataset.units,
                                                                page_input.selection.peildatum, level)]
    area_codes = sorted(page_input.dataset.areas.get_column("code").to_list())
    # The counts are taken here, all of them (so `released` lists every count a class can rest on); the classes
    # are made when a page asks for them (`LazyComparisons`), for all units or for the rows it shows.
    builders: dict[tuple[str, str, str, str], Callable[[Sequence[str]], ComparisonSet]] = {}

    for key, measure in COMPARED_MEASURES.items():
        window = page_input.window(key)
        rate = partial(_rate, page_input.release, key, window=window)
        rates = partial(_rates, page_input.release, key, window=window)
        # stad: every unit's rate over the window against all areas together.
        values = dict(zip(codes, rates([members[code] for code in codes]), strict=True))
        city = rate(area_codes)
        spread_rates = _known_or(values, reference_units, rates)
        released += [c for r in (*values.values(), city, *spread_rates) for c in (r.events, r.exposure)]
        spread = _overdispersion(spread_rates)
        for (level_key, levels), spread_key in product(LEVELS_OF.items(), MAP_SPREADS):
            builders[(key, "stad", level_key, spread_key)] = partial(
                _against_rate, page_input, measure, Benchmark.CITY, values=values, reference=city, spread=spread,
                levels=levels, level_key=level_key, spread_key=spread_key, plural=plural)

        if key != "uitstroom_werk":
            for benchmark, level_key, spread_key in product(("vergelijking", "voor_start"), LEVELS_OF, MAP_SPREADS):
                builders[(key, benchmark, level_key, spread_key)] = partial(
                    _complaints_not_compared, key, benchmark, level_key, spread_key)
            continue

        # vergelijking: own cohort months against the areas without a running cohort in the window's months.
        cohort = dict(zip(codes, rates([members[code] for code in codes], phase="cohort"), strict=True))
        elsewhere = rate(area_codes, phase="vergelijking")
        spread_cohort = _known_or(cohort, reference_units, partial(rates, phase="cohort"))
        released += [c for r in (*cohort.values(), elsewhere, *spread_cohort) for c in (r.events, r.exposure)]
        spread = _overdispersion(spread_cohort)
        for (level_key, levels), spread_key in product(LEVELS_OF.items(), MAP_SPREADS):
            builders[(key, "vergelijking", level_key, spread_key)] = partial(
                _against_rate, page_input, measure, Benchmark.COMPARISON, values=cohort, reference=elsewhere,
                spread=spread, levels=levels, level_key=level_key, spread_key=spread_key, plural=plural)

        # voor_start: own cohort months against own months before the start (two rates of one unit).
        before = dict(zip(codes, rates([members[code] for code in codes], phase="vergelijking"), strict=True))
        released += [c for r in before.values() for c in (r.events, r.exposure)]
        for (level_key, levels), spread_key in product(LEVELS_OF.items(), MAP_SPREADS):
            # one unit against itself: no spread between units to allow for, so both spread keys are the same
            builders[(key, "voor_start", level_key, spread_key)] = partial(
                _against_itself, page_input, measure, cohort, before, levels, level_key, spread_key)

    comparisons = LazyComparisons(builders, tuple(codes))
    trends, grain, trend_counts = _trends(page_input, units if with_trends else [])
    released += trend_counts
    n_units = max(1, len(reference_units))
    caveat = multiple_comparison_note_nl(n_units, singular="stadsdeel" if level == "stadsdeel" else "gebied",
                                         plural=plural)
    notes = (COMPARISON_METHOD_NL, OVERDISPERSION_CHOICE_NL, COMPLAINTS_ONLY_CITY_NL, TREND_NOTE_NL)
    return Fairness(comparisons, trends, grain, caveat, notes, tuple(released))


def _complaints_not_compared(key: str, benchmark: str, level_key: str, spread_key: str,
                             codes: Sequence[str]) -> ComparisonSet:
    empty = dict.fromkeys(codes, Rate.of(Count(None, "unavailable"), Count(None, "unavailable")))
    return ComparisonSet(key, benchmark, level_key, spread_key,
                         _hidden_classes(codes, empty, empty, ComparisonClass.NO_DATA, COMPLAINTS_ONLY_CITY_NL),
                         COMPLAINTS_ONLY_CITY_NL, (COMPLAINTS_ONLY_CITY_NL,), applicable=False)


def _against_itself(page_input: PageInput, measure: Measure, cohort: dict[str, Rate], before: dict[str, Rate],
                    levels: tuple[float, ...], level_key: str, spread_key: str,
                    codes: Sequence[str]) -> ComparisonSet:
    frame = _frame(codes, [cohort[c] for c in codes]).join(
        _frame(codes, [before[c] for c in codes]).rename(
            {"events": "ref_events", "exposure": "ref_exposure", "hidden": "ref_hidden"}),
        on="code", maintain_order="left")
    result = compare_to_counts(frame, measure, Benchmark.BEFORE_START, levels=levels, rule=page_input.rule)
    return ComparisonSet(
        measure.key, "voor_start", level_key, spread_key, _classes(result, cohort, before),
        _benchmark_line(Benchmark.BEFORE_START, measure, None),
        ("Per gebied de eigen cohortmaanden tegen de eigen maanden vóór de start, binnen de gekozen periode; "
         "gebieden die vóór de periode startten of nog niet gestart zijn, hebben er geen.",),
        applicable=True)


def _against_rate(page_input: PageInput, measure: Measure, benchmark: Benchmark, codes: Sequence[str], *,
                  values: dict[str, Rate], reference: Rate, spread: Overdispersion, levels: tuple[float, ...],
                  level_key: str, spread_key: str, plural: str) -> ComparisonSet:
    key = "stad" if benchmark is Benchmark.CITY else "vergelijking"
    references = dict.fromkeys(codes, reference)
    line = _benchmark_line(benchmark, measure, reference)
    if reference.value is None:  # a class against a hidden benchmark would tell about its count
        klass = ComparisonClass.HIDDEN if reference.hidden else ComparisonClass.NO_DATA
        return ComparisonSet(measure.key, key, level_key, spread_key,
                             _hidden_classes(codes, values, references, klass, line), line, (line,), True)
    used = spread if spread_key == "ja" else NO_OVERDISPERSION
    result = compare_to_rate(_frame(codes, [values[c] for c in codes]), measure, benchmark, reference.value,
                             levels=levels, rule=page_input.rule, overdispersion=used, with_limits=False)
    note = spread.text_nl(plural) if spread_key == "ja" else (
        f"Alleen toeval (Poisson): de exacte grenzen, zonder de spreiding tussen {plural}"
        + (f" (φ = {fmt_dec(spread.phi, 1)}: de {plural} verschillen onderling meer dan toeval verklaart)"
           if spread.applied else "")
        + ". Bij grote aantallen wijkt dan al een klein verschil ‘af’.")
    return ComparisonSet(measure.key, key, level_key, spread_key, _classes(result, values, references), line,
                         (note,), True)


# --- trends ---------------------------------------------------------------------------------------------------


def _trends(page_input: PageInput, units: Sequence[tuple[str, tuple[str, ...]]]
            ) -> tuple[dict[tuple[str, int], UnitTrend], str, list[Count]]:
    """Outflow to work per period (quarters; months with hiding off) over the last 6 and 12 months of the window."""
    release = page_input.release
    window = page_input.window("uitstroom_werk")
    grain: Grain = "maand" if release.lattice.finest == "maand" else "kwartaal"
    if window is None:
        return {}, grain, []
    index = month_index if grain == "maand" else quarter_index
    span = 1 if grain == "maand" else 3
    leaves = [leaf for leaf in release.lattice.leaves if leaf.last <= window[1]][-(max(WINDOW_MONTHS) // span):]
    rows: list[tuple[str, int, int | None, float | None, bool]] = []
    released: list[Count] = []
    for code, members in units:
        for leaf in leaves:
            events = release.count("uitstroom_werk", members, leaf.first, leaf.last)
            exposure = release.count("bijstand", members, leaf.first, leaf.last)
            released += [events, exposure]
            hidden = not (events.shown and exposure.shown)
            rows.append((code, index(leaf.first), None if hidden else events.value,
                         None if hidden else float(exposure.value or 0), hidden))
    if not rows or not leaves:
        return {}, grain, released
    series = pl.DataFrame(rows, schema={"code": pl.String, "period": pl.Int64, "events": pl.Int64,
                                        "exposure": pl.Float64, "hidden": pl.Boolean}, orient="row")
    last = index(leaves[-1].first)
    out: dict[tuple[str, int], UnitTrend] = {}
    for months in WINDOW_MONTHS:
        result = trend_per_unit(series, OUTFLOW_TO_WORK, last_period=last, months=months, grain=grain,
                                rule=page_input.rule)
        for row in result.iter_rows(named=True):
            out[(row["code"], months)] = UnitTrend(row["code"], months, row["marker"], row["text"])
    return out, grain, released


def trends_of(page_input: PageInput, units: Sequence[tuple[str, tuple[str, ...]]]
              ) -> tuple[dict[tuple[str, int], UnitTrend], tuple[Count, ...]]:
    """The outflow trends of `units` ((code, members) pairs; the rows a page shows), keyed (code, months), and the
    counts they rest on. A trend rests on its own unit's counts only, so these are the trends `fairness` gives."""
    trends, _, released = _trends(page_input, units)
    return trends, tuple(released)


def unit_trends(page_input: PageInput, code: str, members: Sequence[str]
                ) -> tuple[tuple[UnitTrend, ...], tuple[Count, ...]]:
    """One unit's outflow trends (6, then 12 months, those that exist) and the counts they rest on."""
    trends, _, released = _trends(page_input, [(code, tuple(members))])
    found = tuple(trend for months in WINDOW_MONTHS if (trend := trends.get((code, months))) is not None)
    return found, tuple(released)


def class_legend() -> tuple[tuple[str, str], ...]:
    """(colour, label) of every class, strongest higher first, then the "not compared" entry."""
    keys = ("hoger_998", "hoger_95", "niet_te_onderscheiden", "lager_95", "lager_998")
    return tuple((COMPARISON_COLOURS[k], COMPARISON_LABELS[k]) for k in keys)


def level_label(level: str) -> str:
    return MAP_LEVELS.get(level, MAP_LEVELS["95"])


def benchmark_label(benchmark: str) -> str:
    return MAP_BENCHMARKS.get(benchmark, MAP_BENCHMARKS["stad"])
