"""The outflow estimates over all areas (the "safe statistics" of ``docs/privacy.md``), and the support measures.

Counts a page shows come from the release (`cohort.privacy.release`); the two model estimates here do not: the staggered
difference-in-differences and the event-time profile are computed from the monthly data. That is safe only
because they always run over the same fixed set of units, **all areas of the dataset**, whatever the viewer
filters, and are shown only when at least `MIN_AREAS` treated and `MIN_AREAS` comparison areas (event time:
contributing areas) take part; the event-time profile also always runs to the dataset's last month. So no two
views differ by one unit or one unit-month, and no estimate rests on a handful of areas.

Both are cached per dataset content (and window), so the overview and the Uitstroom page share one bootstrap.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from cohort.analysis.did import DidResult, PanelArrays, build_panel, did_effect, event_time_profile, panel_arrays
from cohort.contract import column_label
from cohort.dataset import Dataset

EVENT_WINDOW = (-12, 18)  # months before and after each area's start shown in the event-time chart
REPS = 499  # bootstrap replicates of the difference-in-differences
MIN_AREAS = 5  # an estimate is shown only with at least this many treated and comparison areas
_CACHE_SIZE = 16
# Entries keep their dataset: a dataset without a content id is keyed by `id()`, which Python reuses once the
# object is gone; held here, it cannot be gone while its entry lives.
_did_cache: OrderedDict[tuple[str, date, date, int], tuple[Dataset, DidResult | None]] = OrderedDict()
_profile_cache: OrderedDict[str, tuple[Dataset, pl.DataFrame | None]] = OrderedDict()


# The areas' panel and its arrays (17 MB at 10,000 units), shared by the estimates for several windows and the
# event-time profile of one dataset; only a few datasets' worth.
_panel_cache: OrderedDict[str, tuple[Dataset, tuple[pl.DataFrame, PanelArrays | None]]] = OrderedDict()
_PANEL_CACHE_SIZE = 4


def _remember(cache: OrderedDict, key: object, dataset: Dataset, value: object, size: int = _CACHE_SIZE) -> None:
    cache[key] = (dataset, value)
    while len(cache) > size:
        cache.pop(next(iter(cache)), None)  # sessions run in threads: never fail on a key another one dropped


def _area_panel(dataset: Dataset) -> tuple[pl.DataFrame, PanelArrays | None]:
    """The panel of all areas (`build_panel`) and its arrays (None for an empty panel)."""
    hit = _panel_cache.get(dataset.cache_key)
    if hit is not None:
        return hit[1]
    panel = build_panel(dataset.units, dataset.monthly)
    value = (panel, panel_arrays(panel) if panel.height else None)
    _remember(_panel_cache, dataset.cache_key, dataset, value, _PANEL_CACHE_SIZE)
    return value


def did_all_areas(dataset: Dataset, first: date, last: date, *, reps: int = REPS) -> DidResult | None:
    """The difference-in-differences over all areas, for effect months [first, last] (base months may lie
    before `first`: that is its design). None when no (cohort, month) cell has both treated and controls.
    `reps=0`: the estimate without its bootstrap intervals (for a page that shows none)."""
    key = (dataset.cache_key, first, last, reps)
    # Without the bootstrap (reps=0, the estimate alone) an entry with it has the same estimate.
    hit = _did_cache.get(key) or (_did_cache.get((dataset.cache_key, first, last, REPS)) if reps == 0 else None)
    if hit is not None:
        return hit[1]
    _, arrays = _area_panel(dataset)
    result = did_effect(arrays, first, last, reps=reps) if arrays is not None else None
    _remember(_did_cache, key, dataset, result)
    return result


def event_profile_all_areas(dataset: Dataset) -> pl.DataFrame | None:
    """The event-time profile over all areas up to the dataset's last month; None when no area started.

    Points resting on fewer than `MIN_AREAS` areas are kept here (with their `n_units`); the page model blanks
    them. The window (`to_month`), not a filter on the panel, keeps later months out: a panel cut short would
    leave later starters without columns for their base months.
    """
    key = dataset.cache_key
    hit = _profile_cache.get(key)
    if hit is not None:
        return hit[1]
    panel, arrays = _area_panel(dataset)
    profile = None
    if arrays is not None and not panel.get_column("start").drop_nulls().is_empty():
        profile = event_time_profile(arrays, EVENT_WINDOW, to_month=dataset.last_month)
        if profile.get_column("n_units").sum() == 0:
            profile = None
    _remember(_profile_cache, key, dataset, profile)
    return profile


# --- Side effects and support measures -------------------------------------------------------------------------

MeasureKind = Literal["stroom", "stand"]


@dataclass(frozen=True)
class Measure:
    name: str  # contract column
    kind: MeasureKind  # "stand": persons at month end (a stock); "stroom": events in the month (a flow)
    side_effect: bool  # possible harm of the approach, shown with the same weight as successes

    @property
    def label(self) -> str:
        return column_label(self.name)

    @property
    def unit_label(self) -> str:
        return "per 1.000 in de bijstand (stand eind maand)" if self.kind == "stand" else "per 1.000 per maand"

    @property
    def short_unit(self) -> str:
        """`unit_label` for a table column (the page explains "stand" above the table)."""
        return "per 1.000 (stand)" if self.kind == "stand" else "per 1.000 per maand"


# Side effects first: they get the same weight (and place) as the support measures.
MEASURES: tuple[Measure, ...] = (
    Measure("herinstroom", "stroom", True),
    Measure("maatregelen", "stroom", True),
    Measure("ontheffingen", "stand", False),
    Measure("jobhunter", "stroom", False),
    Measure("leerstage", "stroom", False),
    Measure("proefplaatsing", "stroom", False),
    Measure("loonkostensubsidie", "stroom", False),
    Measure("buurtteam", "stroom", False),
)


def available_measures(optional_counts: tuple[str, ...]) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.name in optional_counts)
