"""The clearing team's work (Eingangszone): items without a household get one, and are then routed by
the normal rules (``routing.decide``), each with its inbox event and audit entry.

``assign_to_household`` places a document the intake could not match; ``reroute_after_placing`` is what
other workflows call after they gave documents a household (an Erstantrag registered as a new household,
``eforms.services.convert_preregistration``). Access is decided in ``accounts.policy`` (``can_clear_items``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.documents import storage_keys
from jcportal.documents.models import Document
from jcportal.households.models import Household

from . import services
from .models import InboxEvent, InboxItem


class ClearingError(Exception):
    """The item cannot be cleared this way; the message says why (translated)."""


def needs_clearing(item: InboxItem) -> bool:
    """An item the clearing team has to place: no household, or handed over by the intake."""
    return item.document.household_id is None or services._is_clearing(item)


def why(item: InboxItem) -> list[str]:
    """Why the item is in the clearing inbox: its routing reasons and the intake's notes."""
    return item.reason_lines()


def quarantine_verdict(document: Document) -> str:
    """The virus scanner's verdict on a quarantined document ("" for any other document)."""
    if document.status != Document.Status.QUARANTINED:
        return ""
    return (document.rejection_detail or "").strip() or str(_("The virus scanner rejected the file."))


def _close_open_items(document: Document, actor: Any, note: str) -> list[InboxItem]:
    closed = []
    for item in document.inbox_items.exclude(state=InboxItem.State.DONE).select_related("document"):
        services._close(item, actor, note)
        closed.append(item)
    return closed


@transaction.atomic
def reroute_after_placing(documents: list[Document], *, actor: Any, note: str = "") -> list[InboxItem]:
    """The documents now have a household: their open clearing items are done (with an event each) and
    each document is routed again by the normal rules, as if it had arrived for that household."""
    routed: list[InboxItem] = []
    for document in documents:
        if document.household_id is None or document.direction == Document.Direction.OUTBOUND:
            continue
        if document.status == Document.Status.QUARANTINED:
            continue
        _close_open_items(document, actor, note)
        routed += services._route_now(document, note=note)
    return routed


@transaction.atomic
def assign_to_household(
    item: InboxItem, household: Household, *, actor: Any, request: HttpRequest | None = None
) -> list[InboxItem]:
    """ "Assign to household": the document of a clearing item belongs to ``household``; it is routed by
    the normal rules (the new items are returned) and leaves an inbox event and an audit entry."""
    if not policy.can_clear_items(actor):
        raise ClearingError(_("Only members of a clearing team assign documents to households."))
    document = Document.objects.select_for_update().get(pk=item.document_id)
    if document.status == Document.Status.QUARANTINED:
        raise ClearingError(_("A quarantined document cannot be assigned: the virus scanner rejected it."))
    if document.household_id is not None and document.household_id != household.pk:
        raise ClearingError(_("This document already belongs to another household."))
    if document.household_id is None:
        document.household = household
        document.save(update_fields=["household"])
        storage_keys.rekey_after_commit([document.pk])
    note = str(_("Assigned to household %(bg)s by the clearing team.") % {"bg": household.bg_number})
    InboxEvent.objects.create(
        document=document,
        item=item,
        actor=policy.user_of(actor),
        action=InboxEvent.Action.REASSIGNED,
        target=household.bg_number,
        note=note,
    )
    routed = reroute_after_placing([document], actor=policy.user_of(actor), note=note)
    audit(
        "inbox.assigned_to_household",
        request=request,
        actor=actor,
        obj=document,
        household=household.pk,
        details={"inbox_item": item.pk, "routed_to": [i.pk for i in routed]},
    )
    return routed


def submission_of(item: InboxItem) -> Any:
    """The Erstantrag (a filed pre-registration without a household) whose copy for the file or evidence
    the item holds; None for any other item."""
    from django.apps import apps

    Submission = apps.get_model("eforms", "Submission")
    found = (
        Submission.objects.filter(household__isnull=True)
        .filter(Q(document_id=item.document_id) | Q(evidence__document_id=item.document_id))
        .exclude(status=Submission.Status.DRAFT)
        .first()
    )
    if found is None or found.definition.workflow != "preregistration":
        return None
    return found
