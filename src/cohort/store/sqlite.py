"""The embedded backend (the default, nothing to install): a SQLite catalog plus Parquet files on disk.

- Every operation opens its own short-lived connection, so one store can be shared by all Streamlit sessions
  and threads, and several processes can use the same directory (WAL, busy timeout).
- Writes take the database's write lock up front (BEGIN IMMEDIATE) and write a dataset's files while holding
  it, then insert the catalog row: a dataset becomes visible in one commit, only after its files are complete
  and fsynced; a failed publish removes the folder it created; a killed one leaves only files without a row,
  which are never shown. Holding the lock also means no other write is under way, which is what lets the
  start-up remove temp files of publishes that died.
- A store that cannot be written (read-only disk or permissions) is opened read-only and keeps serving reads.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from cohort.store import files
from cohort.store.errors import StoreUnavailable, failure, log, reason_of
from cohort.store.migrations import LATEST_VERSION, apply, check_not_newer, current_version

CATALOG_FILE = "catalog.sqlite3"
# Long enough to wait out another process's publish (writing a few Parquet files and one insert), short
# enough that a stuck lock surfaces as a clear message instead of a hanging page.
BUSY_TIMEOUT_SECONDS = 30.0


class SqliteConnection:
    """One connection in a transaction; `?` placeholders, rows indexable by column name."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self.rollback_actions: list[Callable[[], None]] = []

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.raw.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.raw.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.raw.execute(sql, params).fetchall()

    def on_rollback(self, action: Callable[[], None]) -> None:
        self.rollback_actions.append(action)


class SqliteBackend:
    dialect = "sqlite"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.catalog_path = self.root / CATALOG_FILE
        self.datasets_dir = self.root / "datasets"
        self.where = str(self.catalog_path)
        self.read_only = False
        self._read_only_uri: str | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._migrate()
        except StoreUnavailable:
            raise
        except Exception as exc:
            if reason_of(exc) != "read_only":
                raise
            self._open_read_only(exc)

    # --- start-up ---------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._connection() as raw:
            _enable_wal(raw)
        with self.writing() as conn:
            _check_integrity(conn)
            applied = apply(conn, "sqlite")
            conn.run(f"PRAGMA user_version = {LATEST_VERSION}")
            removed = files.sweep_temp_files(self.datasets_dir)
        if applied:
            log.info("store %s: migrations %s applied", self.where, applied)
        if removed:
            log.warning("store %s: removed %d temp file(s) of interrupted publishes", self.where, len(removed))

    def _open_read_only(self, cause: Exception) -> None:
        log.warning("store %s cannot be written (%r); serving it read-only", self.where, cause)
        self.read_only = True
        if not self.catalog_path.is_file():
            raise failure("read", cause, where=self.where)
        with self.reading() as conn:
            _check_integrity(conn)
            version = current_version(conn)
        check_not_newer(version)
        if version < LATEST_VERSION:
            raise failure("read", cause, where=self.where)

    # --- connections and transactions ---------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        raw = self._connect_read_only() if self.read_only else self._connect()
        raw.row_factory = sqlite3.Row
        try:
            yield raw
        finally:
            raw.close()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit (see `writing` and `reading`).
        raw = sqlite3.connect(self.catalog_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        raw.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        # FULL: a publish that returned must survive a power cut, not just a process crash.
        raw.execute("PRAGMA synchronous = FULL")
        return raw

    def _connect_read_only(self) -> sqlite3.Connection:
        # On a read-only disk SQLite cannot create the WAL index (-shm) it needs to read a WAL database;
        # `immutable` reads the file as it is, which is right exactly when nothing can write it.
        base = self.catalog_path.resolve().as_uri()
        candidates = [f"{base}?mode=ro", f"{base}?mode=ro&immutable=1"]
        if self._read_only_uri:
            candidates = [self._read_only_uri]
        error: sqlite3.Error | None = None
        for uri in candidates:
            try:
                raw = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as exc:
                error = exc
                continue
            self._read_only_uri = uri
            return raw
        assert error is not None
        raise error

    @contextmanager
    def writing(self) -> Iterator[SqliteConnection]:
        """BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on the busy timeout
        instead of failing when a read transaction tries to upgrade to a write."""
        if self.read_only:
            raise OSError(errno.EROFS, "the store was opened read-only", self.where)
        with self._connection() as raw:
            conn = SqliteConnection(raw)
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                raw.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    raw.execute("ROLLBACK")
                for action in conn.rollback_actions:
                    action()
                raise

    @contextmanager
    def reading(self) -> Iterator[SqliteConnection]:
        """One snapshot for several SELECTs, so a concurrent publish cannot show half its effect."""
        with self._connection() as raw:
            raw.execute("BEGIN")
            try:
                yield SqliteConnection(raw)
            finally:
                with suppress(sqlite3.Error):
                    raw.execute("COMMIT")

    # --- content --------------------------------------------------------------------------------------

    def put_content(self, conn: SqliteConnection, dataset_id: str, parts: dict[str, bytes]) -> None:
        """Write the files inside the write transaction; a rollback removes a folder this created."""
        directory = self.datasets_dir / dataset_id
        if files.write_content(directory, parts):
            conn.on_rollback(lambda: files.remove_directory(directory))

    def get_content(self, dataset_id: str, conn: SqliteConnection | None = None) -> dict[str, bytes]:
        return files.read_content(self.datasets_dir / dataset_id)

    def content_ids(self) -> set[str]:
        return files.stored_ids(self.datasets_dir)

    def remove_content(self, conn: SqliteConnection, dataset_id: str) -> None:
        files.remove_directory(self.datasets_dir / dataset_id)

    def close(self) -> None:
        """Nothing to release: connections live for one operation."""


def _check_integrity(conn: SqliteConnection) -> None:
    # A catalog is small (kilobytes per dataset), so checking every page at start-up is cheap, and a damaged
    # page is found now rather than when some later query happens to touch it.
    problems = [row[0] for row in conn.all("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"database disk image is malformed (quick_check: {'; '.join(problems[:5])})")


def _enable_wal(raw: sqlite3.Connection) -> None:
    # Switching to WAL needs a moment of exclusive access; a second process opening a brand-new store at
    # the same time can get "locked" without the busy handler being consulted, so retry briefly.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            mode = raw.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch the catalog to WAL (mode: {mode})")
        return
