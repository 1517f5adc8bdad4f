"""Sending mail through the outbox (``OutboxMail``). ``send_mail`` has the signature of
``django.core.mail.send_mail``, so callers only change their import.

A sent mail's row is deleted (the outbox keeps no copy of what was sent). A mail that still fails after
``MAIL_MAX_ATTEMPTS`` stays with ``failed_at`` and its last error, for the operator."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMail

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return int(getattr(settings, "MAIL_MAX_ATTEMPTS", 8))


def retry_seconds(attempt: int) -> int:
    """Exponential backoff: base · 2^(attempt-1), at most an hour."""
    base = float(getattr(settings, "MAIL_RETRY_BASE_SECONDS", 30))
    return int(min(base * 2 ** max(attempt - 1, 0), 3600))


def send_mail(
    subject: str,
    message: str,
    from_email: str | None,
    recipient_list: Sequence[str],
    fail_silently: bool = False,
    html_message: str | None = None,
) -> int:
    """Queue a mail (in the current transaction); it leaves once that transaction committed."""
    recipients = [address for address in recipient_list if address]
    if not recipients:
        return 0
    mail = OutboxMail.objects.create(
        from_email=from_email or "",
        to=recipients,
        subject=str(subject)[:998],
        body=str(message),
        html_body=html_message or "",
    )
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        deliver(mail.pk)  # tests and a development box without a worker: at once
    else:
        transaction.on_commit(lambda: _enqueue(mail.pk))
    return 1


def _enqueue(mail_id: int) -> None:
    from .tasks import send_outbox_mail

    try:
        send_outbox_mail.delay(mail_id)
    except Exception:  # broker down: the row is safe, the resumer queues it later
        logger.warning("outbox mail %s could not be queued; the resumer will", mail_id)


def deliver(mail_id: int) -> str:
    """Send one queued mail. Returns sent, busy (another sender has it, or it is gone), retry or failed.
    At least once: a sender killed after SMTP accepted the mail may send it again after its lease."""
    now = timezone.now()
    claimed = (
        OutboxMail.objects.filter(pk=mail_id, failed_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + timedelta(seconds=120))
    )
    if not claimed:
        return "busy"
    mail = OutboxMail.objects.get(pk=mail_id)
    message = EmailMultiAlternatives(
        mail.subject, mail.body, mail.from_email or settings.DEFAULT_FROM_EMAIL, list(mail.to)
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        attempts = mail.attempts + 1
        failed = attempts >= max_attempts()
        OutboxMail.objects.filter(pk=mail_id).update(
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            lease_until=None,
            next_attempt_at=now + timedelta(seconds=retry_seconds(attempts)),
            failed_at=now if failed else None,
        )
        logger.warning("outbox mail %s: attempt %s failed: %s", mail_id, attempts, type(exc).__name__)
        return "failed" if failed else "retry"
    OutboxMail.objects.filter(pk=mail_id).delete()
    return "sent"


def due() -> list[int]:
    """Mails nobody is sending right now whose next attempt is due (for the resumer)."""
    now = timezone.now()
    return list(
        OutboxMail.objects.filter(failed_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(created_at__lt=now - timedelta(seconds=30))
        .values_list("pk", flat=True)[:500]
    )
