"""The cohort-vs-comparison pieces shared by the pages "Uitstroom naar werk" and the overview.

- `Ledger`: every count a page model asks the release for, so its `released` lists them all;
- `comparison_window`: whole periods from the first one with a running cohort up to the peildatum;
- `RawComparison` (a): the raw ratio behind "twice as high", from release counts only;
- `DidEstimate` (b): the difference-in-differences over all areas (`cohort.analysis.outflow`), with the five-and-five
rule; - the sentences that set (a) beside (b), and the series per period (cohort vs comparison) as charts.

Definitions: outflow to work per 1,000 persons on welfare per month = Σ outflow to work / Σ person-months
(`bijstand` summed over months) × 1,000, in phase ``cohort`` (the unit's own cohort months) or ``vergelijking``
(areas not yet started or never in the approach), over the areas only (target groups never enter a comparison).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

import polars as pl

from cohort.analysis.did import DidResult
from cohort.analysis.outflow import MIN_AREAS, did_all_areas
from cohort.analysis.stats import RateRatio, rate_ratio
from cohort.charts.outflow import (
    outflow_band_figure,
)
from cohort.contract import UnitKind
from cohort.fmt import MISSING, fmt_dec, fmt_int, fmt_interval, fmt_ratio
from cohort.pagemodels.common import (
    Chart,
    PageInput,
    Rate,
    Table,
    TableColumn,
    count_cell,
    make_table,
    signs_note,
    window_text,
)
from cohort.privacy.lattice import PeriodNode
from cohort.privacy.release import Count, Phase, Release
from cohort.privacy.rules import HIDDEN_RATE_TEXT

GROUPS: tuple[tuple[Phase, str], ...] = (("cohort", "Cohort loopt"), ("vergelijking", "Vergelijking"))
GROUPS_HELP = ("Cohort loopt: gebieden in hun cohortperiode. Vergelijking: gebieden die nog niet gestart zijn of nooit "
               "meedoen.")
PER_MONTH = "Per 1.000 personen in de bijstand per maand (aantal gedeeld door de persoonsmaanden)."
SERIES_MEASURES: tuple[tuple[str, str], ...] = (("werk", "uitstroom_werk"), ("uitstroom", "uitstroom"))


# --- Collecting what the page shows -------------------------------------------------------------------------------


# Sums over many units, per release, shared by the overview and the Uitstroom page: both ask for the series per
# period over the same areas, and at 10,000 units each such sum costs the release about a millisecond (set
# operations over the codes). A sum of one unit is cheap and is not kept. The answers are the release's own.
_SHARED_COUNTS: weakref.WeakKeyDictionary[Release, dict[tuple[object, ...], Count]] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()
_SHARED_MIN_UNITS = 2
_SHARED_MAX = 50_000  # per release; then it starts again (a bound on memory, not a tuning knob)


class Ledger:
    """Counts from the release, each remembered, so a model's `released` lists every count it can show."""

    def __init__(self, page_input: PageInput) -> None:
        self.page_input = page_input
        self._counts: dict[object, Count] = {}
        self._asked: list[Count] = []  # every answer in order, so a section can ask what it showed
        self._frozen: dict[int, tuple[object, frozenset[str]]] = {}  # id(codes) -> (codes, kept alive; as a set)
        self._own_release: Release | None = None

    def _release(self) -> Release:
        """`page_input.release`, looked up once (a page asks for 20,000 counts at 10,000 units)."""
        if self._own_release is None:
            self._own_release = self.page_input.release
        return self._own_release

    def _code_set(self, codes: Iterable[str]) -> frozenset[str]:
        """`codes` as a frozenset, made once per list a model passes again (the release takes it as it is)."""
        if isinstance(codes, frozenset):
            return codes
        known = self._frozen.get(id(codes))
        if known is not None and known[0] is codes:
            return known[1]
        wanted = frozenset(codes)
        if isinstance(codes, list) and len(wanted) >= _SHARED_MIN_UNITS:
            self._frozen[id(codes)] = (codes, wanted)
        return wanted

    def count(self, measure: str, codes: Iterable[str], window: tuple[date, date] | None,
              phase: Phase = "alle") -> Count:
        wanted = self._code_set(codes)
        if window is None:
            return self.keep(self.page_input.count(measure, wanted, window, phase))
        release = self._release()
        if len(wanted) < _SHARED_MIN_UNITS:
            return self.keep(release.count(measure, wanted, *window, phase=phase))
        key = (measure, wanted, window, phase)
        with _SHARED_LOCK:
            known = _SHARED_COUNTS.get(release, {}).get(key)
        if known is None:
            known = release.count(measure, wanted, *window, phase=phase)
            with _SHARED_LOCK:
                shared = _SHARED_COUNTS.setdefault(release, {})
                if len(shared) >= _SHARED_MAX:
                    shared.clear()
                shared[key] = known
        return self.keep(known)

    def stock(self, measure: str, codes: Iterable[str], month: date) -> Count:
        return self.keep(self.page_input.release.stock(measure, list(codes), month))

    def keep(self, count: Count) -> Count:
        """Remember `count` as shown by this page (also one asked for by an earlier model, see `asked_since`)."""
        self._asked.append(count)
        if count.query is not None and count.state != "unavailable":
            self._counts.setdefault(count.query, count)
        return count


    def asked_since(self, mark: int) -> list[Count]:
        return list(self._asked[mark:])

    def mark(self) -> int:
        """A bookmark: `hidden_since(mark)` then tells whether a count asked for after it is hidden."""
        return len(self._asked)

    def hidden_since(self, mark: int) -> bool:
        return any(c.hidden for c in self._asked[mark:])

    @property
    def released(self) -> tuple[Count, ...]:
        return tuple(self._counts.values())


def area_codes(page_input: PageInput) -> list[str]:
    """The areas in the viewer's selection (target groups never enter a cohort-vs-comparison figure)."""
    return page_input.codes(UnitKind.AREA)


def all_area_codes(page_input: PageInput) -> list[str]:
    return page_input.dataset.areas.get_column("code").to_list()


def header_line(page_input: PageInput) -> str:
    return f"Dataset: {page_input.dataset.meta.name} · {page_input.selection.describe()}"


def period_word(page_input: PageInput) -> str:
    return "kwartaal" if page_input.lattice.finest == "kwartaal" else "maand"


def legend(page_input: PageInput, hidden: bool) -> tuple[str, ...]:
    """The legend of the signs, under a part of the page that shows one (while hiding is off: the warning)."""
    return (signs_note(page_input.rule),) if hidden or not page_input.rule.enabled else ()


def hidden_rate_text(value: float | None, hidden: bool, decimals: int = 1) -> str:
    return HIDDEN_RATE_TEXT if hidden else fmt_dec(value, decimals)


# --- The comparison window and the two estimates ---------------------------------------------------------------


def comparison_window(page_input: PageInput, codes: Sequence[str], *, whole: bool = True) -> tuple[date, date] | None:
    """From the first whole period in which one of the areas `codes` ran its cohort, to the end of the page's
    window (the selected period up to the peildatum). None when there is no such period.

    Before the first start there is no cohort group, so those months would only dilute the comparison; a period
    in which the first cohort starts halfway is left out for the same reason (whole periods only, see
    `cohort.privacy.lattice`). With `whole=False` the window starts with the period that holds the first start instead
    (the support measures: rare counts, whose first cohort quarter is often hidden on its own).
    """
    window = page_input.window("uitstroom_werk")
    if window is None or not codes:
        return None
    starts = page_input.dataset.units.filter(pl.col("code").is_in(list(codes)) & (pl.col("soort") == UnitKind.AREA))
    first_start = cast("date | None", starts.get_column("start").drop_nulls().min())
    if first_start is None:
        return None
    lattice = page_input.lattice_of("uitstroom_werk")
    from_month = first_start.replace(day=1)
    if not whole:
        from_month = lattice.snap_first(from_month)
    firsts = [leaf.first for leaf in lattice.leaves if leaf.first >= max(from_month, window[0])]
    if not firsts or firsts[0] > window[1]:
        return None
    return firsts[0], window[1]


@dataclass(frozen=True)
class RawComparison:
    """(a) The raw ratio behind "twice as high": outflow to work per 1,000 in cohort months over that in
    comparison months, pooled over the areas given; the Wald interval only when every count is shown."""

    window: tuple[date, date]
    cohort: Rate
    comparison: Rate
    ratio: RateRatio | None  # None when a count is hidden, a group has no months, or a group has no events

    @property
    def hidden(self) -> bool:
        return self.cohort.hidden or self.comparison.hidden

    @property
    def computable(self) -> bool:
        """Both groups have months in the window (else there is nothing to compare)."""
        return all(r.exposure.hidden or bool(r.exposure.value) for r in (self.cohort, self.comparison))

    def ratio_text(self) -> str:
        if self.hidden:
            return HIDDEN_RATE_TEXT
        return fmt_ratio(self.ratio.ratio if self.ratio else None)

    def interval_text(self) -> str:
        if self.hidden:
            return HIDDEN_RATE_TEXT
        return fmt_interval(self.ratio.lower, self.ratio.upper) if self.ratio else MISSING


def raw_comparison(ledger: Ledger, codes: Sequence[str], window: tuple[date, date]) -> RawComparison:
    rates = {phase: Rate.of(ledger.count("uitstroom_werk", codes, window, phase),
                            ledger.count("bijstand", codes, window, phase)) for phase, _ in GROUPS}
    cohort, comparison = rates["cohort"], rates["vergelijking"]
    ratio = None
    if cohort.value is not None and comparison.value is not None:
        ratio = rate_ratio(int(cohort.events.value or 0), int(cohort.exposure.value or 0),
                           int(comparison.events.value or 0), int(comparison.exposure.value or 0))
    return RawComparison(window, cohort, comparison, ratio)


@dataclass(frozen=True)
class DidEstimate:
    """(b) The difference-in-differences over all areas, or why it is not shown."""

    window: tuple[date, date] | None
    result: DidResult | None  # None when it cannot be computed or rests on too few areas
    n_areas: int  # areas in the dataset (the fixed set it is computed over)
    notice: str = ""  # Dutch: why there is no estimate ("" when there is one)

    @property
    def shown(self) -> bool:
        return self.result is not None

    def ratio_text(self) -> str:
        return fmt_ratio(self.result.ratio) if self.result else MISSING

    def caption(self) -> str:
        if self.window is None:
            return ""
        text = (f"Verschil-in-verschillen over alle {fmt_int(self.n_areas)} gebieden van de dataset, ongeacht de "
                f"filters, {window_text(self.window)}; alleen getoond met minstens {MIN_AREAS} gestarte gebieden "
                f"en {MIN_AREAS} vergelijkingsgebieden")
        if self.result is not None:
            text += (f" (hier {fmt_int(self.result.n_units_treated)} gestarte en "
                     f"{fmt_int(self.result.n_units_control)} vergelijkingsgebieden)")
        return text + "."


def did_estimate(page_input: PageInput, *, interval: bool = True) -> DidEstimate:
    """The estimate for the page's window; `interval=False` leaves out the bootstrap (its intervals are NaN), for a
    part of a page that shows only the factor."""
    codes = all_area_codes(page_input)
    window = comparison_window(page_input, codes)
    if window is None:
        return DidEstimate(None, None, len(codes), "Tot de peildatum is er nog geen hele periode waarin een gebied "
                           "met de cohortaanpak bezig was: er valt niets te vergelijken.")
    result = (did_all_areas(page_input.dataset, *window) if interval
              else did_all_areas(page_input.dataset, *window, reps=0))
    if result is None:
        return DidEstimate(window, None, len(codes), "Niet te berekenen: daarvoor zijn gebieden nodig met minstens "
                           "drie maanden cijfers vóór hun start én gebieden die op dat moment nog niet gestart "
                           "waren. Kies een langere periode of een latere peildatum.")
    if result.n_units_treated < MIN_AREAS or result.n_units_control < MIN_AREAS:
        return DidEstimate(window, None, len(codes), (
            f"Nog niet getoond: tot de peildatum rust deze schatting op {fmt_int(result.n_units_treated)} gestarte "
            f"en {fmt_int(result.n_units_control)} vergelijkingsgebieden. We tonen haar pas vanaf {MIN_AREAS} van "
            "elk, zodat ze niet op een paar gebieden rust. Kies een latere peildatum."))
    return DidEstimate(window, result, len(codes))


def fair_comparison_sentence(raw: RawComparison | None, did: DidEstimate, *, same_areas: bool) -> str | None:
    """One Dutch sentence: how much of the raw factor remains in the fairer comparison (from the numbers)."""
    if raw is None or raw.hidden or raw.ratio is None or raw.ratio.ratio is None or did.result is None:
        return None
    if not did.result.counterfactual_rate > 0:
        return None
    text = (f"Van de ruwe factor {fmt_ratio(raw.ratio.ratio)} blijft bij een eerlijkere vergelijking "
            f"{fmt_ratio(did.result.ratio)} over")
    if did.result.ratio <= 1.0:
        text += ": geen hogere uitstroom naar werk dan zonder cohortaanpak te verwachten was"
    text += "."
    if not same_areas:
        text += " Let op: de ruwe factor gaat over de gekozen gebieden, de eerlijkere over alle gebieden."
    return text


def difference_meaning(raw: RawComparison | None, did: DidEstimate, *, same_areas: bool) -> str | None:
    """What the gap between the raw and the fairer factor means, in plain Dutch (for the overview)."""
    if raw is None or raw.hidden or raw.ratio is None or raw.ratio.ratio is None or did.result is None:
        return None
    raw_ratio, fair = raw.ratio.ratio, did.result.ratio
    text = (f"Ruw is de uitstroom naar werk waar het cohort liep {fmt_ratio(raw_ratio)} zo hoog als elders. "
            "Houd je rekening met welke gebieden eerst begonnen en met wat er in dezelfde maanden in de hele stad "
            f"gebeurde, dan blijft {fmt_ratio(fair)} over")
    if fair <= 1.0:
        text += ": het ruwe verschil komt niet door de aanpak."
    elif fair < raw_ratio:
        text += ": de aanpak lijkt de uitstroom te verhogen, maar een deel van het ruwe verschil was er ook zonder."
    else:
        text += ": de ruwe vergelijking overschat het effect hier niet."
    low, high = did.result.ratio_ci
    if low == low and high == high and low <= 1.0 <= high:  # NaN when the bootstrap had too few areas
        text += f" Het 95%-interval ({fmt_interval(low, high)}) bevat 1,0×: een effect is niet aangetoond."
    if not same_areas:
        text += " (De eerlijkere factor gaat over alle gebieden, de ruwe over de gekozen.)"
    return text


# --- Periods -------------------------------------------------------------------------------------------------


def periods_of(page_input: PageInput, first: date, last: date, measure: str = "uitstroom_werk") -> list[PeriodNode]:
    return [leaf for leaf in page_input.lattice_of(measure).leaves if first <= leaf.first and leaf.last <= last]


def rate_columns(prefix: str, rate: Rate, decimals: int = 2) -> dict[str, tuple[object, str]]:
    """Table cells of a rate (a number) and its interval (one text, "2,10 – 4,15"): "—*" when hidden, "—"
    without exposure."""
    return {f"{prefix}per_1000": (rate.value, hidden_rate_text(rate.value, rate.hidden, decimals)),
            f"{prefix}interval": (rate.interval_text(decimals),) * 2}


def rate_fields(prefix: str, rate: Rate) -> dict[str, object]:
    """Chart fields of a rate: values (null when hidden), Dutch texts and the hidden flag."""
    return {f"{prefix}per_1000": rate.value, f"{prefix}lower": rate.lower, f"{prefix}upper": rate.upper,
            f"{prefix}tekst": rate.text(1), f"{prefix}interval_tekst": rate.interval_text(1),
            f"{prefix}aantal_tekst": rate.events.text, f"{prefix}verborgen": rate.hidden}


def outflow_series(ledger: Ledger, page_input: PageInput, codes: Sequence[str]) -> tuple[pl.DataFrame, list[dict]]:
    """Per period of the selection and group: outflow to work and all outflow per 1,000 (chart frame, table rows).

    A group without months in a period (no cohort yet, or every area started) has no row there.
    """
    selection = page_input.selection
    frame_rows, table_rows = [], []
    for node in periods_of(page_input, selection.first_month, selection.last_month):
        window = (node.first, node.last)
        for phase, group in GROUPS:
            exposure = ledger.count("bijstand", codes, window, phase)
            if exposure.shown and not exposure.value:
                continue
            row: dict[str, object] = {"eerste": node.first, "laatste": node.last, "periode": node.label,
                                      "groep": group, "persoonsmaanden_tekst": exposure.text}
            table: dict[str, tuple[object, str]] = {"periode": (node.label, node.label),
                                                    "groep": (group, group),
                                                    "persoonsmaanden": count_cell(exposure)}
            for key, measure in SERIES_MEASURES:
                rate = Rate.of(ledger.count(measure, codes, window, phase), exposure)
                row |= rate_fields(f"{key}_", rate)
                table |= {f"{key}_aantal": count_cell(rate.events)} | rate_columns(f"{key}_", rate)
            frame_rows.append(row)
            table_rows.append(table)
    schema: dict[str, pl.DataType] = {"eerste": pl.Date(), "laatste": pl.Date(), "periode": pl.String(),
                                      "groep": pl.String(), "persoonsmaanden_tekst": pl.String()}
    for key, _ in SERIES_MEASURES:
        schema |= {f"{key}_per_1000": pl.Float64(), f"{key}_lower": pl.Float64(), f"{key}_upper": pl.Float64(),
                   f"{key}_tekst": pl.String(), f"{key}_interval_tekst": pl.String(),
                   f"{key}_aantal_tekst": pl.String(), f"{key}_verborgen": pl.Boolean()}
    return pl.DataFrame(frame_rows, schema=schema), table_rows


def series_table(page_input: PageInput, title: str, rows: list[dict], notes: tuple[str, ...]) -> Table:
    word = period_word(page_input)
    columns = [TableColumn("periode", word.capitalize(), "text"), TableColumn("groep", "Groep", "text", GROUPS_HELP),
               TableColumn("werk_aantal", "Naar werk"),
               TableColumn("persoonsmaanden", "Persoonsmaanden",
                           help="Personen in de bijstand, opgeteld over de maanden van de periode"),
               TableColumn("werk_per_1000", "Werk per 1.000", decimals=2, help=PER_MONTH),
               TableColumn("werk_interval", "Werk: 95%-interval", "text"),
               TableColumn("uitstroom_aantal", "Alle uitstroom"),
               TableColumn("uitstroom_per_1000", "Alle uitstroom per 1.000", decimals=2, help=PER_MONTH),
               TableColumn("uitstroom_interval", "Alle uitstroom: 95%-interval", "text")]
    return make_table(title, f"uitstroom_per_{word}", columns, rows, notes=notes)


SERIES_CAPTION = ("Per {word}: gebieden waar het cohort liep tegenover gebieden die nog niet gestart waren of nooit "
                  "meedoen (afgeronde gebieden tellen na hun einddatum in geen van beide). De banden zijn "
                  "95%-intervallen (exacte Poisson). Welke gebieden in welke groep zitten, verandert in de tijd.")


def series_charts(ledger: Ledger, page_input: PageInput, codes: Sequence[str]) -> dict[str, Chart] | None:
    """The series as two charts (to work; all outflow) over the same table; None without cohort or comparison."""
    mark = ledger.mark()
    frame, rows = outflow_series(ledger, page_input, codes)
    if frame.is_empty():
        return None
    notes = legend(page_input, ledger.hidden_since(mark))
    word = period_word(page_input)
    captions = [SERIES_CAPTION.format(word=word), *notes]
    charts = {}
    for key, label in (("werk", "Uitstroom naar werk"), ("uitstroom", "Alle uitstroom")):
        # The same numbers under either chart, titled as the chart (its "Cijfers bij deze grafiek: <title>").
        title = f"{label} per 1.000 in de bijstand, per {word}"
        figure = outflow_band_figure(frame, measure=key, title=title, peildatum=page_input.selection.peildatum)
        charts[key] = Chart(title, figure, series_table(page_input, title, rows, notes), tuple(captions),
                            alt=f"Lijngrafiek: {label.lower()} per {word}, cohortgebieden en vergelijkingsgebieden.")
    return charts
