"""Shareable views: check an incoming link before the widgets read it, and offer the link of this view.

Bound widgets seed themselves from the URL and already ignore invalid values, but they take the last of a
repeated key and know no aliases (`peildatum=2021-06`). So on a session's first run we clean the link
(`cohort.links.clean_query`), and after the page ran we compare each linked widget with what the cleaned
link asks for; where they differ we set the widget through `st.session_state` and rerun once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from cohort.dataset import Dataset
from cohort.links import (
    AREA_KEY,
    DATASET_KEY,
    SIDEBAR_KEYS,
    AllowedValues,
    Kind,
    allowed_values,
    clean_query,
    ignored_notice,
    map_choices,
    view_params,
)
from cohort.map.units import (
    BENCHMARK_KEY,
    LEVEL_KEY,
    MAP_BENCHMARKS,
    MAP_INDICATORS,
    MAP_LEVELS,
    MAP_SPREADS,
    SPREAD_KEY,
)
from cohort.plaintext import markdown_literal
from cohort.privacy.lattice import Lattice
from cohort.selection import Selection

SHARE_TITLE = "Deel deze weergave"
SHARE_BUTTON = "Link tonen en kopiëren"
SHARE_KEY = "deel_link"  # the expander's state: open or closed

_CHECKED = "_link_checked"
_EXPECTED = "_link_expected"
_FIXES = "_link_fixes"
_NOTICES = "_link_notices"


def link_allowed_values(dataset: Dataset, lattice: Lattice | None = None) -> AllowedValues:
    return allowed_values(dataset, {key: spec.label for key, spec in MAP_INDICATORS.items()}, lattice,
                          {BENCHMARK_KEY: MAP_BENCHMARKS, LEVEL_KEY: MAP_LEVELS, SPREAD_KEY: MAP_SPREADS})


def prepare_link(dataset: Dataset, dataset_notice: str | None, lattice: Lattice | None = None) -> None:
    """Before any widget: on a session's first run clean the link; on a fix run set the linked values."""
    for key, value in st.session_state.pop(_FIXES, {}).items():
        st.session_state[key] = value
    if _CHECKED not in st.session_state:
        st.session_state[_CHECKED] = True
        allowed = link_allowed_values(dataset, lattice)
        raw = {key: st.query_params.get_all(key) for key in st.query_params}
        raw.pop(DATASET_KEY, None)  # resolved by current_dataset, with its own notice
        result = clean_query(raw, allowed)
        for key in result.dropped:
            spec = allowed.params.get(key)
            if (spec is None or not spec.bound) and key in st.query_params:
                del st.query_params[key]  # bound keys are dropped by Streamlit or by the fix run
        st.session_state[_EXPECTED] = {
            key: _native(result.kept.get(key, spec.default), spec.kind)
            for key, spec in allowed.params.items()
            if spec.bound and key in raw
        }
        st.session_state[_NOTICES] = [n for n in (dataset_notice, ignored_notice(result.dropped)) if n]
    elif dataset_notice and dataset_notice not in st.session_state.get(_NOTICES, []):
        st.session_state[_NOTICES] = [*st.session_state.get(_NOTICES, []), dataset_notice]
    for notice in st.session_state.get(_NOTICES, []):
        # Notices name datasets and quote withdrawal reasons: plain text, never Markdown.
        st.warning(markdown_literal(notice), icon=":material/link_off:")


def finish_link() -> None:
    """After the page ran: where a linked widget shows something else than the cleaned link, fix and rerun."""
    expected = st.session_state.pop(_EXPECTED, None)
    if not expected:
        return
    fixes = {
        key: value for key, value in expected.items()
        if key in st.session_state and _comparable(st.session_state[key]) != _comparable(value)
    }
    if fixes:
        st.session_state[_FIXES] = fixes
        st.rerun()


def _native(value: str | list[str] | tuple[str, ...] | None, kind: Kind) -> object:
    """The widget's own value type for an option value from the link."""
    if kind is Kind.BOOL:
        return value == "true"
    if kind is Kind.RANGE:
        return tuple(value or ())
    if kind is Kind.MANY:
        return list(value or ())
    return value


def _comparable(value: object) -> object:
    return list(value) if isinstance(value, tuple | list) else value


def share_url(page_url_path: str, params: dict[str, list[str]], dataset: Dataset) -> str:
    """The full link of this view: the browser's base URL, the page and every parameter."""
    params = {key: values for key, values in params.items() if key != DATASET_KEY}
    if dataset.meta.dataset_id:
        # Always pin published data, also the default: the default may change before the link is opened.
        params = {DATASET_KEY: [dataset.meta.dataset_id], **params}
    query = urlencode([(key, value) for key, values in params.items() for value in values])
    base = st.context.url  # scheme, host, base path and the current page's path
    if not base:
        base = "/" + page_url_path
    return base + (f"?{query}" if query else "")


def describe_view(page_title: str, selection: Selection, dataset: Dataset) -> str:
    """One Dutch line: page · filters · map selection · dataset."""
    parts = [page_title, selection.describe()]
    area = st.query_params.get(AREA_KEY)
    choice = next((c for c in map_choices(dataset) if c.code == area), None) if area else None
    if choice is not None:
        parts.append(f"{'stadsdeel' if choice.is_stadsdeel else 'gebied'} {choice.name}")
    parts.append(f"dataset ‘{dataset.meta.name}’")
    return " · ".join(parts)


def share_control(page: Any, selection: Selection, dataset: Dataset, lattice: Lattice | None = None) -> None:
    """'Deel deze weergave' at the bottom of the sidebar: the link, ready to copy, and what it shows."""
    # The sidebar filters come from their widgets, so the link always matches what is shown; everything else
    # (page widgets, the map selection) from the URL.
    params = {key: st.query_params.get_all(key) for key in st.query_params if key not in SIDEBAR_KEYS}
    shown = {key: st.session_state[key] for key in SIDEBAR_KEYS if key in st.session_state}
    params.update(view_params(shown, link_allowed_values(dataset, lattice)))
    url = share_url(page.url_path, params, dataset)
    with st.sidebar, st.container(border=True):
        st.markdown(f"**{SHARE_TITLE}**")
        st.caption(markdown_literal(describe_view(page.title, selection, dataset)))
        # The link's code block (with its copy button) is drawn only when the viewer opens it: st.code needs
        # Streamlit's syntax highlighter, 1.5 MB of script, and loaded with every page it delayed the page's first
        # chart by more than a second (issue 15, bench/results.md). An expander keeps the link in the sidebar's
        # tab order (a popover's content is not reachable by Tab); opening it reruns, so the block is built then.
        link = st.expander(SHARE_BUTTON, icon=":material/link:", key=SHARE_KEY, on_change="rerun")
        with link:
            if link.open:
                st.code(url, language=None, wrap_lines=True)
                st.caption("Kopieer de link met de knop rechtsboven in het vak. Wie hem opent, ziet dezelfde "
                           "pagina, filters en dataset.")
