"""Small datasets built by hand for the outflow and overview page models (values chosen so every figure can be
worked out on paper; see the docstrings of the tests that use them).

`small()`: three areas and a target group, January to December 2020, every value the same each month unless said:

    unit  name      stadsdeel  cohort             bijstand  uitstroom  werk                 gesprekken
    DX01  Alfa      Centrum    2020-04-01..09-30  1000      20         10                   50 (apr–sep)
    DX02  Bravo     Centrum    from 2020-07-15    2000      12         6                    40 (jul–dec)
    DX03  Charlie   West       never              1500      6          3 (jan–sep), okt 1   0
    DG01  Jongeren  (city)     from 2020-01-01    500       5          2                    30

complaints: DX01 bejegening April 1, May 1, July 2, September 1; DX02 koers August 3, November 2; DG01 overig
March 1; and a support count `herinstroom`: DX01 3, DX02 2, DX03 2, DG01 1 a month.

`staggered(treated)`: ten areas of 1,000 persons on welfare, January to December 2020; `treated` of them start on
the 1st of April, May, June, July and August (in that order), the rest never. Outflow to work is 10 a month, and
14 in a cohort month: a true effect of exactly +4 per 1,000 (ratio 1,4).
"""

from __future__ import annotations

from datetime import datetime

from workbooks import MONTHLY_HEADER, make_workbook

from cohort.dataset import Dataset
from cohort.workbook.read import read_workbook

SMALL_UNITS = [
    ["DX01", "Alfa", "gebied", "Centrum", datetime(2020, 4, 1), datetime(2020, 9, 30)],
    ["DX02", "Bravo", "gebied", "Centrum", datetime(2020, 7, 15), None],
    ["DX03", "Charlie", "gebied", "West", None, None],
    ["DG01", "Jongeren", "doelgroep", None, datetime(2020, 1, 1), None],
]
HEADER = [*MONTHLY_HEADER, "herinstroom"]


def small_rows() -> list[list]:
    rows = []
    for m in range(1, 13):
        month = datetime(2020, m, 1)
        rows.append([month, "DX01", 1000, 50 if 4 <= m <= 9 else 0, 20, 10, {4: 1, 5: 1, 7: 2, 9: 1}.get(m, 0),
                     0, 0, 0, 3])
        rows.append([month, "DX02", 2000, 40 if m >= 7 else 0, 12, 6, 0, 0, {8: 3, 11: 2}.get(m, 0), 0, 2])
        rows.append([month, "DX03", 1500, 0, 6, 3 if m <= 9 else {10: 1}.get(m, 0), 0, 0, 0, 0, 2])
        rows.append([month, "DG01", 500, 30, 5, 2, 0, 0, 0, 1 if m == 3 else 0, 1])
    return rows


def small() -> Dataset:
    return read_workbook(make_workbook(SMALL_UNITS, small_rows(), monthly_header=HEADER)).dataset


def staggered(treated: int = 5) -> Dataset:
    units, rows = [], []
    for i in range(10):
        start = datetime(2020, 4 + i, 1) if i < treated else None
        units.append([f"DX{i + 1:02d}", f"Gebied {i + 1}", "gebied", "Centrum" if i % 2 else "West", start, None])
        for m in range(1, 13):
            in_cohort = start is not None and m >= start.month
            rows.append([datetime(2020, m, 1), f"DX{i + 1:02d}", 1000, 20 if in_cohort else 0, 30,
                         14 if in_cohort else 10, 0, 0, 0, 0])
    return read_workbook(make_workbook(units, rows)).dataset
