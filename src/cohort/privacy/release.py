"""The release: every count any viewer can see for one dataset, built once and protected together.

Why one release: protecting each table on its own fails as soon as another table, tile or download shows a
total that undoes it, or a second selection can be subtracted from the first. So the dataset is turned into
one fixed set of cells, and every number a page shows is taken from it:

- **Cells**: for each count of the contract, the sum over a *unit node* (each area or target group, each
  stadsdeel, the city = all areas, the target groups together), a *period node* of the lattice
  (`cohort.privacy.lattice`: quarters, half years, years, all) and, for the outflow and support counts, a *phase*
  (``cohort``: the unit's own cohort months; ``vergelijking``: areas not yet started or never in the
  approach; ``overig``: the rest; ``alle`` is their sum). Complaint categories exist for the city only. Stocks
  (persons on welfare, exemptions) are also kept at the last month of each quarter.
- **Protection** (`protect_cells`): counts from 1 to ``threshold - 1`` are hidden (primary), then more cells
  (secondary) until, within every published equation (a node is the sum of its children, in each of the three
  dimensions), each hidden part can still be anything from 1 to ``threshold - 1``, and, over all equations
  together (linear programming), no small cell is pinned to a single value.
- **Composition** (`Release.count`): a page's number for any selection (units, stadsdelen, period) is a sum of
  *visible* cells only; when that is impossible the number is hidden. A sum of shown numbers tells nothing
  new, so no combination of selections, pages or downloads reveals more than this release.

Everything that is not a count sum (rates, intervals, ratios) is computed by the page models from counts of
this release, and is hidden when one of its counts is. Model estimates over many units (the
difference-in-differences, the event-time profile) follow the rule in ``docs/privacy.md``.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

from cohort.analysis.metrics import comparison_expr, phase_expr
from cohort.contract import COMPLAINT_COLUMNS, UnitKind
from cohort.dataset import Dataset
from cohort.fmt import fmt_int
from cohort.privacy.lattice import Lattice
from cohort.privacy.rules import PROTECTED_TEXT, SuppressionRule
from cohort.privacy.seal import CURRENT_METHOD, Method, Seal, make_seal, seal_key

_log = logging.getLogger("cohort.privacy")

LevelKind = Literal["eenheid", "stadsdeel", "stad", "doelgroepen"]
Phase = Literal["alle", "cohort", "vergelijking", "overig"]
PHASES: tuple[Phase, ...] = ("alle", "cohort", "vergelijking", "overig")
CITY_NAME = "Amsterdam (gebieden)"
GROUPS_NAME = "Stedelijke doelgroepen (samen)"
STOCKS: tuple[str, ...] = ("bijstand", "ontheffingen")  # persons at month end; also kept as stocks
STOCK_SUFFIX = "_stand"
PLAIN_COUNTS: tuple[str, ...] = ("gesprekken", "klachten")  # never split by phase on any page
# Counts published per unit; the other (optional) counts only per stadsdeel and for the city.
UNIT_COUNTS: tuple[str, ...] = ("bijstand", "gesprekken", "uitstroom", "uitstroom_werk", "klachten", "ontheffingen")


# --- Values a page receives ---------------------------------------------------------------------------------------

CountState = Literal["shown", "hidden", "unavailable"]


@dataclass(frozen=True)
class Query:
    """What a count is the sum of: `measure` over the units `codes`, the months [first, last] and a phase.

    Kept on every count a page shows, so a test can write down what a viewer learns (a linear equation over
    the dataset's monthly numbers) and play the attacker. A stock (`stock=True`) is the value at `last` only.
    """

    measure: str
    codes: frozenset[str]
    first: date
    last: date
    phase: Phase = "alle"
    stock: bool = False


@dataclass(frozen=True)
class Count:
    """One protected count: its value when shown, else only that it is hidden (or not published at all)."""

    value: int | None
    state: CountState = "shown"
    query: Query | None = field(default=None, compare=False)

    @property
    def hidden(self) -> bool:
        return self.state == "hidden"

    @property
    def shown(self) -> bool:
        return self.state == "shown"

    @property
    def text(self) -> str:
        """'13.024', '0', '×' (hidden) or '—' (not published)."""
        if self.state == "hidden":
            return PROTECTED_TEXT
        return fmt_int(self.value)

    def __add__(self, other: Count) -> Count:
        # The sum of two counts has no single query; `Release.count` sets the query of the whole sum.
        if self.state == "unavailable" or other.state == "unavailable":
            return UNAVAILABLE
        if self.hidden or other.hidden:
            return HIDDEN
        return Count((self.value or 0) + (other.value or 0))

    def with_query(self, query: Query) -> Count:
        return Count(self.value, self.state, query)


HIDDEN = Count(None, "hidden")
UNAVAILABLE = Count(None, "unavailable")
ZERO = Count(0)


# --- The nodes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelNode:
    index: int
    kind: LevelKind
    name: str  # unit code, stadsdeel name, or the fixed names of the city and the target groups
    children: tuple[int, ...]
    leaves: frozenset[str]  # unit codes below (itself for a unit)


def _level_nodes(units: pl.DataFrame) -> list[LevelNode]:
    codes = units.get_column("code").to_list()
    kinds = units.get_column("soort").to_list()
    districts = units.get_column("stadsdeel").to_list()
    nodes = [LevelNode(i, "eenheid", code, (), frozenset([code])) for i, code in enumerate(codes)]
    area_rows = [i for i, kind in enumerate(kinds) if kind == UnitKind.AREA]
    names = sorted({districts[i] for i in area_rows if districts[i]})
    district_nodes = []
    for name in names:
        children = tuple(i for i in area_rows if districts[i] == name)
        district_nodes.append(len(nodes))
        nodes.append(LevelNode(len(nodes), "stadsdeel", name, children,
                               frozenset(codes[i] for i in children)))
    if area_rows:
        # Areas without a stadsdeel cannot occur (the contract requires one), but would hang under the city.
        loose = tuple(i for i in area_rows if not districts[i])
        nodes.append(LevelNode(len(nodes), "stad", CITY_NAME, tuple(district_nodes) + loose,
                               frozenset(codes[i] for i in area_rows)))
    group_rows = tuple(i for i, kind in enumerate(kinds) if kind == UnitKind.TARGET_GROUP)
    if group_rows:
        nodes.append(LevelNode(len(nodes), "doelgroepen", GROUPS_NAME, group_rows,
                               frozenset(codes[i] for i in group_rows)))
    return nodes


# --- Protection -------------------------------------------------------------------------------------------------

Equation = tuple[int, np.ndarray]  # (total cell, part cells): total = sum(parts)


def _gap_protected(hidden_values: np.ndarray, largest_hidden: int) -> bool:
    # Everyone knows a hidden cell is at least 1 (zeros are shown). With k hidden parts and a gap S, a hidden
    # part is at most S - (k - 1): that must still reach the largest hidden value, or the gap narrows it down.
    k = len(hidden_values)
    return k == 0 or (k >= 2 and int(hidden_values.sum()) - (k - 1) >= largest_hidden)


def _gap_fixpoint(values: np.ndarray, equations: list[Equation], member: list[list[int]], hidden: np.ndarray,
                  latent: np.ndarray, can_hide: np.ndarray, largest_hidden: int) -> None:
    queue = deque(sorted({e for cell in np.flatnonzero(hidden) for e in member[cell]}))
    queued = set(queue)
    while queue:
        e = queue.popleft()
        queued.discard(e)
        total, parts = equations[e]
        if hidden[total] or latent[total] or latent[parts].any():
            continue  # with a never-published cell in it, only the linear programme below can tell
        hidden_parts = parts[hidden[parts]]
        if _gap_protected(values[hidden_parts], largest_hidden):
            continue
        # The smallest visible non-zero part (hiding a zero protects nothing: zeros are known to be shown).
        candidates = parts[~hidden[parts] & (values[parts] > 0) & can_hide[parts]]
        if len(candidates):
            extra = int(candidates[np.argmin(values[candidates])])
        elif can_hide[total]:
            extra = int(total)
        else:
            continue  # an earlier publication shows all of it: only the linear programme can find another cell
        hidden[extra] = True
        for again in (e, *member[extra]):
            if again not in queued:
                queue.append(again)
                queued.add(again)


@dataclass
class _System:
    """The equations as seen by an attacker: unknowns are the hidden cells (each at least 1)."""

    cells: np.ndarray
    a_eq: object  # scipy sparse matrix
    b_eq: np.ndarray
    lower: np.ndarray  # 1 for a hidden cell (zeros are shown), 0 for a never-published one

    def solve(self, objective: np.ndarray, upper: np.ndarray | None = None) -> np.ndarray | None:
        from scipy import optimize  # only tables with hidden cells need it; keeps cold starts light

        bounds = np.column_stack([self.lower, np.full(len(self.cells), np.inf) if upper is None else upper])
        result = optimize.linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=bounds, method="highs")
        return result.x if result.status == 0 else None


@dataclass(frozen=True)
class _Incidence:
    """All equations as flat arrays (equation id, cell, sign: +1 for the total, -1 for a part), built once."""

    equation: np.ndarray
    cell: np.ndarray
    sign: np.ndarray
    start: np.ndarray  # the entries of equation e are start[e]:start[e + 1] (built in equation order)

    def entries(self, rows: np.ndarray) -> np.ndarray:
        """Positions of the entries of the equations `rows` (sorted)."""
        lengths = self.start[rows + 1] - self.start[rows]
        return np.repeat(self.start[rows] - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))

    @classmethod
    def of(cls, equations: list[Equation]) -> _Incidence:
        if not equations:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, np.zeros(0), np.zeros(1, dtype=np.int64))
        sizes = np.array([1 + len(parts) for _, parts in equations])
        equation = np.repeat(np.arange(len(equations)), sizes)
        cell = np.concatenate([np.concatenate([[total], parts]) for total, parts in equations]).astype(np.int64)
        sign = np.concatenate([np.concatenate([[1.0], -np.ones(len(parts))]) for _, parts in equations])
        return cls(equation, cell, sign, np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))

    def system(self, values: np.ndarray, hidden: np.ndarray, latent: np.ndarray) -> _System:
        from scipy import sparse

        cells = np.flatnonzero(hidden)
        position = np.full(len(values), -1)
        position[cells] = np.arange(len(cells))
        unknown = hidden[self.cell]
        touched = np.unique(self.equation[unknown])
        row_of = np.full(int(self.equation.max(initial=-1)) + 1, -1)
        row_of[touched] = np.arange(len(touched))
        in_system = row_of[self.equation] >= 0
        entries = in_system & unknown
        a_eq = sparse.csr_array(
            (self.sign[entries], (row_of[self.equation[entries]], position[self.cell[entries]])),
            shape=(len(touched), len(cells)),
        )
        known = in_system & ~unknown
        rhs = -np.bincount(row_of[self.equation[known]], weights=self.sign[known] * values[self.cell[known]],
                           minlength=len(touched))
        return _System(cells, a_eq, rhs, np.where(latent[cells], 0.0, 1.0))


def _widening_cell(cell: int, values: np.ndarray, equations: list[Equation], member: list[list[int]],
                   hidden: np.ndarray, can_hide: np.ndarray) -> int | None:
    """A visible cell to hide so that a pinned small cell becomes uncertain again: the smallest visible
    non-zero part of an equation it is in, else such a total, else one an equation further away (and further,
    when cells an earlier publication shows cannot be hidden)."""

    def pick(pool: np.ndarray) -> int | None:
        candidates = pool[~hidden[pool] & (values[pool] > 0) & can_hide[pool]] if len(pool) else pool
        return int(candidates[np.argmin(values[candidates])]) if len(candidates) else None

    own = [equations[e] for e in member[cell]]
    for pool in (np.concatenate([parts for _, parts in own]) if own else np.array([], dtype=int),
                 np.array([total for total, _ in own], dtype=int)):
        found = pick(pool)
        if found is not None:
            return found
    seen = {cell}
    ring = {c for _, parts in own for c in parts} | {total for total, _ in own}
    while ring - seen:
        seen |= ring
        ring = {x for c in ring for e in member[c] for x in (equations[e][0], *equations[e][1])} - seen
        found = pick(np.array(sorted(ring), dtype=int))
        if found is not None:
            return found
    return None


def _pinned_fix(values: np.ndarray, equations: list[Equation], member: list[list[int]], incidence: _Incidence,
                hidden: np.ndarray, latent: np.ndarray, can_hide: np.ndarray, small: np.ndarray,
                verified: np.ndarray) -> list[int]:
    """Cells to hide next: one per small cell that all equations together still pin to a single value."""
    candidates = np.flatnonzero(small & ~verified)
    if not len(candidates):
        return []
    system = incidence.system(values, hidden, latent)
    position = {int(c): i for i, c in enumerate(system.cells)}
    truth = values[system.cells].astype(float)
    # Cheap first: one solution pushed up and one pushed down (each cell within one of its true value) proves
    # at once every candidate that moved can take another value. Hiding more only widens, so it stays proven.
    open_cells = [int(c) for c in candidates]
    for sense in (1.0, -1.0):
        objective = np.zeros(len(system.cells))
        objective[[position[c] for c in open_cells]] = sense
        solution = system.solve(objective, upper=truth + 1)
        if solution is not None:
            moved = {c for c in open_cells if abs(solution[position[c]] - truth[position[c]]) > 0.5}
            verified[list(moved)] = True
            open_cells = [c for c in open_cells if c not in moved]
    extras: list[int] = []
    for cell in open_cells:
        objective = np.zeros(len(system.cells))
        objective[position[cell]] = 1.0
        low = system.solve(objective)
        high = system.solve(-objective)
        low_value = low[position[cell]] if low is not None else system.lower[position[cell]]
        high_value = high[position[cell]] if high is not None else math.inf
        if high_value - low_value < 1 - 1e-6:
            extra = _widening_cell(cell, values, equations, member, hidden, can_hide)
            if extra is not None:
                extras.append(extra)
                continue
        verified[cell] = True
    return sorted(set(extras))


# Local certificates. A pinned small cell is made uncertain again by the cheapest set of visible cells whose
# hiding lets it move by one, found by one linear programme over the cells around it (not the whole table): the
# attacker's equations restricted to a neighbourhood, with every cell outside it held at its true value. A move
# found there is a move in the whole table too (holding cells fixed only removes freedom), so the certificate is
# exact; a neighbourhood that admits no move only means a wider one (and finally the whole table) is tried.
# One programme per cell replaces trying one more hidden cell at a time (a pinned cell on the cumulative
# "t/m" chain needed dozens of rounds), and its solution also proves every other small cell it moves.

# Neighbourhoods tried in turn: (equation rings, visible parts taken per equation, cell cap).
_LOCAL_RINGS = ((3, 2, 600), (5, 4, 4000), (10, 8, 30000))
_WINDOW = 24  # parts of a long equation looked at, around the cell we came through


def _neighbourhood(cell: int, values: np.ndarray, equations: list[Equation], member: list[list[int]],
                   hidden: np.ndarray, movable: np.ndarray, rings: int, per_equation: int, cap: int) -> np.ndarray:
    """The cells within `rings` equations of `cell`: through each equation its total, its hidden parts and the
    `per_equation` movable visible parts nearest to the cell it was entered through."""
    seen = {cell}
    frontier = [cell]
    done: set[int] = set()
    for _ in range(rings):
        following: list[int] = []
        for c in frontier:
            for e in member[c]:
                if e in done:
                    continue
                done.add(e)
                total, parts = equations[e]
                at = np.flatnonzero(parts == c)
                entered = int(at[0]) if len(at) else 0  # the part we came through (0 when it is the total)
                if len(parts) > _WINDOW:
                    # The parts next to the one we came through: in every equation of the same shape (a
                    # stadsdeel's areas in each quarter) these are the same neighbours, so the move can close;
                    # and a stadsdeel of a thousand areas is not searched whole for each cell.
                    first = max(0, entered - _WINDOW // 2)
                    parts = parts[first:entered + _WINDOW // 2 + 1]
                    entered -= first
                pool = parts[hidden[parts]].tolist()
                open_parts = np.flatnonzero(~hidden[parts] & movable[parts])
                if len(open_parts) > per_equation:
                    nearest = np.abs(open_parts - entered)
                    open_parts = open_parts[np.argsort(nearest, kind="stable")[:per_equation]]
                visible = parts[open_parts]
                for x in (int(total), *pool, *visible.tolist()):
                    if x not in seen:
                        seen.add(x)
                        following.append(x)
            if len(seen) >= cap:
                return np.array(sorted(seen), dtype=np.int64)
        frontier = following
    return np.array(sorted(seen), dtype=np.int64)


def _local_move(cell: int, region: np.ndarray, values: np.ndarray, incidence: _Incidence, member: list[list[int]],
                hidden: np.ndarray, latent: np.ndarray, movable: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The cheapest move of `cell` by one within `region`: (cells, change) with every other region cell held
    fixed unless hidden (free down to its lower bound) or movable (free, at a cost of its value, down to 1).
    Cells whose change is non-zero must all be hidden for the move to be open to an attacker."""
    import highspy  # HiGHS itself: scipy's linprog wrapper cost more than the small programmes here
    from scipy import sparse

    free = region[hidden[region]]
    paid = region[~hidden[region] & movable[region]]
    if not hidden[cell]:
        return None
    # Columns: the change of each hidden cell, then for each visible one its increase and its decrease, both
    # paid for by its value (hiding a large number costs more of what the table tells).
    columns = np.concatenate([free, paid, paid])
    sign = np.concatenate([np.ones(len(free) + len(paid)), -np.ones(len(paid))])
    n = len(columns)
    rows = np.unique(np.concatenate([np.asarray(member[c], dtype=np.int64) for c in columns[:len(free) + len(paid)]
                                     .tolist()]))
    entries = incidence.entries(rows)
    entry_row = np.searchsorted(rows, incidence.equation[entries])
    entry_cell = incidence.cell[entries]
    entry_sign = incidence.sign[entries]
    # Each entry once per column of its cell: a visible cell has two (its increase and its decrease).
    order = np.argsort(columns, kind="stable")
    first = np.searchsorted(columns[order], entry_cell, side="left")
    last = np.searchsorted(columns[order], entry_cell, side="right")
    repeats = last - first
    base = np.repeat(first, repeats)
    offset = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    picked = order[base + offset]
    matrix = sparse.csc_array((np.repeat(entry_sign, repeats) * sign[picked], (np.repeat(entry_row, repeats), picked)),
                              shape=(len(rows), n))
    truth = values[columns].astype(float)
    n_free, n_paid = len(free), len(paid)
    lower = np.concatenate([np.where(latent[free], 0.0, 1.0) - truth[:n_free], np.zeros(2 * n_paid)])
    upper = np.concatenate([np.full(n_free + n_paid, highspy.kHighsInf), truth[n_free + n_paid:] - 1])
    cost = np.concatenate([np.zeros(n_free), truth[n_free:]])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_ = lp.row_upper_ = np.zeros(len(rows))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.passModel(lp)
    own = int(np.flatnonzero(free == cell)[0])
    best: tuple[float, np.ndarray] | None = None
    for step in (1.0, -1.0):
        if values[cell] + step < (0 if latent[cell] else 1):
            continue
        solver.changeColBounds(own, step, step)
        solver.run()
        if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            objective = float(solver.getInfo().objective_function_value)
            if best is None or objective < best[0]:
                best = (objective, np.asarray(solver.getSolution().col_value))
        if best is not None and best[0] < 1e-9:
            break
    if best is None:
        return None
    x = best[1]
    change = np.concatenate([x[:n_free], x[n_free:n_free + n_paid] - x[n_free + n_paid:]])
    cells = np.concatenate([free, paid])
    moved = np.abs(change) > 1e-7
    return cells[moved], change[moved]


def _local_fix(values: np.ndarray, equations: list[Equation], member: list[list[int]], incidence: _Incidence,
               hidden: np.ndarray, latent: np.ndarray, can_hide: np.ndarray, small: np.ndarray,
               verified: np.ndarray) -> tuple[list[int], list[int]]:
    """Local certificates for the small cells not yet proven: (cells hidden now, cells no neighbourhood could
    settle). Hides what each certificate needs, at once, so that the next cell's programme can use it."""
    movable = ~hidden & can_hide & (values > 0)  # a visible zero stays shown: everyone knows hidden means ≥ 1
    added: list[int] = []
    unsettled: list[int] = []
    for cell in np.flatnonzero(small & ~verified).tolist():
        if verified[cell]:
            continue  # proven by an earlier cell's move
        move = None
        for rings, per_equation, cap in _LOCAL_RINGS:
            region = _neighbourhood(cell, values, equations, member, hidden, movable, rings, per_equation, cap)
            move = _local_move(cell, region, values, incidence, member, hidden, latent, movable)
            if move is not None:
                break
        if move is None:
            unsettled.append(cell)
            continue
        cells, change = move
        newly = cells[~hidden[cells]]
        hidden[newly] = True
        movable[newly] = False
        added += newly.tolist()
        verified[cells[small[cells] & (np.abs(change) >= 1 - 1e-6)]] = True
        verified[cell] = True
    return added, unsettled


def protect_cells(values: np.ndarray, equations: list[Equation], rule: SuppressionRule,
                  latent: np.ndarray | None = None, *, known: np.ndarray | None = None,
                  fixed: np.ndarray | None = None, method: Method = CURRENT_METHOD) -> np.ndarray:
    """Which cells to hide (a boolean per cell): the small ones, then complements until none can be worked out.

    First every equation on its own (`_gap_fixpoint`), then all of them together by linear programming: each
    small cell gets a certificate, a move by one that all equations allow (`_local_fix`), and the visible cells
    that move needs are hidden; only a cell no neighbourhood can free goes to the whole-table check
    (`_pinned_fix`: while some small cell is pinned to one value by the shown cells, one more cell is hidden).
    `latent` cells are never published (an attacker only knows they are at least 0); they are returned as
    hidden, and a small latent cell is protected like a small published one.

    Cells of earlier publications (`_with_earlier`): `known` cells are shown by one of them, so they count as
    visible whatever this release does and are never chosen; `fixed` cells belong to earlier publications only,
    and keep the state those gave them (hidden unless known). Their small hidden cells are protected too.

    `method` "tabel" skips the local certificates: the method before 2 December 2026, kept to seal datasets
    published before then as their viewers saw them (`cohort.privacy.seal`).
    """
    size = len(values)
    latent = np.zeros(size, dtype=bool) if latent is None else latent
    known = np.zeros(size, dtype=bool) if known is None else known
    fixed = np.zeros(size, dtype=bool) if fixed is None else fixed
    hidden = latent | (fixed & ~known)
    if not rule.enabled:
        return latent.copy()
    can_hide = ~known & ~fixed
    small = (values >= 1) & (values <= rule.largest_hidden) & ~known
    hidden |= small
    if not small.any():
        return hidden
    member: list[list[int]] = [[] for _ in range(size)]
    for e, (total, parts) in enumerate(equations):
        member[total].append(e)
        for part in parts:
            member[part].append(e)
    verified = np.zeros(size, dtype=bool)
    incidence = _Incidence.of(equations)
    while True:
        _gap_fixpoint(values, equations, member, hidden, latent, can_hide, rule.largest_hidden)
        if method == "lokaal":
            added, unsettled = _local_fix(values, equations, member, incidence, hidden, latent, can_hide, small,
                                          verified)
        else:
            added, unsettled = [], np.flatnonzero(small & ~verified).tolist()
        # What no neighbourhood settles (cells an earlier publication holds fixed all around): the whole table.
        extras = _pinned_fix(values, equations, member, incidence, hidden, latent, can_hide, small, verified) \
            if unsettled else []
        if not added and not extras:
            return hidden
        hidden[extras] = True


# --- Building the release ---------------------------------------------------------------------------------------


@dataclass
class _Block:
    """The cells of one count: values[level position, period, phase] for the level nodes it is published at."""

    measure: str
    levels: tuple[int, ...]  # level node indexes
    phases: tuple[Phase, ...]
    periods: tuple[int, ...]  # period node indexes it has (all, or the leaves for a stock)
    lattice: Lattice | None = None
    prefix_only: bool = False  # publish only "from the start up to …" cells; the tree cells stay latent
    # int64, shape `shape`: a view of the release's one values array (`Release._build` fills it in place)
    values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.int64))
    offset: int = 0
    hidden: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self._level_pos = {level: i for i, level in enumerate(self.levels)}
        self._period_pos = {period: i for i, period in enumerate(self.periods)}
        self._phase_pos = {phase: i for i, phase in enumerate(self.phases)}

    def flat(self, level: int, period: int, phase: Phase) -> int | None:
        li, ti, pi = self._level_pos.get(level), self._period_pos.get(period), self._phase_pos.get(phase)
        if li is None or ti is None or pi is None:
            return None
        return self.offset + (li * len(self.periods) + ti) * len(self.phases) + pi

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.levels), len(self.periods), len(self.phases)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def latent_mask(self) -> np.ndarray:
        mask = np.zeros(self.shape, dtype=bool)
        if self.prefix_only and self.lattice is not None:
            n_nodes = len(self.lattice.nodes)
            tree = [i for i, period in enumerate(self.periods) if period < n_nodes]
            mask[:, tree, :] = True
        return mask.reshape(-1)


# A block and what writes its values into a (levels, periods, phases) view: laid out first, filled after.
_Pending = tuple[_Block, Callable[[np.ndarray], None]]


def _period_matrix(lattice: Lattice) -> np.ndarray:
    leaves = {leaf.index: i for i, leaf in enumerate(lattice.leaves)}
    matrix = np.zeros((len(lattice.nodes), len(leaves)), dtype=np.int64)

    def mark(node_index: int, row: int) -> None:
        node = lattice.nodes[node_index]
        if node_index in leaves:
            matrix[row, leaves[node_index]] = 1
        for child in node.children:
            mark(child, row)

    for node in lattice.nodes:
        mark(node.index, node.index)
    # Prefix periods: from the first month of the data up to the end of each leaf ("t/m de peildatum").
    prefixes = np.tril(np.ones((len(leaves), len(leaves)), dtype=np.int64))
    return np.vstack([matrix, prefixes])


def _level_matrix(levels: list[LevelNode], codes: list[str]) -> Any:  # a scipy.sparse.csr_array
    """Level nodes × units, 1 where the unit is below the node. Sparse: with 10,000 units a dense int64 matrix
    takes 800 MB, and almost every row (a unit) has a single 1."""
    from scipy import sparse

    position = {code: i for i, code in enumerate(codes)}
    rows = [node.index for node in levels for _ in node.leaves]
    columns = [position[c] for node in levels for c in node.leaves]
    return sparse.csr_array((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(len(levels), len(codes)))


@dataclass(frozen=True)
class _MonthlyRows:
    """The monthly rows as positions, read once for both period trees: per row its unit (position in the units
    frame), its month (months since `first`), its phase (0 in cohort, 1 comparison, 2 otherwise) and its counts."""

    first: date
    unit: np.ndarray
    month: np.ndarray
    phase: np.ndarray
    counts: dict[str, np.ndarray]


def _monthly_rows(dataset: Dataset, counts: Sequence[str]) -> _MonthlyRows:
    first = dataset.first_month
    # Only the columns the phase needs are joined (`metrics.with_phase` joins names and districts too: three
    # times slower on 720,000 rows); a join for the unit positions, not a `replace_strict` dict of 10,000 codes.
    units = dataset.units.select("code", pl.int_range(pl.len(), dtype=pl.Int64).alias("_u"), "soort", "start",
                                 "eind")
    phase = phase_expr()
    rows = dataset.monthly.select("code", "maand", *counts).join(units, on="code", how="left").select(
        "_u",
        ((pl.col("maand").dt.year().cast(pl.Int64) * 12 + pl.col("maand").dt.month().cast(pl.Int64))
         - (first.year * 12 + first.month)).alias("_m"),
        pl.when(phase == "cohort").then(0).when(comparison_expr(phase)).then(1).otherwise(2).alias("_p"),
        *[pl.col(c).fill_null(0) for c in counts],
    )
    return _MonthlyRows(first, rows.get_column("_u").to_numpy(), rows.get_column("_m").to_numpy(),
                        rows.get_column("_p").to_numpy(), {c: rows.get_column(c).to_numpy() for c in counts})


def _leaf_arrays(rows: _MonthlyRows, n_units: int, lattice: Lattice,
                 counts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per count: (units × leaves × 3 phases) flow sums, and (units × leaves) stocks at each leaf's last month."""
    n_months = (lattice.root.last.year - rows.first.year) * 12 + lattice.root.last.month - rows.first.month + 1
    leaf_of_month = np.zeros(n_months, dtype=np.int64)
    is_last_month = np.zeros(n_months, dtype=bool)
    for i, leaf in enumerate(lattice.leaves):
        start = (leaf.first.year - rows.first.year) * 12 + leaf.first.month - rows.first.month
        end = (leaf.last.year - rows.first.year) * 12 + leaf.last.month - rows.first.month
        leaf_of_month[max(start, 0):end + 1] = i
        is_last_month[end] = True
    n_leaves = len(lattice.leaves)
    leaf = leaf_of_month[rows.month]
    cell = (rows.unit * n_leaves + leaf) * 3 + rows.phase
    flows = np.zeros((len(counts), n_units, n_leaves, 3), dtype=np.int64)
    for m, count in enumerate(counts):
        # bincount sums in float64: counts are whole numbers far below 2**53, so every sum is exact.
        sums = np.bincount(cell, weights=rows.counts[count], minlength=n_units * n_leaves * 3)
        flows[m] = np.rint(sums).astype(np.int64).reshape(n_units, n_leaves, 3)
    stocks = np.zeros((len(counts), n_units, n_leaves), dtype=np.int64)
    at_end = is_last_month[rows.month]
    for m, count in enumerate(counts):  # one row per unit and month: the stock is that row's count
        stocks[m, rows.unit[at_end], leaf[at_end]] = rows.counts[count][at_end]
    return flows, stocks


def _sums(totals: np.ndarray, parts: np.ndarray) -> list[Equation]:
    """Equations `totals[i] = sum(parts[i])`, one per row (flat cell numbers)."""
    return [(total, row) for total, row in zip(totals.tolist(), parts.astype(np.int64), strict=True)]


def _equations(block: _Block, levels: list[LevelNode], lattice: Lattice, base: int = 0) -> list[Equation]:
    """The block's published equations, in each dimension a node is the sum of its children: level nodes
    (per period and phase), period nodes (per level and phase), prefixes (the previous prefix plus the next
    leaf), and phases ("alle" is the sum of the three). Cell numbers count from `base` (its family's start)."""
    # cell[level position, period position, phase position] = the flat cell number
    cell = (block.offset - base) + np.arange(block.size, dtype=np.int64).reshape(block.values.shape)
    level_pos, period_pos = block._level_pos, block._period_pos
    equations: list[Equation] = []
    for level in block.levels:
        children = levels[level].children
        if children and all(c in level_pos for c in children):
            parts = cell[[level_pos[c] for c in children]]  # children × periods × phases
            equations += _sums(cell[level_pos[level]].reshape(-1), np.moveaxis(parts, 0, -1).reshape(-1, len(children)))
    n_nodes = len(lattice.nodes)
    for period in block.periods:
        children = lattice.nodes[period].children if period < n_nodes else ()
        if children and all(c in period_pos for c in children):
            parts = cell[:, [period_pos[c] for c in children]]  # levels × children × phases
            equations += _sums(cell[:, period_pos[period]].reshape(-1),
                               np.moveaxis(parts, 1, -1).reshape(-1, len(children)))
    if n_nodes in period_pos:
        # prefix(0) = the first leaf; prefix(k) = prefix(k - 1) + leaf k; per level and phase, k running fastest
        leaves = [period_pos[leaf.index] for leaf in lattice.leaves]
        prefixes = [period_pos[n_nodes + k] for k in range(len(leaves))]
        for row in cell.transpose(0, 2, 1).reshape(-1, len(block.periods)):  # one (level, phase): its periods
            equations.append((int(row[prefixes[0]]), row[[leaves[0]]]))
            equations += _sums(row[prefixes[1:]], np.column_stack([row[leaves[1:]], row[prefixes[:-1]]]))
    if len(block.phases) > 1:
        alle = block._phase_pos["alle"]
        others = [i for phase, i in block._phase_pos.items() if phase != "alle"]
        equations += _sums(cell[:, :, alle].reshape(-1), cell[:, :, others].reshape(-1, len(others)))
    return equations


# --- Earlier publications ------------------------------------------------------------------------------------
#
# Two published datasets (two versions of a series, or two uploads of overlapping data) stay reachable through
# pinned links. A cell one of them shows and the other hides undoes the other's protection, so a release is
# protected together with the releases of every dataset viewers could see before it (`Dataset.earlier`): their
# cells stay as they were published (a publication cannot be taken back), and this release hides more of its own
# cells until no small cell of any of them can be worked out from all of them together. A cell of an earlier
# release is the same unknown as a cell of this one when both are the sum of the same months of the same units
# (and, for a phase, the same start and end dates) and have the same value: an attacker may assume an
# unchanged number stayed the same. A number that a later version changed is another unknown.

CellKey = tuple[str, frozenset[str], tuple[date, date], Phase, frozenset[tuple[object, ...]] | None]


@dataclass
class _Family:
    """One family's cells as protected together: values, never-published cells, equations (family-local)."""

    measures: tuple[str, ...]
    start: int  # offset of the family's first cell in the release
    values: np.ndarray
    latent: np.ndarray
    # Built when protecting needs them (millions at 10,000 units, a minute of Python): a sealed release never
    # does, unless a later publication is protected together with it.
    make_equations: Callable[[], list[Equation]]
    make_keys: Callable[[], list[CellKey]]  # only a release with earlier publications, or one of those, needs them
    hidden: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    _keys: list[CellKey] | None = None
    _equations: list[Equation] | None = None

    @property
    def equations(self) -> list[Equation]:
        if self._equations is None:
            self._equations = self.make_equations()
        return self._equations

    @property
    def keys(self) -> list[CellKey]:
        if self._keys is None:
            self._keys = self.make_keys()
        return self._keys


def _phase_keys(units: pl.DataFrame, levels: list[LevelNode]) -> list[frozenset[tuple[object, ...]]]:
    """Per level node, what decides the phase of its units' months (`metrics.with_phase`)."""
    rows = {row["code"]: (row["code"], row["soort"], row["start"] and row["start"].replace(day=1), row["eind"])
            for row in units.select("code", "soort", "start", "eind").iter_rows(named=True)}
    return [frozenset(rows[code] for code in node.leaves) for node in levels]


def _with_earlier(own: _Family, earlier: Sequence[_Family | None], rule: SuppressionRule,
                  method: Method = CURRENT_METHOD) -> np.ndarray:
    """`protect_cells` for `own` together with the same family of earlier releases (their state fixed)."""
    size = len(own.values)
    cell_of: dict[tuple[CellKey, int], int] = {}
    for i, (key, value) in enumerate(zip(own.keys, own.values.tolist(), strict=True)):
        cell_of.setdefault((key, value), i)
    # Per cell of the joint system (own cells first, then the earlier releases' other cells): shown by an
    # earlier release, hidden (not only never published) by one, never published by any that has it.
    values: list[int] = own.values.tolist()
    known, prior_hidden, latent = [False] * size, [False] * size, own.latent.tolist()
    equations = list(own.equations)
    for family in earlier:
        if family is None:
            continue
        position = np.empty(len(family.values), dtype=np.int64)
        for i, (key, value) in enumerate(zip(family.keys, family.values.tolist(), strict=True)):
            cell = cell_of.setdefault((key, value), len(values))
            if cell == len(values):
                values.append(value)
                known.append(False)
                prior_hidden.append(False)
                latent.append(True)
            shows, never = not family.hidden[i], bool(family.latent[i])
            known[cell] |= shows
            prior_hidden[cell] |= not shows and not never
            latent[cell] &= never
            position[i] = cell
        equations += [(int(position[total]), position[parts]) for total, parts in family.equations]
    shown_before, hidden_before = np.array(known, dtype=bool), np.array(prior_hidden, dtype=bool)
    unpublished = np.array(latent, dtype=bool) & ~shown_before & ~hidden_before
    fixed = np.arange(len(values)) >= size
    hidden = protect_cells(np.array(values, dtype=np.int64), equations, rule, unpublished, known=shown_before,
                           fixed=fixed, method=method)[:size]
    # A cell an earlier publication shows with this value is shown here too: the same number on both.
    return (hidden & ~shown_before[:size]) | own.latent


@dataclass(frozen=True)
class ReleaseCell:
    """One cell as a row of `Release.cells()` (for the attacker test and the open data bundle)."""

    measure: str
    level: int
    period: int
    phase: Phase
    value: int
    hidden: bool


class Release:
    """The protected cells of one dataset under one rule, and sums of visible cells for any selection.

    Two period trees: outflow, conversations and the other counts on `lattice` (quarters for viewers);
    complaints, which are rare, on `complaint_lattice` (half years for viewers), so that "complaints up to the
    peildatum" can be shown without most of them being hidden (see ``docs/privacy.md``).
    """

    def __init__(self, dataset: Dataset, rule: SuppressionRule, lattice: Lattice,
                 complaint_lattice: Lattice | None = None, earlier: Sequence[Release] = (), *,
                 seal: Seal | None = None, method: Method = CURRENT_METHOD) -> None:
        self.rule = rule
        self.method = method
        # The seal whose hidden cells this release took (None: protected here, by `method`).
        self.sealed_by: Seal | None = None
        self.lattice = lattice
        self.complaint_lattice = complaint_lattice or lattice
        self.units = dataset.units
        self.levels = _level_nodes(dataset.units)
        self._level_by_name = {(n.kind, n.name): n.index for n in self.levels}
        # Per node with children: unit code -> position of the child it is below, so a sum over a few units
        # visits only their branches instead of every child (a stadsdeel of 1,400 units, 60,000 counts a page).
        self._child_of = {n.index: {code: i for i, child in enumerate(n.children) for code in self.levels[child].leaves}
                          for n in self.levels if n.children}
        self.roots = tuple(n.index for n in self.levels if n.kind in ("stad", "doelgroepen"))
        self.values = np.zeros(0, dtype=np.int64)
        self.hidden = np.zeros(0, dtype=bool)
        self._blocks: dict[str, _Block] = {}
        self._families_built: dict[str, _Family] = {}
        self._phase_keys = _phase_keys(dataset.units, self.levels)
        self._build(dataset, earlier, seal)

    # -- building --

    def _families(self, dataset: Dataset) -> list[list[_Pending]]:
        counts = [c for c in ("bijstand", "gesprekken", "uitstroom", "uitstroom_werk", *COMPLAINT_COLUMNS,
                              *dataset.optional_counts) if c in dataset.monthly.columns]
        codes = self.units.get_column("code").to_list()
        level_matrix = _level_matrix(self.levels, codes)
        all_levels = tuple(range(len(self.levels)))
        city = self._level_by_name.get(("stad", CITY_NAME))
        # Support and side-effect counts are shown for the areas together (the city) only.
        city_levels = (city,) if city is not None else ()
        index = {c: i for i, c in enumerate(counts)}
        period_matrices = {id(lattice): _period_matrix(lattice).astype(np.float64)
                           for lattice in (self.lattice, self.complaint_lattice)}

        def aggregate(lattice: Lattice, leaf_values: Callable[[], np.ndarray],
                      levels: tuple[int, ...]) -> Callable[[np.ndarray], None]:
            # units × leaves × phases  ->  level nodes × period nodes (tree, then prefixes) × phases, as two
            # products (units first, sparse; then periods): a three-operand einsum loops over all index
            # combinations at once, which took minutes with 10,000 units. The period product is a floating-point
            # matrix product (BLAS; numpy's integer matmul took 0.8 s per count with 10,000 units): counts are
            # whole numbers far below 2**53, so every sum is exact and rounds back unchanged. It is broadcast
            # over the level nodes, so it comes out in the release's own layout and is written straight into it
            # (transposed copies of 12 million cells were a third of building a sealed release).
            def fill(out: np.ndarray) -> None:
                values = leaf_values()
                n_units, n_leaves, n_phases = values.shape
                by_level = (level_matrix @ values.reshape(n_units, -1)).reshape(-1, n_leaves, n_phases)
                if levels != all_levels:
                    by_level = by_level[list(levels)]
                product = np.matmul(period_matrices[id(lattice)], by_level.astype(np.float64))
                out[...] = np.rint(product, out=product)
            return fill

        def periods(lattice: Lattice) -> tuple[int, ...]:
            return tuple(range(len(lattice.nodes) + len(lattice.leaves)))

        rows = _monthly_rows(dataset, counts)
        families: list[list[_Pending]] = []
        lattice = self.complaint_lattice
        coarse = functools.cache(lambda: _leaf_arrays(rows, len(codes), self.complaint_lattice, COMPLAINT_COLUMNS)[0])
        complaint_family = [(_Block("klachten", all_levels, ("alle",), periods(lattice), lattice, True),
                             aggregate(lattice, lambda: coarse().sum(axis=0).sum(axis=-1, keepdims=True), all_levels))]
        if city is not None:
            for i, column in enumerate(COMPLAINT_COLUMNS):
                complaint_family.append((
                    _Block(column, (city,), ("alle",), periods(lattice), lattice, True),
                    aggregate(lattice, functools.partial(lambda i: coarse()[i].sum(axis=-1, keepdims=True), i),
                              (city,))))
        families.append(complaint_family)

        lattice = self.lattice
        fine = functools.cache(lambda: _leaf_arrays(rows, len(codes), self.lattice, counts))
        leaves = tuple(leaf.index for leaf in lattice.leaves)
        families.append([(_Block("gesprekken", all_levels, ("alle",), periods(lattice), lattice),
                          aggregate(lattice, lambda: fine()[0][index["gesprekken"]].sum(axis=-1, keepdims=True),
                                    all_levels))])

        def with_total(count: str) -> np.ndarray:
            phased = fine()[0][index[count]]
            return np.concatenate([phased.sum(axis=-1, keepdims=True), phased], axis=-1)

        def stock_of(count: str, out: np.ndarray) -> None:
            out[...] = (level_matrix @ fine()[1][index[count]])[:, :, None]

        for count in counts:
            if count in COMPLAINT_COLUMNS or count == "gesprekken":
                continue
            levels = all_levels if count in UNIT_COUNTS else city_levels
            families.append([(_Block(count, levels, PHASES, periods(lattice), lattice),
                              aggregate(lattice, functools.partial(with_total, count), levels))])
            if count in STOCKS:
                families.append([(_Block(f"{count}{STOCK_SUFFIX}", all_levels, ("alle",), leaves, lattice),
                                  functools.partial(stock_of, count))])
        return families

    def _build(self, dataset: Dataset, earlier: Sequence[Release], seal: Seal | None) -> None:
        city = self._level_by_name.get(("stad", CITY_NAME))
        laid_out = self._families(dataset)
        # One array for every cell, each block a view of it filled in place: no copies to concatenate.
        self.values = np.empty(sum(block.size for family in laid_out for block, _ in family), dtype=np.int64)
        offset = 0
        families: list[_Family] = []
        for family in laid_out:
            start = offset
            for block, fill in family:
                block.offset = offset
                offset += block.size
                block.values = self.values[block.offset:offset].reshape(block.shape)
                fill(block.values)
                self._blocks[block.measure] = block
            blocks = [block for block, _ in family]
            built = _Family(tuple(b.measure for b in blocks), start, self.values[start:offset],
                            np.concatenate([b.latent_mask() for b in blocks]),
                            functools.partial(self._family_equations, blocks, city),
                            functools.partial(self._family_keys, blocks))
            self._families_built[blocks[0].measure] = built
            families.append(built)
        if seal is not None and self.rule.enabled and self.adopt(seal):
            return
        self._set_hidden(np.concatenate([
            _with_earlier(f, [r._families_built.get(f.measures[0]) for r in earlier], self.rule, self.method)
            if earlier and self.rule.enabled else protect_cells(f.values, f.equations, self.rule, f.latent,
                                                                method=self.method)
            for f in families]))

    def adopt(self, seal: Seal) -> bool:
        """Hide exactly the cells `seal` hides, when it was computed over these cells (True); otherwise say so in
        the log and change nothing (False)."""
        if not seal.fits(self.values):
            _log.error("release %s: the stored seal (%s, %d cells, method %s) does not fit the %d cells built now; "
                       "protecting afresh", seal.key, seal.sealed_at, seal.cells, seal.method, len(self.values))
            return False
        self._set_hidden(seal.hidden_mask())
        self.sealed_by = seal
        return True

    def _set_hidden(self, hidden: np.ndarray) -> None:
        self.hidden = hidden
        for block in self._blocks.values():
            block.hidden = self.hidden[block.offset:block.offset + block.size]
        for built in self._families_built.values():
            built.hidden = self.hidden[built.start:built.start + len(built.values)]

    def _family_equations(self, family: list[_Block], city: int | None) -> list[Equation]:
        """The family's published equations, in family-local cell numbers (none while hiding is off: nothing is
        protected, so they would go unused)."""
        if not self.rule.enabled:
            return []
        start = family[0].offset
        equations = [equation for block in family
                     for equation in _equations(block, self.levels, block.lattice or self.lattice, start)]
        if family[0].measure == "klachten" and len(family) > 1 and city is not None:
            total_block = family[0]
            for period in total_block.periods:  # the city's complaints are the sum of its categories
                total = total_block.flat(city, period, "alle")
                parts = [b.flat(city, period, "alle") for b in family[1:]]
                equations.append((int(total) - start, np.array(parts, dtype=np.int64) - start))  # type: ignore[arg-type]
        return equations

    def _family_keys(self, family: list[_Block]) -> list[CellKey]:
        return [key for block in family for key in self._cell_keys(block)]

    def _cell_keys(self, block: _Block) -> list[CellKey]:
        """What each cell of `block` is the sum of, in flat order: an earlier publication's cell with the same
        key and the same value tells a viewer this cell's value."""
        lattice = block.lattice or self.lattice
        n_nodes = len(lattice.nodes)
        stock = block.measure.endswith(STOCK_SUFFIX)
        spans = []
        for period in block.periods:
            if period >= n_nodes:
                spans.append((lattice.root.first, lattice.leaves[period - n_nodes].last))
            else:
                node = lattice.nodes[period]
                spans.append((node.last, node.last) if stock else (node.first, node.last))
        return [(block.measure, self.levels[level].leaves, span, phase,
                 None if phase == "alle" else self._phase_keys[level])
                for level in block.levels for span in spans for phase in block.phases]

    # -- reading --

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self._blocks)

    def has(self, measure: str) -> bool:
        return measure in self._blocks

    def lattice_of(self, measure: str) -> Lattice:
        """The period tree `measure` is published on (complaints: half years; the rest: quarters)."""
        block = self._blocks.get(measure)
        return block.lattice if block is not None and block.lattice is not None else self.lattice

    def level(self, kind: LevelKind, name: str) -> LevelNode | None:
        index = self._level_by_name.get((kind, name))
        return None if index is None else self.levels[index]

    @property
    def city(self) -> LevelNode | None:
        return self.level("stad", CITY_NAME)

    @property
    def groups(self) -> LevelNode | None:
        return self.level("doelgroepen", GROUPS_NAME)

    def cell(self, measure: str, level: int, period: int, phase: Phase = "alle") -> Count:
        block = self._blocks.get(measure)
        flat = None if block is None else block.flat(level, period, phase)
        if flat is None:
            return UNAVAILABLE
        return HIDDEN if self.hidden[flat] else Count(int(self.values[flat]))

    def _visible(self, block: _Block, level: int, period: int, phase: Phase) -> int | None:
        flat = block.flat(level, period, phase)
        return None if flat is None or self.hidden[flat] else int(self.values[flat])

    def _prefix(self, block: _Block, level: int, end: date | None, phase: Phase) -> int | None:
        """The visible "from the start of the data up to the end of `end`" cell (0 before the data start)."""
        lattice = block.lattice or self.lattice
        if end is None:
            return 0
        k = lattice.leaf_ends.get(end)
        return None if k is None else self._visible(block, level, len(lattice.nodes) + k, phase)

    def _time_sum(self, block: _Block, level: int, period: int, first: date, last: date, phase: Phase) -> int | None:
        lattice = block.lattice or self.lattice
        if period == lattice.root.index:
            # A window is also the difference of two "up to" cells: both shown, so the difference tells nothing new.
            k = bisect.bisect_left(lattice.leaf_end_list, first)  # the leaves that end before `first`
            upto = self._prefix(block, level, last, phase)
            start = self._prefix(block, level, lattice.leaves[k - 1].last if k else None, phase)
            if upto is not None and start is not None:
                return upto - start
        node = lattice.nodes[period]
        if not node.overlaps(first, last):
            return 0
        if node.within(first, last):
            value = self._visible(block, level, period, phase)
            if value is not None:
                return value
        if not node.children:
            if not node.within(first, last):
                raise ValueError(f"Periode {first}–{last} valt niet samen met de perioden van de dataset.")
            return None
        total = 0
        for child in node.children:
            part = self._time_sum(block, level, child, first, last, phase)
            if part is None:
                return None
            total += part
        return total

    def _level_sum(self, block: _Block, level: int, codes: frozenset[str], first: date, last: date,
                   phase: Phase) -> Count:
        node = self.levels[level]
        if not (node.leaves & codes):
            return ZERO
        root = (block.lattice or self.lattice).root.index
        published = block.flat(level, root, phase) is not None
        if node.leaves <= codes and published:
            value = self._time_sum(block, level, root, first, last, phase)
            if value is not None:
                return Count(value)
        children_published = any(block.flat(c, root, phase) is not None for c in node.children)
        if not node.children or not children_published:
            return HIDDEN if published and node.leaves <= codes else UNAVAILABLE
        total = ZERO
        for child in self._touching(level, codes):
            total = total + self._level_sum(block, child, codes, first, last, phase)
            if not total.shown:
                return total
        return total

    def _touching(self, level: int, codes: frozenset[str]) -> tuple[int, ...]:
        """The children of `level` with a unit of `codes` below them, in their own order. The others would add
        ZERO to a sum, which changes nothing, so leaving them out gives the same count."""
        children = self.levels[level].children
        if len(codes) >= len(children):
            return tuple(c for c in children if self.levels[c].leaves & codes)
        child_of = self._child_of[level]
        return tuple(children[i] for i in sorted({child_of[c] for c in codes if c in child_of}))

    def count(self, measure: str, codes: Iterable[str], first: date, last: date, phase: Phase = "alle") -> Count:
        """The sum of `measure` over the units `codes` and the months [first, last], from visible cells only.

        Hidden when the sum needs a hidden cell; unavailable when the release does not publish the measure for
        these units (complaint categories below the city). [first, last] must follow `lattice_of(measure)`.
        """
        block = self._blocks.get(measure)
        if block is None:
            return UNAVAILABLE
        if not (block.lattice or self.lattice).is_aligned(first, last):
            raise ValueError(f"Periode {first}–{last} valt niet samen met de perioden van de dataset.")
        wanted = frozenset(codes)
        query = Query(measure, wanted, first, last, phase)
        if len(wanted) == 1:
            # One unit (most calls: a row per area): its own cell, as the walk from the roots would find it.
            (code,) = wanted
            level = self._level_by_name.get(("eenheid", code))
            root = (block.lattice or self.lattice).root.index
            if level is not None and block.flat(level, root, phase) is not None:
                value = self._time_sum(block, level, root, first, last, phase)
                return (HIDDEN if value is None else Count(value)).with_query(query)
        total = ZERO
        for top in self.roots:
            total = total + self._level_sum(block, top, wanted, first, last, phase)
            if not total.shown:
                break
        return total.with_query(query)

    def counts(self, measure: str, groups: Sequence[Iterable[str]], first: date, last: date,
               phase: Phase = "alle") -> list[Count]:
        """`[self.count(measure, group, first, last, phase) for group in groups]`, the same counts; groups of one
        unit are summed for all of them at once, array by array over the period tree, instead of one walk each
        (the Kaart and Gebieden ask for every unit's counts: 100,000 walks at 10,000 units)."""
        sets = [frozenset(group) for group in groups]
        block = self._blocks.get(measure)
        lattice = (block.lattice or self.lattice) if block is not None else self.lattice
        if block is None or not lattice.is_aligned(first, last):
            return [self.count(measure, group, first, last, phase) for group in sets]
        phase_at = block._phase_pos.get(phase)
        root_at = block._period_pos.get(lattice.root.index)
        rows: list[int | None] = []
        for group in sets:
            level = self._level_by_name.get(("eenheid", next(iter(group)))) if len(group) == 1 else None
            rows.append(block._level_pos.get(level) if level is not None else None)
        single = [i for i, row in enumerate(rows) if row is not None]
        out: list[Count | None] = [None] * len(sets)
        if single and phase_at is not None and root_at is not None:
            at = np.array([rows[i] for i in single], dtype=np.int64)
            values = block.values[at, :, phase_at]
            hidden = block.hidden.reshape(block.values.shape)[at, :, phase_at]
            total, known = self._window_sums(block, lattice, values, hidden, first, last)
            for i, value, shown in zip(single, total.tolist(), known.tolist(), strict=True):
                query = Query(measure, sets[i], first, last, phase)
                out[i] = Count(value, "shown", query) if shown else Count(None, "hidden", query)
        return [count if count is not None else self.count(measure, sets[i], first, last, phase)
                for i, count in enumerate(out)]

    def _window_sums(self, block: _Block, lattice: Lattice, values: np.ndarray, hidden: np.ndarray, first: date,
                     last: date) -> tuple[np.ndarray, np.ndarray]:
        """`_time_sum` from the root for many units at once: (sums, whether each is known from visible cells).
        `values`, `hidden`: units × the block's periods."""
        n_units = values.shape[0]
        nothing, everywhere = np.zeros(n_units, dtype=np.int64), np.ones(n_units, dtype=bool)

        def cell(period: int) -> tuple[np.ndarray, np.ndarray]:
            at = block._period_pos.get(period)
            if at is None:
                return nothing, ~everywhere
            return values[:, at], ~hidden[:, at]

        def prefix(end: date | None) -> tuple[np.ndarray, np.ndarray]:
            if end is None:
                return nothing, everywhere
            k = lattice.leaf_ends.get(end)
            return (nothing, ~everywhere) if k is None else cell(len(lattice.nodes) + k)

        def tree(period: int) -> tuple[np.ndarray, np.ndarray]:
            node = lattice.nodes[period]
            if not node.overlaps(first, last):
                return nothing, everywhere
            own, shown = cell(period) if node.within(first, last) else (nothing, ~everywhere)
            if not node.children:
                if not node.within(first, last):
                    raise ValueError(f"Periode {first}–{last} valt niet samen met de perioden van de dataset.")
                return own, shown
            total, known = nothing, everywhere
            for child in node.children:
                part, part_known = tree(child)
                total, known = total + part, known & part_known
            return np.where(shown, own, total), shown | known

        # As `_time_sum`: first the difference of two "up to" cells, then the tree below the root.
        k = bisect.bisect_left(lattice.leaf_end_list, first)
        upto, upto_known = prefix(last)
        start, start_known = prefix(lattice.leaves[k - 1].last if k else None)
        by_prefix = upto_known & start_known
        by_tree, tree_known = tree(lattice.root.index)
        return np.where(by_prefix, upto - start, by_tree), by_prefix | tree_known

    def stocks(self, measure: str, groups: Sequence[Iterable[str]], month: date) -> list[Count]:
        """`[self.stock(measure, group, month) for group in groups]`; a single unit whose own cell is shown takes
        it directly (a node above it with only that unit below has the same value, so the walk gives the same)."""
        sets = [frozenset(group) for group in groups]
        block = self._blocks.get(f"{measure}{STOCK_SUFFIX}")
        leaf = self.lattice.leaf_containing(month)
        if block is None or leaf is None or leaf.last != month:
            return [self.stock(measure, group, month) for group in sets]
        out = []
        for group in sets:
            level = self._level_by_name.get(("eenheid", next(iter(group)))) if len(group) == 1 else None
            value = self._visible(block, level, leaf.index, "alle") if level is not None else None
            out.append(self.stock(measure, group, month) if value is None
                       else Count(value, "shown", Query(measure, group, month, month, "alle", stock=True)))
        return out

    def stock(self, measure: str, codes: Iterable[str], month: date) -> Count:
        """Persons at the end of `month` (a period's last month) over the units `codes`, from visible cells."""
        block = self._blocks.get(f"{measure}{STOCK_SUFFIX}")
        leaf = self.lattice.leaf_containing(month)
        if block is None or leaf is None or leaf.last != month:
            return UNAVAILABLE
        wanted = frozenset(codes)

        def level_sum(level: int) -> Count:
            node = self.levels[level]
            if not (node.leaves & wanted):
                return ZERO
            if node.leaves <= wanted:
                value = self._visible(block, level, leaf.index, "alle")
                if value is not None:
                    return Count(value)
            if not node.children:
                return HIDDEN
            total = ZERO
            for child in self._touching(level, wanted):
                total = total + level_sum(child)
            return total

        total = ZERO
        for top in self.roots:
            total = total + level_sum(top)
        return total.with_query(Query(measure, wanted, month, month, "alle", stock=True))

    def cells(self) -> list[ReleaseCell]:
        """Every cell with its value and whether it is hidden (tests and the attacker play with these)."""
        rows = []
        for block in self._blocks.values():
            for li, level in enumerate(block.levels):
                for ti, period in enumerate(block.periods):
                    for pi, phase in enumerate(block.phases):
                        flat = block.offset + (li * len(block.periods) + ti) * len(block.phases) + pi
                        rows.append(ReleaseCell(block.measure, level, period, phase, int(self.values[flat]),
                                                bool(self.hidden[flat])))
        return rows

    def published(self) -> list[tuple[ReleaseCell, Count]]:
        """Every cell a viewer can be shown, with its Count (value, or hidden) and the query it answers: the
        release as published (the open data bundle of the whole dataset). Cells of a prefix-only measure other
        than its "up to" cells are never published and are left out."""
        out = []
        for cell in self.cells():
            block = self._blocks[cell.measure]
            lattice = self.lattice_of(cell.measure)
            n_nodes = len(lattice.nodes)
            if cell.period < n_nodes:
                if block.prefix_only:
                    continue
                first, last = lattice.nodes[cell.period].first, lattice.nodes[cell.period].last
            else:
                first, last = lattice.root.first, lattice.leaves[cell.period - n_nodes].last
            stock = cell.measure.endswith(STOCK_SUFFIX)
            query = Query(cell.measure.removesuffix(STOCK_SUFFIX) if stock else cell.measure,
                          self.levels[cell.level].leaves, last if stock else first, last, cell.phase, stock)
            out.append((cell, Count(None, "hidden", query) if cell.hidden else Count(cell.value, "shown", query)))
        return out



# --- One release per dataset and rule, shared by every session ----------------------------------------------------

_CacheKey = tuple[str, SuppressionRule, str, tuple[str, ...], Method]
_CACHE: dict[_CacheKey, Release] = {}
_CACHE_ORDER: deque[_CacheKey] = deque()
MAX_RELEASES = 32  # a dataset with earlier publications needs theirs too
# One lock per release key: sessions (and the warm-up thread) that need the same release while it is being
# built wait for that one build instead of each starting their own (25 sessions on a fresh server did).
_LOCKS: dict[_CacheKey, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def finest_grain_for(rule: SuppressionRule) -> Literal["kwartaal", "maand"]:
    """Viewers choose whole quarters; an evaluator who switched hiding off sees months (nothing is hidden)."""
    return "kwartaal" if rule.enabled else "maand"


def complaint_grain_for(rule: SuppressionRule) -> Literal["halfjaar", "maand"]:
    """Complaints per half year for viewers (about thirty a year: per quarter most would be 1 to 4)."""
    return "halfjaar" if rule.enabled else "maand"


def lattice_for(dataset: Dataset, rule: SuppressionRule) -> Lattice:
    return _lattice(tuple(dataset.months), finest_grain_for(rule))


def complaint_lattice_for(dataset: Dataset, rule: SuppressionRule) -> Lattice:
    return _lattice(tuple(dataset.months), complaint_grain_for(rule))


def measure_lattice_for(dataset: Dataset, rule: SuppressionRule, measure: str) -> Lattice:
    """The period tree `measure` is published on (`Release.lattice_of`), without building the release: a page
    can work out its windows while the release is still being built (complaints: half years; the rest: quarters)."""
    return complaint_lattice_for(dataset, rule) if measure in _COMPLAINT_MEASURES else lattice_for(dataset, rule)


_COMPLAINT_MEASURES = frozenset(("klachten", *COMPLAINT_COLUMNS))


@functools.lru_cache(maxsize=64)
def _lattice(months: tuple[date, ...], grain: str) -> Lattice:
    return Lattice.build(list(months), grain)  # type: ignore[arg-type]


def seal_key_for(dataset: Dataset, rule: SuppressionRule) -> str:
    """The key under which the release of `dataset` for `rule` is sealed (`cohort.privacy.seal`)."""
    earlier = tuple(d.cache_key for d in dataset.earlier)
    return seal_key(rule, (finest_grain_for(rule), complaint_grain_for(rule)), earlier)


def _key(dataset: Dataset, rule: SuppressionRule, method: Method) -> _CacheKey:
    earlier = dataset.earlier if rule.enabled else ()
    return dataset.cache_key, rule, finest_grain_for(rule), tuple(d.cache_key for d in earlier), method


def release_for(dataset: Dataset, rule: SuppressionRule, method: Method = CURRENT_METHOD) -> Release:
    """The release of `dataset` under `rule`, built once (it is immutable) and kept for the next viewer.

    Protected together with the releases of `dataset.earlier` (what viewers could see before it), each of
    those in turn with the datasets before it, exactly as its own viewers see it. A dataset sealed under this
    key takes its hidden cells from the seal (whatever `method` says); one that is not, and has a `sealer`, is
    protected by `method` and sealed, so that no later build can hide other cells."""
    key = _key(dataset, rule, method)
    release = _CACHE.get(key)
    if release is not None:
        return release
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        release = _CACHE.get(key)
        if release is None:
            earlier = dataset.earlier if rule.enabled else ()
            # Each earlier release under its own lock (a different key): never the one held here.
            before = [release_for(dataclasses.replace(d, earlier=earlier[:i]), rule, method)
                      for i, d in enumerate(earlier)]
            seal_key_text = seal_key_for(dataset, rule) if rule.enabled else ""
            seal = next((s for s in dataset.seals if s.key == seal_key_text), None) if rule.enabled else None
            release = Release(dataset, rule, lattice_for(dataset, rule), complaint_lattice_for(dataset, rule),
                              before, seal=seal, method=method)
            if rule.enabled and release.sealed_by is None and dataset.sealer is not None:
                _seal(dataset, release, seal_key_text)
            with _LOCKS_GUARD:
                _CACHE[key] = release
                _CACHE_ORDER.append(key)
                while len(_CACHE_ORDER) > MAX_RELEASES:
                    _LOCKS.pop(_CACHE_ORDER[0], None)
                    _CACHE.pop(_CACHE_ORDER.popleft(), None)
    return release


def _seal(dataset: Dataset, release: Release, key: str) -> None:
    """Store the seal of a release just protected, or take the one another process stored first: every replica
    shows what the first seal says. A store that cannot take it (read-only, full) does not stop the viewer: the
    release is the same until the code changes; the next build tries again."""
    seal = make_seal(key, release.method, release.values, release.hidden)
    assert dataset.sealer is not None
    try:
        in_force = dataset.sealer(seal)
    except Exception:  # any failure of the store: the page must still be shown
        _log.exception("release %s of dataset %s could not be sealed", key, dataset.cache_key)
        return
    if in_force is None:
        return  # not visible to viewers (yet): nothing is kept
    if in_force == seal:
        release.sealed_by = in_force
    else:
        release.adopt(in_force)


def warm_release(dataset: Dataset, rule: SuppressionRule) -> threading.Thread | None:
    """Start building the release in a background thread (when it is neither built nor being built), so the
    first viewer of a dataset does not wait for it from scratch; returns the thread, or None."""
    key = _key(dataset, rule, CURRENT_METHOD)
    with _LOCKS_GUARD:
        if key in _CACHE or (key in _LOCKS and _LOCKS[key].locked()):
            return None
    thread = threading.Thread(target=release_for, args=(dataset, rule), name="cohort-release-warmup", daemon=True)
    thread.start()
    return thread
