"""Who may do what: viewers read, evaluators change what everyone sees. Pure rules, no Streamlit.

The Streamlit glue (`cohort.ui.auth`) builds an `Identity` from the login and the allowlist; every action
handler calls `require` at click time, so hiding a button is never the only protection.

Four-eyes publishing: with an identity provider configured, a publication by one evaluator becomes visible to
viewers only when a second, different evaluator approves it (`four_eyes_required`, `review_refusal`); in
local mode there is only one user, so it is off. The store checks "different" again under its write lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Mode = Literal["lokaal", "oidc"]
LOCAL_ACTOR = "lokale gebruiker"  # the name in the audit log when no identity provider is configured


class Role(StrEnum):
    VIEWER = "viewer"
    EVALUATOR = "evaluator"


class Action(StrEnum):
    UPLOAD = "upload"
    PUBLISH = "publish"
    SET_DEFAULT = "set_default"
    WITHDRAW = "withdraw"
    VIEW_AUDIT = "view_audit"
    DISABLE_SUPPRESSION = "disable_suppression"
    REVIEW = "review"  # approve or reject another evaluator's publication
    SET_DATA_STATUS = "set_data_status"  # voorlopig / definitief


# What the refusal says the user tried to do ("Alleen evaluatoren mogen …").
ACTION_LABELS: dict[Action, str] = {
    Action.UPLOAD: "bestanden uploaden",
    Action.PUBLISH: "datasets publiceren",
    Action.SET_DEFAULT: "de standaarddataset instellen",
    Action.WITHDRAW: "datasets intrekken",
    Action.VIEW_AUDIT: "het logboek inzien",
    Action.DISABLE_SUPPRESSION: "het verbergen van kleine aantallen uitzetten",
    Action.REVIEW: "publicaties goedkeuren of afwijzen",
    Action.SET_DATA_STATUS: "de status van een dataset (voorlopig of definitief) wijzigen",
}
ROLE_LABELS: dict[Role, str] = {Role.VIEWER: "viewer", Role.EVALUATOR: "evaluator"}

# Every action above changes or reveals what only evaluators handle; viewers only read the dashboard.
_EVALUATOR_ACTIONS = frozenset(Action)


class PermissionDenied(Exception):
    """An action refused for this identity; `str(exc)` is a Dutch message for the user."""


@dataclass(frozen=True)
class Identity:
    email: str  # "" when nobody is logged in, or in local mode
    name: str
    role: Role
    mode: Mode

    @property
    def logged_in(self) -> bool:
        return bool(self.email)

    @property
    def actor(self) -> str:
        """The name written into the audit log (`published_by`, `by`)."""
        if self.mode == "lokaal":
            return LOCAL_ACTOR
        return self.email or "onbekend"


def local_identity() -> Identity:
    """Nothing configured (the local, embedded default): the single local user is an evaluator."""
    return Identity(email="", name=LOCAL_ACTOR, role=Role.EVALUATOR, mode="lokaal")


def normalise_email(email: str | None) -> str:
    # Identity providers differ in capitals (Jan.Jansen@Amsterdam.nl); e-mail addresses are compared without.
    return (email or "").strip().lower()


def parse_allowlist(value: str | Iterable[str] | None) -> frozenset[str]:
    """Evaluator e-mails from a list or a comma-separated string; blanks dropped, case ignored."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(e for e in (normalise_email(str(i)) for i in items) if e)


def role_for(email: str | None, allowlist: str | Iterable[str]) -> Role:
    """Evaluator only for a non-empty e-mail on the allowlist; everyone else (also logged out) views."""
    email = normalise_email(email)
    return Role.EVALUATOR if email and email in parse_allowlist(allowlist) else Role.VIEWER


def oidc_identity(email: str | None, name: str | None, allowlist: Iterable[str]) -> Identity:
    """A user of the configured identity provider (logged out when `email` is empty)."""
    email = normalise_email(email)
    return Identity(email=email, name=(name or "").strip() or email, role=role_for(email, allowlist), mode="oidc")


def may(identity: Identity, action: Action | str) -> bool:
    """Whether this identity may take this action. An unknown action name is a programming error."""
    action = Action(action)
    return identity.role == Role.EVALUATOR or action not in _EVALUATOR_ACTIONS


def refusal(identity: Identity, action: Action | str) -> str:
    """The Dutch explanation shown when `identity` may not take `action`."""
    what = ACTION_LABELS[Action(action)]
    if not identity.logged_in:
        return f"Alleen evaluatoren mogen {what}. Log in als evaluator (in de zijbalk) om dit te doen."
    return (f"Alleen evaluatoren mogen {what}. U bent ingelogd als {identity.email} met de rol "
            f"{ROLE_LABELS[identity.role]}; vraag de beheerder u als evaluator toe te voegen als dat nodig is.")


def require(identity: Identity, action: Action | str) -> None:
    """Raise `PermissionDenied` (Dutch message) unless `identity` may take `action`."""
    if not may(identity, action):
        raise PermissionDenied(refusal(identity, action))


def four_eyes_required(identity: Identity, configured: bool | None) -> bool:
    """Whether a publication needs a second evaluator's approval: never in local mode (one user, no names
    to tell apart); with an identity provider as configured (`[cohort] four_eyes`), on when not configured."""
    if identity.mode == "lokaal":
        return False
    return True if configured is None else configured


def review_refusal(identity: Identity, published_by: str) -> str | None:
    """None when `identity` may approve or reject a publication by `published_by`, else the Dutch reason."""
    if not may(identity, Action.REVIEW):
        return refusal(identity, Action.REVIEW)
    if normalise_email(identity.actor) == normalise_email(published_by):
        return ("U hebt deze dataset zelf gepubliceerd en kunt hem daarom niet goedkeuren of afwijzen: een tweede "
                "evaluator moet dat doen (vier-ogenprincipe).")
    return None
