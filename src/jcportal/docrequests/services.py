"""Writes for document requests: create, upload against an item, check each answer (accept, reject
with a reason, tick by hand), extend the deadline, withdraw, remind, and the request and reminder
letters (PDF with the Rechtsfolgenbelehrung, § 66 (3) SGB I) for the post or the portal postbox."""

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

from .models import DocumentRequest, DocumentRequestItem, DocumentRequestLetter

logger = logging.getLogger(__name__)

REJECTED = {Document.Status.REJECTED, Document.Status.QUARANTINED}


State = DocumentRequestItem.State


class RequestError(ValueError):
    """A decision that does not fit the item's or request's state (the view shows the message)."""


def item_has_arrived(item: DocumentRequestItem) -> bool:
    """An item counts as arrived once an answer is there that the intake did not reject (received and
    being checked, or accepted), or staff ticked it by hand."""
    if item.state not in (State.RECEIVED, State.ACCEPTED):
        return False
    if item.received_on_paper:
        return True
    if item.arrived_at is None or item.document_id is None:
        return False
    document = item.document
    return document is not None and document.status not in REJECTED


def item_is_done(item: DocumentRequestItem) -> bool:
    """Accepted by staff (or ticked by hand) and not rejected by the intake afterwards."""
    return item.state == State.ACCEPTED and item_has_arrived(item)


def item_needs_answer(item: DocumentRequestItem) -> bool:
    """The citizen can (and should) send something for this item: missing, rejected, or unusable."""
    return not item_has_arrived(item)


def refresh_completion(doc_request: DocumentRequest) -> bool:
    """Set or clear ``completed_at`` from the items; returns whether the request is complete.

    Complete means: every required item is accepted or ticked by hand (or, if all items are optional,
    at least one is). An answer that is only received does not complete the request.
    """
    items = list(doc_request.items.select_related("document"))
    required = [i for i in items if not i.optional]
    relevant = required or items
    done = [item_is_done(i) for i in relevant]
    complete = all(done) if required else any(done)
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
    issue_letter(
        doc_request=doc_request,
        kind=DocumentRequestLetter.Kind.REQUEST,
        actor=actor or created_by,
        request=request,
    )
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
    """``document`` answers ``item``: received, to be checked by staff (also for a scanned document or
    one from another channel). Nothing is complete until staff accept the answer."""
    item = DocumentRequestItem.objects.select_for_update().select_related("request").get(pk=item.pk)
    item.document = document
    item.arrived_at = timezone.now()
    item.state = State.RECEIVED
    item.decided_at = None
    item.decided_by = None
    item.received_on_paper = False
    item.save(
        update_fields=["document", "arrived_at", "state", "decided_at", "decided_by", "received_on_paper"]
    )
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
    if item.document_id != document.pk or item.state == State.ACCEPTED:
        return False
    item.document = None
    item.arrived_at = None
    item.state = State.REJECTED if item.rejection_reason else State.MISSING
    item.save(update_fields=["document", "arrived_at", "state"])
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
    for doc_request in list(candidates.select_related("household")):
        if remind(doc_request=doc_request):
            reminded += 1
    return reminded


# --- checking the answers (staff) ------------------------------------------------------------------------


def _locked_item(item: DocumentRequestItem) -> DocumentRequestItem:
    return (
        DocumentRequestItem.objects.select_for_update(of=("self",))
        .select_related("request", "document")
        .get(pk=item.pk)
    )


def _check_open(doc_request: DocumentRequest) -> None:
    if doc_request.withdrawn_at is not None:
        raise RequestError(_("This request was withdrawn."))


def _decided(item: DocumentRequestItem, actor: Any, state: str) -> None:
    item.state = state
    item.decided_at = timezone.now()
    item.decided_by = actor if getattr(actor, "pk", None) else None


@transaction.atomic
def accept_answer(*, item: DocumentRequestItem, actor: Any, request: HttpRequest | None = None) -> bool:
    """Staff accept the received answer of ``item``; returns whether the request is now complete."""
    item = _locked_item(item)
    _check_open(item.request)
    if item.state != State.RECEIVED or not item_has_arrived(item):
        raise RequestError(_("There is no received answer to accept for this item."))
    _decided(item, actor, State.ACCEPTED)
    item.save(update_fields=["state", "decided_at", "decided_by"])
    complete = refresh_completion(item.request)
    audit(
        "docrequest.item_accepted",
        request=request,
        actor=actor,
        obj=item.request,
        household=item.request.household,
        details={"item": item.pk, "document": str(item.document_id), "complete": complete},
    )
    return complete


@transaction.atomic
def reject_answer(
    *, item: DocumentRequestItem, actor: Any, reason: str, request: HttpRequest | None = None
) -> None:
    """Staff reject the answer of ``item`` with a reason the citizen sees; the item is open again."""
    reason = (reason or "").strip()
    if not reason:
        raise RequestError(_("Give the reason for the rejection: the citizen sees it."))
    item = _locked_item(item)
    _check_open(item.request)
    if item.state not in (State.RECEIVED, State.ACCEPTED):
        raise RequestError(_("There is no answer to reject for this item."))
    _decided(item, actor, State.REJECTED)
    item.rejection_reason = reason
    item.arrived_at = None
    item.received_on_paper = False
    item.save(
        update_fields=[
            "state",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "arrived_at",
            "received_on_paper",
        ]
    )
    refresh_completion(item.request)
    audit(
        "docrequest.item_rejected",
        request=request,
        actor=actor,
        obj=item.request,
        household=item.request.household,
        details={"item": item.pk, "document": str(item.document_id)},
    )
    household = item.request.household
    transaction.on_commit(lambda: notify_household(household, reason="new"))


@transaction.atomic
def tick_item(*, item: DocumentRequestItem, actor: Any, request: HttpRequest | None = None) -> bool:
    """Staff tick an item by hand: received on paper (or otherwise seen). Returns whether complete."""
    item = _locked_item(item)
    _check_open(item.request)
    if item_is_done(item):
        return refresh_completion(item.request)
    if item_has_arrived(item):  # an answer is waiting: that is a decision (accept or reject), not a tick
        raise RequestError(_("An answer was received for this item: accept or reject it."))
    _decided(item, actor, State.ACCEPTED)
    item.received_on_paper = True
    item.arrived_at = item.arrived_at or timezone.now()
    item.save(update_fields=["state", "decided_at", "decided_by", "received_on_paper", "arrived_at"])
    complete = refresh_completion(item.request)
    audit(
        "docrequest.item_ticked",
        request=request,
        actor=actor,
        obj=item.request,
        household=item.request.household,
        details={"item": item.pk, "complete": complete},
    )
    return complete


@transaction.atomic
def extend_deadline(
    *, doc_request: DocumentRequest, deadline: dt.date, actor: Any, request: HttpRequest | None = None
) -> DocumentRequest:
    """Staff give the household more time. The citizen sees the new deadline; a new reminder is due."""
    doc_request = DocumentRequest.objects.select_for_update().get(pk=doc_request.pk)
    if not doc_request.is_open:
        raise RequestError(_("Only an open request can get a new deadline."))
    if deadline <= doc_request.deadline or deadline <= timezone.localdate():
        raise RequestError(_("The new deadline must be later than the current one and in the future."))
    previous = doc_request.deadline
    doc_request.original_deadline = doc_request.original_deadline or previous
    doc_request.deadline = deadline
    doc_request.deadline_extended_at = timezone.now()
    doc_request.reminder_sent_at = None
    doc_request.save(
        update_fields=["original_deadline", "deadline", "deadline_extended_at", "reminder_sent_at"]
    )
    audit(
        "docrequest.deadline_extended",
        request=request,
        actor=actor,
        obj=doc_request,
        household=doc_request.household,
        details={"from": previous.isoformat(), "to": deadline.isoformat()},
    )
    household = doc_request.household
    transaction.on_commit(lambda: notify_household(household, reason="new"))
    return doc_request


def overdue_requests(day: dt.date | None = None) -> Any:
    """Open requests whose deadline has passed (all households), earliest deadline first: for follow-ups
    (Wiedervorlage) and statistics. A queryset of ``DocumentRequest`` with the household selected."""
    return DocumentRequest.objects.overdue(day).select_related("household").order_by("deadline", "pk")


# --- letters ---------------------------------------------------------------------------------------------


def has_portal_account(household: Household) -> bool:
    """Whether someone can read the household's letters in the portal (citizen or reading representative)."""
    from jcportal.casework.services import portal_recipients

    return bool(portal_recipients(household.pk))


def letter_context(doc_request: DocumentRequest, kind: str, deadline: dt.date, date: Any) -> dict[str, Any]:
    household = doc_request.household
    office = household.service_office
    jobcenter = office.jobcenter if office else None
    items = list(doc_request.items.order_by("position", "pk"))
    return {
        "doc_request": doc_request,
        "household": household,
        "head": household.head,
        "office": office,
        "jobcenter": jobcenter,
        "kind": kind,
        "is_reminder": kind == DocumentRequestLetter.Kind.REMINDER,
        "deadline": deadline,
        "letter_date": date,
        "reference": reference(doc_request),
        "items": [i for i in items if not item_is_done(i)]
        if kind == DocumentRequestLetter.Kind.REMINDER
        else items,
        "caseworker": doc_request.created_by,
    }


def reference(doc_request: DocumentRequest) -> str:
    """The request's number in letters and on the pages (Vorgangsnummer of the Mitwirkungsaufforderung)."""
    return f"MA-{doc_request.created_at:%Y}-{doc_request.pk:06d}"


def render_letter(letter: DocumentRequestLetter) -> bytes:
    """The letter as a print-ready PDF (A4, DIN 5008 window envelope), always in German: it is the
    legally binding text. The citizen portal explains it in the citizen's language."""
    from jcportal.core.pdf import render_pdf

    context = letter_context(
        letter.request, letter.kind, letter.deadline, timezone.localtime(letter.created_at).date()
    )
    return render_pdf("pdf/docrequest_letter.html", context, language="de")


def print_letter(*, letter: DocumentRequestLetter, actor: Any, request: HttpRequest | None = None) -> bytes:
    """Staff download the letter to print it (audited: it carries social data)."""
    pdf = render_letter(letter)
    audit(
        "docrequest.letter_printed",
        request=request,
        actor=actor,
        obj=letter.request,
        household=letter.request.household,
        details={"letter": letter.pk, "kind": letter.kind},
    )
    return pdf


def letter_filename(letter: DocumentRequestLetter) -> str:
    word = "Erinnerung" if letter.kind == DocumentRequestLetter.Kind.REMINDER else "Aufforderung"
    return f"{word}-Mitwirkung-{reference(letter.request)}.pdf"


def issue_letter(
    *, doc_request: DocumentRequest, kind: str, actor: Any = None, request: HttpRequest | None = None
) -> DocumentRequestLetter:
    """Write the request or reminder letter. With a portal account it is released to the household's
    postbox (which sends the § 37 (2a) SGB X notice); without one it waits to be printed and posted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = actor if getattr(actor, "pk", None) else None
    postbox = has_portal_account(doc_request.household)
    with transaction.atomic():
        letter = DocumentRequestLetter.objects.create(
            request=doc_request,
            kind=kind,
            channel=DocumentRequestLetter.Channel.POSTBOX if postbox else DocumentRequestLetter.Channel.POST,
            deadline=doc_request.deadline,
            created_by=staff,
        )
        if postbox:
            from jcportal.casework.services import release_document
            from jcportal.documents.services import accept_upload

            title = (
                "Erinnerung: Aufforderung zur Mitwirkung"
                if kind == DocumentRequestLetter.Kind.REMINDER
                else "Aufforderung zur Mitwirkung"
            )
            pdf = SimpleUploadedFile(letter_filename(letter), render_letter(letter), "application/pdf")
            document = accept_upload(
                household=doc_request.household,
                uploaded_by=staff,
                doc_type="schreiben",
                title=title,
                files=[pdf],
                channel=Document.Channel.BACKOFFICE,
                direction=Document.Direction.OUTBOUND,
                request=request,
            )
            document.refresh_from_db()
            release_document(document, by=staff, actor=actor, request=request)
            # one e-mail per person: the request's own note (``notify_household``) says there is news
            from jcportal.casework.models import Notification

            Notification.objects.filter(document=document, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            letter.document = document
            letter.save(update_fields=["document"])
        audit(
            "docrequest.letter_issued",
            request=request,
            actor=actor,
            obj=doc_request,
            household=doc_request.household,
            details={"letter": letter.pk, "kind": kind, "channel": letter.channel},
        )
    return letter


@transaction.atomic
def record_letter_posted(
    *, letter: DocumentRequestLetter, actor: Any, request: HttpRequest | None = None
) -> DocumentRequestLetter:
    """Staff record that the printed letter was put in the post (audited)."""
    letter = DocumentRequestLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.sent_by_post_at is not None:
        return letter
    letter.sent_by_post_at = timezone.now()
    letter.sent_by_post_by = actor if getattr(actor, "pk", None) else None
    letter.save(update_fields=["sent_by_post_at", "sent_by_post_by"])
    audit(
        "docrequest.letter_posted",
        request=request,
        actor=actor,
        obj=letter.request,
        household=letter.request.household,
        details={"letter": letter.pk, "kind": letter.kind},
    )
    return letter


def remind(*, doc_request: DocumentRequest, actor: Any = None, request: HttpRequest | None = None) -> bool:
    """Remind the household of an open request now (by staff, or the daily run): the e-mail note and the
    reminder letter. Each request is reminded once per deadline; returns whether it was reminded."""
    if not doc_request.is_open or refresh_completion(doc_request):
        return False
    claimed = DocumentRequest.objects.filter(pk=doc_request.pk, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
    if not claimed:
        return False
    doc_request.refresh_from_db()
    issue_letter(
        doc_request=doc_request, kind=DocumentRequestLetter.Kind.REMINDER, actor=actor, request=request
    )
    notify_household(doc_request.household, reason="reminder")
    audit(
        "docrequest.reminded", request=request, actor=actor, obj=doc_request, household=doc_request.household
    )
    return True
