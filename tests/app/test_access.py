"""Access control: the pure rules (cohort.access) and both modes of the app (AppTest).

Local mode: no secrets → the single local user is an evaluator and the sidebar says "lokale modus".
Configured mode: `at.secrets["auth"]` plus `at.user` (Streamlit 1.67's AppTest seeds `st.user` from it).
"""

import pytest
from streamlit.testing.v1 import AppTest
from workbooks import make_workbook

from cohort.access import (
    LOCAL_ACTOR,
    Action,
    Identity,
    PermissionDenied,
    Role,
    local_identity,
    may,
    oidc_identity,
    parse_allowlist,
    require,
    role_for,
)
from cohort.settings import PROJECT_ROOT
from cohort.store import DatasetStore

APP = str(PROJECT_ROOT / "app.py")
PAGE = "views/data.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVALUATOR = "Eva.Luator@Amsterdam.nl"
VIEWER = "raadslid@amsterdam.nl"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "cohortmonitor",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}
# One pair of eyes: these tests are about roles; four-eyes publishing (the default with login) is in test_review.py.
SECRETS = {"auth": AUTH, "cohort": {"evaluators": [EVALUATOR, "tweede@amsterdam.nl"], "four_eyes": False}}


# --- the rules ----------------------------------------------------------------------------------------


def test_role_for_allowlist_ignores_case_and_blanks():
    allowlist = ["  Eva.Luator@Amsterdam.nl ", ""]
    assert role_for("eva.luator@amsterdam.nl", allowlist) == Role.EVALUATOR
    assert role_for("EVA.LUATOR@AMSTERDAM.NL", allowlist) == Role.EVALUATOR
    assert role_for("raadslid@amsterdam.nl", allowlist) == Role.VIEWER
    assert role_for("", allowlist) == Role.VIEWER  # an empty e-mail never matches a blank entry
    assert role_for(None, allowlist) == Role.VIEWER
    assert role_for("eva.luator@amsterdam.nl", []) == Role.VIEWER


def test_parse_allowlist_from_comma_separated_text_or_list():
    assert parse_allowlist("a@x.nl, B@x.nl,,") == frozenset({"a@x.nl", "b@x.nl"})
    assert parse_allowlist(["a@x.nl", " "]) == frozenset({"a@x.nl"})
    assert parse_allowlist(None) == frozenset()


def test_every_action_is_for_evaluators_only():
    evaluator = oidc_identity(EVALUATOR, "Eva", [EVALUATOR])
    viewer = oidc_identity(VIEWER, "Raadslid", [EVALUATOR])
    logged_out = oidc_identity(None, None, [EVALUATOR])
    assert (evaluator.role, viewer.role, logged_out.role) == (Role.EVALUATOR, Role.VIEWER, Role.VIEWER)
    for action in Action:
        assert may(evaluator, action)
        assert may(local_identity(), action.value)  # plain strings work too
        assert not may(viewer, action)
        assert not may(logged_out, action)
    assert {a.value for a in Action} == {"upload", "publish", "set_default", "withdraw", "view_audit",
                                         "disable_suppression", "review", "set_data_status"}


def test_unknown_action_is_an_error_not_a_permission():
    with pytest.raises(ValueError):
        may(local_identity(), "delete_everything")


def test_require_raises_a_dutch_refusal():
    require(local_identity(), Action.PUBLISH)  # no exception
    with pytest.raises(PermissionDenied) as refused:
        require(oidc_identity(VIEWER, None, [EVALUATOR]), Action.PUBLISH)
    assert str(refused.value).startswith("Alleen evaluatoren mogen datasets publiceren.")
    assert "raadslid@amsterdam.nl" in str(refused.value) and "viewer" in str(refused.value)
    with pytest.raises(PermissionDenied, match="Log in als evaluator"):
        require(oidc_identity(None, None, [EVALUATOR]), "withdraw")


def test_identity_actor_is_what_the_audit_log_records():
    assert local_identity() == Identity("", LOCAL_ACTOR, Role.EVALUATOR, "lokaal")
    assert local_identity().actor == "lokale gebruiker"
    evaluator = oidc_identity(EVALUATOR, "", [EVALUATOR])
    assert (evaluator.email, evaluator.name, evaluator.actor, evaluator.mode) == (
        "eva.luator@amsterdam.nl", "eva.luator@amsterdam.nl", "eva.luator@amsterdam.nl", "oidc")


# --- the app in both modes ----------------------------------------------------------------------------


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COHORT_STORE_DIR", str(tmp_path / "store"))
    return tmp_path / "store"


def data_page(*, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def publish(at: AppTest, name: str) -> AppTest:
    at.file_uploader(key="upload_bestand").upload("cijfers.xlsx", make_workbook(), XLSX).run()
    at.text_input(key="publicatie_naam").set_value(name)
    next(b for b in at.button if b.label == "Publiceren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_local_mode_user_is_an_evaluator_with_a_banner(store_dir):
    at = data_page()
    assert "Lokale modus" in sidebar_text(at)
    assert any("Lokale modus" in i.value for i in at.info)
    assert not [b for b in at.sidebar.button if b.label == "Inloggen als evaluator"]
    at = publish(at, "Lokaal")
    [record] = DatasetStore(store_dir).list_datasets()
    assert record.published_by == "lokale gebruiker"
    log = next(d.value for d in at.dataframe if "Actie" in d.value.columns)
    assert log[["Door", "Actie"]].values.tolist() == [["lokale gebruiker", "publiceren"]]


def test_logged_out_viewer_sees_the_list_but_no_controls(store_dir):
    at = data_page(secrets=SECRETS, user={"is_logged_in": False})
    assert [b.label for b in at.sidebar.button if b.key == "inloggen"] == ["Inloggen als evaluator"]
    assert "Lokale modus" not in sidebar_text(at)
    assert any("Alleen evaluatoren uploaden" in i.value and "niet ingelogd" in i.value for i in at.info)
    assert not at.get("file_uploader")
    assert not at.get("download_button")
    assert [s.value for s in at.subheader] == ["Gepubliceerde datasets"]
    assert not [d for d in at.dataframe if "Actie" in d.value.columns]  # no audit log


def test_logged_in_viewer_sees_published_list_only(store_dir):
    DatasetStore(store_dir)  # an empty store
    # Publish one as evaluator first, so the viewer has something to see.
    evaluator = data_page(secrets=SECRETS, user={"is_logged_in": True, "email": EVALUATOR, "name": "Eva"})
    publish(evaluator, "Gepubliceerd")
    at = data_page(secrets=SECRETS, user={"is_logged_in": True, "email": VIEWER, "name": "Raadslid"})
    assert f"Ingelogd als **{VIEWER}** · rol: viewer" in sidebar_text(at)
    assert [b.label for b in at.sidebar.button if b.key == "uitloggen"] == ["Uitloggen"]
    assert any("niet op de lijst van evaluatoren" in i.value for i in at.info)
    assert not at.get("file_uploader")
    listing = next(d.value for d in at.dataframe if "Standaard" in d.value.columns)
    assert listing["Naam"].tolist() == ["Gepubliceerd"]
    assert not [b for b in at.button if b.label in {"Als standaard instellen", "Intrekken"}]
    assert not [s for s in at.selectbox if s.key == "beheer_dataset"]


def test_evaluator_publishes_under_their_email(store_dir):
    at = data_page(secrets=SECRETS, user={"is_logged_in": True, "email": EVALUATOR, "name": "Eva"})
    assert "rol: evaluator" in sidebar_text(at)
    at = publish(at, "Door Eva")
    [record] = DatasetStore(store_dir).list_datasets()
    assert record.published_by == "eva.luator@amsterdam.nl"
    at.run()
    next(b for b in at.button if b.label == "Als standaard instellen").click().run()
    log = next(d.value for d in at.dataframe if "Actie" in d.value.columns)
    assert log[["Door", "Actie"]].values.tolist() == [
        ["eva.luator@amsterdam.nl", "standaard instellen"], ["eva.luator@amsterdam.nl", "publiceren"]]


def _call_handlers(store_root: str, dataset_id: str) -> None:
    """Runs as an app script: a viewer's session calling each handler directly, as a forged click would."""
    import streamlit as st

    from cohort.store import DatasetStore
    from cohort.ui.publish import publish_now, set_default_now, withdraw_now

    store = DatasetStore(store_root)
    publish_now(None, "Ongeoorloofd", "")  # the check comes before the upload is even read
    set_default_now(store, dataset_id, "Gepubliceerd")
    withdraw_now(store, dataset_id, reason="geen", confirmed=True)
    st.write("klaar")


def test_handlers_refuse_a_viewer_at_click_time(store_dir):
    evaluator = data_page(secrets=SECRETS, user={"is_logged_in": True, "email": EVALUATOR, "name": "Eva"})
    publish(evaluator, "Gepubliceerd")
    store = DatasetStore(store_dir)
    [record] = store.list_datasets()
    at = AppTest.from_function(_call_handlers, args=(str(store_dir), record.dataset_id), default_timeout=60)
    at.secrets.update(SECRETS)
    at.user = {"is_logged_in": True, "email": VIEWER}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value.split(".")[0] for e in at.error] == [
        "Alleen evaluatoren mogen datasets publiceren",
        "Alleen evaluatoren mogen de standaarddataset instellen",
        "Alleen evaluatoren mogen datasets intrekken",
    ]
    [after] = store.list_datasets()
    assert (after.status, after.is_default) == ("gepubliceerd", False)
    assert store.audit_log()["Actie"].to_list() == ["publiceren"]
