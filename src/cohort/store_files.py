"""Old import path of the content id; the store is now the package `cohort.store` (see `cohort.store.content`).

Kept so that code written against the flat modules keeps importing; new code imports from `cohort.store.content`.
"""

from cohort.store.content import content_id

__all__ = ["content_id"]
