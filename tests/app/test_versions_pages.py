"""Issue 18 as people see it (AppTest): the page “Wat is er veranderd” with hand-computed differences and hidden
ones, the status and version beside the dataset's name, a pinned link that names the newer version, and
four-eyes publishing on the Data page with two evaluators and a viewer.

The page “Wat is er veranderd” is opened through app.py's own router; until app.py's navigation lists the page,
the router is app.py's text with that one navigation line added (`ROUTER_PAGE_LINE`, the line the lead adds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from apptest import notes, open_app, rendered_text
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from test_access import AUTH, XLSX
from versions_data import new_version, old_version, workbook

from cohort.store import DatasetStore
from cohort.ui import data as ui_data

CHANGES_PAGE = "views/wijzigingen.py"
ANNA, BERT, VIEWER = "anna@amsterdam.nl", "bert@amsterdam.nl", "raadslid@amsterdam.nl"
FOUR_EYES = {"auth": AUTH, "cohort": {"evaluators": [ANNA, BERT]}}  # four eyes: the default with a login


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DatasetStore]:
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("COHORT_DATABASE_URL", raising=False)
    yield DatasetStore(tmp_path / "store")
    ui_data._store.clear()


@pytest.fixture
def versions(store: DatasetStore) -> tuple[str, str]:
    """(old id, new id): the two versions of tests/versions_data.py, the new one replacing the old."""
    old = store.publish(old_version(), name="Cohort t/m juni 2021", description="", published_by="anna",
                        validation_summary="")
    new = store.publish(new_version(), name="Cohort t/m december 2021", description="", published_by="anna",
                        validation_summary="", replaces=old.dataset_id, data_status="definitief")
    return old.dataset_id, new.dataset_id


def open_page(page: str | None = None, *, dataset: str | None = None, secrets: dict | None = None,
              user: str | None = None) -> AppTest:
    session = {"is_logged_in": True, "email": user, "name": user} if user else {"is_logged_in": False}
    query = {"dataset": dataset} if dataset else {}
    return open_app(page, check=True, secrets=secrets, user=session if secrets else None, timeout=90, **query)


def shown(frame) -> pd.DataFrame:
    """The table as displayed (the styler's texts: "1.380", "+10", "×"), not the numbers underneath."""
    return convert_arrow_bytes_to_pandas_df(frame.proto.arrow_data.styler.display_values)


def rows_of(at: AppTest) -> dict[tuple[str, str], tuple[str, str, str]]:
    [table] = [d for d in at.dataframe if "verschil" in d.value.columns]
    texts = shown(table)
    return {(r.indicator, r.eenheid): (r.oud, r.nieuw, r.verschil) for r in texts.itertuples()}


# --- “Wat is er veranderd” -------------------------------------------------------------------------------


def test_the_changes_page_shows_hand_computed_differences_and_hides_differences_of_hidden_counts(
    versions: tuple[str, str],
) -> None:
    _old_id, new_id = versions
    at = open_page(CHANGES_PAGE, dataset=new_id)

    assert [t.value for t in at.title] == ["Wat is er veranderd"]
    caption = rendered_text(at.caption[0].value)
    assert caption.startswith("Dataset: ‘Cohort t/m december 2021’ (versie 2, definitief, gepubliceerd op ")
    assert "vergeleken met de vorige versie ‘Cohort t/m juni 2021’ (versie 1, voorlopig" in caption
    shown_markdown = [rendered_text(m.value) for m in at.markdown]
    assert ("**3 gebieden herzien, 6 maanden toegevoegd; gesprekken t/m juni 2021 van 1.380 naar 1.390; klachten "
            "t/m juni 2021 van 27 naar 28; personen in de bijstand eind juni 2021 van 2.300 naar 2.305**"
            ) in shown_markdown, shown_markdown
    assert {m.label: m.value for m in at.metric} == {"Herziene eenheden": "3", "Maanden erbij / eraf": "6 / 0",
                                                     "Eenheden erbij / eraf": "0 / 0", "Verborgen verschillen": "2"}
    assert "**Maanden toegevoegd:** juli 2021 t/m december 2021" in shown_markdown

    changed = rows_of(at)  # first: only what changed (and what is hidden)
    assert changed == {
        ("Gesprekken", "Amsterdam (gebieden)"): ("1.380", "1.390", "+10"),
        ("Gesprekken", "Centrum-West (A1)"): ("600", "610", "+10"),
        ("Klachten", "Amsterdam (gebieden)"): ("27", "28", "+1"),
        ("Klachten", "Centrum-West (A1)"): ("×", "×", "×"),
        ("Klachten", "Centrum-Oost (A2)"): ("×", "×", "×"),
        ("Klachten", "Noord-West (A3)"): ("12", "13", "+1"),
        ("Personen in de bijstand", "Amsterdam (gebieden)"): ("2.300", "2.305", "+5"),
        ("Personen in de bijstand", "Centrum-Oost (A2)"): ("500", "505", "+5"),
    }
    shown = notes(at)
    assert any(n.startswith("× = verborgen: een aantal van 1 tot en met 4") for n in shown)
    assert any(n.startswith("2 verschillen zijn verborgen") for n in shown)

    at.radio(key="wijzigingen_tonen").set_value("Alle vergeleken aantallen").run()
    everything = rows_of(at)
    assert len(everything) == 30
    assert everything[("Uitstroom naar werk", "Jongeren (G1)")] == ("60", "60", "0")
    assert everything[("Klachten", "Stedelijke doelgroepen (samen)")] == ("6", "6", "0")
    # No number behind a hidden cell either: the table's own values are the signs (the browser shows those).
    [table] = [d for d in at.dataframe if "verschil" in d.value.columns]
    hidden = table.value[table.value["eenheid"].isin(["Centrum-West (A1)", "Centrum-Oost (A2)"])
                         & (table.value["indicator"] == "Klachten")]
    assert set(hidden["oud"]) | set(hidden["nieuw"]) | set(hidden["verschil"]) == {"×"}


def test_the_first_version_and_the_example_have_nothing_to_compare(versions: tuple[str, str]) -> None:
    old_id, _new_id = versions
    at = open_page(CHANGES_PAGE, dataset=old_id)
    assert [rendered_text(i.value) for i in at.info if "eerste versie" in i.value] == [
        "‘Cohort t/m juni 2021’ is de eerste versie van deze reeks: er is geen vorige versie om mee te vergelijken."]
    assert not at.dataframe


# --- status and versions beside the dataset's name ------------------------------------------------------


def test_a_pinned_link_keeps_its_version_shows_its_status_and_names_the_newer_version(
    versions: tuple[str, str],
) -> None:
    old_id, new_id = versions
    at = open_page("views/gebieden.py", dataset=old_id)

    assert rendered_text(at.caption[0].value).startswith(
        "Dataset: Cohort t/m juni 2021 (voorlopig · versie 1 · er is een nieuwere versie) · ")
    assert at.query_params["dataset"] == old_id  # still pinned
    [newer] = [rendered_text(i.value) for i in at.info if "nieuwere versie" in i.value]
    assert newer.startswith("Er is een nieuwere versie van deze dataset: ‘Cohort t/m december 2021’ (versie 2, "
                            "definitief, gepubliceerd op ")
    links = dict(re.findall(r"\[([^\]]+)\]\(([^)]+)\)", newer))
    assert links["Bekijk de nieuwste versie"].startswith(f"?dataset={new_id}")
    assert links["Wat is er veranderd"] == f"wijzigingen?dataset={new_id}"

    newest = open_page("views/gebieden.py", dataset=new_id)
    assert rendered_text(newest.caption[0].value).startswith(
        "Dataset: Cohort t/m december 2021 (definitief · versie 2) · ")
    assert not [i for i in newest.info if "nieuwere versie" in i.value]


# --- four eyes on the Data page ----------------------------------------------------------------------------


def upload_and_publish(at: AppTest, name: str, data: bytes, *, replaces: str | None = None,
                       data_status: str | None = None) -> AppTest:
    at.file_uploader(key="upload_bestand").upload("cijfers.xlsx", data, XLSX).run()
    at.text_input(key="publicatie_naam").set_value(name)
    if replaces:
        at.selectbox(key="publicatie_vervangt").set_value(replaces)
    if data_status:
        at.radio(key="publicatie_status").set_value(data_status)
    next(b for b in at.button if b.label == "Publiceren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


LISTINGS = {  # which list a table is, by its columns (AppTest does not report a dataframe's key)
    "lijst_gepubliceerd": lambda c: "Standaard" in c,
    "lijst_ter_goedkeuring": lambda c: "Gegevens" in c and "Standaard" not in c and "Reden" not in c,
    "lijst_afgewezen": lambda c: "Gegevens" in c and "Reden" in c and "Ingetrokken op" not in c,
    "logboek": lambda c: "Actie" in c,
}


def listing(at: AppTest, key: str) -> pd.DataFrame:
    [frame] = [d.value for d in at.dataframe if LISTINGS[key](list(d.value.columns))]
    return frame


def has_listing(at: AppTest, key: str) -> bool:
    return any(LISTINGS[key](list(d.value.columns)) for d in at.dataframe)


def test_four_eyes_publish_as_one_evaluator_approve_as_the_other_then_viewers_see_it(store: DatasetStore) -> None:
    anna = open_page("views/data.py", secrets=FOUR_EYES, user=ANNA)
    anna = upload_and_publish(anna, "Ter keuring", workbook(6, revised=False))
    assert any(s.value.startswith("Ter goedkeuring aangeboden: ‘Ter keuring’") for s in anna.success)
    [pending] = store.list_datasets(include_review=True)
    assert (pending.status, pending.published_by) == ("ter goedkeuring", ANNA)
    assert listing(anna, "lijst_ter_goedkeuring")["Naam"].tolist() == ["Ter keuring"]
    approve = next(b for b in anna.button if b.key == "goedkeuren")
    assert approve.disabled  # not for her own publication (and refused at click time too, below)

    # A viewer with the link gets a notice and the example, and does not see it in the list.
    viewer = open_page("views/data.py", dataset=pending.dataset_id, secrets=FOUR_EYES, user=VIEWER)
    assert any(w.value.startswith("Deze dataset wacht nog op goedkeuring door een tweede evaluator") for w in
               viewer.warning)
    assert "dataset" not in viewer.query_params
    assert not has_listing(viewer, "lijst_ter_goedkeuring") and not has_listing(viewer, "lijst_gepubliceerd")
    # Bert opens the link as an evaluator: he sees the dataset, marked as waiting, before he approves.
    bert = open_page("views/gebieden.py", dataset=pending.dataset_id, secrets=FOUR_EYES, user=BERT)
    assert rendered_text(bert.caption[0].value).startswith("Dataset: Ter keuring (ter goedkeuring · voorlopig) · ")
    assert any("staat ter goedkeuring: gepubliceerd door anna@amsterdam.nl" in rendered_text(w.value)
               for w in bert.warning)

    bert = open_page("views/data.py", secrets=FOUR_EYES, user=BERT)
    next(b for b in bert.button if b.key == "goedkeuren").click().run()

    assert any(s.value == "‘Ter keuring’ is goedgekeurd en nu zichtbaar voor viewers." for s in bert.success)
    approved = store.get(pending.dataset_id)
    assert (approved.status, approved.reviewed_by) == ("gepubliceerd", BERT)
    log = listing(bert, "logboek")
    assert log[["Door", "Actie"]].values.tolist() == [[BERT, "goedkeuren"], [ANNA, "publiceren"]]
    assert f"goedgekeurd door {BERT}" in log["Toelichting"][0] and f"gepubliceerd door {ANNA}" in log["Toelichting"][0]
    viewer = open_page("views/gebieden.py", dataset=pending.dataset_id, secrets=FOUR_EYES, user=VIEWER)
    assert not viewer.warning
    assert rendered_text(viewer.caption[0].value).startswith("Dataset: Ter keuring (voorlopig) · ")
    viewer_list = listing(open_page("views/data.py", secrets=FOUR_EYES, user=VIEWER), "lijst_gepubliceerd")
    assert viewer_list[["Naam", "Gegevens", "Tweede evaluator"]].values.tolist()[0][:2] == ["Ter keuring", "voorlopig"]
    assert viewer_list["Tweede evaluator"][0].startswith(f"goedgekeurd door {BERT}, ")


def test_the_second_evaluator_rejects_with_a_reason(store: DatasetStore) -> None:
    upload_and_publish(open_page("views/data.py", secrets=FOUR_EYES, user=ANNA), "Twijfel", workbook(6, revised=False))
    bert = open_page("views/data.py", secrets=FOUR_EYES, user=BERT)
    next(b for b in bert.button if b.label == "Afwijzen").click().run()
    assert any(e.value.startswith("Vermeld waarom u deze publicatie afwijst") for e in bert.error)
    bert.text_input(key="afwijzen_reden").set_value("peildatum klopt niet")
    next(b for b in bert.button if b.label == "Afwijzen").click().run()

    assert any(s.value.startswith("‘Twijfel’ is afgewezen") for s in bert.success)
    [record] = store.list_datasets(include_review=True)
    assert (record.status, record.review_note) == ("afgewezen", "peildatum klopt niet")
    rejected = listing(bert, "lijst_afgewezen")
    assert rejected[["Naam", "Reden"]].values.tolist() == [["Twijfel", "peildatum klopt niet"]]


def _forged_approval(store_root: str, dataset_id: str) -> None:
    """Runs as an app script: the publisher's own session calling the handler directly, as a forged click."""
    import streamlit as st

    from cohort.store import DatasetStore
    from cohort.ui.publish import approve_now, reject_now

    store = DatasetStore(store_root)
    approve_now(store, dataset_id)
    reject_now(store, dataset_id, reason="eigen")
    st.write("klaar")


@pytest.mark.parametrize("user", [ANNA, VIEWER])
def test_approving_is_checked_at_click_time(store: DatasetStore, user: str) -> None:
    pending = store.publish(old_version(), name="Eigen werk", description="", published_by=ANNA,
                            validation_summary="", review=True)
    at = AppTest.from_function(_forged_approval, args=(str(store.root), pending.dataset_id), default_timeout=60)
    at.secrets.update(FOUR_EYES)
    at.user = {"is_logged_in": True, "email": user}
    at.run()

    assert not at.exception, [e.value for e in at.exception]
    expected = ("U hebt deze dataset zelf gepubliceerd" if user == ANNA
                else "Alleen evaluatoren mogen publicaties goedkeuren of afwijzen")
    assert [e.value[:len(expected)] for e in at.error] == [expected, expected]
    assert store.get(pending.dataset_id).status == "ter goedkeuring"
    assert store.audit_log()["Actie"].to_list() == ["publiceren"]


def test_local_mode_publishes_at_once_with_a_version_and_a_status(store: DatasetStore) -> None:
    old = store.publish(old_version(), name="Eerste", description="", published_by="lokale gebruiker",
                        validation_summary="")
    at = open_page("views/data.py")
    at = upload_and_publish(at, "Tweede", workbook(12, revised=True), replaces=old.dataset_id,
                            data_status="definitief")

    assert any(s.value.startswith("Gepubliceerd: ‘Tweede’") for s in at.success)
    published = listing(at, "lijst_gepubliceerd")
    assert published[["Naam", "Gegevens", "Versie", "Tweede evaluator"]].values.tolist() == [
        ["Tweede", "definitief", "versie 2, vervangt ‘Eerste’", "—"], ["Eerste", "voorlopig", "versie 1", "—"]]
    assert not has_listing(at, "lijst_ter_goedkeuring")  # no four eyes locally
    # Only the newest version can be replaced: the form offers "Tweede", no longer "Eerste".
    at.file_uploader(key="upload_bestand").upload("cijfers.xlsx", workbook(12, revised=False), XLSX).run()
    assert at.selectbox(key="publicatie_vervangt").options[1:] == [
        o for o in at.selectbox(key="publicatie_vervangt").options if "Tweede" in o]
    # The status can be changed afterwards, and the audit log says so.
    at.selectbox(key="beheer_dataset").set_value(old.dataset_id).run()
    next(b for b in at.button if b.key == "status_wijzigen").click().run()
    assert store.get(old.dataset_id).data_status == "definitief"


def test_each_version_is_shown_with_the_publications_viewers_saw_before_it(versions: tuple[str, str]) -> None:
    """The release of the newer version is protected together with the older one (`Dataset.earlier`); the
    older one's own view is protected against nothing later, so publishing never changes what it shows."""
    old_id, new_id = versions
    newer = open_page(dataset=new_id).session_state["_view"].dataset
    assert [d.meta.dataset_id for d in newer.earlier] == [old_id]
    older = open_page(dataset=old_id).session_state["_view"].dataset
    assert older.earlier == ()
