"""What callers of the store receive: catalog records, resolutions, and the checks on ids from outside.

The catalog is the only source of truth for what is published: a dataset exists for viewers exactly when its
row is there with the status `gepubliceerd`. Under four-eyes publishing a publication starts as `ter goedkeuring`
(evaluators only) and becomes `gepubliceerd` when a second evaluator approves it, or `afgewezen`. Each dataset is
also marked `voorlopig` or `definitief` (`data_status`), and may be a new version of another one (`replaces`;
all versions of one series share `series_id`, the id of the first, and are numbered 1, 2, …).

Both backends return rows that can be indexed by column name; `record_from_row` turns either kind (SQLite's
text timestamps, PostgreSQL's typed values) into the same `StoredDataset`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

STATUS_PENDING: Final = "ter goedkeuring"
STATUS_PUBLISHED: Final = "gepubliceerd"
STATUS_REJECTED: Final = "afgewezen"
STATUS_WITHDRAWN: Final = "ingetrokken"
DatasetStatus = Literal["ter goedkeuring", "gepubliceerd", "afgewezen", "ingetrokken"]
STATUSES: tuple[DatasetStatus, ...] = (STATUS_PENDING, STATUS_PUBLISHED, STATUS_REJECTED, STATUS_WITHDRAWN)

DATA_PROVISIONAL: Final = "voorlopig"
DATA_FINAL: Final = "definitief"
DataStatus = Literal["voorlopig", "definitief"]
DATA_STATUSES: tuple[DataStatus, ...] = (DATA_PROVISIONAL, DATA_FINAL)

_DATASET_ID = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredDataset:
    """Catalog record of one published dataset (the data itself is loaded with `DatasetStore.load`)."""

    dataset_id: str
    name: str
    description: str
    published_at: str  # UTC, ISO 8601
    published_by: str
    n_units: int
    n_months: int
    n_rows: int
    first_month: date
    last_month: date
    validation_summary: str
    status: DatasetStatus
    is_default: bool
    withdrawn_at: str | None = None  # UTC, ISO 8601
    withdrawn_by: str | None = None
    withdrawal_reason: str = ""
    data_status: DataStatus = DATA_PROVISIONAL
    replaces: str | None = None  # the dataset_id of the version this one replaces
    series_id: str = ""  # the dataset_id of the first version of the series ("" is read as its own id)
    version: int = 1
    review_required: bool = False  # published under four-eyes: visible only after a second evaluator approved
    reviewed_at: str | None = None  # UTC, ISO 8601: approved or rejected
    reviewed_by: str | None = None
    review_note: str = ""  # the reason given for a rejection
    visible_since: str | None = None  # UTC, ISO 8601: when viewers first saw it (never reset)
    # Only set on what `publish` returns: True = stored now, False = this content was already stored.
    # Not part of equality, so a publish result equals the same record from `get`.
    newly_published: bool | None = field(default=None, compare=False)

    @property
    def visible(self) -> bool:
        """Whether viewers see it (in lists, as the default, through links)."""
        return self.status == STATUS_PUBLISHED

    @property
    def was_public(self) -> bool:
        """Whether viewers ever saw it: withdrawn before approval, it was only ever seen by evaluators."""
        if self.status == STATUS_WITHDRAWN:
            return not self.review_required or self.reviewed_at is not None
        return self.status == STATUS_PUBLISHED


@dataclass(frozen=True)
class Resolution:
    """Which dataset a viewer gets for a requested id, and why (a Dutch notice when not the requested one)."""

    dataset_id: str | None  # None: show the bundled example data (nothing is published)
    source: Literal["requested", "default", "newest", "example"]
    notice: str | None = None
    record: StoredDataset | None = None
    newer: StoredDataset | None = None  # the newest published version of `record`'s series, when newer than it


def is_valid_dataset_id(value: object) -> bool:
    """Only a full SHA-256 hex digest is ever looked up, so URL input never shapes a query or a path."""
    return isinstance(value, str) and len(value) == 64 and _DATASET_ID.fullmatch(value) is not None


def utc_now_iso() -> str:
    # Fixed width (always microseconds), so text order in SQLite is time order.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def iso_timestamp(value: str | datetime | None) -> str | None:
    """A stored moment as fixed-width UTC ISO text (PostgreSQL returns datetimes, SQLite the text itself)."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def notes_from(value: str) -> dict[str, Any]:
    return json.loads(value)


def record_from_row(row: Mapping[str, Any]) -> StoredDataset:
    return StoredDataset(
        dataset_id=row["dataset_id"],
        name=row["name"],
        description=row["description"],
        published_at=iso_timestamp(row["published_at"]) or "",
        published_by=row["published_by"],
        n_units=row["n_units"],
        n_months=row["n_months"],
        n_rows=row["n_rows"],
        first_month=as_date(row["first_month"]),
        last_month=as_date(row["last_month"]),
        validation_summary=row["validation_summary"],
        status=_known(row["status"], STATUSES),
        is_default=bool(row["is_default"]),
        withdrawn_at=iso_timestamp(row["withdrawn_at"]),
        withdrawn_by=row["withdrawn_by"],
        withdrawal_reason=row["withdrawal_reason"],
        data_status=_known(row["data_status"], DATA_STATUSES),
        replaces=row["replaces"],
        series_id=row["series_id"] or row["dataset_id"],
        version=int(row["version"]),
        review_required=bool(row["review_required"]),
        reviewed_at=iso_timestamp(row["reviewed_at"]),
        reviewed_by=row["reviewed_by"],
        review_note=row["review_note"],
        visible_since=iso_timestamp(row["visible_since"]),
    )


def _known(value: str, allowed: tuple[Any, ...]) -> Any:
    # The database's CHECK constraints allow nothing else; a value outside them means a damaged catalog.
    if value not in allowed:
        raise ValueError(f"unexpected value {value!r} in the catalog (expected one of {allowed})")
    return value
