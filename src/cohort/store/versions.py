"""Versions of a dataset and the second pair of eyes: the catalog rules behind them, on either backend.

- **Versions.** A publication may name the published dataset it replaces. It then joins that dataset's
  series (`series_id` = the first version's id) with the next number. Only the newest published version of a
  series can be replaced, and not while another new version of it waits for approval, so a series stays one
  line: version 3 replaces version 2, never two versions 3 side by side.
- **Four eyes.** A publication made under review starts `ter goedkeuring`; a second, *different* evaluator
  approves it (`gepubliceerd`) or rejects it (`afgewezen`). The store checks "different" itself, under the same
  write lock as the change, so two clicks in two sessions (or on two replicas) cannot both win.

Everything here runs inside the caller's write transaction (`DatasetStore`), with the audit entry in the same
transaction, so the log can never disagree with the catalog.
"""

from __future__ import annotations

from typing import Any

from cohort.fmt import fmt_timestamp_utc
from cohort.store.errors import StoreError
from cohort.store.records import (
    STATUS_PENDING,
    STATUS_PUBLISHED,
    STATUS_REJECTED,
    STATUS_WITHDRAWN,
    StoredDataset,
    is_valid_dataset_id,
    record_from_row,
)


def same_person(first: str | None, second: str | None) -> bool:
    """E-mail addresses compared without capitals and spaces (identity providers differ in capitals)."""
    return (first or "").strip().lower() == (second or "").strip().lower()


def moment_text(iso_timestamp: str | None) -> str:
    """'2021-07-06T12:05:03.123456+00:00' -> '6 juli 2021 12:05:03 UTC' (the audit log's times are UTC)."""
    if not iso_timestamp:
        return "onbekend"
    return fmt_timestamp_utc(iso_timestamp)


def version_of(conn: Any, replaces: str | None) -> tuple[str | None, int, StoredDataset | None]:
    """(series_id or None for a new series, version number, the replaced record) for a new publication.

    Checked under the write lock, so two evaluators cannot both add "the next version" of one series."""
    if replaces is None:
        return None, 1, None
    row = conn.one("SELECT * FROM datasets WHERE dataset_id = ?", (replaces,)) if is_valid_dataset_id(replaces) \
        else None
    if row is None:
        raise StoreError("De dataset die deze publicatie zou vervangen, bestaat niet. Kies een gepubliceerde dataset.")
    old = record_from_row(row)
    if old.status != STATUS_PUBLISHED:
        raise StoreError(f"‘{old.name}’ is {old.status} en kan daarom niet door een nieuwe versie worden vervangen; "
                         "kies een gepubliceerde dataset.")
    later = conn.one(
        "SELECT * FROM datasets WHERE series_id = ? AND version > ? AND status IN (?, ?) ORDER BY version DESC",
        (old.series_id, old.version, STATUS_PUBLISHED, STATUS_PENDING),
    )
    if later is not None:
        newer = record_from_row(later)
        if newer.status == STATUS_PENDING:
            raise StoreError(f"Van ‘{old.name}’ staat al een nieuwe versie ter goedkeuring (‘{newer.name}’, versie "
                             f"{newer.version}). Wacht tot die is goedgekeurd of afgewezen.")
        raise StoreError(f"‘{old.name}’ is al vervangen door ‘{newer.name}’ (versie {newer.version}). Kies de "
                         "nieuwste versie als de dataset die u vervangt.")
    highest = conn.one("SELECT MAX(version) AS version FROM datasets WHERE series_id = ?", (old.series_id,))
    return old.series_id, int(highest["version"]) + 1, old


def newer_version(conn: Any, record: StoredDataset | None) -> StoredDataset | None:
    """The newest published version of `record`'s series, when it is newer than `record`."""
    if record is None:
        return None
    row = conn.one(
        "SELECT * FROM datasets WHERE series_id = ? AND version > ? AND status = ? ORDER BY version DESC LIMIT 1",
        (record.series_id, record.version, STATUS_PUBLISHED),
    )
    return record_from_row(row) if row is not None else None


def check_review(record: StoredDataset, by: str, verb: str) -> None:
    """Refuse unless `record` waits for approval and `by` is not the evaluator who published it."""
    if record.status != STATUS_PENDING:
        state = {
            STATUS_PUBLISHED: "is al goedgekeurd en gepubliceerd" if record.review_required else "is al gepubliceerd",
            STATUS_REJECTED: "is al afgewezen",
            STATUS_WITHDRAWN: "is ingetrokken",
        }[record.status]
        who = f" (door {record.reviewed_by})" if record.reviewed_by and record.status != STATUS_WITHDRAWN else ""
        raise StoreError(f"‘{record.name}’ {state}{who}; er valt niets meer {verb}.")
    if same_person(record.published_by, by):
        raise StoreError(f"U hebt ‘{record.name}’ zelf gepubliceerd en kunt deze publicatie daarom niet {verb}: "
                         "een tweede evaluator moet dat doen (vier-ogenprincipe).")


def review_detail(record: StoredDataset, by: str, at: str, outcome: str) -> str:
    """The audit text of an approval or rejection: both evaluators and both moments."""
    return (f"‘{record.name}’ {outcome} door {by} op {moment_text(at)}; gepubliceerd door {record.published_by} op "
            f"{moment_text(record.published_at)}.")
