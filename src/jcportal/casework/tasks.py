"""Background jobs of case work: thin wrappers around services, idempotent, acked late."""

from celery import shared_task

from . import services


@shared_task(name="jcportal.casework.tasks.send_daily_digests", acks_late=True, ignore_result=True)
def send_daily_digests() -> int:
    return services.send_daily_digests()


@shared_task(name="jcportal.casework.tasks.send_notification_emails", acks_late=True, ignore_result=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """The immediate e-mails for new notifications (each is sent at most once)."""
    return services.send_single_emails(notification_ids)
