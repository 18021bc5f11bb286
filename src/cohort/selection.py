"""What a viewer has chosen in the shared filters, and applying it to a dataset (pure, no streamlit)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from cohort.contract import UnitKind
from cohort.dataset import Dataset
from cohort.fmt import fmt_month

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


def default_selection(dataset: Dataset) -> Selection:
    """The letter's peildatum when the data cover it, else the last month; the whole period; everything."""
    last = dataset.last_month
    peildatum = LETTER_PEILDATUM if dataset.first_month <= LETTER_PEILDATUM <= month_end(last) else month_end(last)
    return Selection(peildatum=peildatum, first_month=dataset.first_month, last_month=last)


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
