"""The typed dataset every page receives: units, monthly figures and metadata.

A `Dataset` is always valid against the contract: it is only built by the workbook reader after validation
passed, by the example generator, or by the store from Parquet files it wrote itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import polars as pl

from cohort.contract import OPTIONAL_COUNT_NAMES, REQUIRED_COUNTS, UnitKind
from cohort.privacy.seal import Seal

UNITS_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "naam": pl.String(),
    "soort": pl.String(),
    "stadsdeel": pl.String(),
    "start": pl.Date(),
    "eind": pl.Date(),
}

MONTHLY_BASE_SCHEMA: dict[str, pl.DataType] = {
    "maand": pl.Date(),
    "code": pl.String(),
    **{c.name: pl.Int64() for c in REQUIRED_COUNTS},
}


@dataclass(frozen=True)
class DatasetMeta:
    """What a viewer must know about where the numbers come from."""

    name: str
    description: str = ""
    source: str = ""
    is_example: bool = False
    dataset_id: str | None = None  # content hash once published; None for the bundled example
    notes: dict[str, str] = field(default_factory=dict)  # the `toelichting` sheet, key -> value
    version: str = ""  # changes whenever the content does; for data without a dataset_id (the bundled example)


@dataclass(frozen=True)
class Dataset:
    units: pl.DataFrame  # UNITS_SCHEMA, one row per unit, sorted by code
    monthly: pl.DataFrame  # MONTHLY_BASE_SCHEMA + the optional counts present, sorted by (code, maand)
    meta: DatasetMeta
    # The datasets viewers could see before this one became visible, oldest first (from the store; none for the
    # bundled example or a preview). Its release is protected together with theirs (`cohort.privacy.release`).
    earlier: tuple[Dataset, ...] = field(default=(), compare=False, repr=False)
    # The sealed releases stored with a published dataset (`cohort.privacy.seal`): a release built for it takes
    # its hidden cells from the seal with its key. `sealer` stores a seal and returns the one in force (another
    # process may have sealed first), or None while viewers cannot see the dataset; None for the example and
    # datasets built in code.
    seals: tuple[Seal, ...] = field(default=(), compare=False, repr=False)
    sealer: Callable[[Seal], Seal | None] | None = field(default=None, compare=False, repr=False)

    @property
    def cache_key(self) -> str:
        """Identifies the content, for caches of computations on it (the content hash once published)."""
        return self.meta.dataset_id or self.meta.version or self._content_key

    @cached_property
    def _content_key(self) -> str:
        # Datasets built in code (tests, previews) have neither: hash the content. Not `id(self)`, which Python
        # gives to another object once this one is gone, so a cache could return that one's results.
        digest = hashlib.sha256()
        for frame in (self.units, self.monthly):
            digest.update(repr(frame.schema).encode())
            digest.update(frame.hash_rows().to_numpy().tobytes())
        return f"inhoud-{digest.hexdigest()}"

    @property
    def release_key(self) -> str:
        """Identifies what viewers of this dataset may see: its content and the publications before it."""
        return "+".join([self.cache_key, *(d.cache_key for d in self.earlier)])

    @property
    def optional_counts(self) -> tuple[str, ...]:
        """Optional count columns this dataset has (in contract order)."""
        return tuple(c for c in OPTIONAL_COUNT_NAMES if c in self.monthly.columns)

    @cached_property
    def months(self) -> list[date]:
        # Cached: the sidebar asks on every rerun, and the frame never changes (a frozen dataclass still has a
        # __dict__, which cached_property writes to directly).
        return self.monthly.get_column("maand").unique().sort().to_list()

    # Cached like `months`: the sidebar and the share link ask for these on every rerun of every session, and
    # each Polars query costs a millisecond or more (half of a cached page's rerun, bench/results.md).
    @cached_property
    def first_month(self) -> date:
        return self.months[0] if self.months else None  # type: ignore[return-value]

    @cached_property
    def last_month(self) -> date:
        return self.months[-1] if self.months else None  # type: ignore[return-value]

    @cached_property
    def areas(self) -> pl.DataFrame:
        return self.units.filter(pl.col("soort") == UnitKind.AREA)

    @cached_property
    def target_groups(self) -> pl.DataFrame:
        return self.units.filter(pl.col("soort") == UnitKind.TARGET_GROUP)

    @property
    def stadsdelen(self) -> list[str]:
        return list(self._stadsdelen)  # a copy: the cached names are shared by every session

    @cached_property
    def _stadsdelen(self) -> tuple[str, ...]:
        return tuple(self.areas.get_column("stadsdeel").drop_nulls().unique().sort().to_list())


def normalise_frames(units: pl.DataFrame, monthly: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast to the contract schema, keep contract columns only, and sort, so equal data compare equal."""
    units_out = units.select([pl.col(n).cast(t) for n, t in UNITS_SCHEMA.items()]).sort("code")
    optional = [c for c in OPTIONAL_COUNT_NAMES if c in monthly.columns]
    monthly_out = monthly.select(
        [pl.col(n).cast(t) for n, t in MONTHLY_BASE_SCHEMA.items()] + [pl.col(c).cast(pl.Int64) for c in optional]
    ).sort("code", "maand")
    return units_out, monthly_out
