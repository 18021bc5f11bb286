"""Real faults for the store tests: a small tmpfs that fills up, a read-only view of a folder, flipped bytes.

Mounting needs root (CI runs as root); without it the tests that need a mount skip loudly, or fail under
CI=true. A read-only folder for a non-root user is simply chmod'ed (root ignores permissions, so root gets a
read-only bind mount instead).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(f"!!! FAULT TEST SKIPPED: {reason}")


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise OSError(f"mount {' '.join(args)}: {result.stderr.strip()}")


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True, timeout=30, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30, check=False)


@contextlib.contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "1m") mounted at `path` for the duration of the block."""
    if os.geteuid() != 0:
        _unavailable("a small filesystem needs a tmpfs mount, which needs root")
    path.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(path))
    except OSError as error:
        _unavailable(f"cannot mount a tmpfs: {error}")
    try:
        yield path
    finally:
        _umount(path)


def fill(directory: Path, leave: int = 0) -> Path:
    """Write a filler file until the filesystem is full (but `leave` bytes); returns it (delete it to free)."""
    filler = directory / "vulsel.bin"
    chunk = b"\0" * 4096
    with filler.open("wb") as handle:
        while True:
            free = shutil.disk_usage(directory).free
            if free <= leave:
                break
            try:
                handle.write(chunk if free - leave >= len(chunk) else chunk[: free - leave])
                handle.flush()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    return filler


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """`directory` as the app would see it on a read-only disk: yields the path to open."""
    if os.geteuid() == 0:
        view = directory.parent / f"{directory.name}-alleen-lezen"
        view.mkdir()
        try:
            _mount("--bind", str(directory), str(view))
        except OSError as error:
            _unavailable(f"cannot bind-mount a read-only view: {error}")
        try:
            _mount("-o", "remount,ro,bind", str(view))
            yield view
        finally:
            _umount(view)
        return
    modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield directory
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def flipped(data: bytes, offset: int, count: int = 4) -> bytes:
    """`data` with `count` bytes from `offset` inverted (what a bad disk sector or a stray write does)."""
    changed = bytearray(data)
    for i in range(offset, min(offset + count, len(changed))):
        changed[i] ^= 0xFF
    return bytes(changed)
