"""Store errors: one Dutch message per audience, and everything else in the server log.

A failure of the store reaches three audiences (issue 20): the server log gets everything (exception, path,
traceback); an evaluator gets what they can act on ("de schijf is vol: vraag de beheerder ruimte vrij te
maken"), never a path or library text; a viewer gets one short sentence. `str(error)` is the evaluator's
text, `error.public` the viewer's.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

log = logging.getLogger("cohort.store")

Reason = Literal["disk_full", "read_only", "damaged", "busy", "unreachable", "other"]
Operation = Literal["publish", "change", "read"]

PUBLIC_UNAVAILABLE = "De gepubliceerde datasets zijn op dit moment niet beschikbaar."
PUBLIC_DAMAGED = "Deze dataset kan nu niet worden getoond, omdat de opgeslagen gegevens niet in orde zijn."
_NOTHING_CHANGED = {
    "publish": "Er is niets gepubliceerd en niets half opgeslagen; de gepubliceerde datasets zijn ongewijzigd.",
    "change": "Er is niets gewijzigd.",
    "read": "",
}
_FAILED = {
    "publish": "Publiceren is mislukt",
    "change": "De wijziging is niet doorgevoerd",
    "read": "De gepubliceerde datasets kunnen nu niet worden gelezen",
}
_CAUSE = {
    "disk_full": "er is geen ruimte meer op de schijf van de opslag. Vraag de beheerder ruimte vrij te maken "
                 "en probeer het daarna opnieuw.",
    "read_only": "de opslag is alleen-lezen, zodat er niets kan worden opgeslagen. Vraag de beheerder de opslag "
                 "weer schrijfbaar te maken.",
    "damaged": "de catalogus van de opslag is beschadigd. Vraag de beheerder een back-up terug te zetten; "
               "`python -m cohort.store verify` controleert de hele opslag.",
    "busy": "de catalogus is bezet door een andere bewerking. Probeer het zo dadelijk opnieuw.",
    "unreachable": "de database van de opslag is niet bereikbaar. Probeer het later opnieuw of meld het bij de "
                   "beheerder.",
    "other": "er ging iets onverwachts mis in de opslag. Meld het bij de beheerder; de details staan in het "
             "serverlog.",
}


class StoreError(Exception):
    """A store operation failed or was refused. `str()` is Dutch and fit for the evaluator who acted;
    `public` is what any viewer may read (no internals). For refusals of bad input both are the same."""

    def __init__(self, message: str, *, public: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.public = message if public is None else public


class StoreUnavailable(StoreError):
    """The store itself failed (disk full, read-only, damaged catalog, database down); logged in full."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message, public=PUBLIC_UNAVAILABLE)
        self.reason = reason


class DatasetDamaged(StoreError):
    """One dataset's stored content does not match what was published: that dataset is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message, public=PUBLIC_DAMAGED)


def reason_of(exc: BaseException) -> Reason:
    """What kind of failure this is, from the exception and its causes (drivers wrap OS errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _own_reason(current)
        if reason != "other":
            return reason
        current = current.__cause__ or current.__context__
    return "other"


def _own_reason(exc: BaseException) -> Reason:
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "disk_full"
    if isinstance(exc, OSError) and exc.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
        return "read_only"
    # Polars reports a failed write as ComputeError/IO text ("No space left on device (os error 28)").
    if "no space left on device" in text or "database or disk is full" in text or "os error 28" in text:
        return "disk_full"
    if "read-only" in text or "readonly" in text or "read only" in text or "os error 30" in text:
        return "read_only"
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return "damaged"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return "busy"
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return "read_only"
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRES_REASONS.get(sqlstate, _POSTGRES_REASONS.get(sqlstate[:2], "other"))
    if type(exc).__module__.startswith(("psycopg", "psycopg_pool")):
        return "unreachable"  # OperationalError without sqlstate, PoolTimeout: no connection to the server
    return "other"


# SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_POSTGRES_REASONS: dict[str, Reason] = {
    "53100": "disk_full", "25006": "read_only", "42501": "read_only", "XX001": "damaged", "XX002": "damaged",
    "55P03": "busy", "40P01": "busy", "08": "unreachable", "57P01": "unreachable", "57P03": "unreachable",
    "53300": "unreachable",
}


def failure(operation: Operation, exc: BaseException, *, where: str) -> StoreUnavailable:
    """Log the failure in full and return the Dutch error for it (`where` names the store for the log)."""
    reason = reason_of(exc)
    log.error("store %s failed (%s) at %s: %r", operation, reason, where, exc, exc_info=exc)
    message = f"{_FAILED[operation]}: {_CAUSE[reason]}"
    if reason == "read_only" and operation != "read":
        message += " De gepubliceerde datasets blijven wel zichtbaar (lezen gaat wel)."
    if _NOTHING_CHANGED[operation]:
        message += f" {_NOTHING_CHANGED[operation]}"
    return StoreUnavailable(message, reason)


@contextmanager
def guarded(operation: Operation, where: str) -> Iterator[None]:
    """Turn any failure inside the block into a logged `StoreUnavailable`; our own StoreErrors pass."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:  # any failure, Polars' ComputeError included, gets a Dutch message
        raise failure(operation, exc, where=where) from exc
