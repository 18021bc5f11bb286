"""BriefingData built by hand for the briefing tests and the benchmark (not in the package: the page models fill
the real one). Every string is written out, so a test can say exactly which numbers the PDF must hold.

- ``build_briefing_data_example``: an area like the example data's Osdorp, everything shown.
- ``build_briefing_data_hidden``: a small area where disclosure control hid counts, rates and months.
- ``build_briefing_data_long_names``: every text at or past its longest, to prove the page still fits.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

from cohort.briefing import (
    BriefingData,
    KeyFigure,
    Locator,
    Outflow,
    OutflowEstimate,
    SeriesLine,
    TimeSeries,
    locator_from_geojson,
)
from cohort.contract import Status
from cohort.map.boundaries import Division, schematic_boundaries

OFFICIAL_GEBIEDEN_2015 = Path(__file__).resolve().parents[2] / "shared" / "data" / "boundaries" / (
    "gebieden_2015_GEBIEDEN22.geojson"
)

# cohort.privacy.rules.small_number_note_nl(DEFAULT_RULE, with_totals=True), written out, plus the sign for "no data".
SIGN_LEGEND = (
    "—* of <5: aantal van 1 tot en met 4, verborgen om herleidbaarheid naar personen te voorkomen. "
    "×: verborgen; een aantal van 1 tot en met 4, of een aantal dat mee verborgen is zodat zo’n klein aantal "
    "niet uit het totaal terug te rekenen is. —: geen gegevens."
)
EXAMPLE_LABEL = (
    "Voorbeelddata: illustratieve cijfers, gekalibreerd op de publieke totalen uit de raadsbrief van 6 juli "
    "2021 maar per gebied verzonnen. Geen registratie van WPI."
)
SOURCE = (
    "Illustratieve voorbeelddata, gekalibreerd op publieke totalen (raadsbrief 6 juli 2021). Geen registratie "
    "van WPI."
)


def months(first: date, count: int) -> tuple[date, ...]:
    return tuple(date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
                 for i in range(count))


PERIODS = months(date(2018, 1, 1), 42)  # januari 2018 – juni 2021

# Outflow to work per 1,000 per month, one decimal, as a page model would pass them. Osdorp: its cohort ran
# December 2019 – November 2020 (index 23–34), higher then; the city lower, with the 2020 dip.
OSDORP_VALUES: tuple[float | None, ...] = tuple(
    round(8.0 + (4.5 if 23 <= i <= 34 else 0.0) + (i % 5) * 0.4 - (1.5 if 27 <= i <= 31 else 0.0), 1)
    for i in range(42)
)
CITY_VALUES: tuple[float | None, ...] = tuple(
    round(7.0 + (i % 4) * 0.3 - (1.8 if 27 <= i <= 31 else 0.0), 1) for i in range(42)
)


def schematic_locator(highlight: set[str], caption: str) -> Locator:
    boundaries = schematic_boundaries(Division.GEBIEDEN_2015)
    return locator_from_geojson(boundaries.geojson, highlight, caption, note="Schematische kaart.")


def official_locator(highlight: set[str], caption: str) -> Locator | None:
    """The city's official area boundaries from ../shared, when they are beside the project (as in CI)."""
    if not OFFICIAL_GEBIEDEN_2015.is_file():
        return None
    from cohort.map.boundaries import normalise

    document = normalise(json.loads(OFFICIAL_GEBIEDEN_2015.read_text(encoding="utf-8")), Division.GEBIEDEN_2015)
    return locator_from_geojson(document, highlight, caption)


def build_briefing_data_example(locator: Locator | None = None) -> BriefingData:
    """Osdorp on 30 June 2021, as the example data would give it (all counts shown)."""
    return BriefingData(
        title="Osdorp",
        subtitle="Gebied in stadsdeel Nieuw-West",
        peildatum="30 juni 2021",
        status="Afgerond",
        status_key=Status.FINISHED,
        cohort_period="december 2019 tot en met november 2020",
        counting_period="januari 2018 tot en met juni 2021",
        conversations=KeyFigure("Gesprekken", "1.184", "Gevoerde cohortgesprekken in dit gebied."),
        complaints=KeyFigure("Klachten", "6", "Over bejegening, bereikbaarheid, koers en overig."),
        # 6 / 1.184 × 1.000 = 5,07; exact Poisson 95% for 6 events: 2,202 – 13,059 → 1,86 – 11,03 per 1.000.
        complaint_rate=KeyFigure("Klachten per 1.000 gesprekken", "5,07",
                                 "95%-interval 1,86 – 11,03 (exacte Poisson)."),
        outflow=Outflow(
            raw=OutflowEstimate(
                "(a) Ruwe vergelijking", "2,1×",
                "14,0 per 1.000 per maand in de cohortmaanden, 6,7 in gebieden zonder lopend cohort; "
                "95%-interval 1,7 – 2,6.",
            ),
            did=OutflowEstimate(
                "(b) Verschil-in-verschillen", "1,4×",
                "+4,1 per 1.000 per maand: gemeten 14,0, zonder cohort verwacht 9,9; 95%-interval 1,1 – 1,8 "
                "(bootstrap over gebieden).",
            ),
            reading="Van de ruwe factor 2,1× blijft bij een eerlijkere vergelijking 1,4× over.",
        ),
        series=TimeSeries(
            title="Uitstroom naar werk per maand",
            unit="per 1.000 personen in de bijstand",
            periods=PERIODS,
            lines=(
                SeriesLine("Osdorp", "cohort", OSDORP_VALUES),
                SeriesLine("Amsterdam", "city", CITY_VALUES),
            ),
            band=(date(2019, 12, 1), date(2020, 11, 1)),
            band_label="cohortperiode Osdorp",
        ),
        locator=locator if locator is not None else schematic_locator({"DX07"}, "Ligging van Osdorp"),
        source=SOURCE,
        dataset_name="Voorbeelddata Cohortaanpak",
        dataset_id="voorbeeld",
        sign_legend=SIGN_LEGEND,
        example_label=EXAMPLE_LABEL,
    )


# Months whose outflow count was 1 to 4 in the small area: hidden, so their rate is None and hidden.
HIDDEN_MONTHS = frozenset({3, 4, 5, 17, 30, 31, 32, 33, 40})
SMALL_AREA_VALUES: tuple[float | None, ...] = tuple(
    None if i in HIDDEN_MONTHS else round(9.0 + (i % 3) * 1.5, 1) for i in range(42)
)


def build_briefing_data_hidden() -> BriefingData:
    """A small area: complaints 1–4 ("<5"), its rate and interval hidden ("—*"), conversations hidden with it
    ("×"), the raw ratio hidden, no difference-in-differences, and nine months of the series hidden."""
    return BriefingData(
        title="Gaasperdam / Driemond",
        subtitle="Gebied in stadsdeel Zuidoost",
        peildatum="30 juni 2021",
        status="Actief",
        status_key=Status.ACTIVE,
        cohort_period="maart 2021 tot en met februari 2022",
        counting_period="januari 2018 tot en met juni 2021",
        conversations=KeyFigure("Gesprekken", "×", "Mee verborgen, zodat het kleine aantal klachten niet terug te "
                                "rekenen is."),
        complaints=KeyFigure("Klachten", "<5", "Over bejegening, bereikbaarheid, koers en overig."),
        complaint_rate=KeyFigure("Klachten per 1.000 gesprekken", "—*", "Interval verborgen (klein aantal)."),
        outflow=Outflow(
            raw=OutflowEstimate("(a) Ruwe vergelijking", "—*", "Verborgen: te weinig uitstroom in de cohortmaanden."),
            did=OutflowEstimate("(b) Verschil-in-verschillen", "—", "Niet te berekenen: het cohort loopt pas kort."),
            reading="Nog geen uitspraak mogelijk over uitstroom naar werk in dit gebied.",
        ),
        series=TimeSeries(
            title="Uitstroom naar werk per maand",
            unit="per 1.000 personen in de bijstand",
            periods=PERIODS,
            lines=(SeriesLine("Gaasperdam / Driemond", "cohort", SMALL_AREA_VALUES,
                              tuple(i in HIDDEN_MONTHS for i in range(42))),),
            hidden_sign="—*",
        ),
        locator=schematic_locator({"DX22"}, "Ligging van Gaasperdam / Driemond"),
        source=SOURCE,
        dataset_name="Voorbeelddata Cohortaanpak",
        dataset_id="voorbeeld",
        sign_legend=SIGN_LEGEND,
        example_label=EXAMPLE_LABEL,
    )


LONG_NAME = (
    "Geuzenveld-Slotermeer-Sloterdijken en Bos en Lommer met de Baarsjes, Westerpark, Overtoomse Veld en "
    "Slotervaart-Zuid samengenomen als één zeer lang genoemd samenwerkingsgebied"
)


def build_briefing_data_long_names() -> BriefingData:
    """Every text long: the title, the notes, the reading, the legend, the source; warning and example label."""
    example = build_briefing_data_example()
    long_note = "Een toelichting die veel langer is dan het vak waarin zij moet passen, " * 4
    return dataclasses.replace(
        example,
        title=LONG_NAME,
        subtitle="Samenwerkingsgebied over de stadsdelen Nieuw-West, West en Centrum heen, " * 2,
        conversations=KeyFigure("Gesprekken met uitgenodigde bijstandsgerechtigden", "1.184", long_note),
        complaint_rate=KeyFigure("Klachten per 1.000 gesprekken", "5,07", long_note),
        outflow=Outflow(
            raw=OutflowEstimate("(a) Ruwe vergelijking", "2,1×", long_note),
            did=OutflowEstimate("(b) Verschil-in-verschillen", "1,4×", long_note),
            reading="Van de ruwe factor 2,1× blijft bij een eerlijkere vergelijking 1,4× over; " * 4,
        ),
        series=dataclasses.replace(example.series, note=long_note, lines=(
            SeriesLine(LONG_NAME[:60], "cohort", OSDORP_VALUES),
            SeriesLine("Amsterdam, alle gebieden samen zonder de doelgroepen", "city", CITY_VALUES),
            SeriesLine("Vergelijkingsgebieden zonder lopend cohort", "comparison", CITY_VALUES),
        )),
        source=SOURCE * 5,
        dataset_name="Een dataset met een bijzonder lange naam voor de evaluatie van de Cohortaanpak " * 2,
        dataset_id="3f9a0c2b7e5d41c8a6b2f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9",
        sign_legend=SIGN_LEGEND * 2,
        warning="Let op: kleine aantallen worden in deze weergave níet verborgen. Alleen voor evaluatoren; "
        "niet publiceren, delen of als schermafbeelding doorsturen.",
        extra_lines=("Stedelijke doelgroepen: 2.045 gesprekken, <5 klachten; niet opgeteld bij de gebieden. " * 3,),
    )


def build_briefing_data_city(locator: Locator | None = None) -> BriefingData:
    """The whole city on 30 June 2021, with the example data's calibrated totals (raadsbrief 6 juli 2021)."""
    example = build_briefing_data_example()
    return dataclasses.replace(
        example,
        title="Amsterdam",
        subtitle="Hele stad: 22 gebieden; de 3 stedelijke doelgroepen staan apart",
        status="7 gebieden afgerond, 6 actief, 9 gepland",
        status_key=None,
        cohort_period="september 2019 (eerste start) tot en met 2022",
        conversations=KeyFigure("Gesprekken", "13.240", "Gevoerde cohortgesprekken in de gebieden."),
        complaints=KeyFigure("Klachten", "30", "Over bejegening, bereikbaarheid, koers en overig."),
        # 30 / 13.240 × 1.000 = 2,27; exact Poisson 95% for 30 events: 20,24 – 42,83 → 1,53 – 3,23 per 1.000.
        complaint_rate=KeyFigure("Klachten per 1.000 gesprekken", "2,27", "95%-interval 1,53 – 3,23 (exacte Poisson)."),
        outflow=Outflow(
            raw=OutflowEstimate("(a) Ruwe vergelijking", "2,0×",
                                "13,2 per 1.000 per maand waar het cohort liep, 6,7 elders; 95%-interval 1,9 – 2,1."),
            did=OutflowEstimate("(b) Verschil-in-verschillen", "1,5×",
                                "+4,4 per 1.000 per maand: gemeten 13,2, zonder cohort verwacht 8,8; "
                                "95%-interval 1,3 – 1,8 (bootstrap over gebieden)."),
            reading="Van de ruwe factor 2,0× blijft bij een eerlijkere vergelijking 1,5× over.",
        ),
        series=TimeSeries(
            title="Uitstroom naar werk per maand",
            unit="per 1.000 personen in de bijstand",
            periods=PERIODS,
            lines=(SeriesLine("Gebieden met lopend cohort", "cohort", tuple(
                       None if i < 20 else v for i, v in enumerate(OSDORP_VALUES))),
                   SeriesLine("Vergelijking (nog niet gestart)", "comparison", CITY_VALUES)),
        ),
        locator=locator if locator is not None else schematic_locator(set(), "Amsterdam: 22 gebieden"),
        extra_lines=("Stedelijke doelgroepen: 2.045 gesprekken, <5 klachten; niet opgeteld bij de gebieden.",),
    )
