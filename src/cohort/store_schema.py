"""Old import path of the store's records; the store is now the package `cohort.store`.

Kept so that code written against the flat modules keeps importing; new code imports from `cohort.store`.
"""

from cohort.store.errors import StoreError
from cohort.store.records import STATUS_PUBLISHED, STATUS_WITHDRAWN, Resolution, StoredDataset, is_valid_dataset_id

__all__ = ["STATUS_PUBLISHED", "STATUS_WITHDRAWN", "Resolution", "StoreError", "StoredDataset", "is_valid_dataset_id"]
