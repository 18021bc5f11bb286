"""Streamlit glue of access control: who is using the app, the sidebar login, the "lokale modus" note.

Two modes, decided by `.streamlit/secrets.toml`:
- an `[auth]` section (the municipality's OpenID Connect provider): `st.login`/`st.user`; evaluators are the
  e-mails in `[cohort] evaluators = [...]` (same file), everyone else, logged in or not, is a viewer;
- no `[auth]` section (the local, embedded default): the single local user is an evaluator, and the sidebar
  says "lokale modus".
The rules themselves live in `cohort.access` (pure, unit-tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.column_config import DatetimeColumn, TextColumn

from cohort.access import (
    ROLE_LABELS,
    Action,
    Identity,
    PermissionDenied,
    Role,
    local_identity,
    may,
    oidc_identity,
    parse_allowlist,
    require,
)

SECRETS_SECTION = "cohort"
ALLOWLIST_KEY = "evaluators"
FOUR_EYES_KEY = "four_eyes"
LOCAL_MODE_NOTE = ("**Lokale modus**: er is geen inlog ingesteld; u werkt als de enige, lokale gebruiker en bent "
                   "evaluator.")


def _secrets() -> Mapping[str, Any]:
    # A missing or unreadable secrets.toml means "nothing configured", not a crash of every page.
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, OSError, ValueError):
        return {}


def auth_configured() -> bool:
    """Whether an identity provider is configured (an `[auth]` section in the secrets)."""
    return bool(_secrets().get("auth"))


def evaluator_allowlist() -> frozenset[str]:
    """The evaluators' e-mails from `[cohort] evaluators` in the secrets (lower case)."""
    section = _secrets().get(SECRETS_SECTION) or {}
    return parse_allowlist(section.get(ALLOWLIST_KEY) if isinstance(section, Mapping) else None)


def four_eyes_configured() -> bool | None:
    """`[cohort] four_eyes` from the secrets (true/false), None when not set. An unreadable value counts as
    true: a typo must not switch the second pair of eyes off."""
    section = _secrets().get(SECRETS_SECTION) or {}
    value = section.get(FOUR_EYES_KEY) if isinstance(section, Mapping) else None
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() not in {"false", "nee", "no", "0", "uit", "off"}


def current_identity() -> Identity:
    """Who is using this session, read afresh on every run (so a removed evaluator loses the role at once)."""
    if not auth_configured():
        return local_identity()
    if not st.user.get("is_logged_in", False):
        return oidc_identity(None, None, ())
    return oidc_identity(_claim("email"), _claim("name"), evaluator_allowlist())


def _claim(key: str) -> str | None:
    value = st.user.get(key)
    return value if isinstance(value, str) else None


def is_evaluator() -> bool:
    """Whether the current user is an evaluator (in local mode: always)."""
    return current_identity().role == Role.EVALUATOR


def allowed(action: Action | str) -> bool:
    """Server-side check at the moment of an action: True, or a Dutch refusal on the page and False."""
    try:
        require(current_identity(), action)
    except PermissionDenied as exc:
        st.error(str(exc), icon=":material/lock:")
        return False
    return True


def auth_sidebar() -> None:
    """The login/logout control (identity configured) or the "lokale modus" note (nothing configured)."""
    identity = current_identity()
    with st.sidebar:
        if identity.mode == "lokaal":
            st.caption(f":material/person: {LOCAL_MODE_NOTE}")
            return
        if not identity.logged_in:
            st.caption("U bekijkt de Cohortmonitor als viewer. Evaluatoren loggen in om data te publiceren.")
            if st.button("Inloggen als evaluator", key="inloggen", icon=":material/login:"):
                st.login()
            return
        st.caption(f":material/person: Ingelogd als **{identity.email}** · rol: {ROLE_LABELS[identity.role]}")
        if st.button("Uitloggen", key="uitloggen", icon=":material/logout:"):
            st.logout()


def viewer_explanation() -> None:
    """Why a viewer sees no upload or publish controls, and what to do about it."""
    identity = current_identity()
    if identity.logged_in:
        who = f"U bent ingelogd als {identity.email}, maar dit adres staat niet op de lijst van evaluatoren."
    else:
        who = "U bent niet ingelogd."
    st.info(f"**Alleen evaluatoren uploaden, publiceren en beheren datasets.** {who} Hieronder ziet u welke "
            "datasets gepubliceerd zijn. Bent u evaluator, log dan in via de zijbalk; staat u niet op de lijst, "
            "vraag dan de beheerder van de Cohortmonitor om u toe te voegen.", icon=":material/lock:")


def local_mode_banner() -> None:
    """The visible but unobtrusive reminder on the Data page that nobody had to log in."""
    if current_identity().mode == "lokaal":
        st.info(f"{LOCAL_MODE_NOTE} Zie ‘Production set-up (identity)’ in de README voor inloggen met het "
                "account van de gemeente.", icon=":material/person:")


def audit_log_section(store: Any, limit: int = 100) -> None:
    """Who published, set the default or withdrew what and when (evaluators only)."""
    if not may(current_identity(), Action.VIEW_AUDIT):
        return
    log = store.audit_log(limit=limit)
    if log.is_empty():
        st.caption("Het logboek is nog leeg: er is nog niets gepubliceerd, als standaard ingesteld of ingetrokken.")
        return
    st.caption(f"De laatste {log.height} handelingen, nieuwste eerst. Tijden in UTC.")
    st.dataframe(log, hide_index=True, placeholder="", key="logboek", column_config={
        "Tijdstip (UTC)": DatetimeColumn("Tijdstip (UTC)", format="DD-MM-YYYY HH:mm:ss", width=160),
        "Door": TextColumn("Door", width=200),
        "Actie": TextColumn("Actie", width=140),
        "Dataset": TextColumn("Dataset", width=120, help="Datasetcode (inhoudshash)"),
        "Toelichting": TextColumn("Toelichting", width="large"),
    })
