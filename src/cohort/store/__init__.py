"""The dataset store: published datasets, content-addressed, on SQLite + Parquet (default) or PostgreSQL.

`DatasetStore(root)` is the embedded store under a directory; `DatasetStore(root, database_url=...)` or
`DatasetStore.from_settings()` with `COHORT_DATABASE_URL` set uses PostgreSQL, shared by every replica.
Modules: `catalog` (the operations), `versions` (versions of a series, four-eyes approval), `sqlite` /
`postgres` (backends), `files` (the embedded backend's Parquet files), `content` (content ids, checksums),
`migrations`, `errors`, `records`; `python -m cohort.store` is the operator's command (verify, migrate).
"""

from cohort.store.catalog import AUDIT_COLUMNS, DATABASE_URL_ENV, DatasetStore, VerifyReport, database_url
from cohort.store.errors import DatasetDamaged, StoreError, StoreUnavailable
from cohort.store.records import (
    DATA_FINAL,
    DATA_PROVISIONAL,
    DATA_STATUSES,
    STATUS_PENDING,
    STATUS_PUBLISHED,
    STATUS_REJECTED,
    STATUS_WITHDRAWN,
    Resolution,
    StoredDataset,
    is_valid_dataset_id,
)
from cohort.store.versions import same_person

__all__ = [
    "AUDIT_COLUMNS",
    "DATABASE_URL_ENV",
    "DATA_FINAL",
    "DATA_PROVISIONAL",
    "DATA_STATUSES",
    "STATUS_PENDING",
    "STATUS_PUBLISHED",
    "STATUS_REJECTED",
    "STATUS_WITHDRAWN",
    "DatasetDamaged",
    "DatasetStore",
    "Resolution",
    "StoreError",
    "StoreUnavailable",
    "StoredDataset",
    "VerifyReport",
    "database_url",
    "is_valid_dataset_id",
    "same_person",
]
