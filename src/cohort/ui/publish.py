"""Streamlit glue of the page "Data": downloads, upload with progress, the report, publishing, managing.

The decisions live in `cohort.workbook.upload` (pure); this module only draws them and wires the buttons. Every action
is checked again here at click time (errors, confirmation, name), never only by hiding a button.

Versions, status and four eyes (issue 18): a publication may name the dataset it replaces and is marked
`voorlopig` or `definitief`; with an identity provider configured (and `[cohort] four_eyes` not false) it waits
`ter goedkeuring` until a second evaluator approves it in the section "Ter goedkeuring" (`review_section`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Literal

import polars as pl
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from cohort.access import Action, four_eyes_required, review_refusal
from cohort.fmt import fmt_dec, fmt_int
from cohort.pagemodels.versions import replaceable, version_columns
from cohort.plaintext import markdown_literal as md_literal  # names and messages from a file or a form
from cohort.settings import EXAMPLE_WORKBOOK, load_settings
from cohort.store import (
    DATA_PROVISIONAL,
    DATA_STATUSES,
    STATUS_PENDING,
    STATUS_REJECTED,
    STATUS_WITHDRAWN,
    DatasetStore,
    StoredDataset,
    StoreError,
    same_person,
)
from cohort.ui.auth import allowed, current_identity, four_eyes_configured, is_evaluator
from cohort.ui.data import dataset_store, forget_catalog, store_message
from cohort.ui.versions import CHANGES_URL_PATH, dataset_link
from cohort.ui.widgets import tile
from cohort.workbook.exports import frame_to_xlsx_bytes
from cohort.workbook.guard import safe_display_name
from cohort.workbook.template import TEMPLATE_FILE_NAME, template_bytes
from cohort.workbook.upload import (
    STAGE_CHECK,
    STAGE_GUARD,
    STAGE_READ,
    UploadOutcome,
    check_upload_bytes,
    dataset_label,
    max_upload_bytes,
    no_upload_notice,
    preview_sheets,
    publish_outcome,
    published_frame,
    report_file_stem,
    report_frames,
    upload_preview,
    withdrawn_frame,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_KEY = "upload_bestand"
_OUTCOME_KEY = "_upload_outcome"  # the last checked upload of this session (one file at a time)
_FLASH_KEY = "_publish_flash"  # a message that must survive the rerun after an action

STAGE_LABELS = {
    STAGE_GUARD: "Veiligheidscontrole van het bestand",
    STAGE_READ: "Werkmap lezen",
    STAGE_CHECK: "Gegevens controleren",
}


def current_user() -> str:
    """Who is doing this, as written into the audit log: the logged-in e-mail, or "lokale gebruiker"."""
    return current_identity().actor


FLASH_PUBLISH = "publiceren"
FLASH_MANAGE = "beheren"
FLASH_REVIEW = "goedkeuren"
NEW_SERIES = ""  # the "replaces" choice for a dataset that is not a new version of another


def four_eyes() -> bool:
    """Whether a publication now needs a second evaluator's approval (never in local mode)."""
    return four_eyes_required(current_identity(), four_eyes_configured())


def _flash(where: str, text: str, toast: str) -> None:
    st.session_state[_FLASH_KEY] = (where, text, toast)


def show_flash(where: str) -> None:
    """The result of the last action, where it was taken (it survives the rerun that updates the sidebar)."""
    message = st.session_state.get(_FLASH_KEY)
    if message is None or message[0] != where:
        return
    del st.session_state[_FLASH_KEY]
    st.success(message[1], icon=":material/check_circle:")
    st.toast(message[2], icon=":material/check_circle:")  # seen wherever the page is scrolled


# --- 1. template and example --------------------------------------------------------------------------


def template_downloads() -> None:
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Leeg sjabloon**")
        st.caption("De tabbladen en kolommen van het gegevensformaat, met uitleg per kolom (tabblad ‘uitleg’) "
                   "en keuzelijsten en getalcontroles in Excel.")
        st.download_button("Download sjabloon (.xlsx)", template_bytes, file_name=TEMPLATE_FILE_NAME,
                           mime=XLSX_MIME, key="download_sjabloon", on_click="ignore",
                           icon=":material/download:")
    with right, st.container(border=True):
        st.markdown("**Voorbeeldwerkmap**")
        st.caption("Een ingevuld voorbeeld. Let op: dit zijn illustratieve voorbeelddata, geen registraties.")
        st.download_button("Download voorbeeld (.xlsx)", EXAMPLE_WORKBOOK.read_bytes,
                           file_name=EXAMPLE_WORKBOOK.name, mime=XLSX_MIME, key="download_voorbeeld",
                           on_click="ignore", icon=":material/download:")


# --- 2. upload, check, preview, publish ---------------------------------------------------------------


def upload_section() -> None:
    if not allowed(Action.UPLOAD):
        return
    settings = load_settings()
    uploaded = st.file_uploader(
        "Excel-werkmap (.xlsx)",
        key=UPLOAD_KEY,
        max_upload_size=settings.max_upload_mb,
        help=f"Alleen .xlsx, hooguit {fmt_int(settings.max_upload_mb)} MB. Het bestand wordt eerst gecontroleerd; "
             "er wordt pas iets gepubliceerd als u op ‘Publiceren’ klikt.",
    )
    if uploaded is None:
        st.session_state.pop(_OUTCOME_KEY, None)
        show_flash(FLASH_PUBLISH)
        st.info(no_upload_notice(settings.max_upload_mb), icon=":material/upload_file:")
        return
    outcome = checked_upload(uploaded, max_upload_bytes(settings.max_upload_mb))
    show_report(outcome)
    if outcome.publishable:
        show_preview(outcome)
        publish_form(uploaded, outcome)


def checked_upload(uploaded: UploadedFile, max_bytes: int) -> UploadOutcome:
    """Run the pipeline once per file content, showing each stage; later reruns reuse the outcome."""
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    known: UploadOutcome | None = st.session_state.get(_OUTCOME_KEY)
    if known is not None and known.digest == digest:
        _stages_status(known)
        return known
    shown_name = md_literal(safe_display_name(uploaded.name))
    with st.status(f"‘{shown_name}’ wordt gecontroleerd …", expanded=True) as status:
        def on_stage(stage: str) -> None:
            status.update(label=f"{STAGE_LABELS.get(stage, stage)} …")
            st.write(f"{STAGE_LABELS.get(stage, stage)} …")

        outcome = check_upload_bytes(data, uploaded.name, max_bytes, on_stage=on_stage)
        status.update(label=_status_label(outcome), state=_status_state(outcome), expanded=False)
    st.session_state[_OUTCOME_KEY] = outcome
    return outcome


def _stages_status(outcome: UploadOutcome) -> None:
    with st.status(_status_label(outcome), state=_status_state(outcome), expanded=False):
        for stage, seconds in outcome.seconds.items():
            st.write(f"{STAGE_LABELS.get(stage, stage)}: {fmt_dec(seconds, 2)} s")


def _status_label(outcome: UploadOutcome) -> str:
    name = md_literal(outcome.safe_name)
    if outcome.refused:
        return f"‘{name}’ is geweigerd en niet ingelezen"
    if not outcome.report.ok:
        return f"‘{name}’ gelezen en gecontroleerd: {fmt_int(len(outcome.report.errors))} fout(en)"
    return f"‘{name}’ gelezen en gecontroleerd: klaar om te publiceren"


def _status_state(outcome: UploadOutcome) -> Literal["complete", "error"]:
    return "complete" if outcome.publishable else "error"


def show_report(outcome: UploadOutcome) -> None:
    report = outcome.report
    errors, warnings = report_frames(report)
    if outcome.refused:
        st.error(f"**Het bestand is niet ingelezen.** {md_literal(report.errors[0].message)}", icon=":material/block:")
        return
    if errors.height:
        st.error(f"**{fmt_int(errors.height)} fout(en)**: publiceren kan pas als deze zijn hersteld. Elke regel "
                 "noemt het tabblad, de Excel-rij, de kolom en de waarde.", icon=":material/error:")
        st.dataframe(errors, hide_index=True, placeholder="", column_config=_report_columns(), key="rapport_fouten")
    else:
        st.success("**Geen fouten.** Het bestand voldoet aan het gegevensformaat.", icon=":material/check_circle:")
    if warnings.height:
        st.warning(f"**{fmt_int(warnings.height)} waarschuwing(en)**: publiceren kan, maar kijk ze na.",
                   icon=":material/warning:")
        st.dataframe(warnings, hide_index=True, placeholder="", column_config=_report_columns(),
                     key="rapport_waarschuwingen")
    if report.problems:
        st.download_button(
            "Download controlerapport (.xlsx)",
            lambda: frame_to_xlsx_bytes(report.to_frame(), sheet_name="controle",
                                        title=f"Controle van {outcome.safe_name}: {report.summary()}"),
            file_name=f"{report_file_stem(outcome.safe_name)}.xlsx", mime=XLSX_MIME, key="download_rapport",
            on_click="ignore", icon=":material/download:",
        )


def _report_columns() -> dict:
    return {
        "Tabblad": st.column_config.TextColumn("Tabblad", width=110),
        "Rij": st.column_config.NumberColumn("Rij", format="%d", width=60, help="Rijnummer in Excel"),
        "Kolom": st.column_config.TextColumn("Kolom", width=150),
        "Waarde": st.column_config.TextColumn("Waarde", width=110),
        "Melding": st.column_config.TextColumn("Melding", width="large",
                                               help="Ga met de muis over een melding om de hele tekst te lezen."),
    }


def show_preview(outcome: UploadOutcome) -> None:
    assert outcome.dataset is not None
    preview = upload_preview(outcome.dataset)
    st.markdown("**Voorbeeld van de gelezen gegevens.** Vergelijk deze totalen met uw bestand.")
    cols = st.columns(3)
    tile(cols[0], "Gebieden", fmt_int(preview.n_areas), "Eenheden met soort ‘gebied’.")
    tile(cols[1], "Doelgroepen", fmt_int(preview.n_target_groups), "Eenheden met soort ‘doelgroep’.")
    tile(cols[2], "Rijen maandcijfers", fmt_int(preview.n_rows), preview.period)
    cols = st.columns(3)
    every_row = "Totaal van alle rijen in ‘maandcijfers’ (gebieden én doelgroepen)."
    tile(cols[0], "Gesprekken", fmt_int(preview.conversations), every_row)
    tile(cols[1], "Klachten", fmt_int(preview.complaints), "Alle vier de klachtsoorten samen. " + every_row)
    tile(cols[2], "Uitstroom naar werk", fmt_int(preview.outflow_work), every_row)
    sheets = preview_sheets(outcome.dataset)
    for tab, (sheet, frame) in zip(st.tabs([f"Tabblad ‘{s}’" for s in sheets]), sheets.items(), strict=True):
        with tab:
            st.caption(f"De eerste {fmt_int(frame.height)} rijen zoals ingelezen.")
            st.dataframe(frame, hide_index=True, key=f"voorbeeld_{sheet}", placeholder="",
                         column_config=_preview_columns(frame))


def _preview_columns(frame: pl.DataFrame) -> dict:
    # Dates as the evaluator typed them (no time of day); counts without English thousands separators.
    config: dict = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(name, format="DD-MM-YYYY")
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(name, format="%d")
    return config


def publish_form(uploaded: UploadedFile, outcome: UploadOutcome) -> None:
    show_flash(FLASH_PUBLISH)
    candidates = _replaceable()
    with st.form("publiceren_formulier", border=True):
        if four_eyes():
            st.markdown("**Publiceren**: een tweede evaluator moet de dataset daarna goedkeuren (vier ogen); pas "
                        "dan zien viewers deze gegevens.")
        else:
            st.markdown("**Publiceren**: daarna ziet iedereen die de Cohortmonitor opent deze gegevens.")
        name = st.text_input("Naam van de dataset (verplicht)", key="publicatie_naam", max_chars=120,
                             placeholder="Bijvoorbeeld: WPI-registratie t/m december 2022")
        description = st.text_area("Beschrijving", key="publicatie_beschrijving", max_chars=2000,
                                   placeholder="Bron, peildatum, bijzonderheden of bekende beperkingen.")
        left, right = st.columns(2)
        replaces = left.selectbox(
            "Nieuwe versie van", [NEW_SERIES, *candidates], key="publicatie_vervangt",
            format_func=lambda i: candidates[i] if i else "geen: een nieuwe reeks",
            help="Vervangt deze publicatie een gepubliceerde dataset (herziene of aangevulde cijfers)? Links naar de "
                 "oude versie blijven die versie tonen en melden dat er een nieuwere is; ‘Wat is er veranderd’ "
                 "vergelijkt beide.",
        )
        data_status = right.radio(
            "Status van de gegevens", DATA_STATUSES, key="publicatie_status", horizontal=True,
            help="Voorlopig: de cijfers kunnen nog worden herzien. Definitief: de registratie is afgesloten. "
                 "Elke pagina toont dit naast de naam van de dataset.",
        )
        submitted = st.form_submit_button("Publiceren", type="primary", icon=":material/publish:")
    if submitted:
        publish_now(uploaded, name, description, replaces=replaces or None, data_status=data_status)


def _replaceable() -> dict[str, str]:
    """dataset_id -> label of the datasets a new version may replace (the newest of each series)."""
    try:
        records = dataset_store().list_datasets(include_review=True)
    except StoreError:
        return {}  # the publish itself will report the store's state
    return {r.dataset_id: f"{dataset_label(r)} · versie {r.version}" for r in replaceable(records)}


def publish_now(uploaded: UploadedFile, name: str, description: str, *, replaces: str | None = None,
                data_status: str = DATA_PROVISIONAL) -> None:
    """Publish what is uploaded right now, checked again here: the form alone is no guarantee."""
    if not allowed(Action.PUBLISH):
        return
    if not name.strip():
        st.error("Geef de dataset een naam voordat u publiceert.", icon=":material/error:")
        return
    data = uploaded.getvalue()
    outcome: UploadOutcome | None = st.session_state.get(_OUTCOME_KEY)
    if outcome is None or outcome.digest != hashlib.sha256(data).hexdigest():
        outcome = check_upload_bytes(data, uploaded.name, max_upload_bytes(load_settings().max_upload_mb))
        st.session_state[_OUTCOME_KEY] = outcome
    try:
        with st.status("Opslaan …", expanded=True) as status:
            st.write("Gegevens opslaan en in de catalogus zetten …")
            record = publish_outcome(dataset_store(), outcome, name=name, description=description,
                                     published_by=current_user(), replaces=replaces, data_status=data_status,
                                     review=four_eyes())
            status.update(label="Opgeslagen", state="complete")
    except StoreError as exc:
        st.error(store_message(exc), icon=":material/error:")
        return
    name = md_literal(record.name)
    if record.status == STATUS_PENDING and same_person(record.published_by, current_user()):
        _flash(FLASH_PUBLISH, f"Ter goedkeuring aangeboden: ‘{name}’ (code `{record.dataset_id}`). Viewers zien deze "
               "dataset pas als een tweede evaluator hem goedkeurt onder ‘Ter goedkeuring’.",
               f"Ter goedkeuring: ‘{name}’")
    elif record.status == STATUS_PENDING:
        _flash(FLASH_PUBLISH, f"Deze gegevens staan al ter goedkeuring als ‘{name}’, aangeboden door "
               f"{md_literal(record.published_by)}; er is niets dubbel opgeslagen.", f"Al ter goedkeuring: ‘{name}’")
    elif record.newly_published:
        _flash(FLASH_PUBLISH, f"Gepubliceerd: ‘{name}’ (code `{record.dataset_id}`).", f"Gepubliceerd: ‘{name}’")
    else:
        _flash(FLASH_PUBLISH, f"Deze gegevens waren al gepubliceerd als ‘{name}’ (code `{record.dataset_id}`); "
               "er is niets dubbel opgeslagen.", f"Al gepubliceerd als ‘{name}’")
    _refresh()


# --- 3. published datasets ----------------------------------------------------------------------------


def published_section() -> None:
    evaluator = is_evaluator()
    try:
        store = dataset_store()
        # Viewers never receive what waits for approval or was refused: it is not even read for them.
        records = store.list_datasets(include_withdrawn=True, include_review=evaluator)
    except StoreError as exc:
        # A damaged or unreachable store must not take the upload part of the page down with it.
        st.error(f"De lijst met gepubliceerde datasets kan niet worden gelezen. {store_message(exc)}",
                 icon=":material/error:")
        return
    names = {r.dataset_id: r.name for r in records}
    published = [r for r in records if r.visible]
    pending = [r for r in records if r.status == STATUS_PENDING]
    rejected = [r for r in records if r.status == STATUS_REJECTED]
    # A dataset withdrawn before anyone approved it was never public: viewers do not hear of it.
    withdrawn = [r for r in records if r.status == STATUS_WITHDRAWN and (evaluator or r.was_public)]
    if evaluator and (pending or four_eyes()):
        review_section(store, pending, names)
    if not published:
        show_flash(FLASH_MANAGE)  # the last one may just have been withdrawn
        st.info("Er is geen gepubliceerde dataset: iedereen ziet de voorbeelddata.", icon=":material/info:")
    else:
        if not any(r.is_default for r in published):
            st.caption("Er is geen standaarddataset ingesteld: viewers zien de meest recent gepubliceerde dataset.")
        st.dataframe(_listing(published, names, "gepubliceerd"), hide_index=True, placeholder="",
                     column_config=_listing_columns(), key="lijst_gepubliceerd")
    if evaluator and (published or pending):  # each handler checks the role again at click time
        _manage(store, published + pending)
    with st.expander(f"Ingetrokken datasets ({fmt_int(len(withdrawn))})"):
        if withdrawn:
            st.dataframe(_listing(withdrawn, names, "ingetrokken"), hide_index=True, placeholder="",
                         column_config=_listing_columns(), key="lijst_ingetrokken")
        else:
            st.caption("Er zijn geen ingetrokken datasets.")
    if evaluator and rejected:
        with st.expander(f"Afgewezen publicaties ({fmt_int(len(rejected))})"):
            st.caption("Door een tweede evaluator afgewezen; viewers hebben ze nooit gezien. De reden staat in de "
                       "kolom ‘Tweede evaluator’ en in het logboek.")
            st.dataframe(_listing(rejected, names, "afgewezen"), hide_index=True, placeholder="",
                         column_config=_listing_columns(), key="lijst_afgewezen")


ListingKind = Literal["gepubliceerd", "ingetrokken", "ter goedkeuring", "afgewezen"]


def _listing(records: list[StoredDataset], names: dict[str, str], kind: ListingKind) -> pl.DataFrame:
    """The store's list with the columns of issue 18 (status of the data, version, second evaluator)."""
    base = withdrawn_frame(records) if kind == "ingetrokken" else published_frame(records)
    if kind in ("ter goedkeuring", "afgewezen"):
        base = base.drop("Standaard")  # never the default
    extra = version_columns(records, names)
    if kind == "afgewezen":
        extra = extra.with_columns(pl.Series("Reden", [r.review_note for r in records], dtype=pl.String))
    frame = pl.concat([base, extra], how="horizontal")
    first = [c for c in ("Standaard", "Naam", "Gegevens", "Versie") if c in frame.columns]
    return frame.select(*first, *[c for c in frame.columns if c not in first])


# --- 3a. four eyes ------------------------------------------------------------------------------------


def review_section(store: DatasetStore, pending: list[StoredDataset], names: dict[str, str]) -> None:
    """Publications that wait for a second evaluator: look at them, then approve or reject."""
    with st.container(border=True):
        st.markdown(f"**Ter goedkeuring** ({fmt_int(len(pending))}): vier ogen, een tweede evaluator keurt goed "
                    "of wijst af voordat viewers de gegevens zien.")
        show_flash(FLASH_REVIEW)
        if not pending:
            st.caption("Er wacht niets op goedkeuring.")
            return
        st.dataframe(_listing(pending, names, "ter goedkeuring"), hide_index=True, placeholder="",
                     column_config=_listing_columns(), key="lijst_ter_goedkeuring")
        by_id = {r.dataset_id: r for r in pending}
        chosen = st.selectbox("Publicatie", list(by_id), format_func=lambda i: dataset_label(by_id[i]),
                              key="keuring_dataset")
        if chosen is None:
            return
        record = by_id[chosen]
        links = f"[Bekijk deze dataset]({dataset_link(chosen, './')})"
        if record.replaces:
            links += f" · [Wat is er veranderd]({dataset_link(chosen, CHANGES_URL_PATH)})"
        st.markdown(f"{links} (opent in een nieuw tabblad; alleen evaluatoren zien hem).")
        own = same_person(record.published_by, current_user())
        if own:
            st.caption(f"U hebt ‘{md_literal(record.name)}’ zelf gepubliceerd; een andere evaluator moet hem "
                       "goedkeuren of afwijzen.")
        left, right = st.columns(2)
        with left:
            if st.button("Goedkeuren", key="goedkeuren", type="primary", disabled=own,
                         icon=":material/task_alt:"):
                approve_now(store, chosen)
        with right, st.form("afwijzen_formulier", border=False):
            reason = st.text_input("Reden van afwijzen (verplicht)", key="afwijzen_reden", max_chars=500,
                                   disabled=own)
            if st.form_submit_button("Afwijzen", disabled=own, icon=":material/block:"):
                reject_now(store, chosen, reason=reason)


def _may_review(store: DatasetStore, dataset_id: str) -> bool:
    """At click time: an evaluator, and not the one who published it (the store checks this once more)."""
    if not allowed(Action.REVIEW):
        return False
    record = store.get(dataset_id)
    refusal = review_refusal(current_identity(), record.published_by) if record is not None else None
    if refusal:
        st.error(refusal, icon=":material/lock:")
        return False
    return True


def approve_now(store: DatasetStore, dataset_id: str) -> None:
    try:
        if not _may_review(store, dataset_id):
            return
    except StoreError as exc:
        st.error(store_message(exc), icon=":material/error:")
        return
    _act(lambda: store.approve(dataset_id, by=current_user()),
         lambda record: f"‘{md_literal(record.name)}’ is goedgekeurd en nu zichtbaar voor viewers.",
         where=FLASH_REVIEW)


def reject_now(store: DatasetStore, dataset_id: str, *, reason: str) -> None:
    try:
        if not _may_review(store, dataset_id):
            return
    except StoreError as exc:
        st.error(store_message(exc), icon=":material/error:")
        return
    if not reason.strip():
        st.error("Vermeld waarom u deze publicatie afwijst; dat wordt vastgelegd.", icon=":material/error:")
        return
    _act(lambda: store.reject(dataset_id, by=current_user(), reason=reason),
         lambda record: f"‘{md_literal(record.name)}’ is afgewezen; viewers krijgen hem niet te zien.",
         where=FLASH_REVIEW, reset=("afwijzen_reden",))


def _listing_columns() -> dict:
    return {
        "Standaard": st.column_config.TextColumn("Standaard", width=90),
        "Naam": st.column_config.TextColumn("Naam", width=180),
        "Gepubliceerd op": st.column_config.TextColumn("Gepubliceerd op", width=175),
        "Maanden": st.column_config.TextColumn("Maanden", width=170, help="Eerste t/m laatste maand (aantal)"),
        "Rijen": st.column_config.NumberColumn("Rijen", format="%d", width=70, help="Rijen in ‘maandcijfers’"),
        "Eenheden": st.column_config.NumberColumn("Eenheden", format="%d", width=80),
        "Beschrijving": st.column_config.TextColumn("Beschrijving", width=220),
        "Code": st.column_config.TextColumn("Code", help="Begin van de datasetcode (inhoudshash)"),
        "Ingetrokken op": st.column_config.TextColumn("Ingetrokken op", width=175),
        "Reden": st.column_config.TextColumn("Reden", width=220),
        "Gegevens": st.column_config.TextColumn("Gegevens", width=90, help="Voorlopig of definitief"),
        "Versie": st.column_config.TextColumn("Versie", width=200, help="Welke dataset deze versie vervangt"),
        "Tweede evaluator": st.column_config.TextColumn("Tweede evaluator", width=220,
                                                        help="Wie de publicatie goedkeurde of afwees (vier ogen)"),
    }


def _manage_label(record: StoredDataset) -> str:
    waiting = " · ter goedkeuring" if record.status == STATUS_PENDING else ""
    return f"{dataset_label(record)} · {record.data_status}{waiting}"


def _manage(store: DatasetStore, records: list[StoredDataset]) -> None:
    by_id = {r.dataset_id: r for r in records}
    with st.container(border=True):
        st.markdown("**Beheren**")
        show_flash(FLASH_MANAGE)
        chosen = st.selectbox("Dataset", list(by_id), format_func=lambda i: _manage_label(by_id[i]),
                              key="beheer_dataset")
        if chosen is None:
            return
        record = by_id[chosen]
        left, right = st.columns(2)
        with left:
            st.caption("De standaarddataset zien viewers wanneer hun link geen dataset noemt.")
            if st.button("Als standaard instellen", key="standaard_instellen",
                         disabled=record.is_default or not record.visible, icon=":material/star:"):
                set_default_now(store, chosen, record.name)
            other = next(s for s in DATA_STATUSES if s != record.data_status)
            st.caption(f"De gegevens zijn nu **{record.data_status}**; elke pagina toont dat naast de naam.")
            if st.button(f"Markeren als {other}", key="status_wijzigen", icon=":material/verified:"):
                set_data_status_now(store, chosen, other)
        with right, st.form("intrekken_formulier", border=False):
            st.caption("Intrekken verbergt de dataset voor viewers; de gegevens blijven bewaard voor de "
                       "verantwoording.")
            reason = st.text_input("Reden van intrekken (verplicht)", key="intrekken_reden", max_chars=500)
            confirmed = st.checkbox("Ja, trek deze dataset in", key="intrekken_bevestigd")
            if st.form_submit_button("Intrekken", icon=":material/visibility_off:"):
                withdraw_now(store, chosen, reason=reason, confirmed=confirmed)


def set_default_now(store: DatasetStore, dataset_id: str, name: str) -> None:
    if not allowed(Action.SET_DEFAULT):
        return
    _act(lambda: store.set_default(dataset_id, by=current_user()),
         lambda _record: f"‘{md_literal(name)}’ is nu de standaarddataset.")


def set_data_status_now(store: DatasetStore, dataset_id: str, data_status: str) -> None:
    if not allowed(Action.SET_DATA_STATUS):
        return
    _act(lambda: store.set_data_status(dataset_id, data_status, by=current_user()),
         lambda record: f"‘{md_literal(record.name)}’ is nu {record.data_status}.")


def withdraw_now(store: DatasetStore, dataset_id: str, *, reason: str, confirmed: bool) -> None:
    if not allowed(Action.WITHDRAW):
        return
    if not confirmed:
        st.error("Vink ‘Ja, trek deze dataset in’ aan om te bevestigen.", icon=":material/error:")
        return
    if not reason.strip():
        st.error("Vermeld waarom de dataset wordt ingetrokken; dat wordt vastgelegd.", icon=":material/error:")
        return
    # A confirmation must be given again for the next dataset, so the form starts empty after success.
    _act(lambda: store.withdraw(dataset_id, by=current_user(), reason=reason),
         lambda record: f"‘{md_literal(record.name)}’ is ingetrokken en staat nu onder ‘Ingetrokken datasets’.",
         reset=("intrekken_reden", "intrekken_bevestigd"))


def _act(action: Callable[[], StoredDataset], success: Callable[[StoredDataset], str], *,
         reset: tuple[str, ...] = (), where: str = FLASH_MANAGE) -> None:
    try:
        record = action()
    except StoreError as exc:
        st.error(store_message(exc), icon=":material/error:")
        return
    for key in reset:
        st.session_state.pop(key, None)
    text = success(record)
    _flash(where, text, text)
    _refresh()


def _refresh() -> None:
    """Rerun, so this session's sidebar and banner follow the store's new state.

    Only the catalog's short-lived cache is cleared (in this process; other replicas follow within its TTL):
    published data are cached by dataset_id, i.e. by content, so a cached dataset is never stale, and
    `st.cache_data.clear()` would only make every viewer reload the same data.
    """
    forget_catalog()
    st.rerun()
