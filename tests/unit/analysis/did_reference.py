"""The difference-in-differences bootstrap as it was before it was made sparse (commit 25b094e), kept only to
show that `cohort.analysis.did.did_effect` still gives the same numbers for the same seed.

The old `_cell_sums` kept every unit's contribution to every (cohort, month) cell, a dense (6, units, cells)
array, and resampled with one product of the bootstrap multiplicities with all of it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from cohort.analysis.did import (
    _NEVER,
    PER,
    DidResult,
    _Arrays,
    _base,
    _check_panel,
    _month_date,
    _month_expr,
    _month_index,
    _window_columns,
)
from cohort.fmt import fmt_number


def _reference_arrays(panel: pl.DataFrame) -> _Arrays:
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
    codes = units.get_column("code").to_list()
    position = {code: i for i, code in enumerate(codes)}
    month0 = int(frame.get_column("month_index").min())  # type: ignore[arg-type]
    n_months = int(frame.get_column("month_index").max()) - month0 + 1  # type: ignore[arg-type]
    rows = np.array([position[c] for c in frame.get_column("code").to_list()], dtype=np.int64)
    cols = frame.get_column("month_index").to_numpy() - month0
    events = np.full((len(codes), n_months), np.nan)
    exposure = np.full((len(codes), n_months), np.nan)
    events[rows, cols] = frame.get_column("uitstroom_werk").cast(pl.Float64).to_numpy()
    exposure[rows, cols] = frame.get_column("bijstand").cast(pl.Float64).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposure > 0, events / exposure * PER, np.nan)

    def month_or_never(column: str) -> np.ndarray:
        values = units.get_column(column).to_list()
        return np.array([_NEVER if v is None else _month_index(v) for v in values], dtype=np.int64)

    return _Arrays(month0, events, exposure, rate, month_or_never("start"), month_or_never("eind"))


# Order of the per-cell sums kept for the bootstrap; every one is a sum over units, hence linear in the
# bootstrap multiplicities, which is what lets one matrix product compute all replicates at once.
_T_CHANGE, _T_WEIGHT, _T_LEVEL, _C_CHANGE, _C_WEIGHT, _EXPOSURE = range(6)


def _cell_sums(
    arrays: _Arrays, base_months: int, max_months: int, first: int, last: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Per-unit contributions (6, units, cells) to each (cohort, month) cell, and each cell's (g, t)."""
    blocks: list[np.ndarray] = []
    cells: list[tuple[int, int]] = []
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
        rate_t = arrays.rate[:, t_cols]
        ok = base_ok[:, None] & np.isfinite(rate_t)
        treated = ok & (start_cols == g)[:, None] & (t_cols[None, :] <= end_cols[:, None])
        control = ok & (start_cols[:, None] > t_cols[None, :])  # not yet treated at t (or never)
        change = np.where(ok, rate_t - base_rate[:, None], 0.0) * base_exposure[:, None]
        weight = np.broadcast_to(base_exposure[:, None], rate_t.shape)
        block = np.stack([
            np.where(treated, change, 0.0),
            np.where(treated, weight, 0.0),
            np.where(treated, np.nan_to_num(rate_t) * base_exposure[:, None], 0.0),
            np.where(control, change, 0.0),
            np.where(control, weight, 0.0),
            np.where(treated, np.nan_to_num(arrays.exposure[:, t_cols]), 0.0),
        ])
        keep = (block[_T_WEIGHT].sum(axis=0) > 0) & (block[_C_WEIGHT].sum(axis=0) > 0)
        blocks.append(block[:, :, keep])
        cells.extend((g, int(t)) for t in t_cols[keep])
    if not blocks:
        return np.zeros((6, arrays.rate.shape[0], 0)), []
    return np.concatenate(blocks, axis=2), cells


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


def reference_did_effect(
    panel: pl.DataFrame,
    from_month: date | None = None,
    to_month: date | None = None,
    *,
    base_months: int = 3,
    max_months: int = 18,
    reps: int = 499,
    level: float = 0.95,
    seed: int = 20190101,
) -> DidResult | None:
    """`cohort.analysis.did.did_effect` as it was at commit 25b094e (its docstring has the method)."""
    arrays = _reference_arrays(panel)
    first, last = _window_columns(arrays, from_month, to_month)
    contributions, cells = _cell_sums(arrays, base_months, max_months, first, last)
    if not cells:
        return None
    att_cell, att_array, treated_array = _estimates(contributions.sum(axis=1))
    att, treated = float(att_array), float(treated_array)

    # Cluster bootstrap: only units that enter some cell are resampled, so the number of clusters is right.
    involved = np.flatnonzero(np.abs(contributions).sum(axis=(0, 2)) > 0)
    flat = contributions[:, involved, :].transpose(1, 0, 2).reshape(len(involved), -1)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(len(involved), np.full(len(involved), 1.0 / len(involved)), size=reps)
    boot_sums = (draws @ flat).reshape(reps, 6, -1)
    _, boot_att, boot_treated = _estimates(boot_sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot_ratio = boot_treated / (boot_treated - boot_att)
    tail = (1.0 - level) / 2.0 * 100.0

    def percentile(values: np.ndarray) -> tuple[float, float]:
        finite = values[np.isfinite(values)]
        if finite.size < 0.9 * reps:  # too many degenerate replicates: no trustworthy interval
            return (float("nan"), float("nan"))
        low, high = np.percentile(finite, [tail, 100.0 - tail])
        return float(low), float(high)

    g_cols = np.array([g for g, _ in cells])
    t_cols = np.array([t for _, t in cells])
    summed = contributions.sum(axis=1)
    cell_frame = pl.DataFrame(
        {
            "cohort": [_month_date(int(g) + arrays.month0) for g in g_cols],
            "maand": [_month_date(int(t) + arrays.month0) for t in t_cols],
            "event_time": t_cols - g_cols,
            "att": att_cell,
            "weight": summed[_EXPOSURE],
            "n_treated": (contributions[_T_WEIGHT] > 0).sum(axis=0),
            "n_control": (contributions[_C_WEIGHT] > 0).sum(axis=0),
        }
    )
    treated_units = np.flatnonzero(contributions[_T_WEIGHT].sum(axis=1) > 0)
    control_units = np.flatnonzero(contributions[_C_WEIGHT].sum(axis=1) > 0)
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
        n_cells=len(cells),
        reps=reps,
        level=level,
        method=method,
        cells=cell_frame,
    )
