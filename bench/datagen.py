"""Deterministic synthetic data in the contract format (numpy), for the large-dataset and upload benchmarks.

Not realistic numbers, only realistic shape: areas in the seven stadsdelen plus city-wide target groups,
staggered cohort periods (start/eind, some open-ended, some never), counts with uitstroom_werk <= uitstroom.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from cohort.contract import COMPLAINT_COLUMNS, OPTIONAL_COUNT_NAMES, SHEET_MONTHLY, SHEET_NOTES, SHEET_UNITS
from cohort.dataset import Dataset, DatasetMeta, normalise_frames
from cohort.workbook.report import ValidationReport
from cohort.workbook.validation import ROW, validate_monthly, validate_units

SEED = 20210706
STADSDELEN = ("A", "E", "F", "K", "M", "N", "T")
TARGET_GROUP_SHARE = 0.06
UPLOAD_OPTIONAL = ("uitgenodigd", "ontheffingen")  # the upload workbooks carry 12 of the 19 columns


def month_starts(first: date, n: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(n)]


def frames(n_units: int, n_months: int, *, optional: tuple[str, ...] = OPTIONAL_COUNT_NAMES,
           seed: int = SEED) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(units, monthly) in the contract schema: n_units x n_months monthly rows, months ending Dec 2024."""
    rng = np.random.default_rng(seed)
    last = date(2024, 12, 1)
    first = month_starts(last, 1)[0]
    first = date(last.year - (n_months - 1 + 12 - last.month) // 12, 1, 1)
    months = month_starts(first, n_months + 24)
    months = [m for m in months if m <= last][-n_months:]

    n_groups = max(1, round(n_units * TARGET_GROUP_SHARE))
    n_areas = n_units - n_groups
    codes = [f"GB{i:04d}" for i in range(1, n_areas + 1)] + [f"DG{i:03d}" for i in range(1, n_groups + 1)]
    kinds = ["gebied"] * n_areas + ["doelgroep"] * n_groups
    districts = [STADSDELEN[i % len(STADSDELEN)] for i in range(n_areas)] + [None] * n_groups
    # Cohort periods: 85% start between 2019-09 and 2022-06, ~13 months long; 10% of those still running.
    rollout = month_starts(date(2019, 9, 1), 34)
    starts: list[date | None] = []
    ends: list[date | None] = []
    for _i in range(n_units):
        if rng.random() < 0.15:
            starts.append(None)
            ends.append(None)
            continue
        start = rollout[int(rng.integers(len(rollout)))]
        starts.append(start)
        end_month = month_starts(start, 14)[-1]
        ends.append(None if rng.random() < 0.10 else end_month - timedelta(days=1))
    units = pl.DataFrame(
        {"code": codes, "naam": [f"Eenheid {c}" for c in codes], "soort": kinds, "stadsdeel": districts,
         "start": starts, "eind": ends},
        schema={"code": pl.String, "naam": pl.String, "soort": pl.String, "stadsdeel": pl.String,
                "start": pl.Date, "eind": pl.Date},
    )

    n = n_units * n_months
    caseload = rng.integers(150, 3000, size=n_units).repeat(n_months)
    bijstand = rng.poisson(caseload)
    unit_start = np.array([s.toordinal() if s else 10**9 for s in starts]).repeat(n_months)
    unit_end = np.array([e.toordinal() if e else 10**9 for e in ends]).repeat(n_months)
    month_ord = np.tile(np.array([m.toordinal() for m in months]), n_units)
    active = (month_ord >= unit_start) & (month_ord <= unit_end)
    gesprekken = np.where(active, rng.poisson(bijstand / 14), 0)
    uitstroom = rng.binomial(bijstand, 0.02)
    uitstroom_werk = rng.binomial(uitstroom, np.where(active, 0.45, 0.30))
    data: dict[str, object] = {
        "maand": np.tile(np.array(months, dtype="datetime64[D]"), n_units),
        "code": np.repeat(np.array(codes), n_months),
        "bijstand": bijstand, "gesprekken": gesprekken, "uitstroom": uitstroom, "uitstroom_werk": uitstroom_werk,
    }
    shares = (0.45, 0.25, 0.20, 0.10)
    for column, share in zip(COMPLAINT_COLUMNS, shares, strict=True):
        data[column] = rng.poisson(gesprekken * 0.0023 * share)
    for column in optional:
        data[column] = rng.poisson(np.maximum(bijstand, 1) * (0.05 if column == "ontheffingen" else 0.01))
    monthly = pl.DataFrame(data).with_columns(pl.col("maand").cast(pl.Date))
    assert monthly.height == n
    return units, monthly


def dataset(n_units: int, n_months: int, *, name: str) -> Dataset:
    """A typed Dataset, checked against the contract rules first (the same validation an upload gets)."""
    units, monthly = frames(n_units, n_months)
    report = ValidationReport()
    as_text_units = units.with_columns(pl.all().cast(pl.String)).with_row_index(ROW, offset=2)
    as_text_monthly = monthly.with_columns(pl.all().cast(pl.String)).with_row_index(ROW, offset=2)
    validate_units(as_text_units.with_columns(pl.col(ROW).cast(pl.Int64)), report)
    validate_monthly(as_text_monthly.with_columns(pl.col(ROW).cast(pl.Int64)), set(units["code"]), report)
    if not report.ok:
        raise ValueError("generated data violate the contract: " + "; ".join(p.message for p in report.errors[:5]))
    units, monthly = normalise_frames(units, monthly)
    meta = DatasetMeta(name=name, description="Synthetische benchmarkdata", source="bench/datagen.py",
                       notes={"bron": "bench/datagen.py (synthetisch)"})
    return Dataset(units, monthly, meta)


def write_upload_workbook(path: Path, n_rows: int, months: int = 100) -> Path:
    """A contract workbook whose `maandcijfers` has n_rows rows (n_rows / months units), openpyxl write-only."""
    from openpyxl import Workbook

    n_units = n_rows // months
    units, monthly = frames(n_units, months, optional=UPLOAD_OPTIONAL)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_UNITS)
    sheet.append(units.columns)
    for row in units.iter_rows():
        sheet.append(list(row))
    sheet = workbook.create_sheet(SHEET_MONTHLY)
    sheet.append(monthly.columns)
    for row in monthly.iter_rows():
        sheet.append(row)
    sheet = workbook.create_sheet(SHEET_NOTES)
    sheet.append(["sleutel", "waarde"])
    sheet.append(["bron", "bench/datagen.py (synthetisch)"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    workbook.save(temp)
    temp.replace(path)
    return path


UPLOAD_SIZES = (10_000, 100_000, 1_000_000)
WORKBOOK_VERSION = "v1"  # bump when the generator changes, so cached workbooks are rebuilt


def upload_workbook(n_rows: int) -> Path:
    """The cached upload workbook for n_rows (written on first use; slow for 1M rows: openpyxl ~30k cells/s)."""
    import fcntl

    from bench.common import CACHE_DIR

    path = CACHE_DIR / f"upload_{n_rows}_{WORKBOOK_VERSION}.xlsx"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / f"{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs never write the same workbook at once
        if not path.exists():
            write_upload_workbook(path, n_rows)
    return path


if __name__ == "__main__":
    import sys
    import time

    for size in (int(a) for a in sys.argv[1:]) if len(sys.argv) > 1 else UPLOAD_SIZES:
        started = time.perf_counter()
        print(size, upload_workbook(size), f"{time.perf_counter() - started:.1f} s", flush=True)
