"""Corrections staff make to a document: type and title, household, pages (split, merge, rotate), and
deletion with a second person's approval (four-eyes).

Every function takes the acting staff member (a user or an ``Actor``), asks
``accounts.policy.can_correct_document``, records a ``Correction`` (the document's history) and audits it.
The inbox keeps its own items in step (``inbox.corrections``). A deletion removes the document's stored
objects and its rows; its ``DeletionRequest`` stays as the tombstone (what, why, who asked, who approved),
and a citizen whose own upload was removed is told in their language (portal notice, e-mail if wanted).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pikepdf
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jcportal.accounts import policy
from jcportal.accounts.models import Representation, Role
from jcportal.audit.services import audit
from jcportal.core import storage
from jcportal.events.services import emit_for
from jcportal.households.models import Household
from jcportal.mail.services import send_mail

from . import delivery, normalise, services, storage_keys, types
from .models import Correction, DeletionRequest, Document, OriginalFile

ANGLES = (90, 180, 270)
NOTICE_DAYS = 90  # how long a citizen sees the notice that their upload was removed


class CorrectionError(ValueError):
    """The correction cannot be made; the message is for the staff member (translated)."""


def _user(actor: Any) -> Any:
    return policy.user_of(actor)


def _require(actor: Any, document: Document) -> None:
    if not policy.can_correct_document(actor, document):
        raise PermissionDenied


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _record(
    document: Document, kind: str, actor: Any, *, target: str = "", note: str = "", **details: Any
) -> Correction:
    correction = Correction.objects.create(
        document=document, kind=kind, actor=_user(actor), target=target[:200], note=note, details=details
    )
    audit(
        "document.corrected",
        actor=actor,
        obj=document,
        household=document.household_id,
        details={"kind": kind, "target": target[:200], **details},
    )
    return correction


def history(document: Document) -> QuerySet[Correction]:
    return Correction.objects.filter(document=document).select_related("actor").order_by("at", "pk")


# --- type and title ----------------------------------------------------------------------------------


@transaction.atomic
def retype(actor: Any, document: Document, *, doc_type: str, title: str = "") -> bool:
    """Change the document's type and title (an empty title: the type's name). Returns whether anything
    changed. When the new type is handled by another function (benefits / integration), the document is
    routed again."""
    _require(actor, document)
    if doc_type not in types.BY_CODE:
        raise CorrectionError(_("Choose a document type."))
    title = (title or "").strip()[:200] or services.normalise_title(doc_type)
    before = {"doc_type": document.doc_type, "title": document.title}
    if before == {"doc_type": doc_type, "title": title}:
        return False
    function_changed = types.get(document.doc_type).function != types.get(doc_type).function
    document.doc_type, document.title = doc_type, title
    document.save(update_fields=["doc_type", "title"])
    with translation.override(settings.LANGUAGE_CODE):
        target = f"{types.label(doc_type)}: {title}"
    _record(
        document,
        Correction.Kind.RETYPED,
        actor,
        target=target,
        before=before,
        after={"doc_type": doc_type, "title": title},
    )
    if function_changed and document.household_id is not None:
        delivery.reroute(document, user=_user(actor))
    else:
        delivery.refresh_copies(document)
    return True


# --- household ---------------------------------------------------------------------------------------


def find_households(actor: Any, query: str, *, exclude: Any = None) -> list[Household]:
    """Households to move a document to: BG number or surname (prefix), for staff who may search
    households (names and BG numbers only, no documents)."""
    term = (query or "").strip()
    if not term or not policy.can_search_households(actor):
        return []
    found = Household.objects.filter(
        Q(bg_number__istartswith=term) | Q(members__last_name__istartswith=term)
    ).distinct()
    if exclude is not None:
        found = found.exclude(pk=getattr(exclude, "pk", exclude))
    return list(found.prefetch_related("members").order_by("bg_number")[:20])


def is_theirs(document: Document, household: Household | None) -> bool:
    """Whether the document's sender belongs to ``household`` (a member's account or a representative
    of it): only then does that household's portal show a document staff moved into it."""
    sender = document.uploaded_by
    if household is None or sender is None:
        return False
    if sender.role == Role.CITIZEN and sender.person_id is not None:
        return bool(sender.person.household_id == household.pk)
    if sender.role == Role.REPRESENTATIVE:
        return Representation.objects.active().filter(representative=sender, household=household).exists()
    return False


@transaction.atomic
def move(actor: Any, document: Document, *, household: Household, note: str = "") -> Document:
    """Move the document (misfiled) to another household and route it there by the normal rules. The
    previous household's portal no longer lists it; the new one's does only if the sender belongs to it."""
    _require(actor, document)
    if household is None or household.pk == document.household_id:
        raise CorrectionError(_("Choose another household."))
    if document.released_at and not document.release_revoked_at:
        raise CorrectionError(_("The document is released to the citizen: revoke the release first."))
    previous = document.household
    document.household = household
    document.household_corrected_at = timezone.now()
    document.duplicate_of = None
    document.save(update_fields=["household", "household_corrected_at", "duplicate_of"])
    _record(
        document,
        Correction.Kind.MOVED,
        actor,
        target=household.bg_number,
        note=note,
        previous=previous.bg_number if previous else "",
        to=household.bg_number,
        previous_household=previous.pk if previous else None,
    )
    delivery.reroute(document, user=_user(actor), note=note)
    # The stored objects and encrypted columns follow the new household's data key.
    storage_keys.rekey_after_commit([document.pk], *document.corrections.all(), *document.inbox_events.all())
    return document


# --- pages -------------------------------------------------------------------------------------------


def _pdf_bytes(document: Document) -> bytes:
    if not document.pdf:
        raise CorrectionError(_("The document has no PDF yet."))
    with document.pdf.open("rb") as handle:
        return bytes(handle.read())


def _keep_pages(data: bytes, numbers: Iterable[int]) -> bytes:
    """The PDF with only the pages ``numbers`` (1-based, in the document's order)."""
    keep = set(numbers)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for index in reversed(range(len(pdf.pages))):
            if index + 1 not in keep:
                del pdf.pages[index]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _stored_names(document: Document) -> list[str]:
    names = [n for n in (document.pdf.name, document.thumbnail.name) if n]
    with contextlib.suppress(FileNotFoundError, OSError):
        names += list(storage.iter_names(f"previews/{document.pk}"))
    return names


def _replace_pdf(document: Document, data: bytes) -> None:
    """Store ``data`` as the document's PDF (new name, new checksum, new thumbnail); the previous files
    are removed once the change committed."""
    old = _stored_names(document)
    document.pdf.save("document.pdf", ContentFile(data), save=False)
    services._fsync(str(document.pdf.name))
    document.thumbnail.save("thumbnail.png", ContentFile(normalise.thumbnail_png(data)), save=False)
    document.pdf_sha256 = hashlib.sha256(data).hexdigest()
    document.page_count = normalise.page_count(data)
    document.save(update_fields=["pdf", "thumbnail", "pdf_sha256", "page_count"])
    _delete_after_commit(old)


def _delete_after_commit(names: list[str]) -> None:
    def run() -> None:
        for name in names:
            with contextlib.suppress(FileNotFoundError, OSError):
                storage.delete(name)

    transaction.on_commit(run)


def parse_pages(text: str, page_count: int) -> list[int]:
    """``"3-5, 7"`` → [3, 4, 5, 7]; a CorrectionError when a page does not exist."""
    numbers: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().replace("–", "-")
        if not part:
            continue
        first, _sep, last = part.partition("-")
        if not first.strip().isdigit() or (last and not last.strip().isdigit()):
            raise CorrectionError(_("Enter pages as numbers, for example 3-5 or 2, 4."))
        start, end = int(first), int(last or first)
        if start > end:
            start, end = end, start
        numbers.update(range(start, end + 1))
    if not numbers:
        raise CorrectionError(_("Enter the pages, for example 3-5."))
    if min(numbers) < 1 or max(numbers) > page_count:
        raise CorrectionError(_("The document has %(count)s pages.") % {"count": page_count})
    return sorted(numbers)


@transaction.atomic
def split(actor: Any, document: Document, *, pages: list[int], doc_type: str, title: str = "") -> Document:
    """Pages of the document become a new document of their own (own receipt number, own inbox item;
    same household, sender and date of receipt). The document keeps the other pages."""
    _require(actor, document)
    if doc_type not in types.BY_CODE:
        raise CorrectionError(_("Choose a document type."))
    count = document.page_count
    pages = sorted(set(pages))
    if not pages or min(pages) < 1 or max(pages) > count:
        raise CorrectionError(_("The document has %(count)s pages.") % {"count": count})
    if len(pages) == count:
        raise CorrectionError(_("Leave at least one page in the document."))
    data = _pdf_bytes(document)
    part = _keep_pages(data, pages)
    rest = _keep_pages(data, [n for n in range(1, count + 1) if n not in pages])
    now = timezone.now()
    new = Document.objects.create(
        household=document.household,
        uploaded_by=document.uploaded_by,
        by_representative=document.by_representative,
        doc_type=doc_type,
        title=(title or "").strip()[:200] or services.normalise_title(doc_type),
        channel=document.channel,
        direction=document.direction,
        receipt_number=services.new_receipt_number(),
        received_at=document.received_at,
        checked_at=now,
        delivered_at=now,
        status=Document.Status.DELIVERED,
        page_count=normalise.page_count(part),
        pdf_sha256=hashlib.sha256(part).hexdigest(),
        pipeline_step="done",
        pipeline_updated_at=now,
        household_corrected_at=document.household_corrected_at,
    )
    new.pdf.save("document.pdf", ContentFile(part), save=False)
    services._fsync(str(new.pdf.name))
    new.thumbnail.save("thumbnail.png", ContentFile(normalise.thumbnail_png(part)), save=False)
    new.save(update_fields=["pdf", "thumbnail"])
    _replace_pdf(document, rest)
    label = ", ".join(str(n) for n in pages)
    _record(document, Correction.Kind.SPLIT, actor, target=new.receipt_number, pages=pages)
    _record(new, Correction.Kind.SPLIT_FROM, actor, target=document.receipt_number, pages=pages)
    audit(
        "document.generated",
        actor=actor,
        obj=new,
        household=new.household_id,
        details={"receipt_number": new.receipt_number, "split_from": document.receipt_number, "pages": label},
    )
    emit_for("de.jcportal.document.delivered", new)
    if new.direction == Document.Direction.INBOUND:
        delivery.deliver(new)
    return new


def merge_candidates(actor: Any, document: Document) -> QuerySet[Document]:
    """Documents of the same household that can be appended to ``document``."""
    if document.household_id is None:
        return Document.objects.none()
    return (
        Document.objects.filter(household_id=document.household_id, merged_into__isnull=True)
        .exclude(pk=document.pk)
        .exclude(pdf="")
        .exclude(status__in=[Document.Status.QUARANTINED, Document.Status.REJECTED])
        .order_by("-received_at")
    )


@transaction.atomic
def merge(actor: Any, document: Document, *, other: Document) -> Document:
    """Append the pages of ``other`` (same household) to ``document``. ``other`` stays, marked as appended
    (its receipt stays valid, its open inbox items are done)."""
    _require(actor, document)
    _require(actor, other)
    if other.pk == document.pk or other.household_id != document.household_id:
        raise CorrectionError(_("Choose another document of the same household."))
    if other.merged_into_id is not None or document.merged_into_id is not None:
        raise CorrectionError(_("This document was already appended to another one."))
    data = _pdf_bytes(document)
    extra = _pdf_bytes(other)
    with pikepdf.open(io.BytesIO(data)) as pdf, pikepdf.open(io.BytesIO(extra)) as appended:
        pdf.pages.extend(appended.pages)
        out = io.BytesIO()
        pdf.save(out)
    _replace_pdf(document, out.getvalue())
    other.merged_into = document
    other.save(update_fields=["merged_into"])
    _record(document, Correction.Kind.MERGED, actor, target=other.receipt_number)
    _record(other, Correction.Kind.MERGED_INTO, actor, target=document.receipt_number)
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Appended to %(receipt)s") % {"receipt": document.receipt_number}
    delivery.close_merged(other, user=_user(actor), note=note)
    return document


@transaction.atomic
def rotate(actor: Any, document: Document, *, angles: dict[int, int]) -> bool:
    """Turn pages clockwise: ``{page number: 90 | 180 | 270}``. Returns whether anything turned."""
    _require(actor, document)
    turns = {int(page): int(angle) % 360 for page, angle in angles.items() if int(angle) % 360}
    if any(angle not in ANGLES for angle in turns.values()):
        raise CorrectionError(_("Turn pages by 90, 180 or 270 degrees."))
    if any(page < 1 or page > document.page_count for page in turns):
        raise CorrectionError(_("The document has %(count)s pages.") % {"count": document.page_count})
    if not turns:
        return False
    with pikepdf.open(io.BytesIO(_pdf_bytes(document))) as pdf:
        for page, angle in turns.items():
            pdf.pages[page - 1].rotate(angle, relative=True)
        out = io.BytesIO()
        pdf.save(out)
    _replace_pdf(document, out.getvalue())
    target = ", ".join(f"{page}: {angle}°" for page, angle in sorted(turns.items()))
    _record(
        document, Correction.Kind.ROTATED, actor, target=target, angles={str(k): v for k, v in turns.items()}
    )
    return True


# --- deletion (four-eyes) ----------------------------------------------------------------------------


def pending_deletion(document: Document) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(document=document, state=DeletionRequest.State.PENDING).first()


def _tells_citizen(document: Document) -> bool:
    sender = document.uploaded_by
    return bool(
        sender is not None
        and sender.role in (Role.CITIZEN, Role.REPRESENTATIVE)
        and document.direction == Document.Direction.INBOUND
    )


@transaction.atomic
def request_deletion(
    actor: Any, document: Document, *, reason: str, explanation: str = ""
) -> DeletionRequest:
    """Ask for the document's deletion. Nothing is deleted until another staff member approves."""
    _require(actor, document)
    if reason not in DeletionRequest.Reason.values:
        raise CorrectionError(_("Choose a reason."))
    if reason == DeletionRequest.Reason.OTHER and not explanation.strip():
        raise CorrectionError(_("Explain the reason."))
    if pending_deletion(document) is not None:
        raise CorrectionError(_("The deletion of this document has already been requested."))
    if document.legal_holds.filter(released_at__isnull=True).exists():  # records: a legal hold stops it
        raise CorrectionError(_("The document is under a legal hold and cannot be deleted."))
    request = DeletionRequest.objects.create(
        document=document,
        household=document.household,
        uploaded_by=document.uploaded_by,
        receipt_number=document.receipt_number,
        title=document.title,
        doc_type=document.doc_type,
        channel=document.channel,
        received_at=document.received_at,
        reason=reason,
        explanation=explanation.strip(),
        requested_by=_user(actor),
        tell_citizen=_tells_citizen(document),
    )
    _record(
        document,
        Correction.Kind.DELETION_REQUESTED,
        actor,
        target=str(DeletionRequest.Reason(reason).label),
        note=explanation.strip(),
        reason=reason,
        request=request.pk,
    )
    return request


def can_decide(actor: Any, request: DeletionRequest) -> bool:
    """Four-eyes: another staff member than the one who asked, with the right to correct the document."""
    user = _user(actor)
    return bool(
        request.state == DeletionRequest.State.PENDING
        and request.document is not None
        and user is not None
        and user.pk != request.requested_by_id
        and policy.can_correct_document(actor, request.document)
    )


def pending_requests_for(actor: Any) -> list[DeletionRequest]:
    """Open deletion requests this staff member may decide (not their own)."""
    pending = (
        DeletionRequest.objects.filter(state=DeletionRequest.State.PENDING, document__isnull=False)
        .select_related("document", "document__household", "requested_by", "household")
        .order_by("requested_at")
    )
    return [r for r in pending[:200] if can_decide(actor, r)]


@transaction.atomic
def refuse_deletion(actor: Any, request: DeletionRequest, *, note: str = "") -> DeletionRequest:
    """The second person refuses: the document stays (the requester may also withdraw their request)."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    document = request.document
    user = _user(actor)
    own = user is not None and user.pk == request.requested_by_id
    if request.state != DeletionRequest.State.PENDING or document is None:
        raise CorrectionError(_("This request has already been decided."))
    if not (can_decide(actor, request) or (own and policy.can_correct_document(actor, document))):
        raise PermissionDenied
    request.state = DeletionRequest.State.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _record(
        document,
        Correction.Kind.DELETION_REFUSED,
        actor,
        note=note.strip(),
        request=request.pk,
        withdrawn=own,
    )
    return request


def _document_objects(document: Document) -> list[str]:
    names = set(_stored_names(document))
    for folder in storage_keys.DOCUMENT_FOLDERS:
        with contextlib.suppress(FileNotFoundError, OSError):
            names.update(storage.iter_names(f"{folder}/{document.pk}"))
    names.update(
        n for n in OriginalFile.objects.filter(document=document).values_list("file", flat=True) if n
    )
    return sorted(names)


@transaction.atomic
def approve_deletion(actor: Any, request: DeletionRequest) -> DeletionRequest:
    """The second person approves: the document's files and rows are deleted; the request stays as the
    tombstone, and the citizen whose own upload it was is told (portal notice, e-mail if wanted)."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != DeletionRequest.State.PENDING or request.document is None:
        raise CorrectionError(_("This request has already been decided."))
    user = _user(actor)
    if user is not None and user.pk == request.requested_by_id:
        raise CorrectionError(_("Another person has to approve the deletion you asked for."))
    if not can_decide(actor, request):
        raise PermissionDenied
    document = request.document
    if document.legal_holds.filter(released_at__isnull=True).exists():
        raise CorrectionError(_("The document is under a legal hold and cannot be deleted."))
    names = _document_objects(document)
    request.state = DeletionRequest.State.DELETED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.removed_objects = names
    request.save(update_fields=["state", "decided_by", "decided_at", "removed_objects"])
    audit(
        "document.deleted",
        actor=actor,
        obj=document,
        household=document.household_id,
        details={
            "receipt_number": document.receipt_number,
            "reason": request.reason,
            "requested_by": request.requested_by.get_username() if request.requested_by else "",
            "approved_by": user.get_username() if user else "",
            "objects": len(names),
        },
    )
    Document.objects.filter(merged_into=document).update(merged_into=None)
    document.delete()
    _delete_after_commit(names)
    if request.tell_citizen and request.uploaded_by_id:
        transaction.on_commit(lambda: _mail_citizen(request))
    return request


def _mail_citizen(request: DeletionRequest) -> None:
    """The e-mail notice: only that an upload was removed and where to read more (no social data)."""
    user = request.uploaded_by
    if user is None or not user.is_active or not user.email or not user.notify_by_email:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        link = settings.SITE_URL.rstrip("/") + reverse("portal:dashboard")
        subject = _("A document you sent was removed")
        body = "\n\n".join(
            [
                _("Hello,"),
                _("the Jobcenter removed a document you sent from your case file."),
                _("Please log in to see which one and why: %(link)s") % {"link": link},
                _("For your protection, this e-mail contains no personal details."),
                settings.SITE_NAME,
            ]
        )
    send_mail(str(subject), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def removed_uploads(user: Any, household: Any) -> list[DeletionRequest]:
    """What the citizen is told on their overview: their own uploads the Jobcenter removed lately."""
    account = policy.user_of(user)
    if account is None or household is None:
        return []
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    return list(
        DeletionRequest.objects.filter(
            state=DeletionRequest.State.DELETED,
            tell_citizen=True,
            uploaded_by=account,
            household_id=household.pk,
            decided_at__gte=since,
        ).order_by("-decided_at")
    )
