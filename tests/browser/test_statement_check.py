"""The comparison of the accessibility statement with the browser suite's results (statement_check.py): it finds
every way in which a statement could claim more than the tests showed, and every claim has a marked test.
No browser needed: the results here are written by hand."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from cohort.pagemodels.accessibility import STATEMENT, Check, Limitation

from .statement_check import marked_tests, statement_ids, verify

RULES = ["color-contrast", "html-has-lang", "list", "region"]
WCAG = ["color-contrast", "html-has-lang", "list"]  # "region" is best practice only

SMALL = replace(
    STATEMENT,
    axe_version="4.14.1",
    axe_rules=3,
    checks=(
        Check("axe", "axe", "axe", ("1.4.3",), every_page=True),
        Check("taal", "lang", "lang", ("3.1.1",), every_page=False),
    ),
    limitations=(Limitation("kaart", "canvas", "geen toetsenbord", "tabel", ("2.1.1",), check="kaart-toetsenbord"),),
)


def run(page: str, violations: list[dict] | None = None, rules: list[str] = RULES) -> dict:
    return {"page": page, "version": "4.14.1", "rules": rules, "wcag_rules": WCAG, "violations": violations or []}


def outcome_of(name: str, page: str | None, outcome: str = "passed") -> dict:
    return {"test": f"tests/browser/test_x.py::{name}", "page": page, "outcome": outcome}


def good_results() -> dict:
    return {
        "pages": ["overzicht", "kaart"],
        "checks": {
            "axe": {"tests": [outcome_of("axe[overzicht]", "overzicht"), outcome_of("axe[kaart]", "kaart")],
                    "passed_pages": ["kaart", "overzicht"]},
            "taal": {"tests": [outcome_of("taal", None)], "passed_pages": []},
            "kaart-toetsenbord": {"tests": [outcome_of("gebied", None, "xfailed")], "passed_pages": []},
        },
        # A best-practice finding of any impact does not contradict a statement about WCAG rules.
        "axe_runs": [run("overzicht"), run("kaart", [{"id": "region", "impact": "moderate",
                                                      "tags": ["cat.keyboard", "best-practice"], "nodes": 1}])],
    }


def test_results_that_match_the_statement_pass():
    assert verify(SMALL, good_results()) == []


def changed(change) -> list[str]:
    results = copy.deepcopy(good_results())
    change(results)
    return verify(SMALL, results)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a page on which the every-page check did not pass
        (lambda r: r["checks"]["axe"].update(passed_pages=["overzicht"]), "did not pass on: ['kaart']"),
        # a claim whose test failed or was skipped
        (lambda r: r["checks"]["taal"]["tests"].__setitem__(0, outcome_of("taal", None, "failed")),
         "check 'taal': the statement claims it, but none of its tests passed"),
        (lambda r: r["checks"]["axe"]["tests"].append(outcome_of("axe[data]", "data", "skipped")),
         "these tests did not pass: ['tests/browser/test_x.py::axe[data]']"),
        # a claim without any test
        (lambda r: r["checks"].pop("taal"), "check 'taal': the statement claims it, but none of its tests passed"),
        # another axe-core
        (lambda r: r["axe_runs"][0].update(version="4.15.0"), "the statement names axe-core 4.14.1"),
        # another number of WCAG rules than the statement says
        (lambda r: [run.update(wcag_rules=WCAG[:2]) for run in r["axe_runs"]], "counts 3 WCAG rules of axe-core"),
        # a WCAG rule that did not run on a page
        (lambda r: r["axe_runs"][1].update(rules=["color-contrast", "list"]), "page '/kaart': no axe-core run"),
        # a WCAG rule that found something, even of minor impact
        (lambda r: r["axe_runs"][0]["violations"].append(
            {"id": "list", "impact": "minor", "tags": ["cat.structure", "wcag2a", "wcag131"], "nodes": 1}),
         "page '/overzicht': axe-core found WCAG violations ['list']"),
        # a limitation that no longer fails as expected
        (lambda r: r["checks"]["kaart-toetsenbord"]["tests"].__setitem__(0, outcome_of("gebied", None, "passed")),
         "limitation 'kaart': its tests ('kaart-toetsenbord') ended ['passed']"),
        (lambda r: r["checks"].pop("kaart-toetsenbord"), "limitation 'kaart': no test of 'kaart-toetsenbord' ran"),
        # a test marked with an id the statement does not know
        (lambda r: r["checks"].update(zoom={"tests": [outcome_of("zoom", None)], "passed_pages": []}),
         "ids the statement does not know: ['zoom']"),
    ],
)
def test_every_overclaim_is_found(change, expected):
    problems = changed(change)
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_limitation_may_pass_on_some_pages():
    results = good_results()
    results["checks"]["kaart-toetsenbord"]["tests"].append(outcome_of("gebied[data]", "data", "passed"))
    assert verify(SMALL, results) == []


def test_every_id_of_the_statement_has_marked_browser_tests_and_no_test_has_an_unknown_id():
    marked = marked_tests()
    assert statement_ids(STATEMENT) == set(marked), (
        f"statement without tests: {statement_ids(STATEMENT) - set(marked)}; "
        f"tests with ids the statement does not know: {set(marked) - statement_ids(STATEMENT)}"
    )
    assert all(marked.values())
