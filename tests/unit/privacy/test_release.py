"""The release and the lattice: hand-computed cells, protection and composition on a small constructed dataset."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from cohort.dataset import MONTHLY_BASE_SCHEMA, UNITS_SCHEMA, Dataset, DatasetMeta
from cohort.privacy.lattice import Lattice
from cohort.privacy.release import Release, _Incidence, _local_move, protect_cells
from cohort.privacy.rules import SuppressionRule

RULE = SuppressionRule()


def months(first: date, count: int) -> list[date]:
    out = []
    for i in range(count):
        index = first.year * 12 + first.month - 1 + i
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def small_dataset() -> Dataset:
    """Three areas (A1, A2 in Noord; B1 in Zuid) and a target group, July 2019 to June 2020 (4 quarters).

    A1 starts 15 August 2019 (so August is its first cohort month), A2 never, B1 on 1 January 2020.
    Outflow to work: 10 per month everywhere except A1 in September 2019 (2). Complaints: A1 one in each
    of Aug, Sep 2019 and one in Feb 2020 (3 in all); B1 six in March 2020; the group one in May 2020.
    """
    units = pl.DataFrame({
        "code": ["A1", "A2", "B1", "G1"], "naam": ["Aa", "Ab", "Ba", "Groep"],
        "soort": ["gebied", "gebied", "gebied", "doelgroep"], "stadsdeel": ["Noord", "Noord", "Zuid", None],
        "start": [date(2019, 8, 15), None, date(2020, 1, 1), date(2019, 7, 1)], "eind": [None, None, None, None],
    }, schema=UNITS_SCHEMA)
    rows = []
    for code in ("A1", "A2", "B1", "G1"):
        for month in months(date(2019, 7, 1), 12):
            work = 2 if (code, month) == ("A1", date(2019, 9, 1)) else 10
            complaints = 0
            if code == "A1" and month in (date(2019, 8, 1), date(2019, 9, 1), date(2020, 2, 1)):
                complaints = 1
            if code == "B1" and month == date(2020, 3, 1):
                complaints = 6
            if code == "G1" and month == date(2020, 5, 1):
                complaints = 1
            rows.append({"maand": month, "code": code, "bijstand": 1000, "gesprekken": 50, "uitstroom": 20,
                         "uitstroom_werk": work, "klachten_bejegening": complaints, "klachten_bereikbaarheid": 0,
                         "klachten_koers": 0, "klachten_overig": 0})
    monthly = pl.DataFrame(rows, schema=MONTHLY_BASE_SCHEMA)
    return Dataset(units, monthly, DatasetMeta(name="klein", version="klein-1"))


@pytest.fixture(scope="module")
def release() -> Release:
    dataset = small_dataset()
    return Release(dataset, RULE, Lattice.build(dataset.months, "kwartaal"),
                   Lattice.build(dataset.months, "halfjaar"))


def test_lattice_cuts_quarters_at_the_data_and_snaps_to_them() -> None:
    lattice = Lattice.build(months(date(2019, 2, 1), 18), "kwartaal")  # feb 2019 .. jul 2020
    labels = [leaf.label for leaf in lattice.leaves]
    assert labels == ["K1 2019 (feb–mrt)", "K2 2019", "K3 2019", "K4 2019", "K1 2020", "K2 2020", "K3 2020 (jul)"]
    assert [n.label for n in lattice.of_grain("jaar")] == ["2019 (feb–dec)", "2020 (jan–jul)"]
    assert lattice.snap_peildatum(date(2020, 5, 1)) == date(2020, 3, 1)
    assert lattice.snap_first(date(2019, 5, 1)) == date(2019, 4, 1)
    assert lattice.snap_last(date(2019, 5, 1)) == date(2019, 6, 1)
    assert lattice.is_aligned(date(2019, 4, 1), date(2020, 7, 1))
    assert not lattice.is_aligned(date(2019, 4, 1), date(2020, 5, 1))


def test_a_small_part_costs_its_smallest_non_zero_sibling() -> None:
    # total (index 0) = 3 + 0 + 7 + 12: the 3 is hidden, then the 7 (not the zero, which protects nothing).
    values = np.array([22, 3, 0, 7, 12])
    hidden = protect_cells(values, [(0, np.array([1, 2, 3, 4]))], RULE)
    assert hidden.tolist() == [False, True, False, True, False]


def test_two_hidden_parts_that_pin_each_other_get_a_third() -> None:
    # 1 + 1 in a total of 2 + 30: two hidden parts with a gap of 2 are both 1; the 30 is hidden as well.
    values = np.array([32, 1, 1, 30])
    hidden = protect_cells(values, [(0, np.array([1, 2, 3]))], RULE)
    assert hidden.tolist() == [False, True, True, True]


def test_linked_equations_are_checked_together() -> None:
    # Rows r1 = a + b, r2 = c + d; columns k1 = a + c, k2 = b + d; a = 2 is small. Per equation, hiding a and b
    # (row) and a and c (column) looks safe, but then d is the only other cell: the system pins a unless d hides.
    #          a   b   c   d   r1  r2  k1  k2
    values = np.array([2, 9, 8, 6, 11, 14, 10, 15])
    equations = [(4, np.array([0, 1])), (5, np.array([2, 3])), (6, np.array([0, 2])), (7, np.array([1, 3]))]
    hidden = protect_cells(values, equations, RULE)
    assert hidden[[0, 1, 2, 3]].all() and not hidden[4:].any()



def test_a_pinned_cell_is_freed_by_the_cheapest_set_of_cells_around_it() -> None:
    # The same table with only a = 2 hidden. To move a by one, either the rectangle moves (b - 1, c - 1, d + 1:
    # hiding 9 + 8 + 6 = 23) or the two totals through a move with it (r1 + 1, k1 + 1: hiding 11 + 10 = 21).
    # The cheaper one is chosen, and it is a real move: every equation still holds.
    #          a   b   c   d   r1  r2  k1  k2
    values = np.array([2, 9, 8, 6, 11, 14, 10, 15])
    equations = [(4, np.array([0, 1])), (5, np.array([2, 3])), (6, np.array([0, 2])), (7, np.array([1, 3]))]
    member: list[list[int]] = [[] for _ in values]
    for e, (total, parts) in enumerate(equations):
        for cell in (total, *parts.tolist()):
            member[cell].append(e)
    hidden = np.zeros(len(values), dtype=bool)
    hidden[0] = True
    movable = ~hidden
    move = _local_move(0, np.arange(len(values)), values, _Incidence.of(equations), member, hidden,
                       np.zeros(len(values), dtype=bool), movable)
    assert move is not None
    cells, change = move
    assert cells.tolist() == [0, 4, 6] and np.allclose(change, [1, 1, 1])
    moved = values.astype(float)
    moved[cells] += change
    assert all(moved[total] == moved[parts].sum() for total, parts in equations)


def test_a_cell_held_fixed_all_around_has_no_local_move() -> None:
    # a = 2 in a total of 2 + 0: the zero cannot move (a hidden zero would be known to be at least 1) and the
    # total is shown by an earlier publication (not movable), so no move exists: None, not a wrong certificate.
    values = np.array([2, 2, 0])
    equations = [(0, np.array([1, 2]))]
    member = [[0], [0], [0]]
    hidden = np.array([False, True, False])
    movable = np.zeros(3, dtype=bool)
    assert _local_move(1, np.arange(3), values, _Incidence.of(equations), member, hidden,
                       np.zeros(3, dtype=bool), movable) is None

def test_counts_are_sums_of_cells_and_hidden_where_they_would_need_a_hidden_cell(release: Release) -> None:
    # A1's outflow to work in K3 2019: 10 + 10 + 2 = 22 (shown); its cohort months in K3 2019 are August and
    # September (start on the 15th counts the whole month): 10 + 2 = 12.
    assert release.count("uitstroom_werk", ["A1"], date(2019, 7, 1), date(2019, 9, 1)).value == 22
    assert release.count("uitstroom_werk", ["A1"], date(2019, 7, 1), date(2019, 9, 1), "cohort").value == 12
    # Noord over the year: 12 × 10 × 2 - 8 = 232; the city adds B1's 120.
    assert release.count("uitstroom_werk", ["A1", "A2"], date(2019, 7, 1), date(2020, 6, 1)).value == 232
    assert release.count("uitstroom_werk", ["A1", "A2", "B1"], date(2019, 7, 1), date(2020, 6, 1)).value == 352
    # Complaints per half year, published only from the start: A1 has 2 by December 2019 and 3 by June 2020
    # (both 1 to 4: hidden); B1 has 0 and then 6; the city 2 and 9 (the 2 hidden).
    assert release.count("klachten", ["A1"], date(2019, 7, 1), date(2020, 6, 1)).hidden
    assert release.count("klachten", ["B1"], date(2019, 7, 1), date(2019, 12, 1)).value == 0
    city = ["A1", "A2", "B1"]
    assert release.count("klachten", city, date(2019, 7, 1), date(2019, 12, 1)).hidden
    whole = release.count("klachten", city, date(2019, 7, 1), date(2020, 6, 1))
    b1 = release.count("klachten", ["B1"], date(2019, 7, 1), date(2020, 6, 1))
    # City 9 = A1 3 + B1 6: if both the city and B1 were shown, A1's 3 would follow; at least one is hidden.
    assert whole.hidden or b1.hidden
    # The target group's single complaint never shows, nor does "the groups together" (the same count).
    assert release.count("klachten", ["G1"], date(2019, 7, 1), date(2020, 6, 1)).hidden


def test_unaligned_windows_and_unpublished_levels(release: Release) -> None:
    with pytest.raises(ValueError, match="valt niet samen"):
        release.count("uitstroom_werk", ["A1"], date(2019, 7, 1), date(2019, 8, 1))
    # Complaints are counted in half years: a quarter is not a window of theirs.
    with pytest.raises(ValueError, match="valt niet samen"):
        release.count("klachten", ["A1"], date(2019, 7, 1), date(2019, 9, 1))
    assert release.count("klachten_bejegening", ["A1"], date(2019, 7, 1), date(2020, 6, 1)).state == "unavailable"
    assert release.stock("bijstand", ["A1", "B1"], date(2020, 6, 1)).value == 2000
    assert release.stock("bijstand", ["A1"], date(2020, 5, 1)).state == "unavailable"  # not a quarter end


def test_a_cell_an_earlier_publication_shows_is_never_the_complement() -> None:
    # total 10 = a 3 + b 7. Alone: hide a (small) and b (its complement). When an earlier publication already
    # showed b, hiding b protects nothing: the total must go instead, and b stays shown.
    values = np.array([10, 3, 7])
    equations = [(0, np.array([1, 2]))]
    assert protect_cells(values, equations, RULE).tolist() == [False, True, True]
    known = np.array([False, False, True])
    assert protect_cells(values, equations, RULE, known=known).tolist() == [True, True, False]


def test_cells_of_an_earlier_publication_keep_their_state_and_are_protected_too() -> None:
    # Cells 0-2 are this release: t 9 = x 4 + y 5. Cells 3-4 belong to an earlier one only, which showed
    # u 6 = y 5 + 1 (cell 4 hidden there). Showing y (5) would pin cell 4 at 1, so y is hidden (x is hidden as
    # small); then x + y = 9 and y + cell 4 = 6 leave each of them several values, so t stays shown.
    values = np.array([9, 4, 5, 6, 1])
    equations = [(0, np.array([1, 2])), (3, np.array([2, 4]))]
    fixed = np.array([False, False, False, True, True])
    known = np.array([False, False, False, True, False])
    hidden = protect_cells(values, equations, RULE, known=known, fixed=fixed)
    assert hidden.tolist() == [False, True, True, False, True]


def test_a_dataset_without_id_is_cached_by_its_content_not_by_its_object(example) -> None:
    import dataclasses

    import polars as pl

    plain = dataclasses.replace(example, meta=dataclasses.replace(example.meta, version=""))
    same = dataclasses.replace(plain)
    other = dataclasses.replace(plain, monthly=plain.monthly.with_columns(pl.col("gesprekken") + 1))
    assert plain.cache_key == same.cache_key != other.cache_key
    assert plain.release_key == plain.cache_key  # nothing published before it


def test_one_unit_counts_are_what_the_walk_from_the_roots_gives(example) -> None:
    # `Release.count` goes straight to a unit's own cells when asked for one unit (most calls); a second code
    # that is no unit (it adds nothing) forces the walk from the city and the target groups down. Every
    # measure, phase and unit, for each quarter, a half-open window and all months: the same count.
    release = Release(example, RULE, Lattice.build(example.months, "kwartaal"),
                      Lattice.build(example.months, "halfjaar"))
    assert release.hidden.any(), "hidden cells make the two ways differ if one is wrong"
    codes = example.units.get_column("code").to_list()
    compared = 0
    for measure, block in release._blocks.items():
        if measure.endswith("_stand"):
            continue
        leaves = (block.lattice or release.lattice).leaves
        windows = [(leaf.first, leaf.last) for leaf in leaves] + [(leaves[1].first, leaves[-2].last),
                                                                  (leaves[0].first, leaves[-1].last)]
        for phase in block.phases:
            for code in codes:
                for first, last in windows:
                    fast = release.count(measure, [code], first, last, phase)
                    walked = release.count(measure, [code, "__geen_eenheid__"], first, last, phase)
                    assert (fast.value, fast.state) == (walked.value, walked.state), (measure, phase, code, first)
                    compared += 1
    assert compared > 10_000


@pytest.mark.parametrize("hiding", [True, False])
def test_counts_of_many_groups_at_once_are_the_counts_one_by_one(example, hiding: bool) -> None:
    # `Release.counts` sums single units array by array; every measure, phase and window (quarters, half-open,
    # all months, and windows that no prefix cell closes), with groups of several units and unknown codes mixed in.
    rule = SuppressionRule(enabled=hiding)
    grain = "kwartaal" if hiding else "maand"
    release = Release(example, rule, Lattice.build(example.months, grain),
                      Lattice.build(example.months, "halfjaar" if hiding else "maand"))
    assert release.hidden.any(), "hidden (or, with hiding off, never-published) cells make the two ways differ"
    codes = example.units.get_column("code").to_list()
    groups = [[code] for code in codes] + [codes[:3], ["__geen_eenheid__"], [codes[0], "__geen_eenheid__"]]
    compared = 0
    for measure, block in release._blocks.items():
        if measure.endswith("_stand"):
            continue
        leaves = (block.lattice or release.lattice).leaves
        windows = {(leaf.first, leaf.last) for leaf in leaves[::3]} | {
            (leaves[1].first, leaves[-2].last), (leaves[0].first, leaves[-1].last), (leaves[2].first, leaves[5].last)}
        for phase in block.phases:
            for first, last in sorted(windows):
                together = release.counts(measure, groups, first, last, phase)
                one_by_one = [release.count(measure, group, first, last, phase) for group in groups]
                assert together == one_by_one, (measure, phase, first, last)
                assert [c.query for c in together] == [c.query for c in one_by_one]  # what the attacker is told
                compared += len(groups)
    assert compared > 10_000
    for leaf in release.lattice.leaves:
        for measure in ("bijstand", "ontheffingen"):
            together = release.stocks(measure, groups, leaf.last)
            one_by_one = [release.stock(measure, group, leaf.last) for group in groups]
            assert together == one_by_one and [c.query for c in together] == [c.query for c in one_by_one]
