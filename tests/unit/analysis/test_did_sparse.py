"""The sparse bootstrap of `did_effect` gives the numbers of the dense one it replaced (`did_reference`).

Same seed, same draws, same cells, same counts. Floating-point sums over units may be added in another order:
the dense array's sums ran sequentially or pairwise depending on how NumPy happened to lay it out, and the
bootstrap products now run over the contributing units only (the others add exact zeros), which BLAS may group
differently. So the numbers agree to rounding (1e-12 relative; observed: at most a few units in the last place),
which is far inside the 1e-13 to which the estimates were checked against reference implementations.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from did_reference import reference_did_effect

from cohort.analysis.did import DidResult, build_panel, did_effect

FIRST = date(2018, 1, 1)


def _month(offset: int) -> date:
    return date(FIRST.year + (FIRST.month - 1 + offset) // 12, (FIRST.month - 1 + offset) % 12 + 1, 1)


def generated_panel(n_units: int = 400, n_months: int = 60, seed: int = 7) -> pl.DataFrame:
    """Staggered starts over 30 months (15% never, some still running), Poisson outflow, 2% of the unit-months
    missing and some months with nobody on welfare (rate undefined): every branch of the estimator."""
    rng = np.random.default_rng(seed)
    starts = [None if rng.random() < 0.15 else int(rng.integers(2, 32)) for _ in range(n_units)]
    ends = [None if s is None or rng.random() < 0.1 else s + int(rng.integers(6, 15)) for s in starts]
    rows: dict[str, list] = {"code": [], "maand": [], "start": [], "eind": [], "bijstand": [], "uitstroom_werk": []}
    size = rng.integers(20, 3000, size=n_units)
    for i in range(n_units):
        for m in range(n_months):
            if rng.random() < 0.02:
                continue
            persons = 0 if rng.random() < 0.005 else int(rng.poisson(size[i]))
            treated = starts[i] is not None and m >= starts[i] and (ends[i] is None or m <= ends[i])
            rows["code"].append(f"U{i:04d}")
            rows["maand"].append(_month(m))
            rows["start"].append(None if starts[i] is None else _month(starts[i]).replace(day=15))
            rows["eind"].append(None if ends[i] is None else _month(ends[i]).replace(day=28))
            rows["bijstand"].append(persons)
            rows["uitstroom_werk"].append(int(rng.binomial(persons, 0.012 if treated else 0.009)))
    return pl.DataFrame(rows, schema={"code": pl.String, "maand": pl.Date, "start": pl.Date, "eind": pl.Date,
                                      "bijstand": pl.Int64, "uitstroom_werk": pl.Int64})


def close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


def assert_same(new: DidResult | None, old: DidResult | None) -> None:
    assert (new is None) == (old is None)
    if new is None or old is None:
        return
    for name in ("n_units_treated", "n_units_control", "n_cohorts", "n_cells", "reps", "level", "method"):
        assert getattr(new, name) == getattr(old, name), name
    for name in ("att", "treated_rate", "counterfactual_rate", "ratio"):
        assert close(getattr(new, name), getattr(old, name)), name
    for name in ("ci", "ratio_ci"):
        assert all(close(a, b) for a, b in zip(getattr(new, name), getattr(old, name), strict=True)), name
    assert new.cells.drop("att", "weight").equals(old.cells.drop("att", "weight"))
    for column in ("att", "weight"):
        pairs = zip(new.cells.get_column(column).to_list(), old.cells.get_column(column).to_list(), strict=True)
        assert all(close(a, b) for a, b in pairs), column


@pytest.mark.parametrize("window", [(None, None), (date(2019, 7, 1), date(2020, 12, 1)), (date(2020, 1, 1), None)])
def test_sparse_bootstrap_equals_dense_on_generated_data(window: tuple[date | None, date | None]) -> None:
    panel = generated_panel()
    new = did_effect(panel, *window)
    assert new is not None and new.n_cells > 100  # a real comparison, not an empty one that trivially agrees
    assert_same(new, reference_did_effect(panel, *window))


def test_sparse_bootstrap_equals_dense_on_the_example(example) -> None:
    panel = build_panel(example.units, example.monthly)
    for window in ((None, None), (date(2020, 1, 1), date(2021, 6, 1))):
        new = did_effect(panel, *window)
        assert new is not None
        assert_same(new, reference_did_effect(panel, *window))


def test_sparse_bootstrap_equals_dense_with_other_settings() -> None:
    panel = generated_panel(120, 40, seed=3)
    for settings in ({"base_months": 1, "max_months": 6, "reps": 99, "seed": 5},
                     {"base_months": 6, "max_months": 30, "level": 0.9}):
        assert_same(did_effect(panel, **settings), reference_did_effect(panel, **settings))


def test_without_bootstrap_the_estimate_is_the_same_and_the_intervals_are_nan() -> None:
    panel = generated_panel(120, 40, seed=3)
    full, point = did_effect(panel), did_effect(panel, reps=0)
    assert full is not None and point is not None
    assert (point.att, point.ratio, point.treated_rate, point.n_units_treated, point.n_units_control) == (
        full.att, full.ratio, full.treated_rate, full.n_units_treated, full.n_units_control)
    assert point.cells.equals(full.cells)
    assert all(math.isnan(v) for v in (*point.ci, *point.ratio_ci))
    assert not any(math.isnan(v) for v in (*full.ci, *full.ratio_ci))
