"""The map page's area choice: the keyboard's way to what a click on the map selects (WCAG 2.1.1).

One selection, two controls. The selection lives in the URL (``?gebied=DX21``, or a stadsdeel's letter at level
"stadsdeel"), as it did when only a click could make it: a click writes it there (views/kaart.py), the
selectbox writes it there (``_choice_to_link``), and on every run the selectbox is set to what the URL says, so a
click shows in the selectbox and a shared link shows both. The selectbox is deliberately not
``bind="query-params"``: that writes the option's label into the URL, so a link with a code (every link made so
far, and the map's own clicks) would need the link check's fix run, whose value Streamlit never writes back to
the URL, and the next shared link would lose the area.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cohort.links import AREA_KEY

CHOICE_KEY = "kaart_gebied"  # the selectbox's own state; the URL's `gebied` is the selection


def area_choice(where: DeltaGenerator, label: str, choices: Mapping[str, str]) -> str | None:
    """The selectbox of `choices` (code -> option) in `where`, showing the URL's selection; returns its code."""
    linked = st.query_params.get(AREA_KEY)
    linked = linked if linked in choices else None
    if st.session_state.get(CHOICE_KEY) != linked:  # a click on the map, a link, or another level's options
        st.session_state[CHOICE_KEY] = linked
    return where.selectbox(
        label, list(choices), index=None, format_func=choices.__getitem__, key=CHOICE_KEY,
        on_change=_choice_to_link, placeholder=f"Kies een {label.lower()} of klik op de kaart",
    )


def _choice_to_link() -> None:
    code = st.session_state.get(CHOICE_KEY)
    if code is None:
        st.query_params.pop(AREA_KEY, None)
    else:
        st.query_params[AREA_KEY] = code

