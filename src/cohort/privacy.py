"""Small-number suppression (AVG/GDPR): no count of persons or complaints from 1 to 4 may be readable or derivable.

The data describe vulnerable people. Like Amsterdam's research office (OIS shows 1–4 as "<5") and CBS (hides
small cells), viewer pages hide every count from 1 to ``threshold - 1`` and every figure computed from one.

Decisions (explained for readers in ``docs/privacy.md``):

- **0 is shown.** "Nobody" identifies nobody, and OIS shows 0 as 0. Consequence: everyone knows a hidden cell is
  at least 1, which the secondary suppression below takes into account.
- **Hidden numbers become null**, not only hidden text, so a chart or download cannot plot or leak them.
- **Secondary suppression.** Where a table shows parts and their total, ``total - sum(shown parts)`` is the sum
  of the hidden parts (the "gap"). We require, for every total that is shown, that either no part is hidden, or
  at least two are and the gap leaves every hidden part free to be any value from 1 to ``threshold - 1``:
  ``gap - (hidden parts - 1) >= threshold - 1``. If not, the smallest visible non-zero part is hidden as well
  (one such part always suffices, since it is at least ``threshold``); if there is none, the total is hidden.
  Hiding a zero would protect nothing (everyone knows a hidden cell is not 0), so zeros are never chosen.
- **Linked totals.** Where cells are part of a row total and a column total, the equations are also checked
  together (linear programming, ``feasible_ranges``): more cells are hidden until no small cell can be pinned to
  a single value by any combination of shown numbers.
- In tables with totals every hidden cell reads "×" (the CBS sign for "geheim"), whether it is small or hidden
  to protect a small one: "<5" on a cell of 7 would be false, and distinct signs would tell which hidden cell
  is the small one.

The protection holds for the tables passed in. A page that shows the same parts elsewhere (another table, a
chart, a download, a headline total) must use the same protected result; see ``docs/privacy.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from cohort.fmt import MISSING, fmt_dec, fmt_int
from cohort.settings import Settings

DEFAULT_THRESHOLD = 5
PROTECTED_TEXT = "×"  # every hidden cell in a table with totals (see module docstring)
FOOTNOTE_MARKER = "*"
HIDDEN_RATE_TEXT = f"{MISSING}{FOOTNOTE_MARKER}"  # "—*": hidden, as opposed to "—": no data

TEXT_SUFFIX = "_tekst"
HIDDEN_SUFFIX = "_verborgen"

Level = Literal["eenheid", "stadsdeel", "stad"]


@dataclass(frozen=True)
class SuppressionRule:
    """Counts from 1 to ``threshold - 1`` are hidden; 0 and counts of ``threshold`` or more are shown.

    ``enabled=False`` shows everything: only for evaluators looking at their own data, and every page that uses
    it must say so (``small_number_note_nl`` then returns the warning to show).
    """

    threshold: int = DEFAULT_THRESHOLD
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"threshold moet minstens 1 zijn, niet {self.threshold}")

    @classmethod
    def from_settings(cls, settings: Settings, *, enabled: bool = True) -> SuppressionRule:
        return cls(threshold=settings.small_number_threshold, enabled=enabled)

    @property
    def largest_hidden(self) -> int:
        """The largest count that is hidden (4 with the default threshold)."""
        return self.threshold - 1

    @property
    def hidden_text(self) -> str:
        """'<5' with the default threshold."""
        return f"<{self.threshold}"

    def hides(self, count: float | int | None) -> bool:
        """True when this count must not be shown."""
        return self.enabled and count is not None and 0 < count < self.threshold


DEFAULT_RULE = SuppressionRule()


def is_safe_to_show(count: float | int | None, rule: SuppressionRule = DEFAULT_RULE) -> bool:
    """0, missing and counts of at least the threshold may be shown; 1 to threshold-1 may not (unless disabled)."""
    return not rule.hides(count)


def count_text(count: int | None, rule: SuppressionRule = DEFAULT_RULE) -> str:
    """A single count for display: '—' when missing, '<5' when hidden, else Dutch formatted ('13.024')."""
    if count is None:
        return "—"
    return rule.hidden_text if rule.hides(count) else fmt_int(count)


def _hidden_expr(column: str, rule: SuppressionRule) -> pl.Expr:
    if not rule.enabled or rule.threshold <= 1:
        return pl.col(column).is_null() & pl.lit(False)  # keeps the frame's length, unlike a bare literal
    return pl.col(column).is_between(1, rule.largest_hidden).fill_null(False)


def _null_where(column: str, hidden: pl.Expr) -> pl.Expr:
    return pl.when(hidden).then(None).otherwise(pl.col(column)).alias(column)


def suppress_counts(
    frame: pl.DataFrame, count_columns: Sequence[str], rule: SuppressionRule = DEFAULT_RULE
) -> pl.DataFrame:
    """Hide small counts cell by cell (primary suppression), for tables without a total of these cells.

    For each column ``c``: ``c`` keeps its dtype but hidden values become null (charts cannot plot them),
    ``c_tekst`` is the Dutch text ("13.024", "0", "<5", "—" for missing) and ``c_verborgen`` is a boolean.
    Tables that also show a total of the cells need ``suppress_with_totals`` / ``suppress_categories``.
    """
    hidden_flags = frame.select(
        [_hidden_expr(c, rule).alias(f"{c}{HIDDEN_SUFFIX}") for c in count_columns]
    ).with_columns(pl.all().cast(pl.Boolean))
    texts = [
        pl.Series(
            f"{c}{TEXT_SUFFIX}",
            [rule.hidden_text if hide else fmt_int(v) for v, hide in
             zip(frame.get_column(c).to_list(), hidden_flags.get_column(f"{c}{HIDDEN_SUFFIX}").to_list(), strict=True)],
            dtype=pl.String,
        )
        for c in count_columns
    ]
    nulled = frame.with_columns(
        [_null_where(c, pl.lit(hidden_flags.get_column(f"{c}{HIDDEN_SUFFIX}"))) for c in count_columns]
    )
    return nulled.with_columns(texts).with_columns(hidden_flags.get_columns())


def suppress_rates(
    frame: pl.DataFrame,
    numerator_column: str,
    rate_columns: Sequence[str],
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    formatter: Callable[[float | None], str] = fmt_dec,
    hidden_column: str | None = None,
) -> pl.DataFrame:
    """Hide rates (and their interval bounds) whose numerator is 1 to threshold-1.

    Pass the rate and both bounds in ``rate_columns``: a bound alone would give the numerator away. Hidden values
    become null; ``r_tekst`` reads "—*" (footnote: ``small_number_note_nl``), else ``formatter(value)``;
    ``r_verborgen`` is a boolean. When the numerators come from a protected table, pass its ``<count>_verborgen``
    column as ``hidden_column``: a rate computed from a cell hidden to protect another must be hidden too.
    The numerator column itself is left as it is (suppress it with ``suppress_counts``).
    """
    hidden = _hidden_expr(numerator_column, rule)
    if hidden_column is not None and rule.enabled:
        hidden = hidden | pl.col(hidden_column).fill_null(False)
    flag = frame.select(hidden.cast(pl.Boolean).alias("_verborgen")).get_column("_verborgen")
    texts = [
        pl.Series(
            f"{r}{TEXT_SUFFIX}",
            [HIDDEN_RATE_TEXT if hide else formatter(v) for v, hide in
             zip(frame.get_column(r).to_list(), flag.to_list(), strict=True)],
            dtype=pl.String,
        )
        for r in rate_columns
    ]
    return frame.with_columns(
        [_null_where(r, pl.lit(flag)) for r in rate_columns]
        + texts
        + [flag.alias(f"{r}{HIDDEN_SUFFIX}") for r in rate_columns]
    )


def mask_for_chart(
    frame: pl.DataFrame,
    count_column: str,
    value_columns: Sequence[str],
    rule: SuppressionRule = DEFAULT_RULE,
) -> pl.DataFrame:
    """Null the count and every value derived from it (rates, bounds, shares) where the count is hidden.

    Adds ``<count>_verborgen`` so a chart can mark the gaps ("verborgen", not "geen gegevens"). A count that is
    already null counts as hidden when the frame has a ``<count>_verborgen`` column saying so (output of the
    suppress functions); otherwise null stays plain "no data".
    """
    flag_name = f"{count_column}{HIDDEN_SUFFIX}"
    hidden = _hidden_expr(count_column, rule)
    if flag_name in frame.columns and rule.enabled:
        hidden = hidden | pl.col(flag_name).fill_null(False)
    flag = frame.select(hidden.cast(pl.Boolean).alias(flag_name)).get_column(flag_name)
    columns = [count_column, *[c for c in value_columns if c != count_column]]
    return frame.with_columns([_null_where(c, pl.lit(flag)) for c in columns]).with_columns(flag)


# --- Secondary suppression -------------------------------------------------------------------------------------

Cell = tuple[int, str]  # (row index, column name)


@dataclass(frozen=True)
class TotalConstraint:
    """One published equation: ``total = sum(parts)``. Anyone can subtract the shown parts from the total."""

    total: Cell
    parts: tuple[Cell, ...]


def _gap_protects(hidden_values: Sequence[int], rule: SuppressionRule) -> bool:
    # Everyone knows a hidden cell is >= 1 (0 is shown). With k hidden parts and gap S, a hidden part can be at
    # most S - (k - 1); it must be able to be threshold - 1, or "total minus shown" narrows it down.
    k = len(hidden_values)
    return k == 0 or (k >= 2 and sum(hidden_values) - (k - 1) >= rule.largest_hidden)


def _complement(
    constraint: TotalConstraint, values: dict[Cell, int | None], hidden: set[Cell], rule: SuppressionRule
) -> Cell | None:
    """The next cell to hide so this constraint gives nothing away, or None when it is already safe."""
    if constraint.total in hidden:
        return None
    hidden_parts = [p for p in constraint.parts if p in hidden]
    if _gap_protects([values[p] or 0 for p in hidden_parts], rule):
        return None
    # Smallest visible non-zero part (hiding a zero protects nothing); ties: first in table order.
    candidates = [p for p in constraint.parts if p not in hidden and (values[p] or 0) > 0]
    if not candidates:
        return constraint.total
    return min(candidates, key=lambda p: (values[p] or 0, constraint.parts.index(p)))


def _equation_fixpoint(
    values: dict[Cell, int | None], constraints: tuple[TotalConstraint, ...], hidden: set[Cell], rule: SuppressionRule
) -> None:
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            extra = _complement(constraint, values, hidden, rule)
            if extra is not None:
                hidden.add(extra)
                changed = True


def _linked_components(constraints: tuple[TotalConstraint, ...], hidden: set[Cell]) -> list[list[TotalConstraint]]:
    """Groups of equations that share a hidden cell: only together can they narrow a cell down."""
    involved = [c for c in constraints if c.total in hidden or any(p in hidden for p in c.parts)]
    parent = list(range(len(involved)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[Cell, int] = {}
    for i, constraint in enumerate(involved):
        for cell in (constraint.total, *constraint.parts):
            if cell in hidden:
                parent[root(i)] = root(first_seen.setdefault(cell, i))
    components: dict[int, list[TotalConstraint]] = {}
    for i, constraint in enumerate(involved):
        components.setdefault(root(i), []).append(constraint)
    return list(components.values())


@dataclass(frozen=True)
class _LinearSystem:
    cells: tuple[Cell, ...]  # the unknowns: hidden cells
    a_eq: list[list[float]]
    b_eq: list[float]

    def solve(self, objective: dict[Cell, float], caps: dict[Cell, float] | None = None) -> list[float] | None:
        """Minimise the objective over the hidden cells (each >= 1, optionally <= a cap); None if unbounded."""
        coefficients = [objective.get(cell, 0.0) for cell in self.cells]
        bounds = [(1.0, None if caps is None else caps[cell]) for cell in self.cells]
        from scipy import optimize  # only tables with row and column totals need it; keeps cold starts light

        result = optimize.linprog(coefficients, A_eq=self.a_eq or None, b_eq=self.b_eq or None, bounds=bounds)
        return list(result.x) if result.status == 0 else None


def _linear_system(
    values: dict[Cell, int | None], constraints: Iterable[TotalConstraint], hidden: set[Cell]
) -> _LinearSystem:
    constraints = tuple(constraints)
    cells = tuple(sorted({cell for c in constraints for cell in (c.total, *c.parts) if cell in hidden}))
    index = {cell: i for i, cell in enumerate(cells)}
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    for constraint in constraints:
        row = [0.0] * len(cells)
        rhs = 0.0
        for cell, sign in ((constraint.total, 1.0), *((p, -1.0) for p in constraint.parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * (values[cell] or 0)
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    return _LinearSystem(cells, a_eq, b_eq)


def feasible_ranges(
    values: dict[Cell, int | None],
    constraints: Iterable[TotalConstraint],
    hidden: set[Cell],
    of: Iterable[Cell] | None = None,
) -> dict[Cell, tuple[float, float]]:
    """What an attacker can conclude about each hidden cell from all shown numbers together.

    Solves, per hidden cell, the smallest and largest value that fits every equation, knowing only that hidden
    cells are at least 1 (linear programming; the bounds are at least as wide as the whole-number bounds).
    ``of`` limits the answer to these cells (default: every hidden cell). The upper bound may be ``math.inf``.
    """
    system = _linear_system(values, constraints, hidden)
    ranges: dict[Cell, tuple[float, float]] = {}
    for cell in system.cells if of is None else [c for c in of if c in system.cells]:
        position = system.cells.index(cell)
        low = system.solve({cell: 1.0})
        high = system.solve({cell: -1.0})
        ranges[cell] = (low[position] if low else 1.0, high[position] if high else math.inf)
    return ranges


def _not_pinned(
    values: dict[Cell, int | None], component: list[TotalConstraint], hidden: set[Cell], candidates: list[Cell]
) -> set[Cell]:
    """Candidates that provably can take another value: cheap, a few LPs for all of them at once.

    The true values are one solution of the equations. Any other solution (here: pushing all candidates up,
    then all down, each within one of its true value) in which a cell differs proves that cell is not pinned.
    """
    system = _linear_system(values, component, hidden)
    caps = {cell: float((values[cell] or 0) + 1) for cell in system.cells}
    proven: set[Cell] = set()
    for sense in (-1.0, 1.0):
        solution = system.solve({cell: sense for cell in candidates if cell not in proven}, caps)
        if solution is not None:
            proven |= {
                cell for cell, x in zip(system.cells, solution, strict=True)
                if cell in candidates and abs(x - (values[cell] or 0)) > 0.5
            }
    return proven


def _widening_cell(
    cell: Cell, component: list[TotalConstraint], values: dict[Cell, int | None], hidden: set[Cell]
) -> Cell | None:
    """Another cell to hide so that a pinned-down cell becomes uncertain again: the smallest visible non-zero
    part of an equation it is in, else a total of such an equation, else any visible cell of the component."""
    own = [c for c in component if cell == c.total or cell in c.parts]
    for pool in (
        [p for c in own for p in c.parts],
        [c.total for c in own],
        [x for c in component for x in (*c.parts, c.total)],
    ):
        candidates = [x for x in pool if x not in hidden and (values[x] or 0) > 0]
        if candidates:
            return min(candidates, key=lambda x: (values[x] or 0, pool.index(x)))
    return None


def _narrowing_fix(
    values: dict[Cell, int | None],
    constraints: tuple[TotalConstraint, ...],
    hidden: set[Cell],
    rule: SuppressionRule,
    verified: set[Cell],
) -> Cell | None:
    for component in _linked_components(constraints, hidden):
        if len(component) < 2:
            continue  # a single equation is made safe by _complement (see the module docstring)
        small = sorted({x for c in component for x in (c.total, *c.parts) if x in hidden and rule.hides(values[x])})
        # Hiding more cells only widens the ranges, so a cell found safe stays safe: check each once.
        unverified = [x for x in small if x not in verified]
        verified |= _not_pinned(values, component, hidden, unverified) if unverified else set()
        for cell in (x for x in unverified if x not in verified):
            ((low, high),) = feasible_ranges(values, component, hidden, of=[cell]).values()
            extra = _widening_cell(cell, component, values, hidden) if high - low < 1 - 1e-6 else None
            if extra is not None:
                return extra
            verified.add(cell)  # safe, or (never seen) nothing left to hide: do not loop forever
    return None


def protect_cells(
    values: dict[Cell, int | None], constraints: Iterable[TotalConstraint], rule: SuppressionRule = DEFAULT_RULE
) -> set[Cell]:
    """The cells to hide: the small ones, plus complements until every shown total is safe (see module docstring).

    First every equation on its own (after which each small cell can be anything from 1 to threshold-1 as far
    as that equation goes); then, where equations share hidden cells (units by complaint category with row and
    column totals), all equations together: as long as they pin a small cell down to one value, one more cell
    is hidden and the check repeats. Together they may still narrow a small cell (e.g. "at least 2" for a row
    total of two hidden cells, since zeros are shown), but never to a single value.
    """
    if not rule.enabled:
        return set()
    constraints = tuple(constraints)
    hidden = {cell for cell, value in values.items() if rule.hides(value)}
    verified: set[Cell] = set()
    while True:
        _equation_fixpoint(values, constraints, hidden, rule)
        extra = _narrowing_fix(values, constraints, hidden, rule, verified)
        if extra is None:
            return hidden
        hidden.add(extra)


def _apply_protection(
    frame: pl.DataFrame, count_columns: Sequence[str], constraints: list[TotalConstraint], rule: SuppressionRule
) -> pl.DataFrame:
    values: dict[Cell, int | None] = {}
    for column in count_columns:
        for row, value in enumerate(frame.get_column(column).to_list()):
            values[(row, column)] = None if value is None else int(value)
    hidden = protect_cells(values, constraints, rule)
    result = frame
    for column in count_columns:
        flags = [(row, column) in hidden for row in range(frame.height)]
        texts = [PROTECTED_TEXT if flag else fmt_int(values[(row, column)]) for row, flag in enumerate(flags)]
        flag_series = pl.Series(f"{column}{HIDDEN_SUFFIX}", flags, dtype=pl.Boolean)
        result = result.with_columns(
            _null_where(column, pl.lit(flag_series)),
            pl.Series(f"{column}{TEXT_SUFFIX}", texts, dtype=pl.String),
            flag_series,
        )
    return result


def _column_constraints(
    frame: pl.DataFrame, group_column: str, label_column: str, total_row_label: str, count_columns: Sequence[str]
) -> list[TotalConstraint]:
    groups: dict[object, tuple[list[int], list[int]]] = {}
    for row, (group, label) in enumerate(
        zip(frame.get_column(group_column).to_list(), frame.get_column(label_column).to_list(), strict=True)
    ):
        parts, totals = groups.setdefault(group, ([], []))
        (totals if label == total_row_label else parts).append(row)
    constraints = []
    for parts, totals in groups.values():
        for total_row in totals:
            for column in count_columns:
                constraints.append(TotalConstraint((total_row, column), tuple((r, column) for r in parts)))
    return constraints


def _row_constraints(height: int, part_columns: Sequence[str], total_column: str) -> list[TotalConstraint]:
    return [
        TotalConstraint((row, total_column), tuple((row, c) for c in part_columns)) for row in range(height)
    ]


def suppress_with_totals(
    frame: pl.DataFrame,
    group_column: str,
    count_columns: Sequence[str],
    *,
    label_column: str,
    total_row_label: str = "Totaal",
    rule: SuppressionRule = DEFAULT_RULE,
    row_part_columns: Sequence[str] = (),
    row_total_column: str | None = None,
) -> pl.DataFrame:
    """Primary and secondary suppression for a table of parts with their total per group.

    Rows with ``label_column == total_row_label`` are the total of the other rows of their ``group_column`` value
    (units of a stadsdeel plus the stadsdeel total; complaint categories of a unit plus "Totaal"). Each count
    column is protected per group. With ``row_total_column`` the table also has a total across columns
    (``row_part_columns``, e.g. four complaint categories and ``klachten``), protected row by row at the same time.

    Output per count column (and the row total): the numeric column with hidden cells null, ``c_tekst`` ("12",
    "0" or "×") and ``c_verborgen``.
    """
    constraints = _column_constraints(frame, group_column, label_column, total_row_label, count_columns)
    columns = list(count_columns)
    if row_total_column is not None:
        constraints += _row_constraints(frame.height, row_part_columns, row_total_column)
        columns += [c for c in (*row_part_columns, row_total_column) if c not in columns]
    return _apply_protection(frame, columns, constraints, rule)


def suppress_categories(
    frame: pl.DataFrame, part_columns: Sequence[str], total_column: str, rule: SuppressionRule = DEFAULT_RULE
) -> pl.DataFrame:
    """Row-wise secondary suppression: per row, category columns and their total column (e.g. 4 kinds of
    complaint + ``klachten``). Same output columns as ``suppress_with_totals``."""
    constraints = _row_constraints(frame.height, part_columns, total_column)
    return _apply_protection(frame, [*part_columns, total_column], constraints, rule)


# --- Texts -----------------------------------------------------------------------------------------------------


def small_number_note_nl(rule: SuppressionRule = DEFAULT_RULE, *, with_totals: bool = False) -> str:
    """The footnote under every table or chart that may hide numbers (or the warning when hiding is off)."""
    if not rule.enabled:
        return (
            "Let op: kleine aantallen worden in deze weergave níet verborgen. Alleen voor evaluatoren; "
            "niet publiceren, delen of als schermafbeelding doorsturen."
        )
    note = (
        f"{HIDDEN_RATE_TEXT} of {rule.hidden_text}: aantal van 1 tot en met {rule.largest_hidden}, "
        "verborgen om herleidbaarheid naar personen te voorkomen."
    )
    if with_totals:
        note += (
            f" {PROTECTED_TEXT}: verborgen; een aantal van 1 tot en met {rule.largest_hidden}, of een aantal "
            "dat mee verborgen is zodat zo’n klein aantal niet uit het totaal terug te rekenen is."
        )
    return note


def explain_hidden_nl(
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    hidden_cells: int,
    total_cells: int,
    per_month: bool,
    level: Level = "eenheid",
) -> str:
    """Why values are hidden, and how to see more: a longer period or a higher level (for an info box).

    Returns "" when nothing is hidden. Does not say which cell is hidden for which reason: that would tell
    which hidden cell is the small one.
    """
    if not rule.enabled or hidden_cells <= 0:
        return ""
    share = hidden_cells / total_cells if total_cells else 1.0
    text = (
        f"{fmt_int(hidden_cells)} van de {fmt_int(total_cells)} waarden zijn verborgen. Aantallen van 1 tot en met "
        f"{rule.largest_hidden} tonen we niet, en ook niets waaruit ze terug te rekenen zijn (zoals een totaal "
        "min de getoonde delen): in kleine aantallen zijn personen te herkennen."
    )
    tips = []
    if per_month:
        tips.append("kies een langere periode (bijvoorbeeld alle maanden samen in plaats van per maand)")
    if level == "eenheid":
        tips.append("bekijk de cijfers per stadsdeel in plaats van per gebied")
    elif level == "stadsdeel":
        tips.append("bekijk het totaal voor de hele stad")
    if tips and share >= 0.25:
        text += " Meer zichtbaar? " + (" of ".join(tips)).capitalize() + "."
    return text


def disabled_banner_nl() -> str:
    """The banner a page shows while an evaluator has switched hiding off."""
    return small_number_note_nl(SuppressionRule(enabled=False))
