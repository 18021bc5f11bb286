"""The shared sidebar filters: one set for every page, each widget with a stable key bound to the URL.

Option values are URL-friendly strings (months as "2021-06", units as codes); Streamlit writes the Dutch
label into the URL (`peildatum=juni+2021`), see `cohort.links` for the tokens and the cleaning of links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import streamlit as st

from cohort.dataset import Dataset
from cohort.links import month_key, month_label, parse_month_key, unit_label
from cohort.privacy.lattice import Lattice
from cohort.privacy.rules import SuppressionRule
from cohort.selection import LEVELS, Selection, default_selection, month_end, peildatum_source_nl

__all__ = ["ViewContext", "get_context", "set_context", "sidebar_filters"]

BIND: Final = "query-params"


@dataclass(frozen=True)
class ViewContext:
    """What every page receives: the session's dataset, the small-number rule and the viewer's selection."""

    dataset: Dataset
    selection: Selection
    rule: SuppressionRule


_GRAIN_KEY = "_filters_grain"


def _keep_choices_across_lattices(lattice: Lattice) -> None:
    """When an evaluator switches hiding on or off, the options change between quarters and months: keep the
    same months chosen (a quarter's option is its first month, so "K4 2022" would otherwise become "okt 2022")."""
    before = st.session_state.get(_GRAIN_KEY)
    st.session_state[_GRAIN_KEY] = lattice.finest
    if before is None or before == lattice.finest:
        return
    period = st.session_state.get("periode")
    if period and len(period) == 2:
        first, last = (parse_month_key(key) for key in period)
        if lattice.finest == "maand":  # a quarter's option meant the whole quarter: end at its last month
            last = min(last.replace(month=(last.month - 1) // 3 * 3 + 3), lattice.root.last)
        st.session_state["periode"] = (month_key(lattice.snap_first(first)), month_key(lattice.snap_first(last)))
    peildatum = st.session_state.get("peildatum")
    if peildatum:
        st.session_state["peildatum"] = month_key(lattice.snap_peildatum(parse_month_key(peildatum)))


def sidebar_filters(dataset: Dataset, lattice: Lattice) -> Selection:
    """Render the shared filters in the sidebar and return the selection.

    Periods are whole periods of the lattice (quarters for viewers, months for an evaluator who switched the
    hiding of small numbers off): two freely chosen months could be subtracted to read a hidden month.
    """
    defaults = default_selection(dataset, lattice)
    ends = [month_key(m) for m in lattice.period_ends()]
    leaves = {month_key(leaf.first): leaf for leaf in lattice.leaves}
    starts = list(leaves)
    unit_labels = dict(zip(dataset.units.get_column("code"), dataset.units.get_column("naam"), strict=True))
    monthly = lattice.finest == "maand"

    _keep_choices_across_lattices(lattice)
    with st.sidebar:
        st.header("Filters")
        peildatum_key = st.selectbox(
            "Peildatum",
            ends,
            index=ends.index(month_key(defaults.peildatum)),
            format_func=month_label,
            key="peildatum",
            bind=BIND,
            help="Status van elk gebied op de laatste dag van deze maand; tellingen lopen tot en met deze maand. "
            + ("" if monthly else "Te kiezen: het eind van een kwartaal (zie Over de data, privacy)."),
        )
        st.caption(peildatum_source_nl(dataset, defaults))
        first_key, last_key = st.select_slider(
            "Periode",
            options=starts,
            value=(starts[0], starts[-1]),
            format_func=lambda key: leaves[key].label,
            key="periode",
            bind=BIND,
            help=("Maanden" if monthly else "Hele kwartalen") + " die meetellen in grafieken en tabellen.",
        )
        stadsdelen = st.multiselect(
            "Stadsdelen", dataset.stadsdelen, key="stadsdelen", bind=BIND, placeholder="Alle stadsdelen"
        )
        units = st.multiselect(
            "Gebieden en doelgroepen",
            list(unit_labels),
            format_func=lambda code: unit_label(unit_labels[code], code),
            key="eenheden",
            bind=BIND,
            placeholder="Alle eenheden",
        )
        include_groups = st.toggle(
            "Stedelijke doelgroepen tonen",
            value=True,
            key="doelgroepen",
            bind=BIND,
            help="Doelgroepen staan naast de gebieden en tellen nooit mee in de stadstotalen.",
        )
        level = st.radio(
            "Niveau", list(LEVELS), format_func=LEVELS.__getitem__, key="niveau", bind=BIND, horizontal=True
        )
    return Selection(
        peildatum=month_end(parse_month_key(peildatum_key)),
        first_month=leaves[first_key].first,
        last_month=leaves[last_key].last,
        stadsdelen=tuple(stadsdelen),
        units=tuple(units),
        include_target_groups=include_groups,
        level=level or "gebied",
    )


def set_context(context: ViewContext) -> None:
    st.session_state["_view"] = context


def get_context() -> ViewContext:
    """The context app.py prepared for this run (pages never load data themselves)."""
    return st.session_state["_view"]
