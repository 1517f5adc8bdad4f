"""Readable labels for audit actions. Apps may add their own with ``register_action``.

An action without a label is shown by its dotted name (staff pages) and hidden from citizens'
transparency view unless it is registered with ``citizen_visible=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ActionInfo:
    label: Promise
    citizen_visible: bool


ACTIONS: dict[str, ActionInfo] = {}


def register_action(name: str, label: Promise, *, citizen_visible: bool = True) -> None:
    ACTIONS[name] = ActionInfo(label=label, citizen_visible=citizen_visible)


def label_for(name: str) -> str:
    info = ACTIONS.get(name)
    return str(info.label) if info else name


def citizen_visible_actions() -> list[str]:
    return [name for name, info in ACTIONS.items() if info.citizen_visible]


for _name, _label, _visible in [
    ("document.viewed", _("Document opened"), True),
    ("document.downloaded", _("Document downloaded"), True),
    ("document.uploaded", _("Document sent"), True),
    ("document.released", _("Document released to the portal"), True),
    ("document.release_revoked", _("Release of a document revoked"), True),
    ("document.routed", _("Document assigned to a team"), True),
    ("document.exported", _("Document sent to the electronic case file (DMS)"), True),
    ("document.filed", _("Document filed in the electronic case file"), True),
    ("document.assigned", _("Document assigned"), True),
    ("household.viewed", _("Case file opened"), True),
    ("household.responsibility_changed", _("Responsibility changed"), True),
    ("household.searched", _("Households searched (matching an access request)"), False),
    ("login.success", _("Logged in"), False),
    ("login.failure", _("Failed login"), False),
    ("login.second_factor", _("Second factor confirmed"), False),
    ("login.second_factor_failure", _("Wrong security code"), False),
    ("login.oidc", _("Logged in with state portal account"), False),
    ("logout", _("Logged out"), False),
    ("account.oidc_linked", _("State portal account linked"), True),
    ("account.oidc_unlinked", _("State portal account unlinked"), True),
    ("otp.device_confirmed", _("Authenticator app set up"), True),
    ("otp.device_removed", _("Authenticator app removed"), True),
    ("account.created", _("Portal account created"), True),
    ("account.activation_code_issued", _("Activation code issued"), True),
    ("account.access_letter_printed", _("Access letter printed"), True),
    ("account.activated", _("Account activated"), True),
    ("account.activation_failed", _("Wrong activation code entered"), True),
    ("account.locked", _("Account locked"), True),
    ("account.unlocked", _("Account unlocked"), True),
    ("account.deactivated", _("Account deactivated"), True),
    ("account.password_changed", _("Password changed"), True),
    ("account.password_reset_requested", _("Password reset requested"), False),
    ("account.contact_changed", _("E-mail or notifications changed"), True),
    ("access_request.submitted", _("Access request received"), False),
    ("access_request.approved", _("Access request approved"), True),
    ("access_request.rejected", _("Access request rejected"), False),
    ("access_request.forwarded", _("Access request forwarded"), False),
    ("access_request.id_document_viewed", _("ID document of an access request opened"), True),
    ("representation.granted", _("Representative given access"), True),
    ("representation.revoked", _("Representative's access ended"), True),
    ("consent.given", _("Consent given"), True),
    ("consent.revoked", _("Consent revoked"), True),
    ("audit_log.viewed", _("Audit log searched"), False),
]:
    register_action(_name, _label, citizen_visible=_visible)
