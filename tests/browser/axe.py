"""Accessibility checks with axe-core (pinned in tests/browser/package.json, installed by `npm ci`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


class AxeMissingError(RuntimeError):
    """axe-core is not installed (run `npm ci` in tests/browser, or bash scripts/test.sh)."""


def run_axe(page: Page, disabled_rules: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Run axe on the whole document and return its violations (axe's own dicts).

    Nothing is excluded by default. Whoever passes `disabled_rules` writes down, beside the list, why
    each rule cannot apply or cannot be fixed by us.
    """
    if not AXE_JS.is_file():
        raise AxeMissingError(f"{AXE_JS} is missing: run `npm ci` in tests/browser (scripts/test.sh does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disabled_rules},
    }
    result = page.evaluate("async (options) => await window.axe.run(document, options)", options)
    return result["violations"]


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


def drop_known(page: Page, violations: list[dict[str, Any]], known: Mapping[str, str]) -> list[dict[str, Any]]:
    """Drop the elements of a violation that lie inside the container known to cause it.

    `known` maps a rule id to a CSS selector (typically a piece of Streamlit's own markup). Only elements
    inside that container are forgiven, so the same rule still catches the app's own markup elsewhere.
    """
    remaining = []
    for violation in violations:
        scope = known.get(violation["id"])
        nodes = violation["nodes"]
        if scope is not None:
            inside = page.evaluate(
                "([targets, scope]) => targets.map("
                "  (target) => !!document.querySelector(target[target.length - 1])?.closest(scope))",
                [[node["target"] for node in nodes], scope],
            )
            nodes = [node for node, is_inside in zip(nodes, inside, strict=True) if not is_inside]
        if nodes:
            remaining.append({**violation, "nodes": nodes})
    return remaining


def assert_no_serious_a11y_violations(
    page: Page, disabled_rules: Iterable[str] = (), known_issues: Mapping[str, str] | None = None
) -> None:
    """Fail on every axe violation of impact serious or critical, naming rule, impact and elements.

    `disabled_rules` switches rules off entirely; `known_issues` (rule id -> CSS selector) forgives a rule
    only inside one container (see drop_known). Both need a comment at the caller saying why.
    """
    violations = [v for v in run_axe(page, disabled_rules) if v["impact"] in BLOCKING_IMPACTS]
    violations = drop_known(page, violations, known_issues or {})
    assert not violations, (
        f"axe-core found {len(violations)} serious/critical accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


# axe findings in Streamlit's own markup, which the app cannot change: rule id -> the Streamlit container
# where it is forgiven (the rule stays active everywhere else). Re-check when Streamlit is upgraded.
# (Same content as test_smoke.py's dict, which predates this shared one and can import it from here.)
STREAMLIT_INTERNAL_A11Y_ISSUES = {
    # Streamlit 1.67 renders the sections of st.navigation as <ul data-testid="stSidebarNavItems"><div>
    # <header>section</header><li>page</li>…</div></ul>: a <div> directly inside the <ul> ("list"), so
    # its <li>s have no list parent ("listitem"). Screen readers then announce no list and no item count.
    "list": '[data-testid="stSidebarNavItems"]',
    "listitem": '[data-testid="stSidebarNavItems"]',
}


def run_axe_rules(page: Page, rules: Iterable[str]) -> list[dict[str, Any]]:
    """Run only the given axe rules (e.g. ["color-contrast"]) on the whole document; their violations."""
    if not AXE_JS.is_file():
        raise AxeMissingError(f"{AXE_JS} is missing: run `npm ci` in tests/browser (scripts/test.sh does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    options = {"resultTypes": ["violations"], "runOnly": {"type": "rule", "values": list(rules)}}
    return page.evaluate("async (options) => (await window.axe.run(document, options)).violations", options)
