"""“Wat is er veranderd”: a version of a dataset compared with the version it replaces (pure, no Streamlit).

Figures get revised: a later registration corrects earlier months. A council member who saw “30 klachten”
in June must be able to see why the dashboard now says 31. `changes_between(old, new, rule)` compares the two
versions per indicator and unit over the months both versions have, in whole periods of both versions'
lattices (so "t/m juni 2021" means the same months in both), and lists months and units added or removed.

Disclosure control: every old and new count is a `Count` of that version's own release
(`release_for(dataset, rule).count(...)`, or `.stock(...)`), exactly what that version's pages show; a
difference is shown only when both counts are shown, else "×" (a difference of a hidden count would give it
away). Revisions are counted from shown differences only, so the summary says nothing about hidden counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Literal

import polars as pl

from cohort.contract import ALL_COLUMNS, OPTIONAL_COUNT_NAMES, UnitKind
from cohort.dataset import Dataset
from cohort.fmt import MISSING, fmt_int, fmt_month, fmt_month_short
from cohort.pagemodels.common import Table, TableColumn, Tile, make_table, signs_note
from cohort.privacy.release import CITY_NAME, GROUPS_NAME, STOCKS, UNIT_COUNTS, Count, Release, release_for
from cohort.privacy.rules import PROTECTED_TEXT, SuppressionRule

IndicatorKind = Literal["flow", "stock"]
RowKind = Literal["stad", "doelgroepen", "gebied", "doelgroep"]


@dataclass(frozen=True)
class Indicator:
    measure: str
    label: str  # as in a table ("Uitstroom naar werk")
    kind: IndicatorKind
    per_unit: bool  # published per unit, or only for all areas together


def indicators(old: Dataset, new: Dataset) -> tuple[Indicator, ...]:
    """The counts both versions publish: the main ones per unit, the optional ones for the city only."""
    optional = [c for c in OPTIONAL_COUNT_NAMES if c in old.monthly.columns and c in new.monthly.columns]
    found = []
    for measure in ("gesprekken", "uitstroom", "uitstroom_werk", "klachten", "bijstand", *optional):
        label = "Klachten" if measure == "klachten" else ALL_COLUMNS[measure].label
        found.append(Indicator(measure, label, "stock" if measure in STOCKS else "flow", measure in UNIT_COUNTS))
    return tuple(found)


@dataclass(frozen=True)
class Difference:
    value: int | None  # new minus old, when both are shown
    text: str  # "+1", "−2", "0", "×" (a count is hidden), "—" (not in one of the versions)

    @property
    def revised(self) -> bool:
        return bool(self.value)


def difference(old: Count | None, new: Count | None) -> Difference:
    if old is None or new is None or "unavailable" in (old.state, new.state):
        return Difference(None, MISSING)
    if not (old.shown and new.shown):
        return Difference(None, PROTECTED_TEXT)
    value = int(new.value or 0) - int(old.value or 0)
    text = "0" if value == 0 else (f"+{fmt_int(value)}" if value > 0 else f"−{fmt_int(-value)}")
    return Difference(value, text)


@dataclass(frozen=True)
class ChangeRow:
    indicator: Indicator
    kind: RowKind
    code: str | None  # the unit's code; None for the city and the target groups together
    name: str
    period: str  # "jan 2019 t/m jun 2021" or "eind jun 2021"
    old: Count | None  # None: the unit is not in the old version
    new: Count | None
    difference: Difference


@dataclass(frozen=True)
class ChangesModel:
    old_name: str
    new_name: str
    summary: str  # "3 gebieden herzien, 2 maanden toegevoegd; klachten t/m juni 2021 van 30 naar 31"
    tiles: tuple[Tile, ...]
    facts: tuple[tuple[str, str], ...]  # ("Maanden toegevoegd", "juli 2021 t/m december 2022"), …
    months_added: tuple[date, ...]
    months_removed: tuple[date, ...]
    units_added: tuple[str, ...]  # "Naam (code)"
    units_removed: tuple[str, ...]
    revised_units: tuple[str, ...]  # units with at least one shown, changed count
    hidden_differences: int
    rows: tuple[ChangeRow, ...]
    table: Table  # every row
    changed: Table  # rows that changed, whose difference is hidden, or of a unit added or removed
    notes: tuple[str, ...]
    released: tuple[Count, ...]  # every count shown (old and new columns)


# --- windows: the months both versions have, in whole periods of both --------------------------------------------


def common_window(old_release: Release, new_release: Release, measure: str) -> tuple[date, date] | None:
    """The longest run of months from the first common period start to the last common period end, aligned to
    the measure's lattice in both versions (quarters; complaints: half years); None when there is none."""
    old_lattice, new_lattice = old_release.lattice_of(measure), new_release.lattice_of(measure)
    starts = sorted(set(old_lattice.period_starts()) & set(new_lattice.period_starts()))
    ends = sorted(set(old_lattice.period_ends()) & set(new_lattice.period_ends()))
    if not starts:
        return None
    ends = [end for end in ends if end >= starts[0]]
    return (starts[0], ends[-1]) if ends else None


def common_stock_month(old_release: Release, new_release: Release) -> date | None:
    """The last period end of both versions: a stock (persons at month end) is compared there."""
    ends = set(old_release.lattice.period_ends()) & set(new_release.lattice.period_ends())
    return max(ends) if ends else None


# --- the comparison ----------------------------------------------------------------------------------------------


def _units(dataset: Dataset) -> dict[str, tuple[str, str]]:
    """code -> (name, soort)."""
    units = dataset.units
    return {c: (n, s) for c, n, s in zip(units.get_column("code"), units.get_column("naam"),
                                         units.get_column("soort"), strict=True)}


def _codes(dataset: Dataset, kind: str) -> list[str]:
    return dataset.units.filter(pl.col("soort") == kind).get_column("code").to_list()


def _counter(release: Release, indicator: Indicator, window: tuple[date, date] | None,
             month: date | None) -> Callable[[Sequence[str]], Count]:
    def count(codes: Sequence[str]) -> Count:
        if indicator.kind == "stock":
            return release.stock(indicator.measure, codes, month) if month else Count(None, "unavailable")
        if window is None:
            return Count(None, "unavailable")
        return release.count(indicator.measure, codes, *window)
    return count


def _rows(old: Dataset, new: Dataset, rule: SuppressionRule) -> list[ChangeRow]:
    old_release, new_release = release_for(old, rule), release_for(new, rule)
    old_units, new_units = _units(old), _units(new)
    month = common_stock_month(old_release, new_release)
    rows: list[ChangeRow] = []
    for indicator in indicators(old, new):
        window = common_window(old_release, new_release, indicator.measure)
        if indicator.kind == "stock":
            period = f"eind {fmt_month_short(month)}" if month else MISSING
        else:
            period = f"{fmt_month_short(window[0])} t/m {fmt_month_short(window[1])}" if window else MISSING
        count_old = _counter(old_release, indicator, window, month)
        count_new = _counter(new_release, indicator, window, month)
        groups: list[tuple[RowKind, str | None, str, list[str] | None, list[str] | None]] = [
            ("stad", None, CITY_NAME, _codes(old, UnitKind.AREA), _codes(new, UnitKind.AREA)),
        ]
        old_groups, new_groups = _codes(old, UnitKind.TARGET_GROUP), _codes(new, UnitKind.TARGET_GROUP)
        if old_groups or new_groups:
            groups.append(("doelgroepen", None, GROUPS_NAME, old_groups or None, new_groups or None))
        if indicator.per_unit:
            for unit in sorted(old_units.keys() | new_units.keys()):
                name, kind = new_units.get(unit) or old_units[unit]
                groups.append(("gebied" if kind == UnitKind.AREA else "doelgroep", unit, f"{name} ({unit})",
                               [unit] if unit in old_units else None, [unit] if unit in new_units else None))
        for kind, code, name, old_codes, new_codes in groups:
            if kind == "doelgroepen" and not indicator.per_unit:
                continue  # optional counts are published for all areas together only
            before = count_old(old_codes) if old_codes else None
            after = count_new(new_codes) if new_codes else None
            rows.append(ChangeRow(indicator, kind, code, name, period, before, after, difference(before, after)))
    return rows


def _count_cell(count: Count | None) -> tuple[str, str]:
    text = MISSING if count is None else count.text
    return text, text


def _table(rows: Sequence[ChangeRow], title: str, file_stem: str, notes: Sequence[str]) -> Table:
    columns = (
        TableColumn("indicator", "Indicator", "text"),
        TableColumn("eenheid", "Eenheid", "text"),
        TableColumn("periode", "Periode", "text", help="De maanden die beide versies hebben, in hele perioden; "
                    "bij een stand: de stand aan het eind van die maand."),
        # Text columns, as displayed: the browser's table shows an empty number cell as "None" whatever the
        # styler says (so "×" would not show), and a number format would drop the sign ("+10" must not read "10").
        TableColumn("oud", "Vorige versie", "text"),
        TableColumn("nieuw", "Deze versie", "text"),
        TableColumn("verschil", "Verschil", "text",
                    help="Deze versie min de vorige; × als een van beide verborgen is."),
    )
    cells = [{
        "indicator": (row.indicator.label, row.indicator.label),
        "eenheid": (row.name, row.name),
        "periode": (row.period, row.period),
        "oud": _count_cell(row.old),
        "nieuw": _count_cell(row.new),
        "verschil": (row.difference.text, row.difference.text),
    } for row in rows]
    return make_table(title, file_stem, columns, cells, notes)


def _plural(n: int, one: str, many: str) -> str:
    return f"{fmt_int(n)} {one if n == 1 else many}"


def _city_changes(rows: Sequence[ChangeRow]) -> list[str]:
    """'klachten t/m juni 2021 van 30 naar 31' for every indicator whose city total changed (both shown)."""
    found = []
    for row in rows:
        if row.kind != "stad" or not row.difference.revised or row.old is None or row.new is None:
            continue
        query = row.new.query
        label = row.indicator.label.lower()
        if row.indicator.kind == "stock":
            when = f"eind {fmt_month(query.last)}" if query else ""
        else:
            when = f"t/m {fmt_month(query.last)}" if query else ""
        found.append(f"{label} {when} van {row.old.text} naar {row.new.text}")
    return found


def _summary(rows: Sequence[ChangeRow], months_added: Sequence[date], months_removed: Sequence[date],
             units_added: dict[str, str], units_removed: dict[str, str]) -> str:
    revised = {(row.code, row.kind) for row in rows if row.code is not None and row.difference.revised}
    structure = []
    areas = sum(1 for _, kind in revised if kind == "gebied")
    groups = sum(1 for _, kind in revised if kind == "doelgroep")
    if areas:
        structure.append(f"{_plural(areas, 'gebied', 'gebieden')} herzien")
    if groups:
        structure.append(f"{_plural(groups, 'doelgroep', 'doelgroepen')} herzien")
    for months, verb in ((months_added, "toegevoegd"), (months_removed, "verwijderd")):
        if months:
            structure.append(f"{_plural(len(months), 'maand', 'maanden')} {verb}")
    for units, verb in ((units_added, "toegevoegd"), (units_removed, "verwijderd")):
        if units:
            structure.append(f"{_plural(len(units), 'eenheid', 'eenheden')} {verb}")
    city = _city_changes(rows)
    if not structure and not city:
        return "Geen zichtbare wijzigingen: de getoonde aantallen zijn in beide versies gelijk."
    text = "; ".join(part for part in (", ".join(structure), "; ".join(city)) if part)
    return text[0].upper() + text[1:] if text[0].isalpha() else text


def changes_between(old: Dataset, new: Dataset, rule: SuppressionRule) -> ChangesModel:
    """Compare `new` with the version `old` it replaces, through both versions' releases (see module doc)."""
    old_units, new_units = _units(old), _units(new)
    months_added = tuple(m for m in new.months if m not in set(old.months))
    months_removed = tuple(m for m in old.months if m not in set(new.months))
    units_added = {c: f"{new_units[c][0]} ({c})" for c in sorted(new_units.keys() - old_units.keys())}
    units_removed = {c: f"{old_units[c][0]} ({c})" for c in sorted(old_units.keys() - new_units.keys())}
    rows = _rows(old, new, rule)
    revised_units = tuple(dict.fromkeys(row.name for row in sorted(rows, key=lambda r: r.code or '')
                                        if row.code is not None and row.difference.revised))
    hidden = sum(1 for row in rows if row.difference.text == PROTECTED_TEXT)
    notes = [signs_note(rule, rates=False),
             "— = niet in die versie (eenheid toegevoegd of verwijderd), of geen periode die beide versies hebben."]
    if hidden:
        notes.append(f"{_plural(hidden, 'verschil is', 'verschillen zijn')} verborgen omdat het oude of het nieuwe "
                     "aantal verborgen is; herzieningen daarin worden ook in de samenvatting niet meegeteld.")
    changed = [row for row in rows if row.difference.revised or row.difference.text == PROTECTED_TEXT
               or (row.code is not None and (row.old is None or row.new is None))]
    summary = _summary(rows, months_added, months_removed, units_added, units_removed)
    tiles = (
        Tile("Herziene eenheden", fmt_int(len(revised_units)),
             "Gebieden en doelgroepen met minstens één zichtbaar gewijzigd aantal in de maanden van beide versies."),
        Tile("Maanden erbij / eraf", f"{fmt_int(len(months_added))} / {fmt_int(len(months_removed))}",
             "Maanden die alleen in deze versie staan, en die alleen in de vorige stonden."),
        Tile("Eenheden erbij / eraf", f"{fmt_int(len(units_added))} / {fmt_int(len(units_removed))}",
             "Gebieden en doelgroepen die alleen in deze versie staan, en die alleen in de vorige stonden."),
        Tile("Verborgen verschillen", fmt_int(hidden),
             "Verschillen die niet getoond worden, omdat het oude of het nieuwe aantal verborgen is."),
    )
    released = tuple(count for row in rows for count in (row.old, row.new) if count is not None)
    return ChangesModel(
        old_name=old.meta.name,
        new_name=new.meta.name,
        summary=summary,
        tiles=tiles,
        facts=(
            ("Maanden toegevoegd", months_text(months_added)),
            ("Maanden verwijderd", months_text(months_removed)),
            ("Eenheden toegevoegd", ", ".join(units_added.values()) or MISSING),
            ("Eenheden verwijderd", ", ".join(units_removed.values()) or MISSING),
            ("Herzien (zichtbaar)", ", ".join(revised_units) or MISSING),
        ),
        months_added=months_added,
        months_removed=months_removed,
        units_added=tuple(units_added.values()),
        units_removed=tuple(units_removed.values()),
        revised_units=revised_units,
        hidden_differences=hidden,
        rows=tuple(rows),
        table=_table(rows, "Alle vergeleken aantallen", "wijzigingen_alle", notes),
        changed=_table(changed, "Gewijzigde aantallen", "wijzigingen", notes),
        notes=tuple(notes),
        released=released,
    )


def months_text(months: Sequence[date]) -> str:
    """'juli 2021 t/m december 2021' for a run, else the months listed ('—' for none)."""
    if not months:
        return MISSING
    ordered = sorted(months)
    if len(ordered) == 1:
        return fmt_month(ordered[0])
    run = all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in pairwise(ordered))
    if run:
        return f"{fmt_month(ordered[0])} t/m {fmt_month(ordered[-1])}"
    return ", ".join(fmt_month(m) for m in ordered)
