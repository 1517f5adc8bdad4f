"""Writes for document requests: create, upload against an item, withdraw, remind."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jcportal.accounts.models import Representation, Role, User
from jcportal.audit.services import audit
from jcportal.documents import types
from jcportal.documents.models import Document
from jcportal.events.services import emit_for
from jcportal.households.models import Household
from jcportal.mail.services import send_mail

from .models import DocumentRequest, DocumentRequestItem

logger = logging.getLogger(__name__)

REJECTED = {Document.Status.REJECTED, Document.Status.QUARANTINED}


def item_has_arrived(item: DocumentRequestItem) -> bool:
    """An item counts as arrived once a document was sent for it that the intake did not reject."""
    if item.arrived_at is None or item.document_id is None:
        return False
    document = item.document
    return document is not None and document.status not in REJECTED


def refresh_completion(doc_request: DocumentRequest) -> bool:
    """Set or clear ``completed_at`` from the items; returns whether the request is complete.

    Complete means: every required item arrived (or, if all items are optional, at least one did).
    """
    items = list(doc_request.items.select_related("document"))
    required = [i for i in items if not i.optional]
    relevant = required or items
    if required:
        complete = all(item_has_arrived(i) for i in required)
    else:
        complete = any(item_has_arrived(i) for i in relevant)
    if doc_request.withdrawn_at is not None:
        return False
    if complete and doc_request.completed_at is None:
        doc_request.completed_at = timezone.now()
        doc_request.save(update_fields=["completed_at"])
    elif not complete and doc_request.completed_at is not None:
        doc_request.completed_at = None
        doc_request.save(update_fields=["completed_at"])
    return complete


@transaction.atomic
def create_request(
    *,
    household: Household,
    created_by: Any,
    explanation: str,
    deadline: dt.date,
    items: Sequence[dict[str, Any]],
    request: HttpRequest | None = None,
    actor: Any = None,
) -> DocumentRequest:
    """Create a request with its items (each a dict with ``doc_type``, ``explanation``, ``optional``).
    ``actor`` (an ``Actor``) is who the audit records when no staff member creates it (an API client)."""
    if not items:
        raise ValueError("a document request needs at least one item")
    doc_request = DocumentRequest.objects.create(
        household=household, created_by=created_by, explanation=explanation, deadline=deadline
    )
    for position, item in enumerate(items, start=1):
        DocumentRequestItem.objects.create(
            request=doc_request,
            position=position,
            doc_type=types.get(item["doc_type"]).code,
            explanation=item.get("explanation", ""),
            optional=bool(item.get("optional", False)),
        )
    audit(
        "docrequest.created",
        request=request,
        actor=actor or created_by,
        obj=doc_request,
        household=household,
        details={"items": len(items), "deadline": deadline.isoformat()},
    )
    emit_for("de.jcportal.docrequest.created", doc_request)
    transaction.on_commit(lambda: notify_household(household, reason="new"))
    return doc_request


def upload_for_item(
    *,
    item: DocumentRequestItem,
    uploaded_by: Any,
    files: Iterable[Any],
    note: str = "",
    by_representative: bool = False,
    request: HttpRequest | None = None,
) -> Document:
    """The citizen (or representative) sends documents for one item: the normal intake, then link."""
    from jcportal.documents.services import accept_upload

    doc_request = item.request
    document = accept_upload(
        household=doc_request.household,
        uploaded_by=uploaded_by,
        doc_type=item.doc_type,
        title=types.canonical_label(item.doc_type),
        files=list(files),
        note=note,
        channel=Document.Channel.PORTAL,
        direction=Document.Direction.INBOUND,
        by_representative=by_representative,
        request=request,
    )
    link_document(item=item, document=document, actor=uploaded_by, request=request)
    return document


@transaction.atomic
def link_document(
    *, item: DocumentRequestItem, document: Document, actor: Any = None, request: HttpRequest | None = None
) -> None:
    """Mark ``item`` as arrived with ``document`` (also used by staff for a document from another channel)."""
    item = DocumentRequestItem.objects.select_for_update().select_related("request").get(pk=item.pk)
    item.document = document
    item.arrived_at = timezone.now()
    item.save(update_fields=["document", "arrived_at"])
    complete = refresh_completion(item.request)
    audit(
        "docrequest.item_arrived",
        request=request,
        actor=actor,
        obj=item.request,
        household=item.request.household,
        details={"item": item.pk, "document": str(document.pk), "complete": complete},
    )
    emit_for(
        "de.jcportal.docrequest.answered", item.request, item=item.pk, document=document.pk, complete=complete
    )


def answer_from_upload(
    document: Document, *, item: DocumentRequestItem | None = None, actor: Any = None, request: Any = None
) -> DocumentRequestItem | None:
    """A document sent the ordinary way ("Send documents") answers an open request: the item the citizen
    chose, or else the first missing item of the same type (earliest deadline). The receipt page says so
    and offers to undo it (``unlink_document``). Returns the item that now counts, if any."""
    from .selectors import missing_items

    household = document.household
    if household is None:
        return None
    candidates = missing_items(household)
    if item is not None:
        chosen = next((c for c in candidates if c.pk == item.pk), None)
    else:
        chosen = next((c for c in candidates if c.doc_type == document.doc_type), None)
    if chosen is None:
        return None
    link_document(item=chosen, document=document, actor=actor, request=request)
    return chosen


@transaction.atomic
def unlink_document(
    *, item: DocumentRequestItem, document: Document, actor: Any = None, request: Any = None
) -> bool:
    """The citizen says the document was not meant for this item: it is missing again."""
    item = DocumentRequestItem.objects.select_for_update().select_related("request").get(pk=item.pk)
    if item.document_id != document.pk:
        return False
    item.document = None
    item.arrived_at = None
    item.save(update_fields=["document", "arrived_at"])
    refresh_completion(item.request)
    audit(
        "docrequest.item_unlinked",
        request=request,
        actor=actor,
        obj=item.request,
        household=item.request.household,
        details={"item": item.pk, "document": str(document.pk)},
    )
    return True


@transaction.atomic
def withdraw_request(*, doc_request: DocumentRequest, actor: Any, request: HttpRequest | None = None) -> None:
    if doc_request.withdrawn_at is not None:
        return
    doc_request.withdrawn_at = timezone.now()
    doc_request.save(update_fields=["withdrawn_at"])
    audit(
        "docrequest.withdrawn", request=request, actor=actor, obj=doc_request, household=doc_request.household
    )


def _recipients(household: Household) -> list[User]:
    """Citizens of the household and its representatives who may send documents, if they opted in."""
    representatives = Representation.objects.active().with_scope("upload").filter(household=household)
    return list(
        User.objects.filter(is_active=True, notify_by_email=True)
        .filter(
            Q(role=Role.CITIZEN, person__household=household)
            | Q(role=Role.REPRESENTATIVE, pk__in=representatives.values("representative_id"))
        )
        .exclude(email="")
        .distinct()
    )


def notify_household(household: Household, *, reason: str) -> int:
    """Send the opt-in e-mail note: only that there is something new, never any social data."""
    sent = 0
    portal_url = settings.SITE_URL.rstrip("/") + reverse("portal:requests")
    for user in _recipients(household):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            if reason == "reminder":
                subject = _("Reminder: the Jobcenter is waiting for documents")
            else:
                subject = _("There is something new in your Jobcenter portal")
            body = _(
                "Hello,\n\nthere is something new for you in your Jobcenter portal. "
                "Please log in to see it:\n%(url)s\n\nThis e-mail was sent automatically. "
                "You can switch these notes off in your account settings."
            ) % {"url": portal_url}
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        except OSError:
            logger.warning("could not send document request e-mail to user %s", user.pk)
    return sent


def reopen_rejected() -> int:
    """Requests marked complete whose document the intake later rejected are open again."""
    stale = DocumentRequest.objects.filter(
        completed_at__isnull=False, withdrawn_at__isnull=True, items__document__status__in=REJECTED
    ).distinct()
    return sum(1 for doc_request in stale if not refresh_completion(doc_request))


def send_reminders(today: dt.date | None = None) -> int:
    """Remind households of open requests whose deadline is near. Each request is reminded once.

    Idempotent: a request is claimed by a conditional update before its e-mails are sent, so two
    workers (or a second run on the same day) never remind twice.
    """
    today = today or timezone.localdate()
    reopen_rejected()
    horizon = today + dt.timedelta(days=getattr(settings, "DOCUMENT_REQUEST_REMINDER_DAYS", 3))
    candidates = DocumentRequest.objects.open().filter(
        reminder_sent_at__isnull=True, deadline__gte=today, deadline__lte=horizon
    )
    reminded = 0
    for doc_request in candidates.select_related("household").iterator():
        if refresh_completion(doc_request):
            continue
        claimed = DocumentRequest.objects.filter(pk=doc_request.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            continue
        notify_household(doc_request.household, reason="reminder")
        audit("docrequest.reminded", obj=doc_request, household=doc_request.household)
        reminded += 1
    return reminded
