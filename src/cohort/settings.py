"""Typed settings, read from environment variables (all optional; the defaults run the app offline).

This is the only module that reads the environment. Every variable is parsed and checked here, once per
combination of values; a bad value gives one Dutch message naming the variable and the value
(`SettingsError`), never a traceback: the app shows it (`cohort.ui.settings`), the command-line tools print it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
EXAMPLE_WORKBOOK = DATA_DIR / "voorbeeld_cohortaanpak.xlsx"
# The example's protected release, sealed beside it (`cohort.privacy.seal`): a fresh server shows the first
# chart without protecting the example first. Written by `python -m cohort.workbook.example`.
EXAMPLE_SEAL = EXAMPLE_WORKBOOK.with_suffix(".seal.json")

# The one place of the upload limit's default; .streamlit/config.toml's server.maxUploadSize must agree
# (tests/unit/test_settings.py checks it), because Streamlit's server refuses larger uploads before the app sees them.
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_SMALL_NUMBER_THRESHOLD = 5
DEFAULT_CATALOG_TTL_SECONDS = 5.0

ENV_STORE_DIR = "COHORT_STORE_DIR"
ENV_CACHE_DIR = "COHORT_CACHE_DIR"
ENV_DATABASE_URL = "COHORT_DATABASE_URL"
ENV_CATALOG_TTL_SECONDS = "COHORT_CATALOG_TTL_SECONDS"
ENV_BOUNDARIES = "COHORT_BOUNDARIES"
ENV_BOUNDARIES_DOWNLOAD = "COHORT_BOUNDARIES_DOWNLOAD"
ENV_GEODATA_URL = "COHORT_GEODATA_URL"
ENV_MAX_UPLOAD_MB = "COHORT_MAX_UPLOAD_MB"
ENV_SMALL_NUMBER_THRESHOLD = "COHORT_SMALL_NUMBER_THRESHOLD"
ENV_NAMES = (
    ENV_STORE_DIR, ENV_CACHE_DIR, ENV_DATABASE_URL, ENV_CATALOG_TTL_SECONDS, ENV_BOUNDARIES,
    ENV_BOUNDARIES_DOWNLOAD, ENV_GEODATA_URL, ENV_MAX_UPLOAD_MB, ENV_SMALL_NUMBER_THRESHOLD,
)

_YES = {"1", "true", "ja", "yes"}
_NO = {"0", "false", "nee", "no"}


class SettingsError(ValueError):
    """One or more environment variables have a value the app cannot use; the message is Dutch."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Settings:
    store_dir: Path  # SQLite catalog + Parquet files of published datasets
    cache_dir: Path  # downloaded boundary files
    boundaries_source: str | None  # a path or URL that overrides the boundary resolution
    boundaries_download: bool  # may the app try the city's open geodata service?
    max_upload_mb: int
    small_number_threshold: int  # counts from 1 to threshold-1 are hidden (AVG)
    database_url: str | None = None  # postgresql://…: the shared store; None: the embedded store
    catalog_ttl_seconds: float = DEFAULT_CATALOG_TTL_SECONDS  # how long a replica reuses a resolved link
    geodata_url: str | None = None  # the geodata service's base URL; None: the city's (cohort.map.boundaries)


def load_settings() -> Settings:
    """The settings from the environment; raises `SettingsError` (Dutch) when a value is unusable."""
    settings, problems = read_settings()
    if problems:
        raise SettingsError(list(problems))
    return settings


def read_settings(env: Mapping[str, str] | None = None) -> tuple[Settings, tuple[str, ...]]:
    """The settings and the Dutch problems found; an unusable value is replaced by its default.

    For code that runs before the app can show a message (a decorator's argument at import time); everything
    else calls `load_settings`, and the app stops with the problems before any page runs.
    """
    source = os.environ if env is None else env
    return _parse(tuple(source.get(name) for name in ENV_NAMES))


@lru_cache(maxsize=8)
def _parse(values: tuple[str | None, ...]) -> tuple[Settings, tuple[str, ...]]:
    raw = dict(zip(ENV_NAMES, values, strict=True))
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = (raw[name] or "").strip()
        return value or None

    def number(name: str, parse: Callable[[str], float], default: float, minimum: float, what: str) -> float:
        value = text(name)
        if value is None:
            return default
        try:
            parsed: float | None = parse(value)
        except ValueError:
            parsed = None
        if parsed is None or not math.isfinite(parsed) or parsed < minimum:
            problems.append(f"{name} moet {what} zijn, niet ‘{value}’.")
            return default
        return parsed

    def flag(name: str, default: bool) -> bool:
        value = text(name)
        if value is None:
            return default
        if value.lower() in _YES | _NO:
            return value.lower() in _YES
        problems.append(f"{name} moet 1 of 0 zijn (ja of nee), niet ‘{value}’.")
        return default

    def whole(value: str) -> int:
        if not value.isdigit():  # int() would also take "1_000" and " +5"
            raise ValueError(value)
        return int(value)

    settings = Settings(
        store_dir=Path(text(ENV_STORE_DIR) or DATA_DIR / "store"),
        cache_dir=Path(text(ENV_CACHE_DIR) or DATA_DIR / "cache"),
        boundaries_source=text(ENV_BOUNDARIES),
        boundaries_download=flag(ENV_BOUNDARIES_DOWNLOAD, True),
        max_upload_mb=int(number(ENV_MAX_UPLOAD_MB, whole, DEFAULT_MAX_UPLOAD_MB, 1,
                                 "een geheel aantal megabytes van minstens 1")),
        small_number_threshold=int(number(ENV_SMALL_NUMBER_THRESHOLD, whole, DEFAULT_SMALL_NUMBER_THRESHOLD, 1,
                                          "een geheel getal van minstens 1")),
        database_url=text(ENV_DATABASE_URL),
        catalog_ttl_seconds=number(ENV_CATALOG_TTL_SECONDS, float, DEFAULT_CATALOG_TTL_SECONDS, 0,
                                   "een aantal seconden van 0 of meer"),
        geodata_url=text(ENV_GEODATA_URL),
    )
    return settings, tuple(problems)
