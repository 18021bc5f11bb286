"""The building blocks of every page model: tiles, tables, charts, rates, all made of protected counts.

A page model is a frozen dataclass that holds every number one page shows. Counts come from the dataset's
release (`cohort.privacy.release`), so they are protected for every page and selection together; rates, intervals
and ratios are computed here from those counts and are hidden when one of them is. Views only lay a model
out (`cohort.ui.models`), and tests read everything a viewer can see from the models, without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import plotly.graph_objects as go
import polars as pl

from cohort.analysis.metrics import PER
from cohort.analysis.stats import poisson_interval
from cohort.dataset import Dataset
from cohort.fmt import MISSING, fmt_dec, fmt_int, fmt_interval, fmt_month
from cohort.privacy.lattice import Lattice
from cohort.privacy.release import Count, Phase, Release, lattice_for, measure_lattice_for, release_for
from cohort.privacy.rules import HIDDEN_RATE_TEXT, PROTECTED_TEXT, SuppressionRule, small_number_note_nl
from cohort.selection import Selection, selected_units

ColumnKind = Literal["text", "number", "date"]
# A chart with one bar per unit draws at most this many (24 px each); its table keeps every unit. With 10,000
# units a chart of all of them was 240,000 px tall and took seconds to build, send and draw.
MAX_CHART_UNITS = 60


def chart_subset_note(drawn: int, total: int, which: str) -> str:
    """The caption of a per-unit chart that draws only `drawn` of `total` units."""
    return (f"De grafiek toont {which} {fmt_int(drawn)} van de {fmt_int(total)} eenheden; de tabel bij de grafiek "
            "bevat ze allemaal. Kies gebieden in de filters om andere te tekenen.")


# --- What a page model is built from ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInput:
    """The dataset, the viewer's selection and the rule: everything a page model depends on."""

    dataset: Dataset
    selection: Selection
    rule: SuppressionRule

    @property
    def release(self) -> Release:
        return release_for(self.dataset, self.rule)

    @property
    def lattice(self) -> Lattice:
        return lattice_for(self.dataset, self.rule)

    def lattice_of(self, measure: str) -> Lattice:
        """The period tree of `measure` (`Release.lattice_of`), without waiting for the release to be built."""
        return measure_lattice_for(self.dataset, self.rule, measure)

    @property
    def units(self) -> pl.DataFrame:
        """The units that pass the unit filters (`selection.selected_units`)."""
        return selected_units(self.dataset, self.selection)

    def codes(self, kind: str | None = None) -> list[str]:
        units = self.units if kind is None else self.units.filter(pl.col("soort") == kind)
        return units.get_column("code").to_list()

    def window(self, measure: str = "gesprekken") -> tuple[date, date] | None:
        """The months counted for `measure`: the selection's period up to the peildatum month, in whole periods
        of the measure's lattice (complaints: half years). None when no whole period fits."""
        lattice = self.lattice_of(measure)  # not the release's: it may still be being built
        last = min(self.selection.last_month, self.selection.peildatum_month)
        starts = [leaf.first for leaf in lattice.leaves if leaf.first >= self.selection.first_month]
        ends = [leaf.last for leaf in lattice.leaves if leaf.last <= last]
        if not starts or not ends or starts[0] > ends[-1]:
            return None
        return starts[0], ends[-1]

    def count(self, measure: str, codes: Iterable[str], window: tuple[date, date] | None,
              phase: Phase = "alle") -> Count:
        if window is None:
            return Count(None, "unavailable")
        return self.release.count(measure, codes, *window, phase=phase)


# --- Shown values ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A rate per 1,000 with its exact Poisson 95% interval, made of two protected counts.

    Shown only when both counts are shown (rate × exposure gives the count back, and the interval bounds give
    it away too); `text` then reads "2,27", else "—*" (hidden) or "—" (no exposure, or not published).
    """

    events: Count
    exposure: Count
    value: float | None
    lower: float | None
    upper: float | None

    @classmethod
    def of(cls, events: Count, exposure: Count, per: float = PER) -> Rate:
        if not (events.shown and exposure.shown) or not exposure.value:
            return cls(events, exposure, None, None, None)
        low, high = poisson_interval(int(events.value or 0))
        scale = per / exposure.value
        return cls(events, exposure, (events.value or 0) * scale, low * scale, high * scale)

    @property
    def hidden(self) -> bool:
        return self.events.hidden or self.exposure.hidden

    def text(self, decimals: int = 1) -> str:
        if self.hidden:
            return HIDDEN_RATE_TEXT
        return fmt_dec(self.value, decimals)

    def interval_text(self, decimals: int = 1) -> str:
        if self.hidden:
            return HIDDEN_RATE_TEXT
        return fmt_interval(self.lower, self.upper, decimals)


@dataclass(frozen=True)
class Tile:
    """A headline number with its definition underneath (no number without its meaning)."""

    label: str
    value: str
    definition: str


@dataclass(frozen=True)
class TableColumn:
    name: str
    label: str
    kind: ColumnKind = "number"
    help: str | None = None
    decimals: int = 0


@dataclass(frozen=True)
class Table:
    """A table as shown and downloaded.

    `values`: numbers stay numbers (so a click on a header sorts them), hidden or missing cells are null.
    `texts`: the same shape, every cell as displayed ("13.024", "2,30", "×", "—*", "—"); downloads are made
    from `texts`, so they hold exactly what the screen shows. `notes`: footnotes (signs, definitions).
    """

    title: str
    file_stem: str
    columns: tuple[TableColumn, ...]
    values: pl.DataFrame
    texts: pl.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def height(self) -> int:
        return self.values.height

    def download_frame(self) -> pl.DataFrame:
        return self.texts.rename({c.name: c.label for c in self.columns})


@dataclass(frozen=True)
class Chart:
    """A chart with the numbers behind it (the same numbers: the figure is drawn from `table`'s source)."""

    title: str
    figure: go.Figure
    table: Table | None
    captions: tuple[str, ...] = ()
    alt: str = ""


@dataclass(frozen=True)
class Notice:
    kind: Literal["info", "warning", "success", "error"]
    text: str


# --- Helpers ----------------------------------------------------------------------------------------------------


def count_cell(count: Count) -> tuple[int | None, str]:
    """(value for the table, its text)."""
    return (count.value if count.shown else None), count.text


def rate_cell(rate: Rate, decimals: int = 1) -> tuple[float | None, str]:
    return rate.value, rate.text(decimals)


def number_text(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return MISSING
    return fmt_int(value) if decimals == 0 else fmt_dec(float(value), decimals)


def make_table(title: str, file_stem: str, columns: Sequence[TableColumn],
               rows: Sequence[Mapping[str, tuple[object, str]]], notes: Sequence[str] = ()) -> Table:
    """A Table from rows of {column: (value, text)}; a column of only text keeps its texts as values."""
    values: dict[str, list[object]] = {c.name: [] for c in columns}
    texts: dict[str, list[str]] = {c.name: [] for c in columns}
    for row in rows:
        for column in columns:
            value, text = row.get(column.name, (None, MISSING))
            values[column.name].append(value)
            texts[column.name].append(text)
    schema: dict[str, pl.DataType] = {}
    for column in columns:
        if column.kind == "text":
            schema[column.name] = pl.String()
        elif column.kind == "date":
            schema[column.name] = pl.Date()
        else:
            schema[column.name] = pl.Float64() if column.decimals else pl.Int64()
    return Table(title, file_stem, tuple(columns), pl.DataFrame(values, schema=schema, strict=False),
                 pl.DataFrame(texts, schema={c.name: pl.String() for c in columns}), tuple(notes))


def signs_note(rule: SuppressionRule, *, rates: bool = True) -> str:
    """The legend of the signs, where they appear (or the warning while hiding is off)."""
    if not rule.enabled:
        return small_number_note_nl(rule)
    note = (f"{PROTECTED_TEXT} = verborgen: een aantal van 1 tot en met {rule.largest_hidden}, of een aantal dat "
            "mee verborgen is zodat zo’n klein aantal niet terug te rekenen is.")
    if rates:
        note += f" {HIDDEN_RATE_TEXT} = cijfer verborgen omdat het op zo’n aantal rust. — = geen gegevens."
    return note


def window_text(window: tuple[date, date] | None) -> str:
    if window is None:
        return "geen hele periode in deze selectie"
    return f"{fmt_month(window[0])} tot en met {fmt_month(window[1])}"


@dataclass(frozen=True)
class PageHeader:
    """What every page says on top: the dataset, the filters and the legend of the signs."""

    dataset_line: str
    notes: tuple[str, ...] = field(default=())
