"""The data half of the dataset store: content ids and crash-safe Parquet files.

A dataset's files live in ``<root>/datasets/<dataset_id>/``. Because the id is the hash of the content, two
publishers of the same data write identical content to the same place, and a directory left behind by an
interrupted publish is harmless: it is never shown (no catalog row) and is simply overwritten when the same
data is published again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
import time
from datetime import date
from pathlib import Path

import polars as pl

from cohort.store_schema import StoreError

# Bump when the canonical serialisation changes: ids of old and new scheme must never collide.
_HASH_DOMAIN = b"cohortmonitor/dataset-content/v1\n"
UNITS_FILE = "units.parquet"
MONTHLY_FILE = "monthly.parquet"
TEMP_SUFFIX = ".tmp"
# A publish writes its files in seconds; a temp file this old belongs to no running publish any more.
TEMP_GRACE_SECONDS = 3600.0

_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:64] or "host"


def content_id(units: pl.DataFrame, monthly: pl.DataFrame) -> str:
    """SHA-256 of normalised frames in a canonical text form that ignores row order and Polars versions.

    Each row becomes a JSON array (dates as ISO text, counts as integers, missing as null, text as
    `json.dumps(..., ensure_ascii=False)`), written compactly; the lines are sorted, so row order never matters,
    and JSON never contains a raw newline, so the stream is unambiguous. The lines are built with Polars
    expressions (one JSON line per row in Python took about 1 s per 100,000 rows); the text, and so the id, is
    byte for byte what the row-by-row version produced: ids are pinned in shared links and must never change.
    """
    digest = hashlib.sha256(_HASH_DOMAIN)
    for section, frame in (("units", units), ("monthly", monthly)):
        header = json.dumps({"section": section, "columns": frame.columns, "rows": frame.height})
        digest.update(header.encode() + b"\n")
        if frame.height == 0:
            continue
        if frame.width == 0:
            digest.update(b"[]\n" * frame.height)
            continue
        row = pl.concat_str([_canonical_column(frame, name) for name in frame.columns], separator=",")
        # Polars sorts strings by their UTF-8 bytes, which is the code-point order of Python's sorted().
        lines = frame.select((pl.lit("[") + row + pl.lit("]")).alias("line")).get_column("line").sort()
        digest.update(lines.str.join("\n").item().encode() + b"\n")
    return digest.hexdigest()


def _canonical_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    """One column as its JSON text, the way `json.dumps` writes the Python value (null for missing)."""
    dtype = frame.schema[name]
    column = pl.col(name)
    if dtype == pl.Date:
        text = pl.lit('"') + column.dt.strftime("%Y-%m-%d") + pl.lit('"')
    elif dtype.is_integer():
        text = column.cast(pl.String)
    elif dtype == pl.Boolean:
        text = pl.when(column).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif dtype == pl.String:
        # Codes, names and kinds: few distinct values, so json.dumps itself escapes each one once.
        distinct = frame.get_column(name).drop_nulls().unique().to_list()
        text = column.replace_strict({v: json.dumps(v, ensure_ascii=False) for v in distinct}, return_dtype=pl.String)
    else:
        # Not in the normalised schema (floats, ...): the row-by-row form, value by value, so the id stays the same.
        values = frame.get_column(name).to_list()
        texts = [None if v is None else json.dumps(_canonical_value(v), ensure_ascii=False) for v in values]
        text = pl.lit(pl.Series(name, texts, dtype=pl.String))
    return text.fill_null(pl.lit("null"))


def _canonical_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_frames(directory: Path, units: pl.DataFrame, monthly: pl.DataFrame) -> None:
    """Write both files completely and durably before either appears under its final name."""
    temps: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, frame in ((UNITS_FILE, units), (MONTHLY_FILE, monthly)):
            temp = directory / _temp_name(name)
            temps.append(temp)
            with temp.open("xb") as handle:
                frame.write_parquet(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for name, temp in zip((UNITS_FILE, MONTHLY_FILE), temps, strict=True):
            os.replace(temp, directory / name)
        _fsync_directory(directory)
    except OSError as exc:
        raise StoreError(f"De bestanden van de dataset konden niet worden opgeslagen: {exc}.") from exc
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


def read_frames(directory: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    try:
        return pl.read_parquet(directory / UNITS_FILE), pl.read_parquet(directory / MONTHLY_FILE)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(
            f"De bestanden van dataset {directory.name} ontbreken of zijn onleesbaar ({exc}). "
            "Publiceer de dataset opnieuw."
        ) from exc


def clean_temp_files(datasets_dir: Path) -> list[Path]:
    """Remove temp files of publishes that can no longer finish; returns what was removed."""
    removed: list[Path] = []
    if not datasets_dir.is_dir():
        return removed
    for temp in datasets_dir.glob(f"*/.*{TEMP_SUFFIX}"):
        if _is_abandoned(temp):
            with contextlib.suppress(OSError):
                temp.unlink()
                removed.append(temp)
    return removed


def _temp_name(final_name: str) -> str:
    # Owner host and pid in the name let the next open tell a crashed publish from one still running.
    return f".{final_name}~{_HOST}~{os.getpid()}~{secrets.token_hex(8)}{TEMP_SUFFIX}"


def _is_abandoned(temp: Path) -> bool:
    try:
        age = time.time() - temp.stat().st_mtime
    except OSError:
        return False
    if age > TEMP_GRACE_SECONDS:
        return True
    parts = temp.name.removesuffix(TEMP_SUFFIX).split("~")
    if len(parts) != 4 or parts[1] != _HOST or not parts[2].isdigit():
        return False  # another machine or container: its pids mean nothing here, wait for the grace period
    return not _process_alive(int(parts[2]))


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate the process on Windows; rely on the grace period
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_directory(directory: Path) -> None:
    # Makes the renames themselves durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
