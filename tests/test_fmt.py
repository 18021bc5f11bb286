from datetime import date

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
