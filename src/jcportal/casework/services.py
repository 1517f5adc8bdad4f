"""Writes of case work: tags, releases to the citizen, notifications (in-app and e-mail)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jcportal.accounts.models import Representation, Role, User
from jcportal.audit.services import audit
from jcportal.documents.models import Document
from jcportal.events.services import emit_for
from jcportal.inbox.models import InboxItem
from jcportal.mail.services import send_mail
from jcportal.postbox import services as postbox_services

from .models import DocumentTag, Notification, Tag


class ReleaseError(Exception):
    """The document cannot be released (message is shown to staff)."""


# --- tags ----------------------------------------------------------------------------------------


@transaction.atomic
def add_tag(document: Document, name: str, *, by: Any) -> DocumentTag:
    name = " ".join(name.split())[:60]
    tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    link, _created = DocumentTag.objects.get_or_create(document=document, tag=tag, defaults={"added_by": by})
    return link


def remove_tag(document: Document, tag_id: int) -> None:
    DocumentTag.objects.filter(document=document, tag_id=tag_id).delete()


# --- releases ------------------------------------------------------------------------------------


def can_release(document: Document) -> bool:
    return document.household_id is not None and document.status not in (
        Document.Status.REJECTED,
        Document.Status.QUARANTINED,
    )


@transaction.atomic
def release_document(
    document: Document, *, by: Any, request: HttpRequest | None = None, actor: Any = None
) -> Document:
    """Make the document visible to the household under "From the Jobcenter" and notify them.
    ``actor`` (an ``Actor``) is who the audit records when no staff member releases it (an API client)."""
    if not can_release(document):
        raise ReleaseError(_("This document cannot be released."))
    if document.released_at and not document.release_revoked_at:
        return document
    document.released_at = timezone.now()
    document.released_by = by
    document.release_revoked_at = None
    document.save(update_fields=["released_at", "released_by", "release_revoked_at"])
    audit(
        "document.released",
        request=request,
        actor=actor or by,
        obj=document,
        household=document.household_id,
        details={"receipt_number": document.receipt_number, "doc_type": document.doc_type},
    )
    emit_for("de.jcportal.letter.released", document)
    notes = notify_household(document, Notification.Kind.RELEASE)
    # § 37 (2a) SGB X: consenting recipients get the postbox's notice instead of the general mail
    noticed = postbox_services.letter_released(document, recipients=[note.recipient for note in notes])
    Notification.objects.filter(pk__in=[n.pk for n in notes if n.recipient_id in noticed]).update(
        emailed_at=timezone.now()
    )
    return document


@transaction.atomic
def revoke_release(document: Document, *, by: Any, request: HttpRequest | None = None) -> Document:
    if not document.released_at or document.release_revoked_at:
        return document
    document.release_revoked_at = timezone.now()
    document.save(update_fields=["release_revoked_at"])
    Notification.objects.filter(
        document=document, kind=Notification.Kind.RELEASE, read_at__isnull=True
    ).update(read_at=timezone.now())
    audit(
        "document.release_revoked", request=request, actor=by, obj=document, household=document.household_id
    )
    return document


def upload_and_release(
    *, household: Any, by: Any, doc_type: str, title: str, file: Any, request: HttpRequest | None = None
) -> Document:
    """A letter written by staff: stored through the one intake entry point, then released."""
    from jcportal.documents.services import accept_upload

    document = accept_upload(
        household=household,
        uploaded_by=by,
        doc_type=doc_type,
        title=title,
        files=[file],
        channel=Document.Channel.BACKOFFICE,
        direction=Document.Direction.OUTBOUND,
        request=request,
    )
    document.refresh_from_db()
    return release_document(document, by=by, request=request)


def post_letter(*, household: Any, actor: Any, doc_type: str, title: str, file: Any) -> Document:
    """A letter (e.g. a Bescheid) a Fachverfahren posts through the API (``actor``: the API client): the
    PDF goes through the one intake entry point as an outbound document and is released to the household,
    which sees and downloads it under "From the Jobcenter" once the intake has checked it."""
    from jcportal.documents.services import accept_upload

    with transaction.atomic():
        document = accept_upload(
            household=household,
            uploaded_by=None,
            doc_type=doc_type,
            title=title,
            files=[file],
            channel=Document.Channel.BACKOFFICE,
            direction=Document.Direction.OUTBOUND,
        )
        document.refresh_from_db()
        return release_document(document, by=None, actor=actor)


# --- notifications -------------------------------------------------------------------------------


def portal_recipients(household_id: int) -> list[User]:
    """Citizens of the household and representatives allowed to read its letters."""
    representatives = Representation.objects.active().with_scope("read").filter(household_id=household_id)
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.CITIZEN, person__household_id=household_id)
            | Q(role=Role.REPRESENTATIVE, pk__in=representatives.values("representative_id"))
        )
        .distinct()
    )


def notify_household(document: Document, kind: str) -> list[Notification]:
    notes = [
        Notification.objects.create(recipient=user, kind=kind, document=document)
        for user in portal_recipients(document.household_id)  # type: ignore[arg-type]
    ]
    ids = [n.pk for n in notes]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return notes


def notify_new_item(item: InboxItem) -> None:
    """Listener of ``inbox.services``: a deputy or the receiver of a forward is told in-app."""
    if item.assignee_id is None:
        return
    if item.deputy_for_id:
        kind = Notification.Kind.DEPUTY_ITEM
        actor = item.deputy_for
    elif item.forwarded_by_id:
        kind = Notification.Kind.FORWARDED
        actor = item.forwarded_by
    else:
        return
    Notification.objects.create(
        recipient_id=item.assignee_id,
        kind=kind,
        inbox_item=item,
        document_id=item.document_id,
        actor_label=(actor.get_full_name() or actor.get_username()) if actor else "",
    )


def _wants_single_email(user: Any) -> bool:
    return bool(user.email and user.notify_by_email and not user.notify_daily_digest)


def _mail(user: Any, count: int) -> None:
    """The mail body never contains social data: only that there is something new, and a link."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        if user.is_staff_member:
            link = settings.SITE_URL.rstrip("/") + reverse("backoffice:notifications")
        else:
            link = settings.SITE_URL.rstrip("/") + reverse("portal:releases")
        subject = _("There is something new in your portal")
        body = "\n\n".join(
            [
                _("Hello,"),
                ngettext(
                    "there is something new for you in the portal (%(count)s new message).",
                    "there is something new for you in the portal (%(count)s new messages).",
                    count,
                )
                % {"count": count},
                _("Please log in to read it: %(link)s") % {"link": link},
                _("For your protection, this e-mail contains no personal details."),
                settings.SITE_NAME,
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_single_emails(notification_ids: list[int]) -> int:
    """Send the immediate e-mails for these notifications (once each; idempotent)."""
    sent = 0
    for note in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "recipient"
    ):
        if not _wants_single_email(note.recipient):
            continue
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if claimed:
                _mail(note.recipient, 1)
                sent += 1
    return sent


def send_daily_digests() -> int:
    """One e-mail per user who chose the daily summary and has unread, not yet summarised notifications.

    Idempotent: each notification is summarised at most once, so running it twice sends nothing new.
    """
    sent = 0
    users = User.objects.filter(
        is_active=True,
        notify_daily_digest=True,
        notifications__read_at__isnull=True,
        notifications__digested_at__isnull=True,
        notifications__emailed_at__isnull=True,
    ).distinct()
    for user in users:
        if not user.email or (not user.is_staff_member and not user.notify_by_email):
            continue
        with transaction.atomic():
            pending = Notification.objects.select_for_update().filter(
                recipient=user, read_at__isnull=True, digested_at__isnull=True, emailed_at__isnull=True
            )
            ids = list(pending.values_list("pk", flat=True))
            if not ids:
                continue
            Notification.objects.filter(pk__in=ids).update(digested_at=timezone.now())
            _mail(user, len(ids))
            sent += 1
    return sent


def mark_notifications_read(user: Any, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def mark_notifications_read_for_document(user: Any, document: Document) -> int:
    return Notification.objects.filter(recipient=user, document=document, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_notifications_read_for_item(user: Any, item: InboxItem) -> int:
    return Notification.objects.filter(recipient=user, inbox_item=item, read_at__isnull=True).update(
        read_at=timezone.now()
    )
