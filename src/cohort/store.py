"""The dataset store: published datasets in a SQLite catalog plus Parquet files, no server needed.

What an evaluator publishes must reach every viewer, survive restarts and never be damaged by a crash:
- files first, catalog row last: a dataset becomes visible in one transaction, only after its Parquet files
  are complete and fsynced (see `store_files`); an interrupted publish leaves nothing visible;
- every operation opens its own short-lived connection, so one `DatasetStore` can be shared by all
  Streamlit sessions and threads, and several processes can use the same directory (WAL, busy timeout);
- ids from outside (URLs) are only looked up when they are a well-formed SHA-256 digest.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import polars as pl

from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.settings import load_settings
from cohort.store_files import (
    MONTHLY_FILE,
    UNITS_FILE,
    clean_temp_files,
    content_id,
    read_frames,
    write_frames,
)
from cohort.store_schema import (
    STATUS_PUBLISHED,
    STATUS_WITHDRAWN,
    Resolution,
    StoredDataset,
    StoreError,
    add_audit,
    connect,
    initialise,
    is_valid_dataset_id,
    read_transaction,
    record_from_row,
    utc_now_iso,
    write_transaction,
)

__all__ = ["DatasetStore", "Resolution", "StoreError", "StoredDataset", "is_valid_dataset_id"]

CATALOG_FILE = "catalog.sqlite3"
ACTION_PUBLISH = "publiceren"
ACTION_SET_DEFAULT = "standaard instellen"
ACTION_WITHDRAW = "intrekken"
AUDIT_COLUMNS = ("Tijdstip (UTC)", "Door", "Actie", "Dataset", "Toelichting")
_MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")


class DatasetStore:
    """Published datasets under `root` (by default `load_settings().store_dir`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"De map voor gepubliceerde datasets ({self.root}) kan niet worden gemaakt: {exc}."
            ) from exc
        self.catalog_path = self.root / CATALOG_FILE
        self.datasets_dir = self.root / "datasets"
        initialise(self.catalog_path)
        clean_temp_files(self.datasets_dir)

    @classmethod
    def from_settings(cls) -> DatasetStore:
        return cls(load_settings().store_dir)

    # --- publishing ---------------------------------------------------------------------------------

    def publish(
        self, dataset: Dataset, *, name: str, description: str, published_by: str, validation_summary: str
    ) -> StoredDataset:
        """Store the dataset under its content id; the same data again returns the existing record
        (`newly_published` False; a withdrawn one is published again) and changes nothing else."""
        name, published_by = name.strip(), _actor(published_by)
        if not name:
            raise StoreError("Geef de dataset een naam voordat u publiceert.")
        units, monthly = _normalised(dataset)
        dataset_id = content_id(units, monthly)
        directory = self.datasets_dir / dataset_id

        existing = self.get(dataset_id)
        if existing is None or not _files_present(directory):
            write_frames(directory, units, monthly)
        with connect(self.catalog_path) as conn, write_transaction(conn):
            # Checked again under the write lock: another process may have published the same data meanwhile.
            row = _fetch(conn, dataset_id)
            if row is not None:
                return _republish(conn, record_from_row(row), published_by)
            months = monthly.get_column("maand")
            conn.execute(
                "INSERT INTO datasets (dataset_id, name, description, source, notes_json, published_at,"
                " published_by, n_units, n_months, n_rows, first_month, last_month, validation_summary,"
                " status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dataset_id, name, description, dataset.meta.source,
                    json.dumps(dict(dataset.meta.notes), ensure_ascii=False, sort_keys=True, default=str),
                    utc_now_iso(), published_by, units.height, months.n_unique(), monthly.height,
                    _iso(months.min()), _iso(months.max()), validation_summary, STATUS_PUBLISHED,
                ),
            )
            record = record_from_row(_fetch(conn, dataset_id))  # type: ignore[arg-type]
            add_audit(conn, actor=published_by, action=ACTION_PUBLISH, dataset_id=dataset_id,
                      detail=f"‘{name}’: {record.n_units} eenheden, {record.n_months} maanden "
                             f"({record.first_month.isoformat()} t/m {record.last_month.isoformat()}).")
        return _with_flag(record, newly_published=True)

    def set_default(self, dataset_id: str, by: str) -> StoredDataset:
        """Make this the dataset viewers see when their link names none."""
        by = _actor(by)
        with connect(self.catalog_path) as conn, write_transaction(conn):
            record = self._require(conn, dataset_id)
            if record.status == STATUS_WITHDRAWN:
                raise StoreError(
                    f"‘{record.name}’ is ingetrokken en kan daarom niet de standaarddataset worden."
                )
            previous = conn.execute("SELECT dataset_id, name FROM datasets WHERE is_default = 1").fetchone()
            conn.execute("UPDATE datasets SET is_default = 0 WHERE is_default = 1")
            conn.execute("UPDATE datasets SET is_default = 1 WHERE dataset_id = ?", (dataset_id,))
            detail = f"‘{record.name}’ is nu de standaarddataset"
            detail += f" (was ‘{previous['name']}’)." if previous is not None else " (er was geen)."
            add_audit(conn, actor=by, action=ACTION_SET_DEFAULT, dataset_id=dataset_id, detail=detail)
            return record_from_row(_fetch(conn, dataset_id))  # type: ignore[arg-type]

    def withdraw(self, dataset_id: str, by: str, reason: str = "") -> StoredDataset:
        """Hide a dataset from lists and links; its files stay stored for the record."""
        by, reason = _actor(by), reason.strip()
        with connect(self.catalog_path) as conn, write_transaction(conn):
            record = self._require(conn, dataset_id)
            if record.status == STATUS_WITHDRAWN:
                raise StoreError(f"‘{record.name}’ is al ingetrokken.")
            conn.execute(
                "UPDATE datasets SET status = ?, is_default = 0, withdrawn_at = ?, withdrawn_by = ?,"
                " withdrawal_reason = ? WHERE dataset_id = ?",
                (STATUS_WITHDRAWN, utc_now_iso(), by, reason, dataset_id),
            )
            detail = f"‘{record.name}’ ingetrokken" + (f": {reason}" if reason else ".")
            if record.is_default:
                detail += " Dit was de standaarddataset; er is nu geen standaarddataset."
            add_audit(conn, actor=by, action=ACTION_WITHDRAW, dataset_id=dataset_id, detail=detail)
            return record_from_row(_fetch(conn, dataset_id))  # type: ignore[arg-type]

    # --- reading ------------------------------------------------------------------------------------

    def get(self, dataset_id: str) -> StoredDataset | None:
        if not is_valid_dataset_id(dataset_id):
            return None
        with connect(self.catalog_path) as conn:
            row = _fetch(conn, dataset_id)
        return record_from_row(row) if row is not None else None

    def list_datasets(self, include_withdrawn: bool = False) -> list[StoredDataset]:
        """Newest first."""
        statuses = (STATUS_PUBLISHED, STATUS_WITHDRAWN) if include_withdrawn else (STATUS_PUBLISHED,)
        with connect(self.catalog_path) as conn:
            rows = conn.execute(
                "SELECT * FROM datasets WHERE status IN (?, ?) ORDER BY published_at DESC, seq DESC",
                (statuses[0], statuses[-1]),
            ).fetchall()
        return [record_from_row(row) for row in rows]

    def default_id(self) -> str | None:
        with connect(self.catalog_path) as conn:
            row = conn.execute("SELECT dataset_id FROM datasets WHERE is_default = 1").fetchone()
        return row["dataset_id"] if row is not None else None

    def load(self, dataset_id: str) -> Dataset:
        """The stored data (withdrawn data too: the caller decides what to show). Cache by dataset_id."""
        if not is_valid_dataset_id(dataset_id):
            raise StoreError("Onbekende dataset: dit is geen geldige datasetcode.")
        with connect(self.catalog_path) as conn:
            row = _fetch(conn, dataset_id)
        if row is None:
            raise StoreError("Onbekende dataset: deze dataset is niet gepubliceerd.")
        units, monthly = read_frames(self.datasets_dir / dataset_id)
        meta = DatasetMeta(
            name=row["name"], description=row["description"], source=row["source"], is_example=False,
            dataset_id=dataset_id, notes=json.loads(row["notes_json"]),
        )
        return Dataset(units=units, monthly=monthly, meta=meta)

    def resolve(self, dataset_id: str | None) -> Resolution:
        """Which dataset to show for a requested id (e.g. from the URL); a Dutch notice if not that one."""
        requested: StoredDataset | None = None
        with connect(self.catalog_path) as conn, read_transaction(conn):
            if is_valid_dataset_id(dataset_id):
                row = _fetch(conn, dataset_id)  # type: ignore[arg-type]
                requested = record_from_row(row) if row is not None else None
            if requested is not None and requested.status == STATUS_PUBLISHED:
                return Resolution(requested.dataset_id, "requested", None, requested)
            fallback = self._fallback(conn)
        if not dataset_id:
            return fallback
        if requested is None:
            notice = "Onbekende dataset: de link verwijst naar een dataset die niet bestaat."
        else:
            notice = _withdrawn_notice(requested)
        notice = f"{notice} {_showing(fallback)}"
        return Resolution(fallback.dataset_id, fallback.source, notice, fallback.record)

    def audit_log(self, limit: int = 100) -> pl.DataFrame:
        """Newest first, with Dutch column names for display."""
        with connect(self.catalog_path) as conn:
            rows = conn.execute(
                "SELECT at, actor, action, dataset_id, detail FROM audit_log ORDER BY seq DESC LIMIT ?",
                (max(0, int(limit)),),
            ).fetchall()
        data = {
            AUDIT_COLUMNS[0]: [datetime.fromisoformat(r["at"]) for r in rows],
            AUDIT_COLUMNS[1]: [r["actor"] for r in rows],
            AUDIT_COLUMNS[2]: [r["action"] for r in rows],
            AUDIT_COLUMNS[3]: [r["dataset_id"] for r in rows],
            AUDIT_COLUMNS[4]: [r["detail"] for r in rows],
        }
        schema = {AUDIT_COLUMNS[0]: pl.Datetime("us", "UTC"), **{c: pl.String() for c in AUDIT_COLUMNS[1:]}}
        return pl.DataFrame(data, schema=schema)

    # --- helpers ------------------------------------------------------------------------------------

    def _require(self, conn: sqlite3.Connection, dataset_id: str) -> StoredDataset:
        row = _fetch(conn, dataset_id) if is_valid_dataset_id(dataset_id) else None
        if row is None:
            raise StoreError("Onbekende dataset: deze dataset is niet gepubliceerd.")
        return record_from_row(row)

    def _fallback(self, conn: sqlite3.Connection) -> Resolution:
        # The default if one is set; otherwise the newest publication, so that publishing real data is
        # enough to stop showing example data; the bundled example only when nothing is published.
        row = conn.execute("SELECT * FROM datasets WHERE is_default = 1").fetchone()
        if row is not None:
            return Resolution(row["dataset_id"], "default", None, record_from_row(row))
        row = conn.execute(
            "SELECT * FROM datasets WHERE status = ? ORDER BY published_at DESC, seq DESC LIMIT 1",
            (STATUS_PUBLISHED,),
        ).fetchone()
        if row is not None:
            return Resolution(row["dataset_id"], "newest", None, record_from_row(row))
        return Resolution(None, "example")


def _normalised(dataset: Dataset) -> tuple[pl.DataFrame, pl.DataFrame]:
    try:
        units, monthly = normalise_frames(dataset.units, dataset.monthly)
    except pl.exceptions.PolarsError as exc:
        raise StoreError(
            f"De dataset voldoet niet aan het gegevenscontract en is niet gepubliceerd: {exc}"
        ) from exc
    if units.is_empty() or monthly.is_empty():
        raise StoreError("Een lege dataset (zonder eenheden of maandcijfers) kan niet worden gepubliceerd.")
    return units, monthly


def _actor(by: str) -> str:
    # The audit log is only worth something if every action has a name attached.
    if not by.strip():
        raise StoreError("Vermeld wie deze wijziging doet; dat wordt vastgelegd in het logboek.")
    return by.strip()


def _republish(conn: sqlite3.Connection, record: StoredDataset, by: str) -> StoredDataset:
    if record.status == STATUS_WITHDRAWN:
        conn.execute(
            "UPDATE datasets SET status = ?, withdrawn_at = NULL, withdrawn_by = NULL, withdrawal_reason = ''"
            " WHERE dataset_id = ?",
            (STATUS_PUBLISHED, record.dataset_id),
        )
        detail = f"Dezelfde gegevens als ‘{record.name}’ (ingetrokken); opnieuw gepubliceerd."
        record = record_from_row(_fetch(conn, record.dataset_id))  # type: ignore[arg-type]
    else:
        detail = f"Dezelfde gegevens waren al gepubliceerd als ‘{record.name}’; niets gewijzigd."
    add_audit(conn, actor=by, action=ACTION_PUBLISH, dataset_id=record.dataset_id, detail=detail)
    return _with_flag(record, newly_published=False)


def _with_flag(record: StoredDataset, *, newly_published: bool) -> StoredDataset:
    return replace(record, newly_published=newly_published)


def _fetch(conn: sqlite3.Connection, dataset_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM datasets WHERE dataset_id = ?", (dataset_id,)).fetchone()


def _files_present(directory: Path) -> bool:
    return (directory / UNITS_FILE).is_file() and (directory / MONTHLY_FILE).is_file()


def _iso(value: object) -> str:
    if not isinstance(value, date):
        raise StoreError("De maandcijfers bevatten geen geldige maanden.")
    return value.isoformat()


def _dutch_date(iso_timestamp: str) -> str:
    moment = datetime.fromisoformat(iso_timestamp)
    return f"{moment.day} {_MONTH_NAMES[moment.month - 1]} {moment.year}"


def _withdrawn_notice(record: StoredDataset) -> str:
    when = f" op {_dutch_date(record.withdrawn_at)}" if record.withdrawn_at else ""
    why = f" Reden: {record.withdrawal_reason}." if record.withdrawal_reason else ""
    return f"Deze dataset is ingetrokken{when}: ‘{record.name}’ wordt niet meer getoond.{why}"


def _showing(fallback: Resolution) -> str:
    if fallback.record is None:
        return "U ziet nu de voorbeelddata, want er is nog geen dataset gepubliceerd."
    if fallback.source == "default":
        return f"U ziet nu de standaarddataset ‘{fallback.record.name}’."
    return f"U ziet nu de meest recent gepubliceerde dataset ‘{fallback.record.name}’."
