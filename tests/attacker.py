"""An attacker who combines everything the dashboard shows, to find a hidden count of 1 to 4.

What a viewer learns from a shown count is a linear equation over the dataset's monthly numbers: the count of a
query (a measure over some units, months and phase, see `cohort.privacy.release.Query`) equals the value shown. A hidden
count tells that the query is at least 1 (zeros are shown). Rates are shown only with both their counts, so they
add nothing beyond those counts. The attacker collects the equations of every page model for many selections
(and, to be stricter than any viewer, every visible cell of the release), and asks an integer programme
(`scipy.optimize.milp`, HiGHS) whether each target (a hidden count, a never-published cell of the release, or one
unit's count in one month, whose true value is 1 to 4) can take at least two values. A target that can take only
one value is a leak.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import product

import numpy as np
import polars as pl
from scipy import optimize, sparse

from cohort.analysis.metrics import with_phase
from cohort.contract import COMPLAINT_COLUMNS
from cohort.dataset import Dataset
from cohort.pagemodels.common import PageInput, Rate
from cohort.privacy.release import STOCK_SUFFIX, Count, Query, Release

LARGEST_HIDDEN = 4


def collect_counts(model: object) -> list[Count]:
    """Every Count inside a page model (its fields, nested dataclasses, tuples, lists and dicts)."""
    found: list[Count] = []
    seen: set[int] = set()

    def walk(obj: object) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, Count):
            found.append(obj)
        elif isinstance(obj, Rate):
            walk(obj.events)
            walk(obj.exposure)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, tuple | list | set | frozenset):
            for item in obj:
                walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item)

    walk(model)
    return found


def page_counts(name: str, page_input: PageInput) -> list[Count]:
    """Every Count page `name` can show for `page_input`: its model's, on the Kaart page the panel of every
    unit a viewer can click or choose (built per chosen unit, `cohort.pagemodels.map.area_panel`), on the Gebieden
    page every page of the unit table for every choice (`cohort.pagemodels.rollout.unit_page`), and on the
    Uitstroom page the side effects per period behind its toggle (`cohort.pagemodels.outflow.measures_chart`)."""
    from cohort.pagemodels import build
    from cohort.pagemodels.map import area_panel
    from cohort.pagemodels.outflow import measures_chart

    model = build(name, page_input)
    found = collect_counts(model)
    if name == "kaart":
        for code in model.choices:
            found += collect_counts(area_panel(page_input, model, code))
    if name == "gebieden":  # the unit table is made per page of rows and per choice of comparison
        from cohort.pagemodels.rollout import unit_page

        for benchmark, level, spread in product(model.benchmarks, model.levels, model.spreads):
            for number in model.page_numbers:
                found += collect_counts(unit_page(page_input, model, benchmark, level, spread, number))
    if name == "uitstroom":
        found += collect_counts(measures_chart(page_input))
    return found


@dataclass(frozen=True)
class Leak:
    target: str
    value: int


class Attacker:
    """The dataset's monthly numbers as unknowns, per family of linked measures."""

    def __init__(self, dataset: Dataset) -> None:
        phased = with_phase(dataset.monthly, dataset.units).sort("code", "maand")
        self.codes = dataset.units.get_column("code").to_list()
        self.months = sorted(phased.get_column("maand").unique().to_list())
        self._unit = {c: i for i, c in enumerate(self.codes)}
        self._month = {m: i for i, m in enumerate(self.months)}
        shape = (len(self.codes), len(self.months))
        self.phase = np.full(shape, "", dtype=object)
        u = np.array([self._unit[c] for c in phased.get_column("code").to_list()])
        t = np.array([self._month[m] for m in phased.get_column("maand").to_list()])
        in_cohort = phased.get_column("in_cohort").to_numpy()
        comparison = phased.get_column("vergelijking").to_numpy()
        self.phase[u, t] = np.where(in_cohort, "cohort", np.where(comparison, "vergelijking", "overig"))
        self.truth: dict[str, np.ndarray] = {}
        for column in dataset.monthly.columns:
            if column in ("maand", "code"):
                continue
            values = np.zeros(shape, dtype=np.int64)
            values[u, t] = phased.get_column(column).to_numpy()
            self.truth[column] = values
        # One family of unknowns for all complaints: the four categories (the total is their sum).
        self.truth["klachten"] = np.stack([self.truth[c] for c in COMPLAINT_COLUMNS], axis=-1)

    def family(self, measure: str) -> str:
        measure = measure.removesuffix(STOCK_SUFFIX)
        return "klachten" if measure in COMPLAINT_COLUMNS else measure

    def row(self, query: Query) -> tuple[str, np.ndarray]:
        """(family, 0/1 weights over that family's unknowns, flattened)."""
        family = self.family(query.measure)
        mask = np.zeros((len(self.codes), len(self.months)), dtype=bool)
        units = [self._unit[c] for c in query.codes if c in self._unit]
        months = [i for m, i in self._month.items() if query.first <= m <= query.last]
        if query.stock:
            months = [self._month[query.last]] if query.last in self._month else []
        mask[np.ix_(units, months)] = True
        if query.phase != "alle" and not query.stock:
            mask &= self.phase == query.phase
        if family == "klachten":
            weights = np.repeat(mask[:, :, None], len(COMPLAINT_COLUMNS), axis=-1).astype(float)
            if query.measure in COMPLAINT_COLUMNS:
                keep = COMPLAINT_COLUMNS.index(query.measure)
                weights[:, :, [i for i in range(len(COMPLAINT_COLUMNS)) if i != keep]] = 0.0
            return family, weights.reshape(-1)
        return family, mask.astype(float).reshape(-1)

    def true_value(self, family: str, weights: np.ndarray) -> int:
        return round(float(weights @ self.truth[family].reshape(-1)))

    def leaks(self, shown: Iterable[Count], hidden: Iterable[Count], *, monthly_targets: bool = True,
              extra_targets: Iterable[tuple[str, np.ndarray, str]] = ()) -> list[Leak]:
        """Targets that the shown counts pin to one value (an empty list: nothing can be worked out)."""
        equations: dict[str, dict[bytes, tuple[np.ndarray, float]]] = {}
        floors: dict[str, dict[bytes, np.ndarray]] = {}
        targets: dict[str, list[tuple[np.ndarray, str]]] = {}
        for count in shown:
            if count.query is None or not count.shown:
                continue
            family, weights = self.row(count.query)
            equations.setdefault(family, {})[weights.tobytes()] = (weights, float(count.value or 0))
        for count in hidden:
            if count.query is None or not count.hidden:
                continue
            family, weights = self.row(count.query)
            floors.setdefault(family, {})[weights.tobytes()] = weights
            if 1 <= self.true_value(family, weights) <= LARGEST_HIDDEN:
                targets.setdefault(family, []).append((weights, f"verborgen {count.query}"))
        for family, weights, name in extra_targets:
            targets.setdefault(family, []).append((weights, name))
        leaks: list[Leak] = []
        for family, rows in equations.items():
            truth = self.truth[family].reshape(-1).astype(float)
            family_targets = list(targets.get(family, []))
            if monthly_targets:
                covered = np.flatnonzero(np.any([w > 0 for w, _ in rows.values()], axis=0))
                for index in covered:
                    if 1 <= truth[index] <= LARGEST_HIDDEN:
                        weights = np.zeros(len(truth))
                        weights[index] = 1.0
                        where = np.unravel_index(index, self.truth[family].shape)
                        family_targets.append((weights, f"{family}: cel {where}"))
            leaks += _pinned(rows, floors.get(family, {}), truth, family_targets)
        return leaks


def _pinned(rows: dict[bytes, tuple[np.ndarray, float]], floors: dict[bytes, np.ndarray], truth: np.ndarray,
            targets: list[tuple[np.ndarray, str]]) -> list[Leak]:
    if not targets:
        return []
    a_eq = sparse.csr_array(np.array([w for w, _ in rows.values()]))
    b_eq = np.array([v for _, v in rows.values()])
    constraints = [optimize.LinearConstraint(a_eq, b_eq, b_eq)]
    if floors:
        constraints.append(optimize.LinearConstraint(sparse.csr_array(np.array(list(floors.values()))), 1, np.inf))
    integrality = np.ones(len(truth))
    values = [round(float(w @ truth)) for w, _ in targets]
    open_targets = list(range(len(targets)))
    # Cheap first: two integer solutions, every target pushed up (then down) by at most one per unknown; a
    # target that moved can take another value. Only the rest get an integer programme of their own.
    for sense in (-1.0, 1.0):
        if not open_targets:
            break
        objective = sense * np.sum([targets[i][0] for i in open_targets], axis=0)
        bounds = optimize.Bounds(np.maximum(truth - 1, 0), truth + 1)
        result = optimize.milp(objective, constraints=constraints, integrality=integrality, bounds=bounds)
        if result.x is not None:
            open_targets = [i for i in open_targets if abs(targets[i][0] @ result.x - values[i]) < 0.5]
    leaks = []
    for i in open_targets:
        weights, name = targets[i]
        moved = False
        for sense in (1.0, -1.0):
            result = optimize.milp(sense * weights, constraints=constraints, integrality=integrality,
                                   bounds=optimize.Bounds(0, np.inf))
            if result.x is not None and abs(weights @ result.x - values[i]) > 0.5:
                moved = True
                break
        if not moved:
            leaks.append(Leak(name, values[i]))
    return leaks


def release_counts(release: Release, dataset: Dataset) -> tuple[list[Count], list[Count]]:
    """Every cell of the release as a Count with its query: (visible, hidden), the latent ones left out."""
    shown, hidden = [], []
    for cell in release.cells():
        block = release._blocks[cell.measure]
        lattice = release.lattice_of(cell.measure)
        level = release.levels[cell.level]
        n_nodes = len(lattice.nodes)
        if cell.period < n_nodes:
            node = lattice.nodes[cell.period]
            first, last = node.first, node.last
            if block.prefix_only:
                continue  # never published
        else:
            first, last = lattice.root.first, lattice.leaves[cell.period - n_nodes].last
        is_stock = cell.measure.endswith(STOCK_SUFFIX)
        query = Query(cell.measure, level.leaves, first if not is_stock else last, last, cell.phase, is_stock)
        (hidden if cell.hidden else shown).append(Count(None if cell.hidden else cell.value,
                                                        "hidden" if cell.hidden else "shown", query))
    del dataset
    return shown, hidden


def small_latent_queries(release: Release) -> list[Query]:
    """The never-published cells of the release (complaints per half year and below) whose true value is 1 to 4."""
    queries = []
    for cell in release.cells():
        block = release._blocks[cell.measure]
        lattice = release.lattice_of(cell.measure)
        if not block.prefix_only or cell.period >= len(lattice.nodes) or not 1 <= cell.value <= LARGEST_HIDDEN:
            continue
        node = lattice.nodes[cell.period]
        queries.append(Query(cell.measure, release.levels[cell.level].leaves, node.first, node.last))
    return queries


def month_range(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def edited(dataset: Dataset, edits: dict[tuple[str, date, str], int]) -> Dataset:
    """The dataset with some monthly counts replaced, {(code, month, column): value} (a new content key)."""
    monthly = dataset.monthly
    for (code, month, column), value in edits.items():
        monthly = monthly.with_columns(
            pl.when((pl.col("code") == code) & (pl.col("maand") == month)).then(pl.lit(value, pl.Int64))
            .otherwise(pl.col(column)).alias(column)
        )
    meta = dataclasses.replace(dataset.meta, version=f"{dataset.meta.version}-edited-{abs(hash(tuple(edits)))}")
    return Dataset(dataset.units, monthly, meta)


class JointAttacker:
    """Several published datasets at once (two versions, or two overlapping uploads), as one set of unknowns.

    A unit's count in a month is one unknown for every dataset that holds the same value there (an attacker may
    assume an unchanged number stayed the same, and is right), and a separate unknown where a later version
    changed it. Each dataset's shown counts are equations over its own months and phases.
    """

    def __init__(self, datasets: list[Dataset]) -> None:
        self.parts = [Attacker(d) for d in datasets]
        self.maps: list[dict[str, np.ndarray]] = []
        truth: dict[str, list[int]] = {}
        unknown: dict[str, dict[tuple[object, ...], int]] = {}
        for part in self.parts:
            mapping = {}
            for family, values in part.truth.items():
                index = unknown.setdefault(family, {})
                known_values = truth.setdefault(family, [])
                flat = values.reshape(-1)
                where = np.unravel_index(np.arange(len(flat)), values.shape)
                positions = np.empty(len(flat), dtype=np.int64)
                for i, value in enumerate(flat.tolist()):
                    key = (part.codes[where[0][i]], part.months[where[1][i]], *[w[i] for w in where[2:]], value)
                    if key not in index:
                        index[key] = len(known_values)
                        known_values.append(value)
                    positions[i] = index[key]
                mapping[family] = positions
            self.maps.append(mapping)
        self.truth = {family: np.array(values, dtype=np.int64) for family, values in truth.items()}

    def row(self, version: int, query: Query) -> tuple[str, np.ndarray]:
        family, local = self.parts[version].row(query)
        weights = np.zeros(len(self.truth[family]))
        np.add.at(weights, self.maps[version][family], local)
        return family, weights

    def leaks(self, shown: list[Iterable[Count]], hidden: list[Iterable[Count]],
              extra_targets: Iterable[tuple[str, np.ndarray, str]] = ()) -> list[Leak]:
        """Targets (hidden counts of 1 to 4 of any version, never-published cells in `extra_targets`, single
        unit-months of 1 to 4) that all versions' shown counts together pin to one value."""
        equations: dict[str, dict[bytes, tuple[np.ndarray, float]]] = {}
        floors: dict[str, dict[bytes, np.ndarray]] = {}
        targets: dict[str, list[tuple[np.ndarray, str]]] = {}
        for version, counts in enumerate(shown):
            for count in counts:
                if count.query is not None and count.shown:
                    family, weights = self.row(version, count.query)
                    equations.setdefault(family, {})[weights.tobytes()] = (weights, float(count.value or 0))
        for version, counts in enumerate(hidden):
            for count in counts:
                if count.query is None or not count.hidden:
                    continue
                family, weights = self.row(version, count.query)
                floors.setdefault(family, {})[weights.tobytes()] = weights
                if 1 <= round(float(weights @ self.truth[family])) <= LARGEST_HIDDEN:
                    targets.setdefault(family, []).append((weights, f"versie {version + 1}: verborgen {count.query}"))
        for family, weights, name in extra_targets:
            targets.setdefault(family, []).append((weights, name))
        leaks: list[Leak] = []
        for family, rows in equations.items():
            truth = self.truth[family].astype(float)
            family_targets = list(targets.get(family, []))
            covered = np.flatnonzero(np.any([w > 0 for w, _ in rows.values()], axis=0))
            for index in covered:
                if 1 <= truth[index] <= LARGEST_HIDDEN:
                    weights = np.zeros(len(truth))
                    weights[index] = 1.0
                    family_targets.append((weights, f"{family}: onbekende {index}"))
            leaks += _pinned(rows, floors.get(family, {}), truth, family_targets)
        return leaks
