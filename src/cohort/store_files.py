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
from collections.abc import Iterator
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

    Each row becomes a JSON array (dates as ISO text, counts as integers, missing as null); the lines are
    sorted, so row order never matters, and JSON never contains a raw newline, so the stream is unambiguous.
    """
    digest = hashlib.sha256(_HASH_DOMAIN)
    for section, frame in (("units", units), ("monthly", monthly)):
        header = json.dumps({"section": section, "columns": frame.columns, "rows": frame.height})
        digest.update(header.encode() + b"\n")
        for line in sorted(_canonical_lines(frame)):
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _canonical_lines(frame: pl.DataFrame) -> Iterator[str]:
    columns = [frame.get_column(name).to_list() for name in frame.columns]
    for row in zip(*columns, strict=True):
        yield json.dumps([_canonical_value(v) for v in row], ensure_ascii=False, separators=(",", ":"))


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
