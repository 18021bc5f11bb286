"""Streamlit glue of versions and status on every page, and of the page “Wat is er veranderd”.

- `dataset_status_suffix()`: the text beside the dataset's name in every page's caption (" (definitief ·
  versie 2)"), from what `cohort.ui.data.current_dataset` resolved in this run;
- `version_notices()`: under that caption, a note with a link when a newer version exists (a shared link keeps
  showing the version it pinned), and for evaluators a note when the dataset still waits for approval;
- `changes_page()`: the comparison of the shown dataset with the version it replaces, cached per pair of
  contents and rule (two releases are built for it, one per version).
The texts and rules are pure (`cohort.pagemodels.versions`, `cohort.analysis.changes`, `cohort.store`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from cohort.analysis.changes import ChangesModel, changes_between
from cohort.dataset import Dataset
from cohort.links import DATASET_KEY
from cohort.pagemodels.versions import name_suffix, newer_version_text, pending_text, version_heading
from cohort.plaintext import markdown_literal
from cohort.privacy.rules import SuppressionRule
from cohort.store import STATUS_PENDING, StoredDataset, StoreError
from cohort.ui.data import current_resolution, dataset_store, published_dataset, store_message
from cohort.ui.filters import get_context

CHANGES_URL_PATH = "wijzigingen"  # the page's url_path in app.py's navigation


def dataset_status_suffix() -> str:
    """' (voorlopig)', ' (definitief · versie 2 · er is een nieuwere versie)', or '' for the example data."""
    resolution = current_resolution()
    if resolution is None:
        return ""
    return name_suffix(resolution.record, resolution.newer)


def dataset_link(dataset_id: str, page: str = "") -> str:
    """A relative link to `page` ("" = this page) showing `dataset_id`, with this view's other URL parameters
    when it is this page (filters a dataset lacks are dropped with a notice when the link is opened)."""
    params = [] if page else [(k, v) for k in st.query_params if k != DATASET_KEY for v in st.query_params.get_all(k)]
    return f"{page or ''}?{urlencode([(DATASET_KEY, dataset_id), *params])}"


def version_notices() -> None:
    """What a page says under its caption about the dataset's version and approval (nothing, usually)."""
    resolution = current_resolution()
    if resolution is None or resolution.record is None:
        return
    if resolution.record.status == STATUS_PENDING:
        st.warning(markdown_literal(pending_text(resolution.record)), icon=":material/pending_actions:")
    if resolution.newer is not None:
        newer = resolution.newer.dataset_id
        st.info(f"{markdown_literal(newer_version_text(resolution.newer))} [Bekijk de nieuwste versie]"
                f"({dataset_link(newer)}) · [Wat is er veranderd]({dataset_link(newer, CHANGES_URL_PATH)})",
                icon=":material/update:")


@dataclass(frozen=True)
class ChangesPage:
    """The page “Wat is er veranderd”: the comparison, or why there is none."""

    heading: str  # "‘Cohort 2022’ (versie 2, definitief, …) vergeleken met de vorige versie ‘Cohort 2021’ (…)"
    model: ChangesModel | None
    notice: str | None  # Dutch, when there is nothing to compare


def _input_key(dataset: Dataset) -> str:
    return dataset.release_key  # its release depends on the publications before it too


@st.cache_data(max_entries=16, show_spinner="Versies vergelijken …", hash_funcs={Dataset: _input_key})
def _changes(old: Dataset, new: Dataset, rule: SuppressionRule) -> ChangesModel:
    return changes_between(old, new, rule)


def changes_page() -> ChangesPage:
    """The shown dataset against the version it replaces (only a published one: withdrawn figures stay away)."""
    context = get_context()
    resolution = current_resolution()
    record = resolution.record if resolution is not None else None
    if record is None:
        return ChangesPage(context.dataset.meta.name, None,
                           "U ziet de voorbeelddata; die hebben geen eerdere versie om mee te vergelijken.")
    if record.replaces is None:
        return ChangesPage(version_heading(record, None), None,
                           f"‘{record.name}’ is de eerste versie van deze reeks: er is geen vorige versie om mee te "
                           "vergelijken.")
    try:
        previous: StoredDataset | None = dataset_store().get(record.replaces)
        if previous is None or not previous.visible:
            state = "niet meer beschikbaar" if previous is None else previous.status
            return ChangesPage(version_heading(record, previous), None,
                               f"De vorige versie is {state} en wordt daarom niet vergeleken.")
        old = published_dataset(previous.dataset_id)
    except StoreError as error:
        return ChangesPage(version_heading(record, None), None, store_message(error))
    return ChangesPage(version_heading(record, previous), _changes(old, context.dataset, context.rule), None)
