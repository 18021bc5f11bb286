"""The dataset store: publish, default, withdraw, resolve and load, on either backend.

What an evaluator publishes must reach every viewer, survive restarts and crashes, and never be damaged:
- the backend is the embedded one (SQLite catalog + Parquet files, the default) or PostgreSQL when
  `COHORT_DATABASE_URL` is set (every replica of the app then shares one catalog); the logic here is the same
  for both, and so are the content-addressed ids;
- a dataset becomes visible in one transaction, only when its content is complete; a failed publish leaves
  nothing behind, and any failure is a Dutch message (see `cohort.store.errors`), logged in full;
- content is checked against the checksums recorded at publish every time it is loaded;
- ids from outside (URLs) are only looked up when they are a well-formed SHA-256 digest;
- a publication may be a new version of a published dataset, is marked `voorlopig` or `definitief`, and under
  four-eyes publishing waits `ter goedkeuring` until a second evaluator approves it (`cohort.store.versions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.fmt import fmt_int, fmt_local_date
from cohort.privacy.seal import METHODS, Seal
from cohort.settings import ENV_DATABASE_URL, load_settings
from cohort.store.content import PARTS, checksum, content_id, damaged, decode, encode
from cohort.store.errors import DatasetDamaged, StoreError, guarded, log
from cohort.store.records import (
    DATA_PROVISIONAL,
    DATA_STATUSES,
    STATUS_PENDING,
    STATUS_PUBLISHED,
    STATUS_REJECTED,
    STATUS_WITHDRAWN,
    Resolution,
    StoredDataset,
    is_valid_dataset_id,
    iso_timestamp,
    notes_from,
    record_from_row,
    utc_now_iso,
)
from cohort.store.sqlite import CATALOG_FILE, SqliteBackend
from cohort.store.versions import check_review, newer_version, review_detail, version_of

DATABASE_URL_ENV = ENV_DATABASE_URL
ACTION_PUBLISH = "publiceren"
ACTION_SET_DEFAULT = "standaard instellen"
ACTION_WITHDRAW = "intrekken"
ACTION_APPROVE = "goedkeuren"
ACTION_REJECT = "afwijzen"
ACTION_DATA_STATUS = "status wijzigen"
ACTION_SEAL = "verbergingen vastleggen"
SYSTEM_ACTOR = "systeem"  # the app itself, sealing a release when a page first builds it
AUDIT_COLUMNS = ("Tijdstip (UTC)", "Door", "Actie", "Dataset", "Toelichting")
_UNKNOWN = "Onbekende dataset: deze dataset is niet gepubliceerd."


def database_url() -> str | None:
    """`COHORT_DATABASE_URL` (postgresql://…), or None for the embedded store."""
    return load_settings().database_url


@dataclass(frozen=True)
class DatasetCheck:
    dataset_id: str
    name: str
    status: str
    problem: str | None  # None: the content matches its checksums and its content id


@dataclass(frozen=True)
class SealCheck:
    dataset_id: str
    seal_key: str
    problem: str | None  # None: the stored bits match their checksum and hold `cells` cells


@dataclass(frozen=True)
class VerifyReport:
    datasets: list[DatasetCheck]
    leftovers: list[str] = field(default_factory=list)  # stored content without a catalog row
    seals: list[SealCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.problem is None for check in self.datasets) and all(s.problem is None for s in self.seals)


class DatasetStore:
    """Published datasets: under `root` (embedded), or in the PostgreSQL database at `database_url`."""

    def __init__(self, root: Path | None = None, *, database_url: str | None = None) -> None:
        self.root = Path(root) if root is not None else None
        if database_url:
            from cohort.store.postgres import PostgresBackend, describe  # psycopg only when configured

            where = describe(database_url)
            with guarded("read", where):
                self._backend: Any = PostgresBackend(database_url)
        else:
            if self.root is None:
                raise ValueError("DatasetStore needs a directory or a database URL")
            with guarded("read", str(self.root / CATALOG_FILE)):
                self._backend = SqliteBackend(self.root)
        self.where = self._backend.where

    @classmethod
    def from_settings(cls) -> DatasetStore:
        return cls(load_settings().store_dir, database_url=database_url())

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._backend.dialect

    @property
    def read_only(self) -> bool:
        return self._backend.read_only

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> DatasetStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- publishing ---------------------------------------------------------------------------------

    def publish(
        self, dataset: Dataset, *, name: str, description: str, published_by: str, validation_summary: str,
        replaces: str | None = None, data_status: str = DATA_PROVISIONAL, review: bool = False,
    ) -> StoredDataset:
        """Store the dataset under its content id; the same data again returns the existing record
        (`newly_published` False; a withdrawn or rejected one is published again) and changes nothing else.

        `replaces`: the id of the published dataset this is a new version of. `review`: four-eyes publishing,
        the dataset is `ter goedkeuring` (evaluators only) until another evaluator approves it (`approve`).
        """
        name, published_by = name.strip(), _actor(published_by)
        if not name:
            raise StoreError("Geef de dataset een naam voordat u publiceert.")
        _check_data_status(data_status)
        with guarded("publish", self.where):
            units, monthly = _normalised(dataset)
            dataset_id = content_id(units, monthly)
            parts = encode(units, monthly)
            sums = {part: checksum(parts[part]) for part in PARTS}
            with self._backend.writing() as conn:
                # Checked under the write lock: another process may have published the same data meanwhile.
                row = _fetch(conn, dataset_id)
                if row is not None:
                    return self._republish(conn, row, published_by, parts, sums, review=review)
                series_id, version, replaced = version_of(conn, replaces)
                months = monthly.get_column("maand")
                now = utc_now_iso()
                conn.run(
                    "INSERT INTO datasets (dataset_id, name, description, source, notes_json, published_at,"
                    " published_by, n_units, n_months, n_rows, first_month, last_month, validation_summary,"
                    " status, units_sha256, monthly_sha256, data_status, replaces, series_id, version,"
                    " review_required, visible_since)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        dataset_id, name, description, dataset.meta.source,
                        json.dumps(dict(dataset.meta.notes), ensure_ascii=False, sort_keys=True, default=str),
                        now, published_by, units.height, months.n_unique(), monthly.height,
                        _iso(months.min()), _iso(months.max()), validation_summary,
                        STATUS_PENDING if review else STATUS_PUBLISHED, sums["units"], sums["monthly"],
                        data_status, replaces, series_id or dataset_id, version, review,
                        None if review else now,
                    ),
                )
                self._backend.put_content(conn, dataset_id, parts)
                record = record_from_row(_fetch(conn, dataset_id))
                detail = (f"‘{name}’ ({data_status}): {record.n_units} eenheden, {record.n_months} maanden "
                          f"({record.first_month.isoformat()} t/m {record.last_month.isoformat()}).")
                if replaced is not None:
                    detail += f" Versie {version}, vervangt ‘{replaced.name}’ (versie {replaced.version})."
                if review:
                    detail += " Ter goedkeuring: viewers zien de dataset pas als een tweede evaluator hem goedkeurt."
                else:
                    detail += _take_over_default(conn, record)
                add_audit(conn, actor=published_by, action=ACTION_PUBLISH, dataset_id=dataset_id, detail=detail)
                record = record_from_row(_fetch(conn, dataset_id))
        return _with_flag(record, newly_published=True)

    def _republish(
        self, conn: Any, row: Any, by: str, parts: dict[str, bytes], sums: dict[str, str], *, review: bool
    ) -> StoredDataset:
        record = record_from_row(row)
        repaired = False
        try:
            decode(self._backend.get_content(record.dataset_id, conn), _checksums(row),
                   dataset_id=record.dataset_id, name=record.name)
        except DatasetDamaged as damage:
            # The same content id is a promise that these are the same data: store them again.
            log.error("dataset %s in %s was damaged and is repaired by a new publish: %s",
                      record.dataset_id, self.where, damage)
            self._backend.put_content(conn, record.dataset_id, parts)
            conn.run("UPDATE datasets SET units_sha256 = ?, monthly_sha256 = ? WHERE dataset_id = ?",
                     (sums["units"], sums["monthly"], record.dataset_id))
            repaired = True
        if record.status in (STATUS_WITHDRAWN, STATUS_REJECTED):
            # A new act of publication: whoever publishes now is the publisher a second evaluator must differ from.
            now = utc_now_iso()
            conn.run(
                "UPDATE datasets SET status = ?, published_at = ?, published_by = ?, withdrawn_at = NULL,"
                " withdrawn_by = NULL, withdrawal_reason = '', review_required = ?, reviewed_at = NULL,"
                " reviewed_by = NULL, review_note = '', visible_since = COALESCE(visible_since, ?)"
                " WHERE dataset_id = ?",
                (STATUS_PENDING if review else STATUS_PUBLISHED, now, by, review, None if review else now,
                 record.dataset_id),
            )
            again = "opnieuw ter goedkeuring aangeboden" if review else "opnieuw gepubliceerd"
            detail = f"Dezelfde gegevens als ‘{record.name}’ ({record.status}); {again}."
            record = record_from_row(_fetch(conn, record.dataset_id))
        elif record.status == STATUS_PENDING:
            detail = (f"Dezelfde gegevens staan al ter goedkeuring als ‘{record.name}’ (gepubliceerd door "
                      f"{record.published_by}); niets gewijzigd.")
        else:
            detail = f"Dezelfde gegevens waren al gepubliceerd als ‘{record.name}’; niets gewijzigd."
        if repaired:
            detail += " De opgeslagen gegevens waren beschadigd en zijn hersteld."
        add_audit(conn, actor=by, action=ACTION_PUBLISH, dataset_id=record.dataset_id, detail=detail)
        return _with_flag(record, newly_published=False)

    def set_default(self, dataset_id: str, by: str) -> StoredDataset:
        """Make this the dataset viewers see when their link names none."""
        by = _actor(by)
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            if record.status != STATUS_PUBLISHED:
                why = "wacht nog op goedkeuring" if record.status == STATUS_PENDING else f"is {record.status}"
                raise StoreError(f"‘{record.name}’ {why} en kan daarom niet de standaarddataset worden.")
            previous = conn.one("SELECT dataset_id, name FROM datasets WHERE is_default = TRUE")
            conn.run("UPDATE datasets SET is_default = FALSE WHERE is_default = TRUE")
            conn.run("UPDATE datasets SET is_default = TRUE WHERE dataset_id = ?", (dataset_id,))
            detail = f"‘{record.name}’ is nu de standaarddataset"
            detail += f" (was ‘{previous['name']}’)." if previous is not None else " (er was geen)."
            add_audit(conn, actor=by, action=ACTION_SET_DEFAULT, dataset_id=dataset_id, detail=detail)
            return record_from_row(_fetch(conn, dataset_id))

    def withdraw(self, dataset_id: str, by: str, reason: str = "") -> StoredDataset:
        """Hide a dataset from lists and links; its content stays stored for the record."""
        by, reason = _actor(by), reason.strip()
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            if record.status == STATUS_WITHDRAWN:
                raise StoreError(f"‘{record.name}’ is al ingetrokken.")
            if record.status == STATUS_REJECTED:
                raise StoreError(f"‘{record.name}’ is afgewezen en was nooit zichtbaar; er valt niets in te trekken.")
            conn.run(
                "UPDATE datasets SET status = ?, is_default = FALSE, withdrawn_at = ?, withdrawn_by = ?,"
                " withdrawal_reason = ? WHERE dataset_id = ?",
                (STATUS_WITHDRAWN, utc_now_iso(), by, reason, dataset_id),
            )
            detail = f"‘{record.name}’ ingetrokken" + (f": {reason}" if reason else ".")
            if record.status == STATUS_PENDING:
                detail += " De dataset stond nog ter goedkeuring en is nooit zichtbaar geweest voor viewers."
            if record.is_default:
                detail += " Dit was de standaarddataset; er is nu geen standaarddataset."
            add_audit(conn, actor=by, action=ACTION_WITHDRAW, dataset_id=dataset_id, detail=detail)
            return record_from_row(_fetch(conn, dataset_id))

    def approve(self, dataset_id: str, by: str) -> StoredDataset:
        """The second pair of eyes: make a publication that waits for approval visible to viewers.

        Refused for the evaluator who published it, and for anything that no longer waits (already approved,
        rejected or withdrawn, also by someone else a moment ago: the check runs under the write lock)."""
        by = _actor(by)
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            check_review(record, by, "goedkeuren")
            now = utc_now_iso()
            conn.run("UPDATE datasets SET status = ?, reviewed_at = ?, reviewed_by = ?,"
                     " visible_since = COALESCE(visible_since, ?) WHERE dataset_id = ?",
                     (STATUS_PUBLISHED, now, by, now, dataset_id))
            approved = record_from_row(_fetch(conn, dataset_id))
            detail = review_detail(record, by, now, "goedgekeurd") + " Nu zichtbaar voor viewers."
            detail += _take_over_default(conn, approved)
            add_audit(conn, actor=by, action=ACTION_APPROVE, dataset_id=dataset_id, detail=detail, at=now)
            return record_from_row(_fetch(conn, dataset_id))

    def reject(self, dataset_id: str, by: str, reason: str) -> StoredDataset:
        """The second evaluator refuses a publication that waits for approval; viewers never see it."""
        by, reason = _actor(by), reason.strip()
        if not reason:
            raise StoreError("Vermeld waarom u deze publicatie afwijst; dat wordt vastgelegd in het logboek.")
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            check_review(record, by, "afwijzen")
            now = utc_now_iso()
            conn.run("UPDATE datasets SET status = ?, reviewed_at = ?, reviewed_by = ?, review_note = ?"
                     " WHERE dataset_id = ?", (STATUS_REJECTED, now, by, reason, dataset_id))
            add_audit(conn, actor=by, action=ACTION_REJECT, dataset_id=dataset_id,
                      detail=review_detail(record, by, now, "afgewezen") + f" Reden: {reason}", at=now)
            return record_from_row(_fetch(conn, dataset_id))

    def set_data_status(self, dataset_id: str, data_status: str, by: str) -> StoredDataset:
        """Mark a dataset `voorlopig` or `definitief` (the same figures, confirmed or not)."""
        by = _actor(by)
        _check_data_status(data_status)
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            if record.status not in (STATUS_PUBLISHED, STATUS_PENDING):
                raise StoreError(f"‘{record.name}’ is {record.status}; de status van de gegevens kan niet meer "
                                 "worden gewijzigd.")
            if record.data_status == data_status:
                raise StoreError(f"‘{record.name}’ is al {data_status}.")
            conn.run("UPDATE datasets SET data_status = ? WHERE dataset_id = ?", (data_status, dataset_id))
            add_audit(conn, actor=by, action=ACTION_DATA_STATUS, dataset_id=dataset_id,
                      detail=f"‘{record.name}’: {record.data_status} → {data_status}.")
            return record_from_row(_fetch(conn, dataset_id))

    # --- reading ------------------------------------------------------------------------------------

    def get(self, dataset_id: str) -> StoredDataset | None:
        if not is_valid_dataset_id(dataset_id):
            return None
        with guarded("read", self.where), self._backend.reading() as conn:
            row = _fetch(conn, dataset_id)
        return record_from_row(row) if row is not None else None

    def list_datasets(self, include_withdrawn: bool = False, *, include_review: bool = False) -> list[StoredDataset]:
        """Newest first: the published datasets, and the withdrawn ones and those waiting for or refused at
        review (for evaluators) when asked."""
        statuses = [STATUS_PUBLISHED]
        if include_withdrawn:
            statuses.append(STATUS_WITHDRAWN)
        if include_review:
            statuses += [STATUS_PENDING, STATUS_REJECTED]
        marks = ", ".join("?" for _ in statuses)
        with guarded("read", self.where), self._backend.reading() as conn:
            rows = conn.all(
                f"SELECT * FROM datasets WHERE status IN ({marks}) ORDER BY published_at DESC, seq DESC",
                tuple(statuses),
            )
        return [record_from_row(row) for row in rows]

    def series(self, dataset_id: str) -> list[StoredDataset]:
        """Every version of the series `dataset_id` belongs to (any status), oldest version first."""
        with guarded("read", self.where), self._backend.reading() as conn:
            record = _require(conn, dataset_id)
            rows = conn.all("SELECT * FROM datasets WHERE series_id = ? ORDER BY version", (record.series_id,))
        return [record_from_row(row) for row in rows]

    def visible_before(self, dataset_id: str) -> list[str]:
        """The datasets viewers could see before `dataset_id` became visible (all they ever saw, for one not
        yet visible), in the order they became visible: its release is protected together with theirs
        (`cohort.privacy.release`). Withdrawn ones count: what was shown once cannot be taken back."""
        with guarded("read", self.where), self._backend.reading() as conn:
            own = _require(conn, dataset_id)
            rows = conn.all("SELECT dataset_id, visible_since, seq FROM datasets WHERE visible_since IS NOT NULL")
            own_seq = conn.one("SELECT seq FROM datasets WHERE dataset_id = ?", (dataset_id,))["seq"]
        order = sorted((iso_timestamp(row["visible_since"]) or "", row["seq"], row["dataset_id"]) for row in rows)
        mine = (own.visible_since, own_seq)
        return [dataset for since, seq, dataset in order
                if dataset != dataset_id and (mine[0] is None or (since, seq) < mine)]

    def default_id(self) -> str | None:
        with guarded("read", self.where), self._backend.reading() as conn:
            row = conn.one("SELECT dataset_id FROM datasets WHERE is_default = TRUE")
        return row["dataset_id"] if row is not None else None

    def load(self, dataset_id: str) -> Dataset:
        """The stored data (withdrawn data too: the caller decides what to show), checked against the
        checksums of its publication. Cache by dataset_id: it is the content's own hash."""
        if not is_valid_dataset_id(dataset_id):
            raise StoreError("Onbekende dataset: dit is geen geldige datasetcode.")
        with guarded("read", self.where):
            with self._backend.reading() as conn:
                row = _fetch(conn, dataset_id)
                seal_rows = conn.all("SELECT * FROM release_seals WHERE dataset_id = ? ORDER BY seal_key",
                                     (dataset_id,))
            if row is None:
                raise StoreError(_UNKNOWN)
            parts = self._backend.get_content(dataset_id)
            units, monthly = self._checked(row, parts)
            seals = tuple(self._checked_seal(row, seal_row) for seal_row in seal_rows)
            meta = DatasetMeta(
                name=row["name"], description=row["description"], source=row["source"], is_example=False,
                dataset_id=dataset_id, notes=notes_from(row["notes_json"]),
            )
        return Dataset(units=units, monthly=monthly, meta=meta, seals=seals)

    def _checked(self, row: Any, parts: dict[str, bytes], *, full: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
        try:
            return decode(parts, _checksums(row), dataset_id=row["dataset_id"], name=row["name"], full=full)
        except DatasetDamaged as damage:
            actual = {part: checksum(data) for part, data in parts.items()}
            log.error("dataset %s in %s refused: %s (recorded checksums %s, stored content %s)",
                      row["dataset_id"], self.where, damage, _checksums(row), actual, exc_info=damage.__cause__)
            raise

    def _checked_seal(self, row: Any, seal_row: Any) -> Seal:
        """A stored seal, after checking its bits against the checksum recorded with them. A damaged seal
        refuses the dataset, like damaged data: protecting afresh could show what viewers were never shown."""
        seal = _seal_from_row(seal_row)
        problem = _seal_problem(seal, seal_row["checksum"])
        if problem is not None:
            log.error("seal %s of dataset %s in %s refused: %s", seal.key, row["dataset_id"], self.where, problem)
            raise damaged(row["name"], row["dataset_id"], "de vastgelegde verbergingen zijn beschadigd")
        return seal

    # --- sealed releases ----------------------------------------------------------------------------

    def seal(self, dataset_id: str, seal: Seal, *, by: str = SYSTEM_ACTOR) -> Seal | None:
        """Keep the hidden cells of a release of a dataset viewers can see (`cohort.privacy.seal`). The first
        seal under a key stays for good: returns the seal in force (this one, or the one stored before), or None
        when viewers have never seen the dataset (approval may still bring other publications before it)."""
        by = _actor(by)
        if seal.method not in METHODS:
            raise StoreError(f"Onbekende beschermingsmethode ‘{seal.method}’.")
        with guarded("change", self.where), self._backend.writing() as conn:
            record = _require(conn, dataset_id)
            if record.visible_since is None:
                return None
            existing = conn.one("SELECT * FROM release_seals WHERE dataset_id = ? AND seal_key = ?",
                                (dataset_id, seal.key))
            if existing is not None:
                return self._checked_seal(_fetch(conn, dataset_id), existing)
            sealed_at = utc_now_iso()
            conn.run(
                "INSERT INTO release_seals (dataset_id, seal_key, method, cells, cells_digest, hidden, checksum,"
                " sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (dataset_id, seal.key, seal.method, seal.cells, seal.cells_digest, seal.hidden, seal.checksum,
                 sealed_at),
            )
            hidden = int(seal.hidden_mask().sum())
            detail = (f"‘{record.name}’: {fmt_int(hidden)} van de {fmt_int(seal.cells)} cellen verborgen (methode "
                      f"{seal.method}; {seal.key.split(';')[0]}). Dit blijft zo voor alle viewers.")
            # The audit log is what people did; the app's own seal after each publication goes to the server log.
            if by == SYSTEM_ACTOR:
                log.info("dataset %s sealed: %s", dataset_id, detail)
            else:
                add_audit(conn, actor=by, action=ACTION_SEAL, dataset_id=dataset_id, detail=detail)
        return replace(seal, sealed_at=sealed_at)

    def resolve(self, dataset_id: str | None, *, include_pending: bool = False) -> Resolution:
        """Which dataset to show for a requested id (e.g. from the URL); a Dutch notice if not that one.

        `include_pending`: the user is an evaluator, who may open a publication that waits for approval (to
        check it); everyone else gets a notice and the default. `newer` names a newer published version."""
        requested: StoredDataset | None = None
        with guarded("read", self.where), self._backend.reading() as conn:
            if is_valid_dataset_id(dataset_id):
                row = _fetch(conn, dataset_id)  # type: ignore[arg-type]
                requested = record_from_row(row) if row is not None else None
            if requested is not None and (requested.status == STATUS_PUBLISHED
                                          or (include_pending and requested.status == STATUS_PENDING)):
                return Resolution(requested.dataset_id, "requested", None, requested, newer_version(conn, requested))
            fallback = _fallback(conn)
            newer = newer_version(conn, requested)
        if not dataset_id:
            return fallback
        if requested is None:
            notice = "Onbekende dataset: de link verwijst naar een dataset die niet bestaat."
        elif requested.status == STATUS_PENDING:
            notice = ("Deze dataset wacht nog op goedkeuring door een tweede evaluator en is daarom nog niet "
                      "openbaar.")
        elif requested.status == STATUS_REJECTED:
            notice = "Deze dataset is bij de controle door een tweede evaluator afgewezen en wordt niet getoond."
        else:
            notice = _withdrawn_notice(requested)
            if newer is not None:
                notice += f" Er is een nieuwere versie: ‘{newer.name}’ (versie {newer.version})."
        notice = f"{notice} {_showing(fallback)}"
        return Resolution(fallback.dataset_id, fallback.source, notice, fallback.record, fallback.newer)

    def audit_log(self, limit: int = 100) -> pl.DataFrame:
        """Newest first, with Dutch column names for display."""
        with guarded("read", self.where), self._backend.reading() as conn:
            rows = conn.all(
                "SELECT at, actor, action, dataset_id, detail FROM audit_log ORDER BY seq DESC LIMIT ?",
                (max(0, int(limit)),),
            )
        data = {
            AUDIT_COLUMNS[0]: [datetime.fromisoformat(iso_timestamp(r["at"]) or "") for r in rows],
            AUDIT_COLUMNS[1]: [r["actor"] for r in rows],
            AUDIT_COLUMNS[2]: [r["action"] for r in rows],
            AUDIT_COLUMNS[3]: [r["dataset_id"] for r in rows],
            AUDIT_COLUMNS[4]: [r["detail"] for r in rows],
        }
        schema = {AUDIT_COLUMNS[0]: pl.Datetime("us", "UTC"), **{c: pl.String() for c in AUDIT_COLUMNS[1:]}}
        return pl.DataFrame(data, schema=schema)

    # --- the operator's check -----------------------------------------------------------------------

    def verify(self, *, remove_leftovers: bool = False) -> VerifyReport:
        """Check every dataset in full (checksums, Parquet, content id); list stored content without a row."""
        with guarded("read", self.where):
            with self._backend.reading() as conn:
                rows = conn.all("SELECT * FROM datasets ORDER BY seq")
            checks = []
            for row in rows:
                try:
                    self._checked(row, self._backend.get_content(row["dataset_id"]), full=True)
                    problem = None
                except DatasetDamaged as damage:
                    problem = str(damage)
                checks.append(DatasetCheck(row["dataset_id"], row["name"], row["status"], problem))
            with self._backend.reading() as conn:
                seal_rows = conn.all("SELECT * FROM release_seals ORDER BY dataset_id, seal_key")
            seal_checks = [SealCheck(r["dataset_id"], r["seal_key"], _seal_problem(_seal_from_row(r), r["checksum"]))
                           for r in seal_rows]
            leftovers = sorted(self._backend.content_ids() - {row["dataset_id"] for row in rows})
            if remove_leftovers and leftovers:
                with self._backend.writing() as conn:  # the write lock: no publish is writing content now
                    for leftover in leftovers:
                        self._backend.remove_content(conn, leftover)
        return VerifyReport(checks, leftovers, seal_checks)


def add_audit(conn: Any, *, actor: str, action: str, dataset_id: str | None, detail: str,
              at: str | None = None) -> None:
    """Called inside the transaction of the action itself, so the log can never disagree with the catalog."""
    conn.run(
        "INSERT INTO audit_log (at, actor, action, dataset_id, detail) VALUES (?, ?, ?, ?, ?)",
        (at or utc_now_iso(), actor, action, dataset_id, detail),
    )


def _take_over_default(conn: Any, record: StoredDataset) -> str:
    """A new version that becomes visible takes over the default from the version it replaces (viewers
    without a link then see the new figures); the audit text says so. Inside the caller's transaction."""
    if record.replaces is None or record.status != STATUS_PUBLISHED:
        return ""
    old = _fetch(conn, record.replaces)
    if old is None or not old["is_default"]:
        return ""
    conn.run("UPDATE datasets SET is_default = FALSE WHERE dataset_id = ?", (record.replaces,))
    conn.run("UPDATE datasets SET is_default = TRUE WHERE dataset_id = ?", (record.dataset_id,))
    return f" Neemt de standaarddataset over van ‘{old['name']}’."


def _check_data_status(data_status: str) -> None:
    if data_status not in DATA_STATUSES:
        raise StoreError("Kies voor de status van de gegevens ‘voorlopig’ of ‘definitief’.")


def _fetch(conn: Any, dataset_id: str) -> Any:
    return conn.one("SELECT * FROM datasets WHERE dataset_id = ?", (dataset_id,))


def _require(conn: Any, dataset_id: str) -> StoredDataset:
    row = _fetch(conn, dataset_id) if is_valid_dataset_id(dataset_id) else None
    if row is None:
        raise StoreError(_UNKNOWN)
    return record_from_row(row)


def _fallback(conn: Any) -> Resolution:
    # The default if one is set; otherwise the newest publication, so that publishing real data is
    # enough to stop showing example data; the bundled example only when nothing is published.
    row = conn.one("SELECT * FROM datasets WHERE is_default = TRUE")
    if row is not None:
        record = record_from_row(row)
        return Resolution(row["dataset_id"], "default", None, record, newer_version(conn, record))
    row = conn.one("SELECT * FROM datasets WHERE status = ? ORDER BY published_at DESC, seq DESC LIMIT 1",
                   (STATUS_PUBLISHED,))
    if row is not None:
        record = record_from_row(row)
        return Resolution(row["dataset_id"], "newest", None, record, newer_version(conn, record))
    return Resolution(None, "example")


def _seal_from_row(row: Any) -> Seal:
    return Seal(row["seal_key"], row["method"], int(row["cells"]), row["cells_digest"], bytes(row["hidden"]),
                iso_timestamp(row["sealed_at"]) or "")


def _seal_problem(seal: Seal, recorded_checksum: str) -> str | None:
    if seal.checksum != recorded_checksum:
        return "de vastgelegde verbergingen komen niet overeen met hun controlegetal"
    try:
        seal.hidden_mask()
    except ValueError:
        return f"de vastgelegde verbergingen hebben niet {fmt_int(seal.cells)} cellen"
    return None


def _checksums(row: Any) -> dict[str, str | None]:
    return {"units": row["units_sha256"], "monthly": row["monthly_sha256"]}


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


def _with_flag(record: StoredDataset, *, newly_published: bool) -> StoredDataset:
    return replace(record, newly_published=newly_published)


def _iso(value: object) -> str:
    if not isinstance(value, date):
        raise StoreError("De maandcijfers bevatten geen geldige maanden.")
    return value.isoformat()


def _withdrawn_notice(record: StoredDataset) -> str:
    when = f" op {fmt_local_date(record.withdrawn_at)}" if record.withdrawn_at else ""
    why = f" Reden: {record.withdrawal_reason}." if record.withdrawal_reason else ""
    return f"Deze dataset is ingetrokken{when}: ‘{record.name}’ wordt niet meer getoond.{why}"


def _showing(fallback: Resolution) -> str:
    if fallback.record is None:
        return "U ziet nu de voorbeelddata, want er is nog geen dataset gepubliceerd."
    if fallback.source == "default":
        return f"U ziet nu de standaarddataset ‘{fallback.record.name}’."
    return f"U ziet nu de meest recent gepubliceerde dataset ‘{fallback.record.name}’."
