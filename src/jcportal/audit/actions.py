"""The catalogue of audit actions: every action ``audit()`` writes is declared here, in one place.

Each action has a label (gettext; shown on staff pages, in the citizen's transparency view and in the
data-subject access export) and says whether the citizen's transparency view shows it.
``audit/tests/test_actions.py`` scans the sources and fails when code writes an action that is not
declared here. ``register_action`` remains for plugins that declare actions at run time.
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
# the actions declared in this module (the test of undeclared actions reads this, not run-time additions)
DECLARED: set[str] = set()


def register_action(name: str, label: Promise, *, citizen_visible: bool = True) -> None:
    ACTIONS[name] = ActionInfo(label=label, citizen_visible=citizen_visible)


def label_for(name: str) -> str:
    info = ACTIONS.get(name)
    return str(info.label) if info else name


def is_declared(name: str) -> bool:
    return name in ACTIONS


def citizen_visible_actions() -> list[str]:
    return [name for name, info in ACTIONS.items() if info.citizen_visible]


for _name, _label, _visible in [
    ("document.viewed", _("Document opened"), True),
    ("document.downloaded", _("Document downloaded"), True),
    ("document.uploaded", _("Document sent"), True),
    ("document.released", _("Document released to the portal"), True),
    ("document.release_revoked", _("Release of a document revoked"), True),
    ("postbox.notice_sent", _("E-mail notice of a new letter sent"), True),
    ("postbox.sent_by_post", _("Letter sent by post"), True),
    ("document.routed", _("Document assigned to a team"), True),
    ("document.exported", _("Document sent to the electronic case file (DMS)"), True),
    ("document.filed", _("Document filed in the electronic case file"), True),
    ("api.document_read", _("Document read by a connected system (API)"), True),
    ("api.documents_listed", _("Document list read by a connected system (API)"), False),
    ("api.document_downloaded", _("Document downloaded by a connected system (API)"), True),
    ("api.events_read", _("Event feed read by a connected system (API)"), False),
    ("api_client.created", _("API client created"), False),
    ("api_client.changed", _("API client changed"), False),
    ("api_client.rotated", _("API client token renewed"), False),
    ("api_client.revoked", _("API client revoked"), False),
    ("document.assigned", _("Document assigned"), True),
    ("household.viewed", _("Case file opened"), True),
    ("household.responsibility_changed", _("Responsibility changed"), True),
    ("household.searched", _("Households searched (matching an access request)"), False),
    ("search.performed", _("Case files searched"), False),
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
    ("passkey.registered", _("Passkey added"), True),
    ("passkey.registration_failed", _("Passkey could not be added"), False),
    ("passkey.removed", _("Passkey removed"), True),
    ("login.passkey", _("Logged in with a passkey"), False),
    ("login.passkey_failure", _("Failed login with a passkey"), False),
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
    # intake and the case file
    ("document.received", _("Document received"), True),
    ("document.delivered", _("Document delivered to the Jobcenter"), True),
    ("document.rejected", _("Document could not be accepted"), True),
    ("document.quarantined", _("Document held back: possibly harmful"), True),
    ("document.intake_failed", _("Processing of a document failed"), False),
    ("document.intake_retried", _("Processing of a document started again"), False),
    ("document.generated", _("Document created by the Jobcenter"), True),
    ("document.processed", _("Document processed"), True),
    ("document.receipt_downloaded", _("Receipt downloaded"), True),
    # corrections of a document (documents.corrections)
    ("document.corrected", _("Document corrected (type, household or pages)"), True),
    ("document.deleted", _("Document deleted (approved by a second person)"), True),
    ("household.created", _("Case file created"), True),
    ("household.benefits_ended", _("End of benefits recorded"), False),
    ("inbox.forwarded", _("Document forwarded"), True),
    # work lists (casework.bulk, .notes, .followups)
    ("inbox.taken_over", _("Document taken over by a staff member"), True),
    ("inbox.bulk_action", _("Bulk action on inbox items"), False),
    ("inbox.note_added", _("Internal note added to an inbox item"), False),
    ("household.file_note_added", _("Aktenvermerk added to the case file"), False),
    ("followup.created", _("Wiedervorlage set"), False),
    ("followup.done", _("Wiedervorlage done"), False),
    ("followup.postponed", _("Wiedervorlage postponed"), False),
    ("absence.recorded", _("Absence and deputy recorded"), False),
    ("absence.deleted", _("Absence deleted"), False),
    # clearing, deputies and team memberships (docs/staff/clearing.md)
    ("absence.items_handed_over", _("Open documents handed to the deputies"), False),
    ("absence.substitution_recorded", _("Standing substitution recorded"), False),
    ("absence.substitution_deleted", _("Standing substitution deleted"), False),
    ("inbox.assigned_to_household", _("Document assigned to the case file by the clearing team"), True),
    ("account.team_membership_added", _("Staff member added to a team"), False),
    ("account.team_membership_removed", _("Staff member removed from a team"), False),
    # document requests (Mitwirkungsaufforderungen)
    ("docrequest.created", _("Documents requested"), True),
    ("docrequest.item_arrived", _("Requested document arrived"), True),
    ("docrequest.item_unlinked", _("Document no longer counted for a document request"), True),
    ("docrequest.reminded", _("Reminder about requested documents sent"), True),
    ("docrequest.withdrawn", _("Document request withdrawn"), True),
    ("docrequest.item_accepted", _("Requested document accepted"), True),
    ("docrequest.item_rejected", _("Requested document rejected with a reason"), True),
    ("docrequest.item_ticked", _("Requested document ticked as received on paper"), True),
    ("docrequest.deadline_extended", _("Deadline of a document request extended"), True),
    ("docrequest.letter_issued", _("Letter about requested documents written"), True),
    ("docrequest.letter_printed", _("Letter about requested documents printed"), True),
    ("docrequest.letter_posted", _("Letter about requested documents sent by post"), True),
    # online services
    ("eforms.draft.started", _("Online application started"), True),
    ("eforms.draft.resumed", _("Online application continued"), True),
    ("eforms.draft.discarded", _("Online application discarded"), True),
    ("eforms.draft.purged", _("Unsent online application deleted"), True),
    ("eforms.resume_code.emailed", _("Code to continue an application sent by e-mail"), True),
    ("eforms.application_date.recorded", _("Date of application recorded"), True),
    ("eforms.partial_application.followed_up", _("Unfinished application followed up"), True),
    ("eforms.submission.submitted", _("Online application sent"), True),
    ("eforms.submission.viewed", _("Online application opened"), True),
    ("eforms.submission.answered", _("Answer to a question of the Jobcenter sent"), True),
    ("eforms.submission.json_downloaded", _("Online application downloaded as data"), True),
    ("eforms.submission.confirm", _("Online application confirmed"), True),
    ("eforms.submission.approve", _("Online application approved"), True),
    ("eforms.submission.reject", _("Online application rejected"), True),
    ("eforms.submission.done", _("Online application processed"), True),
    ("eforms.submission.ask_back", _("Question about an online application"), True),
    ("eforms.preregistration.converted", _("Application registered as a case file"), True),
    ("eforms.copy.downloaded", _("Copy of an online application downloaded"), True),
    ("eforms.krankmeldung.exported", _("Sick report passed to the specialist system"), True),
    ("eforms.submissions.exported", _("List of online applications exported"), False),
    # exporters to the DMS and the Fachverfahren (also registered by exporters.apps)
    ("exporters.config.changed", _("Exporter configuration changed"), False),
    ("exporters.record.exported", _("Online service data passed to the specialist system"), True),
    ("exporters.xdomea.downloaded", _("Case file downloaded as xdomea"), True),
    # scan station
    ("scan.batch_uploaded", _("Scanned mail uploaded"), False),
    ("scan.batch_viewed", _("Scanned mail opened"), False),
    ("scan.separators_printed", _("Separator sheets printed"), False),
    ("scan.segment_assigned", _("Scanned pages assigned to a case file"), True),
    ("scan.file_imported", _("Scanned file imported"), False),
    # events and webhooks (also registered by events.apps)
    ("events.webhook.created", _("Webhook created"), False),
    ("events.webhook.changed", _("Webhook changed"), False),
    ("events.webhook.secret_rotated", _("Webhook secret rotated"), False),
    ("events.webhook.deleted", _("Webhook deleted"), False),
    ("events.webhook.redelivered", _("Failed webhook sent again"), False),
    # integration API: resources other than documents and events (api/views_*.py)
    ("household.synced", _("Household data updated from the specialist system"), True),
    ("api.households_listed", _("Households read by a connected system"), False),
    ("api.household_read", _("Household data read by a connected system"), True),
    ("api.letter_read", _("Letter read by a connected system"), True),
    ("api.docrequest_read", _("Document request read by a connected system"), True),
    ("api.submissions_listed", _("Online applications read by a connected system"), False),
    ("api.submission_read", _("Online application read by a connected system"), True),
    ("api.upload_completed", _("Document uploaded by a connected system"), True),
    # the audit log itself
    ("audit.epoch_sealed", _("Audit log month sealed"), False),
    ("audit.epochs_pruned", _("Old months of the audit log deleted"), False),
    ("audit.access_log_exported", _("Access log exported (data-subject access request)"), True),
    # records management: retention, archive offer, destruction
    ("records.hold.placed", _("Legal hold placed"), False),
    ("records.hold.released", _("Legal hold released"), False),
    ("records.proposal.built", _("Destruction proposal built"), False),
    ("records.proposal.viewed", _("Destruction proposal opened"), False),
    ("records.proposal.item_excluded", _("Record taken out of a destruction proposal"), False),
    ("records.proposal.submitted", _("Destruction proposed"), False),
    ("records.proposal.cancelled", _("Destruction proposal cancelled"), False),
    ("records.offer.built", _("Records offered to the state archive (0501)"), False),
    ("records.evaluation.imported", _("Archive's evaluation imported (0502)"), False),
    ("records.handover.built", _("Records handed over to the state archive (0503)"), False),
    ("records.receipt.imported", _("Archive's receipt imported (0504)"), False),
    ("records.proposal.approved", _("Destruction approved"), False),
    ("records.destroyed", _("Records destroyed after their retention period"), False),
]:
    register_action(_name, _label, citizen_visible=_visible)
    DECLARED.add(_name)
