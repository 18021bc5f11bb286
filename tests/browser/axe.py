"""Accessibility checks with axe-core (pinned in tests/browser/package.json, installed by `npm ci`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Page

from cohort.pagemodels.accessibility import AXE_WCAG_TAGS

from .statement_check import RECORDER

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


class AxeMissingError(RuntimeError):
    """axe-core is not installed (run `npm ci` in tests/browser, or bash scripts/test.sh)."""


def run_axe(page: Page, disabled_rules: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Run axe on the whole document and return its violations (axe's own dicts).

    Nothing is excluded by default. Whoever passes `disabled_rules` writes down, beside the list, why
    each rule cannot apply or cannot be fixed by us. Every run is recorded (page, axe-core version, the rules
    that ran, the findings) for artifacts/a11y-results.json, which the accessibility statement is checked
    against (statement_check.py).
    """
    _load_axe(page)
    options = {
        # The other result types come back with one node each: enough to know which rules ran.
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disabled_rules},
    }
    result = page.evaluate(
        """async ([options, tags]) => {
          const result = await window.axe.run(document, options);
          // The WCAG rules axe runs by default: not its experimental or deprecated ones.
          result.wcagRules = window.axe.getRules(tags)
            .filter((rule) => !rule.tags.includes('experimental') && !rule.tags.includes('deprecated'))
            .map((rule) => rule.ruleId);
          return result;
        }""",
        [options, list(AXE_WCAG_TAGS)],
    )
    RECORDER.axe_runs.append({
        "page": urlparse(page.url).path.strip("/"),
        "version": result["testEngine"]["version"],
        "rules": sorted({rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable")
                         for rule in result[kind]}),
        "wcag_rules": sorted(result["wcagRules"]),
        "violations": [{"id": v["id"], "impact": v["impact"], "tags": v["tags"], "nodes": len(v["nodes"])}
                       for v in result["violations"]],
    })
    return result["violations"]


def _load_axe(page: Page) -> None:
    if not AXE_JS.is_file():
        raise AxeMissingError(f"{AXE_JS} is missing: run `npm ci` in tests/browser (scripts/test.sh does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}, {len(violation['nodes'])} element(s)): {violation['help']}"
        )
        for node in violation["nodes"][:3]:
            # A bare selector like "ul" says little in Streamlit's markup; the element's HTML says more.
            lines.append(f"    {', '.join(node['target'])}  {node['html'][:160]}")
    return "\n".join(lines)


def assert_no_serious_a11y_violations(page: Page, disabled_rules: Iterable[str] = ()) -> None:
    """Fail on every axe violation of impact serious or critical, naming rule, impact and elements.

    `disabled_rules` switches rules off entirely (with a comment at the caller saying why); nothing is
    forgiven today. The statement's stricter claim (no WCAG rule finds anything, of any impact) is checked on
    the recorded runs at the end of the session (statement_check.py).
    """
    violations = [v for v in run_axe(page, disabled_rules) if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, (
        f"axe-core found {len(violations)} serious/critical accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


def run_axe_rules(page: Page, rules: Iterable[str]) -> list[dict[str, Any]]:
    """Run only the given axe rules (e.g. ["color-contrast"]) on the whole document; their violations."""
    _load_axe(page)
    options = {"resultTypes": ["violations"], "runOnly": {"type": "rule", "values": list(rules)}}
    return page.evaluate("async (options) => (await window.axe.run(document, options)).violations", options)
