"""Two versions of one small dataset with hand-computable revisions, for the tests of issue 18.

Units: areas A1 and A2 in Centrum, A3 in Noord (none ever in the cohort approach, so every count is in one
phase and no phase cell is small), and the target group G1. Per unit and month:

| unit | bijstand | gesprekken | uitstroom | uitstroom_werk | klachten (bejegening)            |
|------|----------|------------|-----------|----------------|----------------------------------|
| A1   | 1000     | 100        | 20        | 10             | 2                                |
| A2   | 500      | 50         | 20        | 10             | 1 in jan, feb, mrt; 0 after      |
| A3   | 800      | 80         | 20        | 10             | 2                                |
| G1   | 400      | 40         | 20        | 10             | 1                                |

The old version has January to June 2021; the new one January to December 2021 (6 months added) with three
revisions in the months both have: A1 +10 conversations in February 2021, A2 505 persons on welfare at the
end of June 2021 (was 500), A3 one more complaint in March 2021.

Hand-computed over January to June 2021 (both versions' common quarters, and their common half year):
conversations A1 600 -> 610, A2 300, A3 480, G1 240, city (A1+A2+A3) 1.380 -> 1.390; complaints A1 12, A2 3
(hidden: 1 to 4), A3 12 -> 13, G1 6, Centrum 15, city 27 -> 28; persons on welfare at the end of June 2021
A1 1.000, A2 500 -> 505, A3 800, city 2.300 -> 2.305.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from workbooks import make_workbook

from cohort.dataset import Dataset, DatasetMeta, normalise_frames

UNITS = [
    ("A1", "Centrum-West", "gebied", "Centrum"),
    ("A2", "Centrum-Oost", "gebied", "Centrum"),
    ("A3", "Noord-West", "gebied", "Noord"),
    ("G1", "Jongeren", "doelgroep", None),
]
BASE = {"A1": (1000, 100, 2), "A2": (500, 50, 0), "A3": (800, 80, 2), "G1": (400, 40, 1)}


def months(last_month: int) -> list[date]:
    return [date(2021, m, 1) for m in range(1, last_month + 1)]


def rows(last_month: int, *, revised: bool) -> list[tuple]:
    """(maand, code, bijstand, gesprekken, uitstroom, uitstroom_werk, 4 complaint categories)."""
    found = []
    for month in months(last_month):
        for code, (welfare, talks, complaints) in BASE.items():
            if code == "A2":
                complaints = 1 if month.month <= 3 else 0
            if revised and code == "A1" and month.month == 2:
                talks += 10
            if revised and code == "A2" and month.month == 6:
                welfare = 505
            if revised and code == "A3" and month.month == 3:
                complaints += 1
            found.append((month, code, welfare, talks, 20, 10, complaints, 0, 0, 0))
    return found


COLUMNS = ["maand", "code", "bijstand", "gesprekken", "uitstroom", "uitstroom_werk", "klachten_bejegening",
           "klachten_bereikbaarheid", "klachten_koers", "klachten_overig"]


def dataset(last_month: int, *, revised: bool, name: str) -> Dataset:
    units = pl.DataFrame({
        "code": [u[0] for u in UNITS], "naam": [u[1] for u in UNITS], "soort": [u[2] for u in UNITS],
        "stadsdeel": [u[3] for u in UNITS], "start": [None] * len(UNITS), "eind": [None] * len(UNITS),
    }, schema={"code": pl.String, "naam": pl.String, "soort": pl.String, "stadsdeel": pl.String,
               "start": pl.Date, "eind": pl.Date})
    monthly = pl.DataFrame(rows(last_month, revised=revised), schema=COLUMNS, orient="row")
    units, monthly = normalise_frames(units, monthly)
    return Dataset(units=units, monthly=monthly, meta=DatasetMeta(name=name, version=f"{name}-{last_month}"))


def old_version() -> Dataset:
    return dataset(6, revised=False, name="Cohort t/m juni 2021")


def new_version() -> Dataset:
    return dataset(12, revised=True, name="Cohort t/m december 2021")


def workbook(last_month: int, *, revised: bool) -> bytes:
    """The same data as an upload (for the Data page and the browser)."""
    units = [[code, name, kind, district, None, None] for code, name, kind, district in UNITS]
    monthly = [[datetime(m.year, m.month, 1), *rest] for m, *rest in rows(last_month, revised=revised)]
    return make_workbook(units, monthly)
