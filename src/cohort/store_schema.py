"""The catalog of the dataset store: SQLite schema, connections and the records callers receive.

The catalog is the only source of truth for what is published: a dataset exists for viewers exactly when
its row is here. Parquet files without a row are leftovers of an interrupted publish and are never shown.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

STATUS_PUBLISHED = "gepubliceerd"
STATUS_WITHDRAWN = "ingetrokken"
DatasetStatus = Literal["gepubliceerd", "ingetrokken"]

SCHEMA_VERSION = 1
# Long enough to wait out another process's publish (a few Parquet files and one insert), short enough
# that a stuck lock surfaces as a clear message instead of a hanging page.
BUSY_TIMEOUT_SECONDS = 30.0

_DATASET_ID = re.compile(r"[0-9a-f]{64}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id TEXT NOT NULL UNIQUE CHECK (length(dataset_id) = 64),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    notes_json TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    n_units INTEGER NOT NULL,
    n_months INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    validation_summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('gepubliceerd', 'ingetrokken')),
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    withdrawn_at TEXT,
    withdrawn_by TEXT,
    withdrawal_reason TEXT NOT NULL DEFAULT '',
    -- A withdrawn dataset can never be what viewers get by default.
    CHECK (NOT (is_default = 1 AND status = 'ingetrokken'))
);
-- At most one default, enforced by SQLite itself rather than by careful application code.
CREATE UNIQUE INDEX IF NOT EXISTS one_default ON datasets (is_default) WHERE is_default = 1;
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    dataset_id TEXT,
    detail TEXT NOT NULL
);
"""


class StoreError(Exception):
    """A store operation failed; the message is Dutch and fit to show to the user."""


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
    # Only set on what `publish` returns: True = stored now, False = this content was already stored.
    # Not part of equality, so a publish result equals the same record from `get`.
    newly_published: bool | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Resolution:
    """Which dataset a viewer gets for a requested id, and why (a Dutch notice when not the requested one)."""

    dataset_id: str | None  # None: show the bundled example data (nothing is published)
    source: Literal["requested", "default", "newest", "example"]
    notice: str | None = None
    record: StoredDataset | None = None


def is_valid_dataset_id(value: object) -> bool:
    """Only a full SHA-256 hex digest is ever looked up, so URL input never shapes a query or a path."""
    return isinstance(value, str) and len(value) == 64 and _DATASET_ID.fullmatch(value) is not None


def utc_now_iso() -> str:
    # Fixed width (always microseconds), so text order in SQL is time order.
    return datetime.now(UTC).isoformat(timespec="microseconds")


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection in autocommit mode: transactions are explicit (see `write_transaction`)."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"De catalogus ({path}) kan niet worden geopend: {exc}.") from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        # FULL: a publish that returned must survive a power cut, not just a process crash.
        conn.execute("PRAGMA synchronous = FULL")
        yield conn
    except sqlite3.Error as exc:
        raise _store_error(exc) from exc
    finally:
        conn.close()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on the busy timeout
    instead of failing when a read transaction tries to upgrade to a write."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One snapshot for several SELECTs, so a concurrent publish cannot show half its effect."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def initialise(path: Path) -> None:
    """Create the schema if needed. Idempotent and safe when several processes open a new store at once."""
    with connect(path) as conn:
        _enable_wal(conn)
        with write_transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"De catalogus in {path.parent} is gemaakt door een nieuwere versie van de Cohortmonitor "
                    f"(schemaversie {version}); werk de applicatie bij."
                )
            for statement in _schema_statements():
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _schema_statements() -> list[str]:
    # executescript() would COMMIT our transaction first, so the DDL is run statement by statement.
    statements = []
    for raw in _SCHEMA.split(";"):
        lines = [line for line in raw.splitlines() if not line.strip().startswith("--")]
        statement = "\n".join(lines).strip()
        if statement:
            statements.append(statement)
    return statements


def _enable_wal(conn: sqlite3.Connection) -> None:
    # Switching to WAL needs a moment of exclusive access; a second process opening a brand-new store at
    # the same time can get "locked" without the busy handler being consulted, so retry briefly.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        if str(mode).lower() != "wal":
            raise StoreError(f"De catalogus kan niet in WAL-modus worden gezet (modus: {mode}).")
        return


def _store_error(exc: sqlite3.Error) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return StoreError("De catalogus is bezet door een andere bewerking. Probeer het zo dadelijk opnieuw.")
    return StoreError(f"De catalogus gaf een fout: {exc}.")


def record_from_row(row: sqlite3.Row) -> StoredDataset:
    return StoredDataset(
        dataset_id=row["dataset_id"],
        name=row["name"],
        description=row["description"],
        published_at=row["published_at"],
        published_by=row["published_by"],
        n_units=row["n_units"],
        n_months=row["n_months"],
        n_rows=row["n_rows"],
        first_month=date.fromisoformat(row["first_month"]),
        last_month=date.fromisoformat(row["last_month"]),
        validation_summary=row["validation_summary"],
        status=STATUS_WITHDRAWN if row["status"] == STATUS_WITHDRAWN else STATUS_PUBLISHED,
        is_default=bool(row["is_default"]),
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by=row["withdrawn_by"],
        withdrawal_reason=row["withdrawal_reason"],
    )


def add_audit(
    conn: sqlite3.Connection, *, actor: str, action: str, dataset_id: str | None, detail: str
) -> None:
    """Called inside the transaction of the action itself, so the log can never disagree with the catalog."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, dataset_id, detail) VALUES (?, ?, ?, ?, ?)",
        (utc_now_iso(), actor, action, dataset_id, detail),
    )
