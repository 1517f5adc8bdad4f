"""The outbox's sender: a task on the ``io`` queue (routed by name), retried with backoff."""

from __future__ import annotations

from celery import shared_task

from jcportal.core.registry import register_resumer

from . import services


@shared_task(
    name="jcportal.mail.tasks.send_outbox_mail",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=None,
)
def send_outbox_mail(self, mail_id: int) -> str:  # type: ignore[no-untyped-def]
    outcome = services.deliver(mail_id)
    if outcome == "retry" and not self.request.is_eager:
        from .models import OutboxMail

        attempts = OutboxMail.objects.filter(pk=mail_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=services.retry_seconds(attempts))
    return outcome


@register_resumer("mail.outbox")
def resume_outbox() -> int:
    """Queue mails whose task was lost (broker down when they were written, a killed worker)."""
    ids = services.due()
    for mail_id in ids:
        send_outbox_mail.delay(mail_id)
    return len(ids)
