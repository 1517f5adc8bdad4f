"""Writes of the letters postbox (§ 37 (2a) SGB X): the e-mail notice when a letter is released, the
first retrieval, the daily search for unretrieved letters and the record that a letter went by post.

``casework.services.release_document`` calls ``letter_released``; the portal's download calls
``record_retrieval``. Nothing here imports case work (it sits below it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jcportal.accounts.actor import Actor
from jcportal.accounts.models import Consent
from jcportal.audit.services import audit
from jcportal.documents.models import Document
from jcportal.mail.services import send_mail

from .models import Letter


def rule() -> str:
    return str(getattr(settings, "POSTBOX_NOTIFICATION_RULE", "third_day"))


def unretrieved_days() -> int:
    return int(getattr(settings, "POSTBOX_UNRETRIEVED_DAYS", 10))


def consenting(recipients: Iterable[Any], household_id: int) -> list[Any]:
    """The recipients with an e-mail address and a standing consent to digital delivery for the household."""
    users = [user for user in recipients if user.email]
    if not users:
        return []
    agreed = set(
        Consent.objects.filter(user__in=users, kind=Consent.Kind.DIGITAL_DELIVERY, revoked_at__isnull=True)
        .filter(Q(household_id=household_id) | Q(household__isnull=True))
        .values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk in agreed]


def notice_mail(user: Any) -> tuple[str, str]:
    """Subject and body of the notice. No social data: not the letter's title, type or amounts, no name."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        link = settings.SITE_URL.rstrip("/") + reverse("portal:releases")
        if rule() == "retrieval":
            effect = _("The letter counts as delivered on the day after you open it.")
        else:
            effect = _("The letter counts as delivered on the third day after this e-mail.")
        subject = _("A new letter is waiting in your portal")
        body = "\n\n".join(
            [
                _("Hello,"),
                _("a new letter from the Jobcenter is waiting for you in the portal."),
                _("Please log in to read it: %(link)s") % {"link": link},
                effect,
                _("For your protection, this e-mail contains no personal details."),
                settings.SITE_NAME,
            ]
        )
    return str(subject), body


@transaction.atomic
def letter_released(document: Document, *, recipients: Iterable[Any]) -> set[int]:
    """A letter was released to the household's portal (``recipients``: the portal users who may read
    it). Consenting recipients get the e-mail notice; without one the letter goes by post. Returns the
    ids of the users who got the notice (their general "something new" mail is not needed)."""
    household_id = document.household_id
    if household_id is None:  # only a household's document can be released
        return set()
    now = timezone.now()
    noticed = consenting(recipients, household_id)
    Letter.objects.update_or_create(
        document=document,
        defaults={
            "household_id": household_id,
            "released_at": document.released_at or now,
            "channel": Letter.Channel.PORTAL if noticed else Letter.Channel.POST,
            "notice_sent_at": now if noticed else None,
            "retrieved_at": None,
            "retrieved_by": None,
            "post_due_since": None if noticed else now,
            "sent_by_post_at": None,
            "sent_by_post_by": None,
        },
    )
    for user in noticed:
        subject, body = notice_mail(user)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    if noticed:
        audit(
            "postbox.notice_sent",
            actor=Actor.system(),
            obj=document,
            household=document.household_id,
            details={"recipients": len(noticed)},
        )
    return {user.pk for user in noticed}


def record_retrieval(document: Document, user: Any) -> bool:
    """The first time a portal user opens or downloads the letter; later retrievals change nothing."""
    return bool(
        Letter.objects.filter(document=document, retrieved_at__isnull=True).update(
            retrieved_at=timezone.now(), retrieved_by=user
        )
    )


def flag_unretrieved(now: datetime | None = None) -> int:
    """Daily: a letter notified by e-mail and not retrieved for ``POSTBOX_UNRETRIEVED_DAYS`` days becomes a
    task for staff to send it by post. Idempotent: a letter is flagged once."""
    now = now or timezone.now()
    return Letter.objects.filter(
        channel=Letter.Channel.PORTAL,
        notice_sent_at__lte=now - timedelta(days=unretrieved_days()),
        retrieved_at__isnull=True,
        post_due_since__isnull=True,
        document__release_revoked_at__isnull=True,
    ).update(post_due_since=now)


@transaction.atomic
def record_sent_by_post(letter: Letter, *, by: Any, request: Any = None) -> Letter:
    """Staff record that the letter was put in the post (audited); the task leaves the list."""
    if letter.sent_by_post_at:
        return letter
    letter.sent_by_post_at = timezone.now()
    letter.sent_by_post_by = by if getattr(by, "pk", None) else None
    letter.save(update_fields=["sent_by_post_at", "sent_by_post_by"])
    audit(
        "postbox.sent_by_post",
        request=request,
        actor=by,
        obj=letter.document,
        household=letter.household_id,
        details={"receipt_number": letter.document.receipt_number},
    )
    return letter
