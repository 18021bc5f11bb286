"""The small-number rule for a page: from the settings, switchable off only by evaluators, and then loudly marked.

Pages call ``rule = page_rule()`` once, near the top, and pass ``rule`` to every table, chart and download.
"""

from __future__ import annotations

import streamlit as st

from cohort.privacy.rules import SuppressionRule, disabled_banner_nl
from cohort.settings import load_settings

TOGGLE_KEY = "kleine_aantallen_tonen"
# The toggle is drawn by every page; its value is kept under a second key as well, because Streamlit forgets a
# widget's state on a page that does not draw it (the data page, for instance).
_REMEMBERED_KEY = "_kleine_aantallen_tonen_onthouden"


def _is_evaluator() -> bool:
    # cohort.ui.auth decides who is an evaluator; without it the app runs locally, where the user is one.
    try:
        from cohort.ui.auth import is_evaluator
    except ImportError:
        return True
    return bool(is_evaluator())


def current_rule(*, enabled: bool = True) -> SuppressionRule:
    """The rule of the configuration (``settings.small_number_threshold``)."""
    return SuppressionRule.from_settings(load_settings(), enabled=enabled)


def _remember() -> None:
    st.session_state[_REMEMBERED_KEY] = bool(st.session_state.get(TOGGLE_KEY, False))


def show_small_numbers_toggle() -> bool:
    """The evaluator's sidebar switch "Kleine aantallen tonen"; False (hide) for everyone else."""
    if not _is_evaluator():
        return False
    # Always from the remembered value: a click has already been copied there by `_remember` (callbacks run
    # before the page), and a widget on another page starts from it instead of its default.
    st.session_state[TOGGLE_KEY] = bool(st.session_state.get(_REMEMBERED_KEY, False))
    return st.sidebar.toggle(
        "Kleine aantallen tonen",
        key=TOGGLE_KEY,
        on_change=_remember,
        help="Alleen voor evaluatoren, om eigen gegevens te controleren: toont aantallen van 1 tot en met 4 "
        "(en wat daaruit te herleiden is). Niet publiceren, delen of als schermafbeelding doorsturen.",
    )


def page_rule() -> SuppressionRule:
    """The rule for this page run; shows the warning banner while hiding is switched off."""
    rule = current_rule(enabled=not show_small_numbers_toggle())
    if not rule.enabled:
        st.error(f"**{disabled_banner_nl()}**", icon=":material/visibility:")
    return rule
