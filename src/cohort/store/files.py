"""The embedded backend's data on disk: one folder of Parquet files per dataset, written crash-safely.

A dataset's files live in ``<root>/datasets/<dataset_id>/``. They are written only while the catalog's write
lock is held (see `cohort.store.sqlite`), so whoever holds that lock knows no other write is under way: a
temp file seen then belongs to a publish that died, and is removed. Each file is written under a temp name,
fsynced, then renamed; a failed write removes what it wrote, including a folder it created.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

from cohort.store.content import PARTS

FILE_NAMES = {"units": "units.parquet", "monthly": "monthly.parquet"}
TEMP_SUFFIX = ".tmp"


def write_content(directory: Path, parts: dict[str, bytes]) -> bool:
    """Write every part completely and durably before any appears under its final name.

    Returns whether this call created the folder (so a rolled-back publish can remove it again).
    """
    created = not directory.exists()
    temps: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for part in PARTS:
            temp = directory / f".{FILE_NAMES[part]}~{secrets.token_hex(8)}{TEMP_SUFFIX}"
            temps.append(temp)
            with temp.open("xb") as handle:
                handle.write(parts[part])
                handle.flush()
                os.fsync(handle.fileno())
        for part, temp in zip(PARTS, temps, strict=True):
            os.replace(temp, directory / FILE_NAMES[part])
        fsync_directory(directory)
    except BaseException:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        if created:
            remove_directory(directory)
        raise
    return created


def read_content(directory: Path) -> dict[str, bytes]:
    """The bytes of every part that exists (a missing file is simply absent from the result)."""
    parts = {}
    for part in PARTS:
        with contextlib.suppress(FileNotFoundError):
            parts[part] = (directory / FILE_NAMES[part]).read_bytes()
    return parts


def remove_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(directory)


def sweep_temp_files(datasets_dir: Path) -> list[Path]:
    """Remove temp files of publishes that died. Only call while holding the catalog's write lock."""
    removed: list[Path] = []
    if not datasets_dir.is_dir():
        return removed
    for temp in datasets_dir.glob(f"*/.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            temp.unlink()
            removed.append(temp)
    return removed


def stored_ids(datasets_dir: Path) -> set[str]:
    """Names of the dataset folders on disk (for `verify`: folders without a catalog row are leftovers)."""
    if not datasets_dir.is_dir():
        return set()
    return {entry.name for entry in datasets_dir.iterdir() if entry.is_dir()}


def fsync_directory(directory: Path) -> None:
    # Makes the renames themselves durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
