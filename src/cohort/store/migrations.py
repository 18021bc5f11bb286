"""Versioned schema migrations for both backends, run on start-up.

Each migration has a version, a Dutch description and its statements per dialect. `apply` runs the pending
ones in one transaction and records each in `schema_migrations`; the caller holds the lock that makes this
safe when two replicas start at the same moment (SQLite: the database's write lock, taken with BEGIN
IMMEDIATE; PostgreSQL: a transaction-level advisory lock). Running it again is a no-op, and a store written
by a newer version of the app is refused instead of being misread.

Never edit a released migration: add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from cohort.store.errors import StoreError
from cohort.store.records import utc_now_iso

Dialect = Literal["sqlite", "postgresql"]


class Connection(Protocol):
    def run(self, sql: str, params: tuple[Any, ...] = ()) -> None: ...
    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        return self.sqlite if dialect == "sqlite" else self.postgresql


# The columns that version 1 created in SQLite and version 3 rebuilds (SQLite cannot change a CHECK in place):
# written once, so the rebuilt table cannot drift from the one it replaces. Their text is part of the released
# migrations; keep it as it is.
_SQLITE_CORE_COLUMNS = """seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
                validation_summary TEXT NOT NULL,"""
_SQLITE_DEFAULT_COLUMNS = """is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
                withdrawn_at TEXT,
                withdrawn_by TEXT,
                withdrawal_reason TEXT NOT NULL DEFAULT '',"""


MIGRATIONS = (
    Migration(
        1,
        "catalogus en logboek",
        sqlite=(
            # IF NOT EXISTS: stores made before migrations were tracked already have these tables.
            f"""CREATE TABLE IF NOT EXISTS datasets (
                {_SQLITE_CORE_COLUMNS}
                status TEXT NOT NULL CHECK (status IN ('gepubliceerd', 'ingetrokken')),
                {_SQLITE_DEFAULT_COLUMNS}
                CHECK (NOT (is_default = 1 AND status = 'ingetrokken'))
            )""",
            # At most one default, enforced by the database rather than by careful application code.
            "CREATE UNIQUE INDEX IF NOT EXISTS one_default ON datasets (is_default) WHERE is_default = 1",
            """CREATE TABLE IF NOT EXISTS audit_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                dataset_id TEXT,
                detail TEXT NOT NULL
            )""",
        ),
        postgresql=(
            """CREATE TABLE datasets (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                dataset_id text NOT NULL UNIQUE CHECK (dataset_id ~ '^[0-9a-f]{64}$'),
                name text NOT NULL,
                description text NOT NULL,
                source text NOT NULL,
                notes_json text NOT NULL,
                published_at timestamptz NOT NULL,
                published_by text NOT NULL,
                n_units integer NOT NULL,
                n_months integer NOT NULL,
                n_rows integer NOT NULL,
                first_month date NOT NULL,
                last_month date NOT NULL,
                validation_summary text NOT NULL,
                status text NOT NULL CHECK (status IN ('gepubliceerd', 'ingetrokken')),
                is_default boolean NOT NULL DEFAULT false,
                withdrawn_at timestamptz,
                withdrawn_by text,
                withdrawal_reason text NOT NULL DEFAULT '',
                CHECK (NOT (is_default AND status = 'ingetrokken'))
            )""",
            "CREATE UNIQUE INDEX one_default ON datasets (is_default) WHERE is_default",
            """CREATE TABLE audit_log (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                dataset_id text,
                detail text NOT NULL
            )""",
            # The data themselves, as the same Parquet bytes the embedded store keeps in files; written in
            # the publish transaction, so a dataset is visible exactly when its content is complete.
            """CREATE TABLE dataset_content (
                dataset_id text PRIMARY KEY REFERENCES datasets (dataset_id),
                units bytea NOT NULL,
                monthly bytea NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "controlegetallen van de opgeslagen gegevens",
        sqlite=(
            "ALTER TABLE datasets ADD COLUMN units_sha256 TEXT",
            "ALTER TABLE datasets ADD COLUMN monthly_sha256 TEXT",
        ),
        postgresql=("ALTER TABLE datasets ADD COLUMN units_sha256 text, ADD COLUMN monthly_sha256 text",),
    ),
    Migration(
        3,
        "versies, voorlopig/definitief en vier-ogenpublicatie",
        # SQLite cannot change a CHECK constraint in place, so the table is rebuilt (the procedure of
        # https://sqlite.org/lang_altertable.html#otheralter), keeping every row and its seq. Existing
        # datasets become version 1 of their own series, `voorlopig` (nobody has declared them final), and
        # were published without review.
        sqlite=(
            f"""CREATE TABLE datasets_v3 (
                {_SQLITE_CORE_COLUMNS}
                status TEXT NOT NULL
                    CHECK (status IN ('ter goedkeuring', 'gepubliceerd', 'afgewezen', 'ingetrokken')),
                {_SQLITE_DEFAULT_COLUMNS}
                units_sha256 TEXT,
                monthly_sha256 TEXT,
                data_status TEXT NOT NULL DEFAULT 'voorlopig' CHECK (data_status IN ('voorlopig', 'definitief')),
                replaces TEXT CHECK (replaces IS NULL OR replaces <> dataset_id),
                series_id TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                review_required INTEGER NOT NULL DEFAULT 0 CHECK (review_required IN (0, 1)),
                reviewed_at TEXT,
                reviewed_by TEXT,
                review_note TEXT NOT NULL DEFAULT '',
                CHECK (NOT (is_default = 1 AND status <> 'gepubliceerd'))
            )""",
            """INSERT INTO datasets_v3 (seq, dataset_id, name, description, source, notes_json, published_at,
                published_by, n_units, n_months, n_rows, first_month, last_month, validation_summary, status,
                is_default, withdrawn_at, withdrawn_by, withdrawal_reason, units_sha256, monthly_sha256, series_id)
               SELECT seq, dataset_id, name, description, source, notes_json, published_at, published_by, n_units,
                n_months, n_rows, first_month, last_month, validation_summary, status, is_default, withdrawn_at,
                withdrawn_by, withdrawal_reason, units_sha256, monthly_sha256, dataset_id FROM datasets""",
            "DROP TABLE datasets",
            "ALTER TABLE datasets_v3 RENAME TO datasets",
            "CREATE UNIQUE INDEX one_default ON datasets (is_default) WHERE is_default = 1",
            # Versions are numbered under the write lock; the index makes a duplicate impossible all the same.
            "CREATE UNIQUE INDEX one_version ON datasets (series_id, version)",
        ),
        postgresql=(
            "ALTER TABLE datasets DROP CONSTRAINT datasets_status_check, DROP CONSTRAINT datasets_check",
            """ALTER TABLE datasets
                ADD COLUMN data_status text NOT NULL DEFAULT 'voorlopig'
                    CHECK (data_status IN ('voorlopig', 'definitief')),
                ADD COLUMN replaces text REFERENCES datasets (dataset_id) CHECK (replaces <> dataset_id),
                ADD COLUMN series_id text,
                ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
                ADD COLUMN review_required boolean NOT NULL DEFAULT false,
                ADD COLUMN reviewed_at timestamptz,
                ADD COLUMN reviewed_by text,
                ADD COLUMN review_note text NOT NULL DEFAULT '',
                ADD CONSTRAINT datasets_status_check
                    CHECK (status IN ('ter goedkeuring', 'gepubliceerd', 'afgewezen', 'ingetrokken')),
                ADD CONSTRAINT datasets_default_is_published CHECK (NOT (is_default AND status <> 'gepubliceerd'))""",
            "UPDATE datasets SET series_id = dataset_id",
            "ALTER TABLE datasets ALTER COLUMN series_id SET NOT NULL",
            "CREATE UNIQUE INDEX one_version ON datasets (series_id, version)",
        ),
    ),
    Migration(
        4,
        "moment waarop een dataset voor het eerst zichtbaar werd",
        # Set once, when viewers first see a dataset (publish without review, or approval), and never reset:
        # the release of a dataset is protected against every dataset visible before it (`cohort.privacy.release`), so
        # this order must not change when a withdrawn dataset is published again.
        sqlite=(
            "ALTER TABLE datasets ADD COLUMN visible_since TEXT",
            """UPDATE datasets SET visible_since = CASE
                WHEN status NOT IN ('gepubliceerd', 'ingetrokken') THEN NULL
                WHEN review_required = 0 THEN published_at
                ELSE reviewed_at END""",
        ),
        postgresql=(
            "ALTER TABLE datasets ADD COLUMN visible_since timestamptz",
            """UPDATE datasets SET visible_since = CASE
                WHEN status NOT IN ('gepubliceerd', 'ingetrokken') THEN NULL
                WHEN NOT review_required THEN published_at
                ELSE reviewed_at END""",
        ),
    ),
    Migration(
        5,
        "vastgelegde verbergingen per dataset",
        # The hidden cells of each published release (`cohort.privacy.seal`), one bit per cell, written once and
        # never changed: a later version of the code must show viewers exactly what they were shown before.
        # `checksum`: sha256 of `hidden`, checked on every load. In the catalog itself (kilobytes; 1.5 MB for
        # 10,000 units), in the same transactions as the catalog rows.
        sqlite=(
            """CREATE TABLE release_seals (
                dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id),
                seal_key TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('lokaal', 'tabel')),
                cells INTEGER NOT NULL CHECK (cells >= 0),
                cells_digest TEXT NOT NULL CHECK (length(cells_digest) = 64),
                hidden BLOB NOT NULL,
                checksum TEXT NOT NULL CHECK (length(checksum) = 64),
                sealed_at TEXT NOT NULL,
                PRIMARY KEY (dataset_id, seal_key)
            )""",
        ),
        postgresql=(
            """CREATE TABLE release_seals (
                dataset_id text NOT NULL REFERENCES datasets (dataset_id),
                seal_key text NOT NULL,
                method text NOT NULL CHECK (method IN ('lokaal', 'tabel')),
                cells integer NOT NULL CHECK (cells >= 0),
                cells_digest text NOT NULL CHECK (cells_digest ~ '^[0-9a-f]{64}$'),
                hidden bytea NOT NULL,
                checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                sealed_at timestamptz NOT NULL,
                PRIMARY KEY (dataset_id, seal_key)
            )""",
        ),
    ),
)
LATEST_VERSION = MIGRATIONS[-1].version

_MIGRATIONS_TABLE = {
    "sqlite": "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
              "NULL, applied_at TEXT NOT NULL)",
    "postgresql": "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, description text "
                  "NOT NULL, applied_at timestamptz NOT NULL)",
}


def current_version(conn: Connection) -> int:
    return int(conn.one("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")["version"])


def check_not_newer(version: int) -> None:
    if version > LATEST_VERSION:
        raise StoreError(
            f"De opslag is bijgewerkt door een nieuwere versie van de Cohortmonitor (schemaversie {version}, deze "
            f"versie kent t/m {LATEST_VERSION}); werk de applicatie bij."
        )


def apply(conn: Connection, dialect: Dialect) -> list[int]:
    """Run every pending migration on `conn` (inside the caller's locked transaction); the versions applied."""
    conn.run(_MIGRATIONS_TABLE[dialect])
    version = current_version(conn)
    check_not_newer(version)
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        for statement in migration.statements(dialect):
            conn.run(statement)
        conn.run("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                 (migration.version, migration.description, utc_now_iso()))
        applied.append(migration.version)
    return applied
