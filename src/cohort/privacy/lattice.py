"""The fixed lattice of periods a viewer can choose from, and the tree of periods the release is built on.

Why a lattice: a viewer who may pick any two months can subtract "2018-01 … 2021-05" from "2018-01 … 2021-06"
and read a hidden month. So the periods a viewer can select are whole calendar quarters (the first and last
quarter may be cut short by the data), and the peildatum is the last month of such a quarter. Every count a
page shows is then a sum of cells of one release (`cohort.privacy.release`) over these periods, protected once for
all selections together (see ``docs/privacy.md``). An evaluator who switches the hiding of small numbers off
gets months as the finest period instead ("maand"): nothing is protected then anyway.

The tree: ``alles`` (all months of the data) → calendar years → half years → quarters (→ months, only in the
evaluators' monthly lattice). Each node covers a run of consecutive months of the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

from cohort.fmt import fmt_month, fmt_month_short, fmt_months_short

Grain = Literal["alles", "jaar", "halfjaar", "kwartaal", "maand"]
FinestGrain = Literal["halfjaar", "kwartaal", "maand"]
GRAIN_ORDER: tuple[Grain, ...] = ("alles", "jaar", "halfjaar", "kwartaal", "maand")


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _bucket(month: date, grain: Grain) -> tuple[int, int]:
    if grain == "alles":
        return (0, 0)
    if grain == "jaar":
        return (month.year, 0)
    if grain == "halfjaar":
        return (month.year, (month.month - 1) // 6)
    if grain == "kwartaal":
        return (month.year, (month.month - 1) // 3)
    return (month.year, month.month)


@dataclass(frozen=True)
class PeriodNode:
    """A run of consecutive months of the data: a year, half year, quarter, month, or all of it."""

    index: int  # position in `Lattice.nodes`
    grain: Grain
    first: date  # first month (first day of the month)
    last: date  # last month (first day of the month)
    children: tuple[int, ...]  # indexes of the next finer nodes, in time order
    parent: int | None

    @property
    def months(self) -> int:
        return month_index(self.last) - month_index(self.first) + 1

    def within(self, first: date, last: date) -> bool:
        return first <= self.first and self.last <= last

    def overlaps(self, first: date, last: date) -> bool:
        return not (self.last < first or last < self.first)

    @property
    def label(self) -> str:
        """'K2 2021', 'H1 2021', '2021', 'juni 2021' or 'jan 2018 – dec 2022'; a cut-short period says so."""
        full = {"jaar": 12, "halfjaar": 6, "kwartaal": 3, "maand": 1}.get(self.grain)
        if self.grain == "alles":
            return f"{fmt_month_short(self.first)} – {fmt_month_short(self.last)}"
        if self.grain == "maand":
            return fmt_month(self.first)
        if self.grain == "jaar":
            base = str(self.first.year)
        elif self.grain == "halfjaar":
            base = f"H{1 if self.first.month <= 6 else 2} {self.first.year}"
        else:
            base = f"K{(self.first.month - 1) // 3 + 1} {self.first.year}"
        if full is not None and self.months < full:
            base += f" ({fmt_months_short(self.first, self.last)})"
        return base


@dataclass(frozen=True)
class Lattice:
    """The period tree of one dataset: `nodes[0]` is ``alles``; the leaves have grain `finest`."""

    finest: FinestGrain
    nodes: tuple[PeriodNode, ...]

    @classmethod
    def build(cls, months: list[date], finest: FinestGrain = "kwartaal") -> Lattice:
        """The tree over the months of a dataset (sorted, distinct first days of months)."""
        if not months:
            raise ValueError("Een dataset zonder maanden heeft geen perioden.")
        grains = GRAIN_ORDER[:GRAIN_ORDER.index(finest) + 1]
        nodes: list[dict] = []

        def add(grain_level: int, run: list[date], parent: int | None) -> int:
            grain = grains[grain_level]
            index = len(nodes)
            nodes.append({"grain": grain, "first": run[0], "last": run[-1], "children": [], "parent": parent})
            if grain_level + 1 < len(grains):
                finer = grains[grain_level + 1]
                groups: dict[tuple[int, int], list[date]] = {}
                for month in run:
                    groups.setdefault(_bucket(month, finer), []).append(month)
                for key in sorted(groups):
                    nodes[index]["children"].append(add(grain_level + 1, groups[key], index))
            return index

        add(0, sorted(months), None)
        return cls(finest, tuple(
            PeriodNode(i, n["grain"], n["first"], n["last"], tuple(n["children"]), n["parent"])
            for i, n in enumerate(nodes)
        ))

    @property
    def root(self) -> PeriodNode:
        return self.nodes[0]

    def of_grain(self, grain: Grain) -> list[PeriodNode]:
        return [n for n in self.nodes if n.grain == grain]

    # Cached: a page with 10,000 units asks for the leaves hundreds of thousands of times (`Release.count`).
    # The lattice is frozen, so they never change; callers only read the list.
    @cached_property
    def leaves(self) -> list[PeriodNode]:
        return self.of_grain(self.finest)

    @cached_property
    def _bounds(self) -> tuple[frozenset[date], frozenset[date]]:
        return frozenset(leaf.first for leaf in self.leaves), frozenset(leaf.last for leaf in self.leaves)

    @cached_property
    def leaf_ends(self) -> dict[date, int]:
        """Last month of each leaf -> the leaf's position (its keys in order)."""
        return {leaf.last: k for k, leaf in enumerate(self.leaves)}

    @cached_property
    def leaf_end_list(self) -> tuple[date, ...]:
        return tuple(leaf.last for leaf in self.leaves)

    def leaf_containing(self, month: date) -> PeriodNode | None:
        for leaf in self.leaves:
            if leaf.first <= month <= leaf.last:
                return leaf
        return None

    def period_starts(self) -> list[date]:
        return [leaf.first for leaf in self.leaves]

    def period_ends(self) -> list[date]:
        return [leaf.last for leaf in self.leaves]

    def snap_first(self, month: date) -> date:
        """The first month of the finest period that holds `month` (or the nearest one)."""
        leaf = self.leaf_containing(month)
        if leaf is not None:
            return leaf.first
        return self.leaves[0].first if month < self.leaves[0].first else self.leaves[-1].first

    def snap_last(self, month: date) -> date:
        """The last month of the finest period that holds `month` (or the nearest one)."""
        leaf = self.leaf_containing(month)
        if leaf is not None:
            return leaf.last
        return self.leaves[0].last if month < self.leaves[0].first else self.leaves[-1].last

    def snap_peildatum(self, month: date) -> date:
        """The last period end on or before `month` (the first period's end when there is none).

        A peildatum inside a quarter would count months after it, or let two peildata one month apart be
        subtracted; it moves back to the end of the last whole period instead.
        """
        ends = [end for end in self.period_ends() if end <= month]
        return ends[-1] if ends else self.period_ends()[0]

    def is_aligned(self, first: date, last: date) -> bool:
        starts, ends = self._bounds
        return first in starts and last in ends and first <= last

    def within(self, grain: Grain, first: date, last: date) -> list[tuple[PeriodNode, date, date]]:
        """The periods of `grain` that overlap [first, last], each with the part inside (first, last months)."""
        return [
            (node, max(node.first, first), min(node.last, last))
            for node in self.of_grain(grain) if node.overlaps(first, last)
        ]
