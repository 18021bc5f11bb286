"""The attacker: everything every page shows, for many selections, must leave each hidden count uncertain.

Issue 12 listed six ways in which hidden counts were recovered exactly. Here they are played again against the
page models and the release: every shown count becomes an equation, every hidden count an inequality, and an
integer programme asks whether each hidden count of 1 to 4 (and each small monthly count) can take at least two
values (`tests/attacker.py`). A test that reintroduces a leak checks that the attacker does find it.
"""

from __future__ import annotations

from datetime import date

import pytest
from attacker import Attacker, edited, page_counts, release_counts, small_latent_queries
from outflow_data import small

from cohort.dataset import Dataset
from cohort.pagemodels import PAGES
from cohort.pagemodels.common import PageInput
from cohort.privacy.lattice import Lattice
from cohort.privacy.release import Count, Query, Release, release_for
from cohort.privacy.rules import SuppressionRule
from cohort.selection import Selection, default_selection

RULE = SuppressionRule()


@pytest.fixture(scope="module")
def small_counts(example: Dataset) -> Dataset:
    """The example data with counts of 1 to 4 placed where the six audited leaks used them."""
    return edited(example, {
        ("DX05", date(2020, 1, 1), "uitstroom_werk"): 0,   # a small quarter (3) in an active area (cases 2, 3)
        ("DX05", date(2020, 2, 1), "uitstroom_werk"): 2,
        ("DX05", date(2020, 3, 1), "uitstroom_werk"): 1,
        ("DX11", date(2021, 6, 1), "klachten_bejegening"): 2,  # a small complaint count (cases 5 and 6)
        ("DX13", date(2020, 9, 1), "klachten_koers"): 3,
        ("DG02", date(2020, 5, 1), "klachten_overig"): 1,  # target groups (case 4)
        ("DX21", date(2019, 11, 1), "uitstroom_werk"): 4,  # near a start (case 1)
    })


def selections(dataset: Dataset) -> list[Selection]:
    """The default view, filters, a single unit, a later peildatum, and two windows one quarter apart."""
    base = default_selection(dataset)
    one = dataset.areas.get_column("code").to_list()[4]
    return [
        base,
        Selection(base.peildatum, base.first_month, base.last_month, stadsdelen=("Centrum", "West")),
        Selection(base.peildatum, base.first_month, base.last_month, units=(one,)),
        Selection(base.peildatum, base.first_month, base.last_month, level="stadsdeel"),
        Selection(date(2020, 12, 31), base.first_month, date(2021, 3, 1)),
        Selection(date(2021, 3, 31), base.first_month, date(2021, 3, 1)),
        Selection(date(2022, 12, 31), date(2019, 7, 1), base.last_month, include_target_groups=False),
    ]


def everything_shown(dataset: Dataset) -> tuple[list[Count], list[Count]]:
    """(shown, hidden): every count of every page for every selection, and every visible release cell."""
    shown, hidden = release_counts(release_for(dataset, RULE), dataset)
    for selection in selections(dataset):
        for name in PAGES:
            for count in page_counts(name, PageInput(dataset, selection, RULE)):
                (shown if count.shown else hidden).append(count)
    return shown, hidden


def latent_targets(release: Release, attacker: Attacker) -> list[tuple[str, object, str]]:
    """Never-published cells of the release (complaints per half year and below) whose true value is 1 to 4."""
    return [(*attacker.row(query), f"nooit getoond {query}") for query in small_latent_queries(release)]


def test_the_release_alone_leaves_every_small_count_uncertain(example: Dataset) -> None:
    release = release_for(example, RULE)
    attacker = Attacker(example)
    shown, hidden = release_counts(release, example)
    assert hidden, "the example data have small counts, so something must be hidden"
    assert attacker.leaks(shown, hidden, extra_targets=latent_targets(release, attacker)) == []


def test_all_pages_and_selections_together_leave_every_small_count_uncertain(small_counts: Dataset) -> None:
    attacker = Attacker(small_counts)
    shown, hidden = everything_shown(small_counts)
    assert {c.query.measure for c in hidden if c.query} >= {"klachten", "uitstroom_werk"}
    leaks = attacker.leaks(shown, hidden, extra_targets=latent_targets(release_for(small_counts, RULE), attacker))
    assert leaks == []



def test_the_hand_made_outflow_dataset_leaks_nothing_from_all_its_pages() -> None:
    # tests/outflow_data.small(): the page-model tests by hand read shown sums (the comparison's 37, West's 19)
    # that rest on DX03's fourth quarter (1). Everything its pages show, and the release, must leave it (and
    # every other small count) uncertain.
    dataset = small()
    release = release_for(dataset, RULE)
    shown, hidden = release_counts(release, dataset)
    for name in PAGES:
        for count in page_counts(name, PageInput(dataset, default_selection(dataset), RULE)):
            (shown if count.shown else hidden).append(count)
    attacker = Attacker(dataset)
    assert hidden, "DX03's fourth quarter (1) at least is hidden"
    assert attacker.leaks(shown, hidden, extra_targets=latent_targets(release, attacker)) == []

def test_a_reintroduced_leak_is_found(example: Dataset) -> None:
    """A page that showed "total minus shown part" from the raw data (case 2) is caught."""
    release = release_for(example, RULE)
    attacker = Attacker(example)
    shown, hidden = release_counts(release, example)
    target = next(
        c for c in hidden
        if c.query and c.query.measure == "klachten" and len(c.query.codes) == 1
        and c.query.last < example.last_month and 1 <= attacker.true_value(*attacker.row(c.query)) <= 4
        and release.count("klachten", c.query.codes, example.first_month, release.complaint_lattice.root.last).shown
    )
    assert target.query is not None
    after = date(target.query.last.year + target.query.last.month // 12, target.query.last.month % 12 + 1, 1)
    rest = Query("klachten", target.query.codes, after, example.last_month)
    leaky = Count(attacker.true_value(*attacker.row(rest)), "shown", rest)  # computed from the raw data: a leak
    leaks = attacker.leaks([*shown, leaky], hidden, monthly_targets=False)
    assert any(str(target.query) in leak.target for leak in leaks)


def test_two_windows_one_month_apart_cannot_be_chosen(example: Dataset) -> None:
    """Case 6: 2018-01..2021-05 against 2018-01..2021-06. Only whole quarters can be asked for."""
    release = release_for(example, RULE)
    codes = example.areas.get_column("code").to_list()
    assert release.count("uitstroom_werk", codes, date(2018, 1, 1), date(2021, 6, 1)).shown
    with pytest.raises(ValueError, match="valt niet samen"):
        release.count("uitstroom_werk", codes, date(2018, 1, 1), date(2021, 5, 1))
    lattice = Lattice.build(example.months, "kwartaal")
    assert lattice.snap_peildatum(date(2021, 5, 1)) == date(2021, 3, 1)
    assert lattice.snap_last(date(2021, 5, 1)) == date(2021, 6, 1)


def test_a_hidden_count_reads_the_same_sign_on_every_page(small_counts: Dataset) -> None:
    """A count hidden on one page is hidden wherever the same query is shown (one release for all pages)."""
    by_query: dict[Query, set[str]] = {}
    for selection in selections(small_counts)[:2]:
        for name in PAGES:
            for count in page_counts(name, PageInput(small_counts, selection, RULE)):
                if count.query is not None:
                    by_query.setdefault(count.query, set()).add(count.text)
    assert by_query
    assert all(len(texts) == 1 for texts in by_query.values())
