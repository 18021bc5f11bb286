"""What the browser suite checked, and whether the accessibility statement says no more than that.

Browser tests that prove a claim of the statement (cohort.pagemodels.accessibility.STATEMENT) are marked
`@pytest.mark.statement("<check id>")`. conftest.py records each one's outcome and page, axe.py every axe-core
run (version, rules run, findings); at the end of the session both go to artifacts/a11y-results.json. When the
session ran every marked test, `verify` compares the statement with that file and any difference fails the run:
a claim whose tests did not pass, a page left out, another axe-core version, a WCAG rule that did not run or
found something, a limitation whose test no longer fails, a test marked with an id the statement does not know.
No Playwright here (the unit tests of this module need no browser).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cohort.pagemodels.accessibility import Statement

HERE = Path(__file__).resolve().parent
RESULTS_PATH = HERE.parents[1] / "artifacts" / "a11y-results.json"
MARKER = "statement"


def marked_tests(folder: Path = HERE) -> dict[str, set[str]]:
    """check id -> the test functions marked `@pytest.mark.statement("<id>")` in folder's test files, read
    from the source (so it also knows the tests a partial run did not collect)."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == MARKER
                    and decorator.args
                    and isinstance(decorator.args[0], ast.Constant)
                ):
                    found.setdefault(str(decorator.args[0].value), set()).add(node.name)
    return found


def statement_ids(statement: Statement) -> set[str]:
    """Every id the statement relies on: its checks and the limitations that have a failing test."""
    return {check.id for check in statement.checks} | {
        limitation.check for limitation in statement.limitations if limitation.check
    }


@dataclass
class Recorder:
    """Collects, during the session, what conftest.py and axe.py report."""

    records: list[dict[str, Any]] = field(default_factory=list)
    axe_runs: list[dict[str, Any]] = field(default_factory=list)

    def test_outcome(self, check: str, test: str, page: str | None, outcome: str) -> None:
        self.records.append({"check": check, "test": test, "page": page, "outcome": outcome})

    def results(self, pages: Iterable[str]) -> dict[str, Any]:
        checks: dict[str, dict[str, Any]] = {}
        for record in self.records:
            entry = checks.setdefault(record["check"], {"tests": [], "passed_pages": []})
            entry["tests"].append({key: record[key] for key in ("test", "page", "outcome")})
            if record["outcome"] == "passed" and record["page"] is not None:
                entry["passed_pages"] = sorted({*entry["passed_pages"], record["page"]})
        return {"pages": list(pages), "checks": checks, "axe_runs": self.axe_runs}


RECORDER = Recorder()


def write_results(results: Mapping[str, Any], path: Path = RESULTS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _passed(entry: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [test for test in (entry or {}).get("tests", []) if test["outcome"] == "passed"]


def verify(statement: Statement, results: Mapping[str, Any]) -> list[str]:
    """Every way in which the statement says more than (or other than) the results show; empty when it holds."""
    problems: list[str] = []
    pages = list(results["pages"])
    checks: Mapping[str, Mapping[str, Any]] = results["checks"]

    for check in statement.checks:
        entry = checks.get(check.id)
        failed = [t["test"] for t in (entry or {}).get("tests", []) if t["outcome"] not in ("passed",)]
        if not _passed(entry):
            problems.append(f"check '{check.id}': the statement claims it, but none of its tests passed")
        elif failed:
            problems.append(f"check '{check.id}': the statement claims it, but these tests did not pass: {failed}")
        if check.every_page:
            missing = sorted(set(pages) - set((entry or {}).get("passed_pages", [])))
            if missing:
                problems.append(f"check '{check.id}' is claimed for every page, but did not pass on: {missing}")

    for limitation in statement.limitations:
        if not limitation.check:
            continue
        # The limitation holds where its tests fail as expected (strict xfail); elsewhere they may pass.
        outcomes = [test["outcome"] for test in (checks.get(limitation.check) or {}).get("tests", [])]
        if not outcomes:
            problems.append(f"limitation '{limitation.what}': no test of '{limitation.check}' ran")
        elif "xfailed" not in outcomes or set(outcomes) - {"xfailed", "passed"}:
            problems.append(
                f"limitation '{limitation.what}': its tests ('{limitation.check}') ended {sorted(set(outcomes))}, "
                "not as an expected failure; if it is fixed, drop the xfail and the limitation"
            )

    unknown = sorted(set(checks) - statement_ids(statement))
    if unknown:
        problems.append(f"tests are marked with ids the statement does not know: {unknown}")

    problems.extend(_verify_axe(statement, results.get("axe_runs", []), pages))
    return problems


def _verify_axe(statement: Statement, runs: list[Mapping[str, Any]], pages: list[str]) -> list[str]:
    problems = []
    versions = sorted({run["version"] for run in runs})
    if versions and versions != [statement.axe_version]:
        problems.append(f"the statement names axe-core {statement.axe_version}, the tests ran {versions}")
    counts = sorted({len(set(run["wcag_rules"])) for run in runs})
    if counts and counts != [statement.axe_rules]:
        problems.append(f"the statement counts {statement.axe_rules} WCAG rules of axe-core, the tests found {counts}")
    for page in pages:
        complete = [run for run in runs if run["page"] == page and run["wcag_rules"]
                    and set(run["wcag_rules"]) <= set(run["rules"])]
        if not complete:
            problems.append(f"page '/{page}': no axe-core run with every rule tagged {list(statement.axe_tags)}")
    for run in runs:
        wcag = [v["id"] for v in run["violations"] if set(v["tags"]) & set(statement.axe_tags)]
        if wcag:
            problems.append(f"page '/{run['page']}': axe-core found WCAG violations {sorted(set(wcag))}")
    return problems
