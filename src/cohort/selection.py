"""What a viewer has chosen in the shared filters, and applying it to a dataset (pure, no streamlit)."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from cohort.contract import UnitKind
from cohort.dataset import Dataset
from cohort.fmt import fmt_month
from cohort.privacy.lattice import Lattice
from cohort.workbook.parsing import parse_date

LEVELS: dict[str, str] = {"gebied": "Gebied", "stadsdeel": "Stadsdeel", "stad": "Hele stad"}
LETTER_PEILDATUM = date(2021, 6, 30)  # the raadsbrief of 6 July 2021 reports the situation of mid/end June 2021


@dataclass(frozen=True)
class Selection:
    peildatum: date
    first_month: date
    last_month: date
    stadsdelen: tuple[str, ...] = ()  # empty = all
    units: tuple[str, ...] = ()  # codes; empty = all
    include_target_groups: bool = True
    level: str = "gebied"
    notes: tuple[str, ...] = field(default=())  # Dutch notices about values that were dropped or adjusted

    @property
    def peildatum_month(self) -> date:
        return self.peildatum.replace(day=1)

    def describe(self) -> str:
        """One Dutch line with the active filters, for captions and shared links."""
        period = f"{fmt_month(self.first_month)} – {fmt_month(self.last_month)}"
        parts = [f"peildatum {fmt_month(self.peildatum)}", period]
        if self.stadsdelen:
            parts.append(", ".join(self.stadsdelen))
        if self.units:
            parts.append(f"{len(self.units)} eenheden gekozen")
        if not self.include_target_groups:
            parts.append("zonder doelgroepen")
        if self.level != "gebied":
            parts.append(f"niveau {LEVELS[self.level].lower()}")
        return " · ".join(parts)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@functools.lru_cache(maxsize=256)  # the sidebar parses the dataset's peildatum on every rerun
def parse_date_text(text: str) -> date | None:
    """A date as evaluators write it in a workbook (2021-06-30, 30-06-2021, …), through the reader's parser."""
    value = pl.select(parse_date(pl.lit(text, dtype=pl.String))).item()
    return value if isinstance(value, date) else None


def dataset_peildatum(dataset: Dataset) -> date | None:
    """The peildatum the dataset itself names (`toelichting`, key `peildatum`), when it is a date in the data."""
    text = dataset.meta.notes.get("peildatum", "").strip()
    day = parse_date_text(text) if text else None
    if day is None or not dataset.first_month <= day <= month_end(dataset.last_month):
        return None
    return day


def default_lattice(dataset: Dataset) -> Lattice:
    """The viewers' lattice (whole quarters; see `cohort.privacy.lattice`)."""
    return Lattice.build(dataset.months, "kwartaal")


def default_selection(dataset: Dataset, lattice: Lattice | None = None) -> Selection:
    """The dataset's own peildatum (its `toelichting`), else its last month, moved back to the end of a whole
    period of the lattice; the whole period; everything."""
    lattice = lattice or default_lattice(dataset)
    named = dataset_peildatum(dataset)
    month = (named or dataset.last_month).replace(day=1)
    peildatum = month_end(lattice.snap_peildatum(month))
    return Selection(peildatum=peildatum, first_month=lattice.root.first, last_month=lattice.root.last)


def peildatum_source_nl(dataset: Dataset, selection: Selection) -> str:
    """Where the default peildatum comes from, in one Dutch sentence (shown beside the filters)."""
    named = dataset_peildatum(dataset)
    if named is None:
        return f"Standaard-peildatum: de laatste maand met cijfers ({fmt_month(dataset.last_month)})."
    if named.replace(day=1) == selection.peildatum.replace(day=1):
        return f"Standaard-peildatum: {fmt_month(named)}, zoals de dataset zelf opgeeft."
    return (f"De dataset noemt peildatum {fmt_month(named)}; standaard tonen we {fmt_month(selection.peildatum)}, "
            "het eind van het laatste hele kwartaal daarvoor.")


def selected_units(dataset: Dataset, selection: Selection) -> pl.DataFrame:
    """Units that pass the stadsdeel, unit and target-group filters.

    A stadsdeel filter keeps areas in those stadsdelen; target groups are city-wide, so they stay unless the
    viewer switched them off or picked units explicitly.
    """
    units = dataset.units
    if selection.stadsdelen:
        units = units.filter(
            (pl.col("soort") == UnitKind.TARGET_GROUP) | pl.col("stadsdeel").is_in(list(selection.stadsdelen))
        )
    if selection.units:
        units = units.filter(pl.col("code").is_in(list(selection.units)))
    if not selection.include_target_groups:
        units = units.filter(pl.col("soort") == UnitKind.AREA)
    return units


def apply_selection(dataset: Dataset, selection: Selection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(units, monthly) after the filters; monthly limited to the chosen period."""
    units = selected_units(dataset, selection)
    monthly = dataset.monthly.filter(
        pl.col("code").is_in(units.get_column("code").to_list())
        & pl.col("maand").is_between(selection.first_month, selection.last_month)
    )
    return units, monthly
