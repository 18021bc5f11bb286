"""Typed settings, read from environment variables (all optional; the defaults run the app offline)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
EXAMPLE_WORKBOOK = DATA_DIR / "voorbeeld_cohortaanpak.xlsx"


@dataclass(frozen=True)
class Settings:
    store_dir: Path  # SQLite catalog + Parquet files of published datasets
    cache_dir: Path  # downloaded boundary files
    boundaries_source: str | None  # a path or URL that overrides the boundary resolution
    boundaries_download: bool  # may the app try the city's open geodata service?
    max_upload_mb: int
    small_number_threshold: int  # counts from 1 to threshold-1 are hidden (AVG)


def load_settings() -> Settings:
    env = os.environ
    return Settings(
        store_dir=Path(env.get("COHORT_STORE_DIR", DATA_DIR / "store")),
        cache_dir=Path(env.get("COHORT_CACHE_DIR", DATA_DIR / "cache")),
        boundaries_source=env.get("COHORT_BOUNDARIES") or None,
        boundaries_download=env.get("COHORT_BOUNDARIES_DOWNLOAD", "1") not in {"0", "false", "nee"},
        max_upload_mb=int(env.get("COHORT_MAX_UPLOAD_MB", "50")),
        small_number_threshold=int(env.get("COHORT_SMALL_NUMBER_THRESHOLD", "5")),
    )
