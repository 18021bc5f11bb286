"""Staggered difference-in-differences for outflow to work, and the event-time profile beside it.

Input everywhere is a *panel*: one row per unit and month with columns ``code`` (str), ``maand`` (date,
first of the month), ``start`` and ``eind`` (the unit's cohort period; null start = never in the
Cohortaanpak, null end = still running), ``bijstand`` (persons, the exposure) and ``uitstroom_werk``
(events). `build_panel` makes one from the contract frames. Time is handled in whole calendar months: a
unit counts as treated from the month in which its start date falls, up to and including the month of its
end date. Rates are per 1,000 persons per month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from scipy import special  # stdtrit is the Student t quantile, without importing scipy.stats

from cohort.contract import UnitKind
from cohort.fmt import fmt_number

PER = 1000.0
_NEVER = np.iinfo(np.int64).max // 4  # month index of "never started" / "never ended"


def build_panel(units: pl.DataFrame, monthly: pl.DataFrame) -> pl.DataFrame:
    """Join each area's start and end onto its monthly rows (the panel the functions below expect).

    Areas only: a city-wide target group overlaps every area, so as a "control" or "treated unit" it would
    count the same persons twice; target groups never enter the difference-in-differences.
    """
    areas = units.filter(pl.col("soort") == UnitKind.AREA).select("code", "start", "eind")
    return monthly.select("code", "maand", "bijstand", "uitstroom_werk").join(areas, on="code", how="inner")


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class _Arrays:
    """The panel as dense unit × month arrays (NaN where a row is missing)."""

    month0: int  # month index of column 0
    events: np.ndarray
    exposure: np.ndarray
    rate: np.ndarray  # per 1,000; NaN where missing or exposure 0
    start: np.ndarray  # (units,) month index of the start; _NEVER if none
    end: np.ndarray  # (units,) month index of the end; _NEVER if open
    # Every cohort's cells over the whole panel, per (base_months, max_months): an estimate for a window takes
    # its columns from them (`_cohort_cells`), so a page with two windows computes them once.
    whole_panel_cells: dict[tuple[int, int], list[_CohortCells]] = field(default_factory=dict, compare=False,
                                                                         repr=False)

    @property
    def n_months(self) -> int:
        return self.rate.shape[1]


def _month_expr(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int64) * 12 + pl.col(column).dt.month().cast(pl.Int64) - 1


def _check_panel(panel: pl.DataFrame) -> None:
    missing = {"code", "maand", "start", "eind", "bijstand", "uitstroom_werk"} - set(panel.columns)
    if missing:
        raise ValueError(f"Het panel mist de kolom(men) {', '.join(sorted(missing))}.")
    if panel.is_empty():
        raise ValueError("Het panel is leeg.")
    if panel.select(pl.struct("code", "maand").is_duplicated().any()).item():
        raise ValueError("Het panel bevat een eenheid met twee rijen voor dezelfde maand.")


def _to_arrays(panel: pl.DataFrame) -> _Arrays:
    _check_panel(panel)
    frame = panel.with_columns(month_index=_month_expr("maand"))
    units = frame.group_by("code").agg(
        pl.col("start").n_unique().alias("n_start"),
        pl.col("eind").n_unique().alias("n_eind"),
        pl.col("start").first(),
        pl.col("eind").first(),
    ).sort("code")
    bad = units.filter((pl.col("n_start") > 1) | (pl.col("n_eind") > 1))
    if not bad.is_empty():
        code = bad.item(0, "code")
        raise ValueError(f"Eenheid {code} heeft verschillende start- of einddata in het panel.")
    month0 = int(frame.get_column("month_index").min())  # type: ignore[arg-type]
    n_months = int(frame.get_column("month_index").max()) - month0 + 1  # type: ignore[arg-type]
    # Each row's unit as its position in code order (a join, not a Python loop over 600,000 rows).
    rows = frame.select("code").join(units.select("code").with_row_index("row"), on="code", how="left",
                                     maintain_order="left").get_column("row").to_numpy().astype(np.int64)
    cols = frame.get_column("month_index").to_numpy() - month0
    events = np.full((units.height, n_months), np.nan)
    exposure = np.full((units.height, n_months), np.nan)
    events[rows, cols] = frame.get_column("uitstroom_werk").cast(pl.Float64).to_numpy()
    exposure[rows, cols] = frame.get_column("bijstand").cast(pl.Float64).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposure > 0, events / exposure * PER, np.nan)

    def month_or_never(column: str) -> np.ndarray:
        return units.select(_month_expr(column).fill_null(_NEVER)).to_series().to_numpy().astype(np.int64)

    return _Arrays(month0, events, exposure, rate, month_or_never("start"), month_or_never("eind"))


PanelArrays = _Arrays  # what `panel_arrays` returns: pass it instead of the panel to several estimates


def panel_arrays(panel: pl.DataFrame) -> PanelArrays:
    """The panel checked and laid out as unit × month arrays, once for several estimates on the same panel
    (`did_effect` and `event_time_profile` take it in place of the panel)."""
    return _to_arrays(panel)


def _window_columns(arrays: _Arrays, from_month: date | None, to_month: date | None) -> tuple[int, int]:
    """Inclusive column range of the calendar window (clipped to the panel)."""
    first = 0 if from_month is None else max(0, _month_index(from_month) - arrays.month0)
    last = arrays.n_months - 1 if to_month is None else min(arrays.n_months - 1,
                                                           _month_index(to_month) - arrays.month0)
    return first, last


def _base(arrays: _Arrays, start_col: int, base_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: mean rate and exposure over the `base_months` months before `start_col`, and usability."""
    window = slice(start_col - base_months, start_col)
    base_rate = arrays.rate[:, window].mean(axis=1)  # NaN if any base month is missing
    base_exposure = arrays.exposure[:, window].mean(axis=1)
    usable = np.isfinite(base_rate) & (base_exposure > 0)
    return np.where(usable, base_rate, 0.0), np.where(usable, base_exposure, 0.0), usable


@dataclass(frozen=True)
class DidResult:
    """Overall effect of being in a cohort on the outflow-to-work rate (per 1,000 persons per month)."""

    att: float  # average effect on the treated: observed minus counterfactual rate
    ci: tuple[float, float]  # bootstrap percentile interval of att
    treated_rate: float  # observed rate in the cohort months (same weights as att)
    counterfactual_rate: float  # treated_rate − att: the rate expected without the Cohortaanpak
    ratio: float  # treated_rate / counterfactual_rate
    ratio_ci: tuple[float, float]
    n_units_treated: int
    n_units_control: int  # units that serve as a not-yet-treated or never-treated control in some cell
    n_cohorts: int
    n_cells: int  # (cohort, month) comparisons used
    reps: int
    level: float
    method: str  # Dutch, for the page
    cells: pl.DataFrame = field(compare=False, repr=False)  # one row per (cohort, month)


# Order of the per-cell sums kept for the bootstrap; every one is a sum over units, hence linear in the
# bootstrap multiplicities, which is what lets a matrix product compute all replicates at once.
_T_CHANGE, _T_WEIGHT, _T_LEVEL, _C_CHANGE, _C_WEIGHT, _EXPOSURE = range(6)
_TREATED_SUMS = (_T_CHANGE, _T_WEIGHT, _T_LEVEL, _EXPOSURE)  # nonzero only for the cohort's own units
_CONTROL_SUMS = (_C_CHANGE, _C_WEIGHT)  # nonzero only for units that start later or never


@dataclass(frozen=True)
class _CohortCells:
    """One cohort's contributions to its cells (g, t) for the units that contribute anything.

    A unit adds to the treated sums of cohort g only if it starts in g, and to the control sums only if it starts
    after g (or never): every other unit adds exactly 0. Keeping only those rows is what makes 10,000 units
    affordable; a dense (6, units, cells) array of the same numbers took 290 MB and most of the time.
    """

    g: int
    t_cols: np.ndarray  # (k,) the kept months t of this cohort
    members: np.ndarray  # (m,) units with a nonzero treated contribution, ascending
    treated: np.ndarray  # (m, 4, k): the `_TREATED_SUMS` contributions of `members`
    controls: np.ndarray  # (c,) units with a nonzero control contribution, ascending
    control: np.ndarray  # (c, 2, k): the `_CONTROL_SUMS` contributions of `controls`

    def sums(self) -> np.ndarray:
        """(6, k): the contributions summed over the units (every other unit adds exactly 0).

        Summed over the contributing units only, each sum over a contiguous run (pairwise, like NumPy summed the
        dense array of every unit the estimates were checked with): equal to rounding, a few units in the last
        place (tests/unit/analysis/test_did_sparse.py). Not a dense (k, 6, units) array: with 10,000 units those
        were 300 MB of fresh pages per estimate, and on a first view their page faults queued behind the release
        being built beside it (0.03 s alone, over a second then).
        """
        out = np.zeros((6, self.t_cols.size))
        for block, which in ((self.treated, _TREATED_SUMS), (self.control, _CONTROL_SUMS)):
            if block.shape[0]:
                out[list(which)] = np.ascontiguousarray(block.transpose(1, 2, 0)).sum(axis=-1)
        return out


def _nonzero_rows(block: np.ndarray) -> np.ndarray:
    return np.flatnonzero((block != 0).any(axis=(1, 2)))


def _changes(arrays: _Arrays, rows: np.ndarray, t_cols: np.ndarray, base: tuple[np.ndarray, np.ndarray, np.ndarray]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For units `rows` and months `t_cols`: the rate, whether the unit takes part (data at t and in its base),
    and its change since its base, weighted by its base exposure (0 where it does not take part)."""
    base_rate, base_exposure, base_ok = base
    rate_t = arrays.rate[np.ix_(rows, t_cols)]
    ok = base_ok[rows, None] & np.isfinite(rate_t)
    change = np.where(ok, rate_t - base_rate[rows, None], 0.0) * base_exposure[rows, None]
    return rate_t, ok, change


def _cohort_cells(arrays: _Arrays, base_months: int, max_months: int, first: int, last: int) -> list[_CohortCells]:
    """Every cohort's kept cells (g, t) with `first` ≤ t ≤ `last`: those with at least one treated unit and one
    control. A cell's numbers do not depend on the window (base months and controls may lie outside it), so they
    are the whole panel's cells of those months, with the units that contribute to none of them left out."""
    key = (base_months, max_months)
    whole = arrays.whole_panel_cells.get(key)
    if whole is None:  # two threads may both compute it: the same list, and no lock held while computing
        whole = arrays.whole_panel_cells.setdefault(key, _whole_panel_cells(arrays, base_months, max_months))
    out: list[_CohortCells] = []
    for cohort in whole:
        columns = (cohort.t_cols >= first) & (cohort.t_cols <= last)
        if not columns.any():
            continue
        if columns.all():
            out.append(cohort)
            continue
        treated, control = cohort.treated[:, :, columns], cohort.control[:, :, columns]
        kept_members, kept_controls = _nonzero_rows(treated), _nonzero_rows(control)
        out.append(_CohortCells(cohort.g, cohort.t_cols[columns], cohort.members[kept_members],
                                treated[kept_members], cohort.controls[kept_controls], control[kept_controls]))
    return out


def _whole_panel_cells(arrays: _Arrays, base_months: int, max_months: int) -> list[_CohortCells]:
    first, last = 0, arrays.n_months - 1
    out: list[_CohortCells] = []
    start_cols = arrays.start - arrays.month0
    end_cols = arrays.end - arrays.month0
    for g in np.unique(start_cols[arrays.start != _NEVER]):
        g = int(g)
        if g - base_months < 0:
            continue  # no pre-period in the data for this cohort
        t_cols = np.arange(max(g, first), min(g + max_months - 1, last) + 1)
        if t_cols.size == 0:
            continue
        base_rate, base_exposure, base_ok = _base(arrays, g, base_months)
        base = (base_rate, base_exposure, base_ok)
        members = np.flatnonzero(start_cols == g)
        rate_t, ok, change = _changes(arrays, members, t_cols, base)
        treated = ok & (t_cols[None, :] <= end_cols[members, None])
        weight = np.broadcast_to(base_exposure[members, None], rate_t.shape)
        treated_block = np.stack([
            np.where(treated, change, 0.0),
            np.where(treated, weight, 0.0),
            np.where(treated, np.nan_to_num(rate_t) * base_exposure[members, None], 0.0),
            np.where(treated, np.nan_to_num(arrays.exposure[np.ix_(members, t_cols)]), 0.0),
        ], axis=1)
        controls = np.flatnonzero(start_cols > g)  # a control at t >= g starts after t, so after g
        rate_t, ok, change = _changes(arrays, controls, t_cols, base)
        control = ok & (start_cols[controls, None] > t_cols[None, :])  # not yet treated at t (or never)
        weight = np.broadcast_to(base_exposure[controls, None], rate_t.shape)
        control_block = np.stack([np.where(control, change, 0.0), np.where(control, weight, 0.0)], axis=1)
        keep = (treated_block[:, 1].sum(axis=0) > 0) & (control_block[:, 1].sum(axis=0) > 0)
        if not keep.any():
            continue
        treated_block, control_block = treated_block[:, :, keep], control_block[:, :, keep]
        kept_members, kept_controls = _nonzero_rows(treated_block), _nonzero_rows(control_block)
        out.append(_CohortCells(g, t_cols[keep], members[kept_members], treated_block[kept_members],
                                controls[kept_controls], control_block[kept_controls]))
    return out


def _bootstrap_sums(cohorts: list[_CohortCells], start_cols: np.ndarray, reps: int, seed: int) -> np.ndarray:
    """(reps, 6, cells): the cell sums of `reps` cluster-bootstrap replicates (units drawn with replacement).

    Only units that enter some cell are resampled, so the number of clusters is right. A replicate's sum is
    Σ_units multiplicity × contribution. With the units ordered by start, a cohort's own units and its controls
    (units that start later or never) are each one run of columns of the multiplicities, so each cohort costs
    one product with a slice of them instead of a product with every unit.
    """
    involved = np.zeros(start_cols.size, dtype=bool)
    for cohort in cohorts:
        involved[cohort.members] = True
        involved[cohort.controls] = True
    units = np.flatnonzero(involved)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(units.size, np.full(units.size, 1.0 / units.size), size=reps)
    order = np.argsort(start_cols[units], kind="stable")
    by_start = np.ascontiguousarray(draws[:, order], dtype=np.float64)
    column = np.full(start_cols.size, -1)
    column[units[order]] = np.arange(units.size)
    sums = np.zeros((reps, 6, sum(c.t_cols.size for c in cohorts)))
    offset = 0
    for cohort in cohorts:
        k = cohort.t_cols.size
        cells = slice(offset, offset + k)
        for rows, block, which in ((cohort.members, cohort.treated, _TREATED_SUMS),
                                   (cohort.controls, cohort.control, _CONTROL_SUMS)):
            if not rows.size:
                continue
            columns = column[rows]
            first = int(columns.min())
            run = np.zeros((int(columns.max()) + 1 - first, len(which) * k))
            run[columns - first] = block.reshape(rows.size, -1)
            product = by_start[:, first:first + run.shape[0]] @ run
            sums[:, list(which), cells] = product.reshape(reps, len(which), k)
        offset += k
    return sums


def _estimates(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From summed cell contributions (..., 6, cells): per-cell ATT, overall ATT and treated rate."""
    with np.errstate(invalid="ignore", divide="ignore"):
        att_cell = sums[..., _T_CHANGE, :] / sums[..., _T_WEIGHT, :] - sums[..., _C_CHANGE, :] / sums[
            ..., _C_WEIGHT, :]
        level_cell = sums[..., _T_LEVEL, :] / sums[..., _T_WEIGHT, :]
        usable = (sums[..., _T_WEIGHT, :] > 0) & (sums[..., _C_WEIGHT, :] > 0)
        w = np.where(usable, sums[..., _EXPOSURE, :], 0.0)
        total = w.sum(axis=-1)
        att = (np.where(usable, att_cell, 0.0) * w).sum(axis=-1) / total
        treated = (np.where(usable, level_cell, 0.0) * w).sum(axis=-1) / total
    return att_cell, att, treated


def did_effect(
    panel: pl.DataFrame | PanelArrays,
    from_month: date | None = None,
    to_month: date | None = None,
    *,
    base_months: int = 3,
    max_months: int = 18,
    reps: int = 499,
    level: float = 0.95,
    seed: int = 20190101,
) -> DidResult | None:
    """Staggered difference-in-differences with not-yet-treated controls (Callaway & Sant'Anna 2021).

    Cohort g is the calendar month of a unit's start. For every cohort g and month t with g ≤ t ≤ the
    unit's end month, t < g + `max_months` and t inside [`from_month`, `to_month`]:

        ATT(g,t) = [r_g(t) − r_g(base)] − [r_C(t) − r_C(base)],

    where base is the average of the `base_months` months before g, r is outflow to work per 1,000 persons
    per month, and C are the units not yet started at t (start month > t) or never started; cohort g
    itself is never in C. Base months and controls may lie before `from_month`: the window selects which
    effect months count. A unit needs data in all its base months and in month t to take part.

    Group rates are the unit rates averaged with weights fixed at each unit's mean base-period exposure,
    so a group's composition is identical at t and at base (with exposure constant over time this is
    the pooled events/exposure rate). Fixed weights keep unit differences from leaking into the change
    when area sizes drift, e.g. because the Cohortaanpak itself lowers the number of recipients.

    Why an average of 3 base months rather than only g − 1: monthly counts per area are small, so one
    month is noisy and every ATT(g,t) of the cohort inherits that noise; three months also dampen one-off
    months (holidays, a backlog of administrative endings). If invitations preceded the official start,
    both choices are contaminated; the event-time profile shows whether that happened.

    ATT is the average of ATT(g,t) weighted by the treated units' exposure (persons) in month t.
    treated_rate averages r_g(t) the same way; counterfactual_rate = treated_rate − att.
    Interval: percentile cluster bootstrap, resampling units (treated and controls together) with
    replacement, `reps` replicates with a fixed `seed`, re-estimating everything per replicate (a cell
    that has no treated unit or no control in a replicate drops out of that replicate). Both intervals
    are NaN when fewer than 90% of the replicates give an estimate (too few units to resample). With
    about 20 areas the bootstrap interval tends to be somewhat too narrow; treat it as a lower bound on
    the uncertainty. `reps=0` gives the estimates without the bootstrap (both intervals NaN), for a page
    that shows no interval. Returns None when no (g,t) cell has both treated units and controls.
    """
    arrays = panel if isinstance(panel, _Arrays) else _to_arrays(panel)
    first, last = _window_columns(arrays, from_month, to_month)
    cohorts = _cohort_cells(arrays, base_months, max_months, first, last)
    if not cohorts:
        return None
    summed = np.concatenate([cohort.sums() for cohort in cohorts], axis=1)
    att_cell, att_array, treated_array = _estimates(summed)
    att, treated = float(att_array), float(treated_array)

    boot_att = boot_ratio = np.empty(0)
    if reps > 0:
        boot_sums = _bootstrap_sums(cohorts, arrays.start - arrays.month0, reps, seed)
        _, boot_att, boot_treated = _estimates(boot_sums)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot_ratio = boot_treated / (boot_treated - boot_att)
    tail = (1.0 - level) / 2.0 * 100.0

    def percentile(values: np.ndarray) -> tuple[float, float]:
        finite = values[np.isfinite(values)]
        if reps == 0 or finite.size < 0.9 * reps:  # no replicates, or too many degenerate ones: no interval
            return (float("nan"), float("nan"))
        low, high = np.percentile(finite, [tail, 100.0 - tail])
        return float(low), float(high)

    g_cols = np.concatenate([np.full(cohort.t_cols.size, cohort.g) for cohort in cohorts])
    t_cols = np.concatenate([cohort.t_cols for cohort in cohorts])
    cell_frame = pl.DataFrame(
        {
            "cohort": [_month_date(int(g) + arrays.month0) for g in g_cols],
            "maand": [_month_date(int(t) + arrays.month0) for t in t_cols],
            "event_time": t_cols - g_cols,
            "att": att_cell,
            "weight": summed[_EXPOSURE],
            "n_treated": np.concatenate([(c.treated[:, 1] > 0).sum(axis=0) for c in cohorts]),
            "n_control": np.concatenate([(c.control[:, 1] > 0).sum(axis=0) for c in cohorts]),
        }
    )
    treated_units = np.unique(np.concatenate([c.members[(c.treated[:, 1] > 0).any(axis=1)] for c in cohorts]))
    control_units = np.unique(np.concatenate([c.controls[(c.control[:, 1] > 0).any(axis=1)] for c in cohorts]))
    counterfactual = treated - att
    level_text = fmt_number(level * 100)  # 95, 99,8
    method = (
        f"Verschil-in-verschillen met gespreide starts (Callaway & Sant'Anna, 2021): per startmaand "
        f"vergelijken we de verandering in uitstroom naar werk ten opzichte van de {base_months} maanden "
        f"vóór de start met dezelfde verandering bij eenheden die nog niet of nooit gestart waren, tot "
        f"{max_months} maanden na de start. Het {level_text}%-interval komt uit een bootstrap "
        f"over eenheden ({reps} trekkingen)."
    )
    return DidResult(
        att=att,
        ci=percentile(boot_att),
        treated_rate=treated,
        counterfactual_rate=counterfactual,
        ratio=treated / counterfactual if counterfactual != 0 else float("nan"),
        ratio_ci=percentile(boot_ratio),
        n_units_treated=int(treated_units.size),
        n_units_control=int(control_units.size),
        n_cohorts=len(set(g_cols.tolist())),
        n_cells=int(t_cols.size),
        reps=reps,
        level=level,
        method=method,
        cells=cell_frame,
    )


def _t_interval(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise n, mean and t-interval over the finite values of a (units, k) array."""
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    filled = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        variance = (np.where(finite, values - mean, 0.0) ** 2).sum(axis=0) / (n - 1)
        half = special.stdtrit(np.maximum(n - 1, 1), 1.0 - (1.0 - level) / 2.0) * np.sqrt(variance / n)
    half = np.where(n >= 2, half, np.nan)
    return n, mean, mean - half, mean + half


def event_time_profile(
    panel: pl.DataFrame | PanelArrays,
    window: tuple[int, int] = (-12, 18),
    from_month: date | None = None,
    to_month: date | None = None,
    *,
    base_months: int = 3,
    level: float = 0.95,
) -> pl.DataFrame:
    """Outflow to work by months since start (event time k), over the units that ever started.

    For each k in `window` (inclusive) and each started unit i with data in month t = start month + k
    (t inside [`from_month`, `to_month`]):

    - ``rate``: the mean over units of the unit rate r_i(t) per 1,000 persons (each unit counts once,
      whatever its size), with a t-interval over units: mean ± t(n−1)·s/√n. The spread between units,
      not only Poisson noise, sets its width, because that is the uncertainty that matters when asking
      "what happens in a typical area".
    - ``diff``: the same mean and interval of the unit's own difference-in-differences,
      [r_i(t) − r_i(base)] − [r_C(t) − r_C(base)], with base the `base_months` months before the start
      and C the units not started by month max(t, start − 1), excluding the unit's own cohort, averaged
      with base-exposure weights as in `did_effect`. Under parallel trends ``diff`` is zero before the
      start (exactly zero on average over the base months, by construction); a drift before the start
      is a warning that the comparison is not fair, or that invitations began before the official start.

    Months after a unit's end date are included, so the profile also shows whether an effect lasts.
    Columns: event_time, n_units, rate, rate_lower, rate_upper, n_units_diff, diff, diff_lower,
    diff_upper; intervals are null with fewer than 2 units.
    """
    arrays = panel if isinstance(panel, _Arrays) else _to_arrays(panel)
    first, last = _window_columns(arrays, from_month, to_month)
    k_values = np.arange(window[0], window[1] + 1)
    start_cols = arrays.start - arrays.month0
    started = np.flatnonzero(arrays.start != _NEVER)
    raw = np.full((started.size, k_values.size), np.nan)
    diff = np.full((started.size, k_values.size), np.nan)
    for g in np.unique(start_cols[started]):
        g = int(g)
        rows = np.flatnonzero(start_cols[started] == g)
        members = started[rows]
        t_cols = g + k_values
        in_range = np.flatnonzero((t_cols >= first) & (t_cols <= last))
        tc = t_cols[in_range]
        raw[np.ix_(rows, in_range)] = arrays.rate[np.ix_(members, tc)]
        if g - base_months < 0:
            continue
        base_rate, base_exposure, base_ok = _base(arrays, g, base_months)
        rate_t = arrays.rate[:, tc]
        ok = base_ok[:, None] & np.isfinite(rate_t)
        control = ok & (start_cols[:, None] > np.maximum(tc, g - 1)[None, :]) & (start_cols != g)[:, None]
        change = rate_t - base_rate[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            control_change = (np.where(control, change, 0.0) * base_exposure[:, None]).sum(axis=0) / (
                np.where(control, base_exposure[:, None], 0.0).sum(axis=0))
        own_change = np.where(ok[members], change[members], np.nan)
        diff[np.ix_(rows, in_range)] = own_change - control_change[None, :]
    n, mean, low, high = _t_interval(raw, level)
    n_diff, mean_diff, low_diff, high_diff = _t_interval(diff, level)
    return pl.DataFrame(
        {
            "event_time": k_values,
            "n_units": n,
            "rate": mean,
            "rate_lower": low,
            "rate_upper": high,
            "n_units_diff": n_diff,
            "diff": mean_diff,
            "diff_lower": low_diff,
            "diff_upper": high_diff,
        },
        schema_overrides={"event_time": pl.Int64, "n_units": pl.Int64, "n_units_diff": pl.Int64},
    ).with_columns(pl.col(pl.Float64).fill_nan(None))

