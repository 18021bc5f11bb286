from datetime import date

import polars as pl
import pytest

from cohort import fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [(13024, "13.024"), (0, "0"), (44980.4, "44.980"), (1234567, "1.234.567"), (None, "—"), (-1500, "-1.500")],
)
def test_fmt_int(value, expected):
    assert fmt.fmt_int(value) == expected


def test_fmt_dec_and_pct_and_ratio():
    assert fmt.fmt_dec(1234.56, 1) == "1.234,6"
    assert fmt.fmt_dec(2.3, 2) == "2,30"
    assert fmt.fmt_pct(0.0023, 2) == "0,23%"
    assert fmt.fmt_pct(30 / 13024, 2) == "0,23%"
    assert fmt.fmt_ratio(2.04) == "2,0×"
    assert fmt.fmt_dec(float("nan")) == "—"
    assert fmt.fmt_interval(1.62, 2.41) == "1,6 – 2,4"


def test_fmt_dates():
    assert fmt.fmt_month(date(2021, 6, 1)) == "juni 2021"
    assert fmt.fmt_month_short(date(2019, 9, 1)) == "sep 2019"
    assert fmt.fmt_month_short(date(2020, 3, 1)) == "mrt 2020"
    assert fmt.fmt_date(date(2021, 7, 6)) == "6 juli 2021"
    assert fmt.fmt_month(None) == "—"


def test_moments_in_amsterdam_time():
    assert fmt.fmt_timestamp("2021-07-06T12:05:00.000000+00:00") == "6 juli 2021, 14:05"  # summer time
    assert fmt.fmt_timestamp("2021-01-31T23:30:00+00:00") == "1 februari 2021, 00:30"  # winter time, next day
    assert fmt.fmt_timestamp(None) == "—"
    # The day of a late moment is the Amsterdam day, the same as the time shown beside it.
    assert fmt.fmt_local_date("2021-07-06T23:30:00+00:00") == "7 juli 2021"
    assert fmt.fmt_timestamp("2021-07-06T23:30:00+00:00") == "7 juli 2021, 01:30"
    assert fmt.fmt_local_date("2021-07-06T21:59:00+00:00") == "6 juli 2021"
    assert fmt.fmt_local_date("2021-07-06T23:30:00") == "7 juli 2021"  # no offset: the store's UTC
    # The audit log keeps UTC, and says so.
    assert fmt.fmt_timestamp_utc("2021-07-06T23:30:05.123456+00:00") == "6 juli 2021 23:30:05 UTC"


def test_sizes_numbers_and_month_spans():
    assert fmt.fmt_size(50 * fmt.MB) == "50 MB"
    assert fmt.fmt_size(int(61.2 * fmt.MB)) == "61,2 MB"
    assert fmt.fmt_size(50 * fmt.MB + 10_000, round_up=True) == "50,1 MB"  # never "50,0 MB" above the limit
    assert fmt.fmt_size(12 * 1024) == "12 kB" and fmt.fmt_size(12 * 1024 + 1, round_up=True) == "13 kB"
    assert [fmt.fmt_number(v) for v in (95.0, 99.8, 1234.5, None)] == ["95", "99,8", "1.234,5", "—"]
    assert fmt.fmt_months_short(date(2021, 1, 1), date(2021, 6, 1)) == "jan–jun"
    assert fmt.fmt_months_short(date(2021, 3, 1), date(2021, 3, 1)) == "mrt"


def test_expressions_match_the_functions():
    days = [date(2021, 6, 30), date(2020, 2, 1), None]
    frame = pl.DataFrame({"dag": days})
    out = frame.select(fmt.month_text_expr(pl.col("dag")).alias("m"), fmt.date_text_expr(pl.col("dag")).alias("d"))
    assert out["m"].to_list() == ["juni 2021", "februari 2020", None]
    assert out["d"].to_list() == ["30 juni 2021", "1 februari 2020", None]
    assert out["d"].to_list()[:2] == [fmt.fmt_date(d) for d in days[:2]]
