"""The shared backend: catalog, audit log and the datasets' Parquet bytes in PostgreSQL (psycopg 3).

With `COHORT_DATABASE_URL=postgresql://…` every replica of the app uses the same database, so a publication,
a new default or a withdrawal on one replica is seen by all. A publish is one transaction (catalog row,
content, audit entry): a dataset is visible exactly when all of it is committed, and a process killed halfway
leaves nothing, because the server rolls back a transaction whose connection died.

Writers are serialised by a transaction-level advisory lock (the counterpart of SQLite's BEGIN IMMEDIATE),
so "is this content already published?" and the insert that follows cannot interleave; migrations take a
lock of their own, so two replicas starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import Connection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from cohort.store.errors import log
from cohort.store.migrations import LATEST_VERSION, apply, check_not_newer, current_version

# Advisory locks are (namespace, key) pairs; the namespace keeps them apart from other users of the database.
LOCK_NAMESPACE = 0x436F686F  # "Coho"
MIGRATION_LOCK = 1
WRITE_LOCK = 2
# A small pool: a replica does a few short queries per page run; publishes are rare.
POOL_MIN, POOL_MAX = 1, 4
CONNECT_TIMEOUT_SECONDS = 5
POOL_TIMEOUT_SECONDS = 5.0
LOCK_TIMEOUT = "30s"  # like SQLite's busy timeout: wait out another publish, then say so


class PostgresConnection:
    """One pooled connection in a transaction; the store's SQL uses `?` placeholders, psycopg `%s`."""

    def __init__(self, raw: Connection) -> None:
        self.raw = raw

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.raw.execute(_placeholders(sql), params or None)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.raw.execute(_placeholders(sql), params or None).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.raw.execute(_placeholders(sql), params or None).fetchall()

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Nothing outside the database to undo: the content is in the same transaction."""


def _placeholders(sql: str) -> str:
    # The store's statements contain no literal '?' or '%', so this rewrite is exact.
    return sql.replace("?", "%s")


def describe(url: str) -> str:
    """The connection target for logs, without the password."""
    try:
        info = conninfo_to_dict(url)
    except Exception:  # a malformed URL is reported by the connection attempt itself
        return "postgresql (unparsable URL)"
    return "postgresql " + " ".join(f"{k}={info[k]}" for k in ("host", "port", "dbname", "user") if info.get(k))


class PostgresBackend:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.where = describe(url)
        # One direct connection first: a server that is down fails here at once (the pool would keep retrying
        # until its timeout, on every page run), and it runs the migrations.
        with psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                             application_name="cohortmonitor") as conn:
            # A standby or a read-only role still serves reads; writes then fail with SQLSTATE 25006.
            row = conn.execute("SELECT current_setting('transaction_read_only') = 'on' OR "
                               "pg_is_in_recovery() AS read_only").fetchone()
            self.read_only = bool(row and row["read_only"])
            self._migrate(conn)
        self.pool = ConnectionPool(
            url,
            min_size=POOL_MIN,
            max_size=POOL_MAX,
            kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                    "application_name": "cohortmonitor"},
            timeout=POOL_TIMEOUT_SECONDS,
            check=ConnectionPool.check_connection,  # a server restart must not surface as one failed page
            name="cohort-store",
            open=False,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS * 2)
        except BaseException:
            self.pool.close()
            raise

    def _migrate(self, raw: Connection[Any]) -> None:
        conn = PostgresConnection(raw)
        # Up to date (the usual start): no lock and no write, so a read-only database still serves reads.
        if conn.one("SELECT to_regclass('schema_migrations') AS found")["found"] is not None:
            version = current_version(conn)
            check_not_newer(version)
            if version == LATEST_VERSION:
                return
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, MIGRATION_LOCK))
            applied = apply(conn, "postgresql")
        if applied:
            log.info("store %s: migrations %s applied", self.where, applied)

    @contextmanager
    def writing(self) -> Iterator[PostgresConnection]:
        with self.pool.connection() as raw, raw.transaction():
            raw.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            raw.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, WRITE_LOCK))
            yield PostgresConnection(raw)

    @contextmanager
    def reading(self) -> Iterator[PostgresConnection]:
        """One snapshot for several SELECTs, so a concurrent publish cannot show half its effect."""
        with self.pool.connection() as raw:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PostgresConnection(raw)
            except BaseException:
                with suppress(psycopg.Error):
                    raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    def put_content(self, conn: PostgresConnection, dataset_id: str, parts: dict[str, bytes]) -> None:
        conn.run(
            "INSERT INTO dataset_content (dataset_id, units, monthly) VALUES (?, ?, ?) ON CONFLICT (dataset_id)"
            " DO UPDATE SET units = excluded.units, monthly = excluded.monthly",
            (dataset_id, parts["units"], parts["monthly"]),
        )

    def get_content(self, dataset_id: str, conn: PostgresConnection | None = None) -> dict[str, bytes]:
        sql = "SELECT units, monthly FROM dataset_content WHERE dataset_id = ?"
        if conn is not None:
            row = conn.one(sql, (dataset_id,))
        else:
            with self.reading() as reader:
                row = reader.one(sql, (dataset_id,))
        return {} if row is None else {"units": bytes(row["units"]), "monthly": bytes(row["monthly"])}

    def content_ids(self) -> set[str]:
        with self.reading() as conn:
            return {row["dataset_id"] for row in conn.all("SELECT dataset_id FROM dataset_content")}

    def remove_content(self, conn: PostgresConnection, dataset_id: str) -> None:
        conn.run("DELETE FROM dataset_content WHERE dataset_id = ? AND dataset_id NOT IN "
                 "(SELECT dataset_id FROM datasets)", (dataset_id,))

    def close(self) -> None:
        self.pool.close()
