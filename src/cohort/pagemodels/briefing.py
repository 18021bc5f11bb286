"""The printable briefing (issue 16) for the city and for one unit, filled from the same protected numbers.

Every value is a text the pages show (tiles of the overview, counts of the release through `PageInput`), so the
PDF hides what the pages hide. The city briefing takes the overview model; a unit's briefing takes the unit's
release counts over the same windows as the Kaart and Gebieden pages, with the city's difference-in-differences
beside its raw comparison (that estimate exists only for all areas together, and says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

from cohort.analysis.metrics import with_status
from cohort.analysis.trend import TrendMarker
from cohort.briefing import BriefingData, KeyFigure, Outflow, OutflowEstimate, SeriesLine, TimeSeries
from cohort.briefing.model import Locator, locator_from_geojson
from cohort.charts.palette import STATUS_LABELS
from cohort.contract import Status, UnitKind
from cohort.fmt import MISSING, fmt_date, fmt_month, fmt_ratio
from cohort.pagemodels.common import PageInput, Rate, signs_note, window_text
from cohort.pagemodels.fairness import fairness
from cohort.pagemodels.outflow_common import Ledger, all_area_codes, outflow_series
from cohort.pagemodels.overview import overview_model
from cohort.privacy.rules import HIDDEN_RATE_TEXT, small_number_note_nl

EXAMPLE_LABEL = "Voorbeelddata: illustratieve cijfers, geen registratie van WPI."


def _footer(page_input: PageInput) -> dict[str, Any]:
    meta = page_input.dataset.meta
    rule = page_input.rule
    return {
        "source": meta.source or "Bron niet opgegeven in de dataset.",
        "dataset_name": meta.name or "Dataset zonder naam",
        "dataset_id": (meta.dataset_id or "voorbeeld")[:12],
        "sign_legend": signs_note(rule) if rule.enabled else small_number_note_nl(rule),
        "example_label": EXAMPLE_LABEL if meta.is_example else None,
        "warning": None if rule.enabled else small_number_note_nl(rule),
    }


def _locator(geojson: Mapping[str, Any] | None, highlight: Sequence[str], caption: str) -> Locator | None:
    if not geojson or not geojson.get("features"):
        return None
    return locator_from_geojson(geojson, highlight, caption)


def _series(page_input: PageInput, codes: Sequence[str], title: str) -> TimeSeries | None:
    """Outflow to work per 1,000 per quarter, cohort and comparison months of `codes` (gaps where hidden)."""
    frame, _ = outflow_series(Ledger(page_input), page_input, codes)
    if frame.is_empty():
        return None
    periods = sorted(set(frame.get_column("eerste").to_list()))
    lines = []
    for group, role, label in (("Cohort loopt", "cohort", "Cohort loopt"),
                               ("Vergelijking", "comparison", "Nog niet gestart of zonder cohort")):
        rows = {r["eerste"]: r for r in frame.filter(pl.col("groep") == group).iter_rows(named=True)}
        if not rows:
            continue
        values = tuple(None if rows.get(p) is None or rows[p]["werk_verborgen"] else rows[p]["werk_per_1000"]
                       for p in periods)
        hidden = tuple(bool(rows.get(p) and rows[p]["werk_verborgen"]) for p in periods)
        lines.append(SeriesLine(label, role, values, hidden))  # type: ignore[arg-type]
    if not lines:
        return None
    return TimeSeries(title, "per 1.000 in de bijstand per maand, per kwartaal", tuple(periods), tuple(lines),
                      note="Een gat met teken: verborgen (klein aantal).")


def city_briefing(page_input: PageInput, geojson: Mapping[str, Any] | None = None) -> BriefingData:
    model = overview_model(page_input)
    tiles = {t.label: t for t in model.count_tiles + model.status_tiles}
    status = ", ".join(f"{t.value} {t.label.lower().removeprefix('gebieden ')}" for t in model.status_tiles[:3])
    conversations, complaints, rate = model.count_tiles[:3]
    raw, did = model.outflow_tiles[:2]
    areas = page_input.dataset.areas
    starts = areas.get_column("start").drop_nulls()
    window = page_input.window("gesprekken")
    series = _series(page_input, all_area_codes(page_input), "Uitstroom naar werk, alle gebieden")
    return BriefingData(
        title="Amsterdam",
        subtitle="Alle gebieden van de cohortaanpak; stedelijke doelgroepen apart",
        peildatum=fmt_date(page_input.selection.peildatum),
        status=f"Gebieden: {status}",
        cohort_period=f"sinds {fmt_month(starts.min())}" if starts.len() else "geen cohortperiode",  # type: ignore[arg-type]
        counting_period=window_text(window),
        conversations=KeyFigure(conversations.label, conversations.value, conversations.definition),
        complaints=KeyFigure(complaints.label, complaints.value, complaints.definition),
        complaint_rate=KeyFigure(rate.label, rate.value, rate.definition),
        outflow=Outflow(OutflowEstimate(raw.label, raw.value, raw.definition),
                        OutflowEstimate(did.label, did.value, did.definition),
                        model.outflow_sentence or "Een eerlijkere vergelijking is in deze selectie niet te maken."),
        series=series or _empty_series(),
        locator=_locator(geojson, (), "Amsterdam: de gebieden van de cohortaanpak"),
        extra_lines=tuple(t.definition for label, t in tiles.items() if label == "Stedelijke doelgroepen"),
        **_footer(page_input),
    )


def _empty_series() -> TimeSeries:
    return TimeSeries("Uitstroom naar werk", "per 1.000", (date(2000, 1, 1),),
                      (SeriesLine("Geen gegevens", "city", (None,)),), note="Geen kwartalen in deze selectie.")


def fairness_lines(page_input: PageInput, code: str, is_area: bool) -> tuple[str, ...]:
    """The unit's classes against the city average (95%, with the spread between areas, as the pages' default)
    and its outflow trends, in two short lines; classes and trends on a hidden count read "—*"."""
    fair = fairness(page_input, [(code, (code,))], "gebied")
    if is_area:
        parts = []
        for measure, label in (("uitstroom_werk", "uitstroom naar werk"), ("klachten", "klachten per gesprek")):
            unit_class = fair.unit_class(measure, "stad", "95", "ja", code)
            parts.append(f"{label} {unit_class.label.lower() if unit_class else MISSING}")
        first = f"Vergeleken met het stedelijk gemiddelde (95%, met spreiding tussen gebieden): {', '.join(parts)}."
    else:
        first = "Een doelgroep vergelijken we niet met het stedelijk gemiddelde van de gebieden."
    trends = []
    for months in (6, 12):
        trend = fair.trend(code, months)
        marker = MISSING if trend is None else f"{HIDDEN_RATE_TEXT} (verborgen aantal)" if (
            trend.marker == TrendMarker.HIDDEN) else trend.marker  # plain words: the PDF font has no arrows
        trends.append(f"laatste {months} maanden {marker}")
    return first, f"Trend uitstroom naar werk: {'; '.join(trends)}."


def unit_briefing(page_input: PageInput, code: str, geojson: Mapping[str, Any] | None = None) -> BriefingData:
    """The briefing of one area or target group, over the selection's windows."""
    units = with_status(page_input.dataset.units, page_input.selection.peildatum)
    unit = units.filter(pl.col("code") == code).row(0, named=True)
    ledger = Ledger(page_input)
    window = page_input.window("gesprekken")
    complaint_window = page_input.window("klachten")
    talks = ledger.count("gesprekken", [code], window)
    complaints = ledger.count("klachten", [code], complaint_window)
    rate = Rate.of(complaints, ledger.count("gesprekken", [code], complaint_window))
    own = Rate.of(ledger.count("uitstroom_werk", [code], window, "cohort"),
                  ledger.count("bijstand", [code], window, "cohort"))
    areas = all_area_codes(page_input)
    elsewhere = Rate.of(ledger.count("uitstroom_werk", areas, window, "vergelijking"),
                        ledger.count("bijstand", areas, window, "vergelijking"))
    ratio = (own.value / elsewhere.value) if own.value is not None and elsewhere.value else None
    city = overview_model(page_input)
    did = city.outflow_tiles[1]
    status = STATUS_LABELS[Status(unit["status"])]
    period = (f"{fmt_month(unit['start'])} tot en met {fmt_month(unit['eind']) if unit['eind'] else 'nu'}"
              if unit["start"] else "geen cohortperiode")
    kind = ("Gebied in stadsdeel " + unit["stadsdeel"]) if unit["soort"] == UnitKind.AREA else "Stedelijke doelgroep"
    series = _series(page_input, [code], f"Uitstroom naar werk, {unit['naam']}")
    return BriefingData(
        title=unit["naam"],
        subtitle=f"{kind} ({code})",
        peildatum=fmt_date(page_input.selection.peildatum),
        status=status,
        status_key=Status(unit["status"]),
        cohort_period=period,
        counting_period=window_text(window),
        conversations=KeyFigure("Gesprekken", talks.text, f"Over {window_text(window)}."),
        complaints=KeyFigure("Klachten", complaints.text, f"Over {window_text(complaint_window)} (hele halve jaren)."),
        complaint_rate=KeyFigure("Klachten per 1.000 gesprekken", rate.text(2),
                                 "" if rate.value is None
                                 else f"95%-interval {rate.interval_text(2)} (exacte Poisson)."),
        outflow=Outflow(
            OutflowEstimate("Ruwe vergelijking", fmt_ratio(ratio) if ratio is not None else MISSING,
                            f"Eigen cohortmaanden {own.text()} per 1.000 per maand; gebieden zonder lopend cohort "
                            f"{elsewhere.text()}."),
            OutflowEstimate(f"{did.label} (alle gebieden)", did.value, did.definition),
            "De eerlijkere schatting bestaat alleen voor alle gebieden samen; per gebied is de ruwe vergelijking "
            "een aanwijzing, geen effect.",
        ),
        series=series or _empty_series(),
        locator=_locator(geojson, (code,), f"Ligging van {unit['naam']}") if unit["soort"] == UnitKind.AREA else None,
        extra_lines=fairness_lines(page_input, code, unit["soort"] == UnitKind.AREA),
        **_footer(page_input),
    )
