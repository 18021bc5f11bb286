"""The alderman's one-minute view: headline figures and the letter of 6 July 2021 beside the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from cohort.contract import Status, UnitKind
from cohort.dataset import Dataset
from cohort.fmt import fmt_dec, fmt_int, fmt_interval, fmt_month, fmt_ratio
from cohort.metrics import (
    RateWithInterval,
    outflow_cohort_vs_comparison,
    rate_per_1000,
    status_counts,
    with_phase,
)
from cohort.selection import LETTER_PEILDATUM
from cohort.stats import RateRatio


@dataclass(frozen=True)
class Headline:
    peildatum: date
    period: tuple[date, date]  # months counted for conversations, complaints and outflow
    area_status: dict[Status, int]
    target_groups: int
    conversations: int  # areas only
    complaints: int  # areas only
    complaint_rate: RateWithInterval  # per 1,000 conversations
    outflow: RateRatio | None  # outflow to work per 1,000 person-months, in-cohort vs comparison areas
    group_conversations: int  # target groups, reported beside (never added to) the area totals
    group_complaints: int
    persons_on_welfare: int | None  # areas, in the peildatum month
    exemptions: int | None  # areas, in the peildatum month (when the data have `ontheffingen`)


def compute_headline(units: pl.DataFrame, monthly: pl.DataFrame, peildatum: date, first_month: date) -> Headline:
    """Headline figures for the units and months given, counted from `first_month` up to the peildatum month.

    The outflow comparison starts at the first cohort start in the data (before it there is no cohort group).
    """
    last_month = peildatum.replace(day=1)
    phased = with_phase(monthly, units).filter(pl.col("maand").is_between(first_month, last_month))
    areas = phased.filter(pl.col("soort") == UnitKind.AREA)
    groups = phased.filter(pl.col("soort") == UnitKind.TARGET_GROUP)
    conversations = int(areas.get_column("gesprekken").sum())
    complaints = int(areas.get_column("klachten").sum())
    first_start = units.filter(pl.col("soort") == UnitKind.AREA).get_column("start").min()
    outflow_from = max(first_month, first_start) if first_start is not None else first_month
    at_peildatum = areas.filter(pl.col("maand") == last_month)
    has_exemptions = "ontheffingen" in areas.columns and at_peildatum.height > 0
    return Headline(
        peildatum=peildatum,
        period=(first_month, last_month),
        area_status=status_counts(units.filter(pl.col("soort") == UnitKind.AREA), peildatum),
        target_groups=units.filter(pl.col("soort") == UnitKind.TARGET_GROUP).height,
        conversations=conversations,
        complaints=complaints,
        complaint_rate=rate_per_1000(complaints, conversations),
        outflow=outflow_cohort_vs_comparison(phased, outflow_from, last_month),
        group_conversations=int(groups.get_column("gesprekken").sum()),
        group_complaints=int(groups.get_column("klachten").sum()),
        persons_on_welfare=int(at_peildatum.get_column("bijstand").sum()) if at_peildatum.height else None,
        exemptions=int(at_peildatum.get_column("ontheffingen").sum()) if has_exemptions else None,
    )


def letter_headline(dataset: Dataset) -> Headline:
    """All areas on the letter's peildatum (30 June 2021), counted from the first month of the data."""
    return compute_headline(dataset.units, dataset.monthly, LETTER_PEILDATUM, dataset.first_month)


@dataclass(frozen=True)
class ClaimCheck:
    claim: str  # the letter's words
    data: str  # what the data say, in one Dutch sentence
    note: str  # caveat a council member should hear


def letter_claims(headline: Headline) -> list[ClaimCheck]:
    """Each claim of the raadsbrief of 6 July 2021 beside what this dataset says on the same peildatum."""
    status = headline.area_status
    outflow = headline.outflow
    rate = headline.complaint_rate
    claims = [
        ClaimCheck(
            "“Op dit moment is de cohortaanpak in 7 gebieden afgerond en in 6 gebieden actief.”",
            f"Op {fmt_month(headline.peildatum)}: {status[Status.FINISHED]} gebieden afgerond, "
            f"{status[Status.ACTIVE]} actief, {status[Status.PLANNED]} gepland.",
            "Telt alleen gebieden; de stedelijke doelgroepen staan daarnaast.",
        ),
        ClaimCheck(
            "“De uitstroom naar werk [is] zelfs dubbel zo hoog als in de niet-cohortgebieden.”",
            "Niet te berekenen: in deze selectie ontbreken gebieden met óf zonder lopend cohort."
            if outflow is None
            else f"Uitstroom naar werk waar het cohort liep: {fmt_dec(outflow.rate_a)} per 1.000 per maand, "
            f"elders {fmt_dec(outflow.rate_b)}: {fmt_ratio(outflow.ratio)} "
            f"(95%-interval {fmt_interval(outflow.lower, outflow.upper)}).",
            "Een ruwe vergelijking: gebieden die eerder startten kunnen ook zonder cohort anders zijn. "
            "De pagina Uitstroom toont een eerlijkere schatting (verschil-in-verschillen).",
        ),
        ClaimCheck(
            "“Er zijn sinds het begin van de cohortaanpak 30 klachten … op een totaal van ruim 13.000 gesprekken.”",
            f"{fmt_int(headline.complaints)} klachten op {fmt_int(headline.conversations)} gesprekken: "
            f"{fmt_dec(rate.rate, 2)} per 1.000 gesprekken (95%-interval {fmt_interval(rate.lower, rate.upper, 2)}).",
            "Klachten zijn een ondergrens van ontevredenheid: wie niet klaagt, kan toch druk hebben ervaren "
            "(zie het Zwartboek van de Bijstandsbond).",
        ),
    ]
    if headline.exemptions is not None and headline.persons_on_welfare:
        claims.append(
            ClaimCheck(
                "“Medio juni 2021 hebben 1.233 mensen een ontheffing (van de 44.980 personen in de bijstand).”",
                f"{fmt_int(headline.exemptions)} personen met een ontheffing van "
                f"{fmt_int(headline.persons_on_welfare)} in de bijstand "
                f"({fmt_dec(headline.exemptions / headline.persons_on_welfare * 100, 1)}%).",
                "Sinds 2017 verleent Amsterdam bijna geen ontheffingen meer; een laag aantal zegt dus iets over "
                "beleid, niet alleen over de mensen.",
            )
        )
    return claims
