"""The accessibility statement (toegankelijkheidsverklaring) as data: what was tested, how, against which norm,
what is known not to work, and whom to contact. views/toegankelijkheid.py lays it out.

Kept true by the browser suite: every `Check.id` is the id of browser tests marked
`@pytest.mark.statement("<id>")`; the suite writes what it checked to artifacts/a11y-results.json and compares
it with this statement at the end of a full run (tests/browser/statement_check.py). A claim without a passing
test, a page left out, another axe-core version or a WCAG rule that did not run fails that run. Change the text
here and the tests together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Check:
    """One claim of the statement, proved by the browser tests marked with its `id`."""

    id: str
    what: str  # what was checked (Dutch)
    how: str  # how it was checked (Dutch)
    criteria: tuple[str, ...]  # WCAG 2.1 success criteria it concerns
    every_page: bool  # checked on every page of the navigation, or on the page(s) named in `what`


@dataclass(frozen=True)
class Limitation:
    """A known deviation: what, its cause and consequence, and the alternative or measure (model of
    digitoegankelijk.nl). `check` names browser tests that fail on it today (strict xfail), if any."""

    what: str  # a heading: no full stop
    cause: str
    consequence: str
    measure: str
    criteria: tuple[str, ...]
    check: str | None = None


@dataclass(frozen=True)
class Statement:
    drawn_up: date
    status: str  # A–E of the Besluit digitale toegankelijkheid overheid
    status_label: str
    status_reason: str
    norm: str
    axe_version: str  # the axe-core of tests/browser/package.json
    axe_tags: tuple[str, ...]  # every axe rule with one of these tags ran on every page
    axe_rules: int  # how many such rules axe-core runs by default (not its experimental or deprecated ones)
    checks: tuple[Check, ...]
    limitations: tuple[Limitation, ...]
    contact: str
    complaints: str


AXE_WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_WCAG_RULES = 63  # axe-core 4.14.1's rules with those tags that it runs by default

STATEMENT = Statement(
    drawn_up=date(2026, 12, 1),
    status="C",
    status_label="eerste maatregelen genomen",
    status_reason=(
        "Elke wijziging van de Cohortmonitor wordt automatisch getoetst (zie hieronder). Een volledig onderzoek "
        "naar alle succescriteria door een onafhankelijke deskundige en een test met schermlezers hebben nog "
        "niet plaatsgevonden; daarom claimen we niet dat de Cohortmonitor (gedeeltelijk) voldoet."
    ),
    norm=(
        "WCAG 2.1 niveau A en AA, de eisen die de Europese norm EN 301 549 (versie 3.2.1, hoofdstuk 9) en het "
        "Besluit digitale toegankelijkheid overheid stellen aan websites van overheden."
    ),
    axe_version="4.14.1",
    axe_tags=AXE_WCAG_TAGS,
    axe_rules=AXE_WCAG_RULES,
    checks=(
        Check(
            "axe",
            f"De {AXE_WCAG_RULES} regels voor WCAG 2.1 A en AA die axe-core standaard toetst, waaronder "
            "kleurcontrast, namen van knoppen en invoervelden, koppen, lijsten en de taal van de pagina: geen "
            "enkele vindt een fout.",
            "Met axe-core in Chromium, na het laden van elke pagina (de experimentele en verouderde regels van "
            "axe-core niet). Van de overige regels (goede praktijk) laten ernstige en kritieke bevindingen de toets "
            "falen.",
            ("1.1.1", "1.3.1", "1.4.3", "2.4.2", "3.1.1", "4.1.2"),
            every_page=True,
        ),
        Check(
            "navigatie",
            "De lijst met pagina’s in de zijbalk is een navigatie met lijsten; de huidige pagina is gemarkeerd, "
            "zichtbaar en voor schermlezers (aria-current).",
            "In Chromium: de toegankelijkheidsboom van elke pagina.",
            ("1.3.1", "4.1.2"),
            every_page=True,
        ),
        Check(
            "toetsenbord-navigatie",
            "Alle pagina’s zijn met het toetsenbord te bereiken: Tab gaat in de zichtbare volgorde langs de "
            "pagina’s, Enter opent een pagina, de link naar deze verklaring komt als laatste.",
            "In Chromium met alleen Tab en Enter, vanaf het begin van de pagina.",
            ("2.1.1", "2.4.3", "2.4.7"),
            every_page=False,
        ),
        Check(
            "toetsenbord-filters",
            "Alle filters in de zijbalk en de link ‘Deel deze weergave’ zijn met Tab te bereiken, in de zichtbare "
            "volgorde.",
            "In Chromium met alleen de Tab-toets, vanaf het begin van de pagina Overzicht.",
            ("2.1.1", "2.4.3"),
            every_page=False,
        ),
        Check(
            "toetsenbord-kaart",
            "Op de pagina Kaart zijn de keuzes ‘Kleur de kaart naar’, ‘Vergelijk met’, ‘Betrouwbaarheid’ en "
            "‘Gebied’ met het toetsenbord te bedienen. Met ‘Gebied’ kiest u zonder muis hetzelfde gebied als met "
            "een klik op de kaart: de cijfers en het verloop van dat gebied verschijnen, en een gedeelde link toont "
            "hetzelfde gebied.",
            "In Chromium met Tab, typen, Enter, de pijltjestoetsen en de spatiebalk; daarna is de kaart opnieuw "
            "getekend.",
            ("2.1.1",),
            every_page=False,
        ),
        Check(
            "zoom-200",
            "Bij 200% zoom (een venster van 1400 bij 1000 pixels) hoeft niemand horizontaal te scrollen om de "
            "tekst te lezen, valt geen tekst buiten het venster en wordt geen tekst afgekort, ook niet de namen "
            "van tegels en schakelaars en ook niet met de zijbalk open; tabellen, grafieken en de kaart mogen "
            "binnen hun eigen vak scrollen.",
            "In Chromium met een venster van 700 bij 500 CSS-pixels, zoals 200% zoom dat geeft.",
            ("1.4.4", "1.4.10"),
            every_page=True,
        ),
        Check(
            "taal",
            "De pagina is als Nederlands gemarkeerd, zodat een schermlezer een Nederlandse stem kiest.",
            "In Chromium: het lang-attribuut van het document.",
            ("3.1.1",),
            every_page=False,
        ),
        Check(
            "tekstalternatief",
            "Bij elke grafiek staan de cijfers in een tabel; de kaart heeft een beschrijving en dezelfde cijfers "
            "als tabel.",
            "In Chromium op de pagina’s met grafieken en op de kaart, ook met een gekozen gebied.",
            ("1.1.1", "1.3.1"),
            every_page=False,
        ),
    ),
    limitations=(
        Limitation(
            "Een deel van de bedieningsteksten is Engels",
            "De Cohortmonitor is gebouwd met Streamlit, dat zijn eigen knoppen en meldingen alleen in het Engels "
            "levert, bijvoorbeeld ‘Skip to main content’, ‘Help for …’, ‘Open’, ‘Upload’, ‘50MB per file’, "
            "‘Download as CSV’, ‘Copy to clipboard’ en ‘Page not found’.",
            "Een schermlezer spreekt die woorden met een Nederlandse stem uit; wie geen Engels leest, begrijpt "
            "een knop minder goed.",
            "Alle teksten van de Cohortmonitor zelf zijn Nederlands. We volgen de vertaling in Streamlit.",
            ("3.1.2",),
        ),
        Limitation(
            "De waarden in grafieken verschijnen alleen als u er met de muis boven hangt",
            "De grafieken (Plotly) tonen hun waarden bij aanwijzen met de muis.",
            "Zonder muis ziet u de precieze waarden niet in de grafiek zelf.",
            "Onder elke grafiek staan dezelfde cijfers in een tabel, ook te downloaden als CSV of Excel.",
            ("1.1.1", "2.1.1"),
        ),
        Limitation(
            "De tabellen zijn niet met schermlezers getest",
            "Streamlit tekent tabellen in een canvas; ze zijn met de pijltjestoetsen te doorlopen, maar hoe "
            "schermlezers ze voorlezen is niet onderzocht.",
            "Mogelijk is een tabel met een schermlezer lastig te lezen.",
            "Elke tabel is te downloaden als CSV of Excel. Een test met schermlezers is nodig.",
            ("1.3.1", "4.1.2"),
        ),
        Limitation(
            "De taal van de pagina wordt pas na het laden op Nederlands gezet",
            "Streamlit levert elke pagina met lang=\"en\"; een script zet dat direct na het laden op \"nl\".",
            "Zonder JavaScript, of in het eerste moment van het laden, geldt de pagina als Engels.",
            "Geen; de Cohortmonitor werkt alleen met JavaScript.",
            ("3.1.1",),
        ),
    ),
    contact=(
        "Loopt u tegen een probleem aan, of kunt u iets niet gebruiken? Neem contact op met de gemeente "
        "Amsterdam via telefoon 14 020 of het contactformulier op amsterdam.nl/contact, en noem "
        "‘Cohortmonitor, toegankelijkheid’ en de pagina."
    ),
    complaints=(
        "Bent u niet tevreden met de reactie, dan kunt u een klacht indienen bij de gemeente Amsterdam en daarna "
        "bij de Ombudsman Metropool Amsterdam."
    ),
)
