"""Page model of the overview: the state of the programme in one minute, and the letter of 6 July 2021 beside it.

Counts come from the release (`cohort.privacy.release`) and are listed in `released`; the rates, intervals and ratios
are computed from them and hidden with them. Conversations and outflow are counted over whole quarters up to
the peildatum, complaints (rare) over whole half years (`PageInput.window("klachten")`); where the two differ
the page says which months the complaints cover. Outflow shows both the raw ratio and the fairer
difference-in-differences (over all areas, see `cohort.analysis.outflow`) with one sentence on what the gap means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cohort.analysis.metrics import status_counts
from cohort.contract import Status, UnitKind
from cohort.fmt import MISSING, fmt_dec, fmt_int, fmt_month, fmt_pct
from cohort.pagemodels.common import Chart, Notice, PageInput, Rate, Tile, signs_note, window_text
from cohort.pagemodels.outflow_common import (
    DidEstimate,
    Ledger,
    RawComparison,
    all_area_codes,
    area_codes,
    comparison_window,
    did_estimate,
    difference_meaning,
    header_line,
    legend,
    raw_comparison,
    series_charts,
)
from cohort.privacy.release import Count
from cohort.privacy.rules import HIDDEN_RATE_TEXT, PROTECTED_TEXT
from cohort.selection import LETTER_PEILDATUM, Selection


@dataclass(frozen=True)
class ClaimCheck:
    claim: str  # the letter's words
    data: str  # what the data say, in one Dutch sentence
    note: str  # caveat a council member should hear


@dataclass(frozen=True)
class OverviewModel:
    """Everything the overview shows, for one dataset, selection and rule."""

    header: str  # dataset and filters, one line
    situation: str  # markdown: the peildatum and which months are counted
    status_tiles: tuple[Tile, ...]  # areas finished, active, planned; the target groups
    count_tiles: tuple[Tile, ...]  # conversations, complaints, complaints per 1,000
    tile_notes: tuple[str, ...]  # under the tiles: the legend of the signs when one appears
    outflow_tiles: tuple[Tile, ...]  # the raw ratio and the difference-in-differences, side by side
    outflow_sentence: str | None  # what the difference between the two means
    outflow_notes: tuple[str, ...]
    chart: Chart | None  # outflow to work per quarter, cohort vs comparison areas
    chart_notice: Notice | None
    letter_caption: str
    letter: tuple[ClaimCheck, ...]
    letter_notice: Notice | None  # why the letter cannot be checked against this dataset
    letter_notes: tuple[str, ...]
    released: tuple[Count, ...]  # every count this page shows


def _count_sign(page_input: PageInput, counts: list[Count]) -> str:
    """What "×" means, right after a sentence in which a hidden count appears ("" when none does); the full
    legend is under the tiles."""
    if not any(c.hidden for c in counts):
        return ""
    return (f" {PROTECTED_TEXT} = verborgen: 1 tot en met {page_input.rule.largest_hidden}, of mee verborgen om "
            "zo’n klein aantal te beschermen.")


def _status_tiles(page_input: PageInput, ledger: Ledger, complaints_window: tuple[date, date] | None,
                  window: tuple[date, date] | None) -> tuple[Tile, ...]:
    areas = page_input.units.filter(page_input.units["soort"] == UnitKind.AREA)
    status = status_counts(areas, page_input.selection.peildatum)
    groups = page_input.codes(UnitKind.TARGET_GROUP)
    tiles = [
        Tile("Gebieden afgerond", fmt_int(status[Status.FINISHED]),
             f"Van {fmt_int(areas.height)} gebieden; cohortperiode geëindigd op of voor de peildatum."),
        Tile("Gebieden actief", fmt_int(status[Status.ACTIVE]), "Cohortperiode loopt op de peildatum."),
        Tile("Gebieden gepland", fmt_int(status[Status.PLANNED]), "Start na de peildatum."),
    ]
    if groups:
        conversations = ledger.count("gesprekken", groups, window)
        complaints = ledger.count("klachten", groups, complaints_window)
        when = ""
        if complaints_window != window:
            when = (f" (klachten t/m {fmt_month(complaints_window[1])})" if complaints_window
                    else " (klachten: geen hele periode)")
        tiles.append(Tile("Stedelijke doelgroepen", fmt_int(len(groups)),
                          f"{conversations.text} gesprekken, {complaints.text} klachten{when}; niet opgeteld bij de "
                          "gebieden." + _count_sign(page_input, [conversations, complaints])))
    else:
        tiles.append(Tile("Stedelijke doelgroepen", "0", "Geen doelgroepen in deze selectie."))
    return tuple(tiles)


def _count_tiles(page_input: PageInput, ledger: Ledger, codes: list[str], window: tuple[date, date] | None,
                 complaints_window: tuple[date, date] | None) -> tuple[Tile, ...]:
    conversations = ledger.count("gesprekken", codes, window)
    complaints = ledger.count("klachten", codes, complaints_window)
    rate = Rate.of(complaints, ledger.count("gesprekken", codes, complaints_window))
    months = (f"Over {window_text(complaints_window)} (hele halve jaren: klachten zijn zeldzaam)."
              if complaints_window != window else "")
    if rate.hidden:
        rate_definition = f"{HIDDEN_RATE_TEXT} = verborgen: het cijfer rust op een verborgen aantal klachten."
    elif rate.value is None:
        rate_definition = "Geen gesprekken in deze periode."
    else:
        rate_definition = f"95%-interval {rate.interval_text(2)} (exacte Poisson)."
    complaints_definition = "Klachten over bejegening, bereikbaarheid, koers en overig."
    if complaints.hidden:
        complaints_definition = signs_note(page_input.rule, rates=False)
    return (
        Tile("Gesprekken", conversations.text, "Gevoerde cohortgesprekken in de gebieden."),
        Tile("Klachten", complaints.text, " ".join(t for t in (complaints_definition, months) if t)),
        Tile("Klachten per 1.000 gesprekken", rate.text(2), " ".join(t for t in (rate_definition, months) if t)),
    )


def _outflow_tiles(raw: RawComparison | None, did: DidEstimate, same_areas: bool) -> tuple[Tile, ...]:
    if raw is None or not raw.computable:
        raw_tile = Tile("Uitstroomfactor werk, ruw", MISSING, "Niet te berekenen in deze selectie: er zijn geen "
                        "maanden mét én zónder lopend cohort tot de peildatum.")
    elif raw.hidden:
        raw_tile = Tile("Uitstroomfactor werk, ruw", raw.ratio_text(),
                        f"{HIDDEN_RATE_TEXT} = verborgen: de factor rust op een verborgen aantal.")
    else:
        raw_tile = Tile("Uitstroomfactor werk, ruw", raw.ratio_text(),
                        f"Waar het cohort liep gedeeld door elders: {raw.cohort.text()} vs {raw.comparison.text()} "
                        f"per 1.000 per maand, {window_text(raw.window)}"
                        + ("" if same_areas else ", de gekozen gebieden")
                        + ". Dit is de vergelijking achter ‘dubbel zo hoog’.")
    if did.result is None:
        fair_tile = Tile("Uitstroomfactor werk, eerlijker", MISSING, did.notice)
    else:
        low, high = did.result.ratio_ci
        interval = (f"; 95%-interval {fmt_dec(low)} – {fmt_dec(high)}" if low == low and high == high else "")
        fair_tile = Tile("Uitstroomfactor werk, eerlijker", did.ratio_text(),
                         f"Verschil-in-verschillen over alle {fmt_int(did.n_areas)} gebieden, "
                         f"{window_text(did.window)}: gemeten gedeeld door zonder cohort verwacht{interval}.")
    return raw_tile, fair_tile


def _letter(page_input: PageInput, ledger: Ledger) -> tuple[tuple[ClaimCheck, ...], Notice | None]:
    """The letter's claims beside this dataset on its peildatum (all areas), from the release."""
    month = LETTER_PEILDATUM.replace(day=1)
    release = page_input.release
    ends = set(release.lattice.period_ends()) & set(release.lattice_of("klachten").period_ends())
    if month not in ends:
        return (), Notice("info", f"Deze dataset bevat {fmt_month(month)} niet (of niet als eind van een hele "
                          "periode): de raadsbrief is er niet mee naast te leggen.")
    letter_input = PageInput(page_input.dataset, Selection(LETTER_PEILDATUM, page_input.dataset.first_month,
                                                           page_input.dataset.last_month), page_input.rule)
    codes = all_area_codes(page_input)
    status = status_counts(page_input.dataset.areas, LETTER_PEILDATUM)
    complaints = ledger.count("klachten", codes, letter_input.window("klachten"))
    conversations = ledger.count("gesprekken", codes, letter_input.window("klachten"))
    rate = Rate.of(complaints, conversations)
    outflow_window = comparison_window(letter_input, codes)
    raw = raw_comparison(ledger, codes, outflow_window) if outflow_window is not None else None
    did = did_estimate(letter_input, interval=False)  # the letter shows only the factor: no bootstrap
    if raw is None or not raw.computable:
        outflow = "Niet te berekenen: in deze dataset ontbreken gebieden met óf zonder lopend cohort."
    else:
        outflow = (f"Uitstroom naar werk waar het cohort liep: {raw.cohort.text()} per 1.000 per maand, elders "
                   f"{raw.comparison.text()}: ruw {raw.ratio_text()} (95%-interval {raw.interval_text()}, "
                   f"{window_text(raw.window)}).")
        if did.result is not None:
            outflow += f" Eerlijker vergeleken (verschil-in-verschillen): {did.ratio_text()}."
    complaint_data = (f"{window_text(letter_input.window('klachten')).capitalize()}: {complaints.text} klachten op "
                      f"{conversations.text} gesprekken")
    if rate.value is not None:
        complaint_data += f", {rate.text(2)} per 1.000 gesprekken (95%-interval {rate.interval_text(2)})"
    complaint_data += "." + _count_sign(page_input, [complaints, conversations])
    claims = [
        ClaimCheck("“Op dit moment is de cohortaanpak in 7 gebieden afgerond en in 6 gebieden actief.”",
                   f"Op {fmt_month(LETTER_PEILDATUM)}: {fmt_int(status[Status.FINISHED])} gebieden afgerond, "
                   f"{fmt_int(status[Status.ACTIVE])} actief, {fmt_int(status[Status.PLANNED])} gepland.",
                   "Telt alleen gebieden; de stedelijke doelgroepen staan daarnaast."),
        ClaimCheck("“De uitstroom naar werk [is] zelfs dubbel zo hoog als in de niet-cohortgebieden.”", outflow,
                   "Een ruwe vergelijking: gebieden die eerder startten kunnen ook zonder cohort anders zijn. De "
                   "verschil-in-verschillen houdt daar rekening mee (zie de pagina Uitstroom)."),
        ClaimCheck("“Er zijn sinds het begin van de cohortaanpak 30 klachten … op een totaal van ruim 13.000 "
                   "gesprekken.”", complaint_data,
                   "Klachten zijn een ondergrens van ontevredenheid: wie niet klaagt, kan toch druk hebben ervaren "
                   "(zie het Zwartboek van de Bijstandsbond)."),
    ]
    if release.has("ontheffingen_stand"):
        exemptions = ledger.stock("ontheffingen", codes, month)
        persons = ledger.stock("bijstand", codes, month)
        share = (f" ({fmt_pct(exemptions.value / persons.value)})" if exemptions.shown and persons.shown
                 and exemptions.value is not None and persons.value else "")
        data = (f"{exemptions.text} personen met een ontheffing van {persons.text} in de bijstand, eind "
                f"{fmt_month(month)}{share}." + _count_sign(page_input, [exemptions, persons]))
        claims.append(ClaimCheck(
            "“Medio juni 2021 hebben 1.233 mensen een ontheffing (van de 44.980 personen in de bijstand).”", data,
            "Sinds 2017 verleent Amsterdam bijna geen ontheffingen meer; een laag aantal zegt dus iets over "
            "beleid, niet alleen over de mensen."))
    return tuple(claims), None


def overview_model(page_input: PageInput) -> OverviewModel:
    ledger = Ledger(page_input)
    selection = page_input.selection
    codes = area_codes(page_input)
    window, complaints_window = page_input.window("gesprekken"), page_input.window("klachten")
    # First what needs no counts of the release (the estimate rests on the monthly data; `docs/privacy.md` §3):
    # on a first view the release is then built beside it (`warm_release`) instead of before it.
    outflow_window = comparison_window(page_input, codes)
    did = did_estimate(page_input)
    tiles_mark = ledger.mark()
    status_tiles = _status_tiles(page_input, ledger, complaints_window, window)
    count_tiles = _count_tiles(page_input, ledger, codes, window, complaints_window)
    tiles_hidden = ledger.hidden_since(tiles_mark)
    outflow_mark = ledger.mark()
    raw = raw_comparison(ledger, codes, outflow_window) if outflow_window is not None else None
    same_areas = sorted(codes) == sorted(all_area_codes(page_input)) and outflow_window == did.window
    outflow_tiles = _outflow_tiles(raw, did, same_areas)
    outflow_hidden = ledger.hidden_since(outflow_mark)
    series = series_charts(ledger, page_input, codes)
    letter_mark = ledger.mark()
    letter, letter_notice = _letter(page_input, ledger)
    counted = (f"Gesprekken geteld over {window_text(window)}" if window
               else "Geen hele periode tot de peildatum in deze selectie")
    if complaints_window != window:
        counted += f"; klachten over {window_text(complaints_window)} (hele halve jaren: klachten zijn zeldzaam)"
    elif window:
        counted = f"Gesprekken en klachten geteld over {window_text(window)}"
    chart = series["werk"] if series else None
    return OverviewModel(
        header=header_line(page_input),
        situation=(f"Situatie op **{fmt_month(selection.peildatum)}**. {counted}, alleen gebieden (doelgroepen "
                   "staan apart)."),
        status_tiles=status_tiles,
        count_tiles=count_tiles,
        tile_notes=legend(page_input, tiles_hidden),
        outflow_tiles=outflow_tiles,
        outflow_sentence=difference_meaning(raw, did, same_areas=same_areas),
        outflow_notes=legend(page_input, outflow_hidden),
        chart=chart,
        chart_notice=None if chart else Notice("info", "Geen gebieden met cohort- of vergelijkingsmaanden in deze "
                                               "selectie."),
        letter_caption=f"Alle gebieden, peildatum {fmt_month(LETTER_PEILDATUM)}, ongeacht de filters hierboven.",
        letter=letter,
        letter_notice=letter_notice,
        letter_notes=legend(page_input, ledger.hidden_since(letter_mark)),
        released=ledger.released,
    )
