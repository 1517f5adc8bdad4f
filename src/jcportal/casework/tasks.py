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


@shared_task(name="jcportal.casework.tasks.render_previews", acks_late=True, ignore_result=True)
def render_previews(document_id: str) -> int:
    """Render a document's page thumbnails once and store them (idempotent)."""
    from jcportal.documents.models import Document

    from . import previews

    document = Document.objects.filter(pk=document_id).first()
    if document is None or not document.pdf:
        return 0
    try:
        return previews.render_all(document)
    except previews.PreviewUnavailable:
        return 0


@shared_task(name="jcportal.casework.tasks.followups_daily", acks_late=True, ignore_result=True)
def followups_daily() -> dict[str, int]:
    """Wiedervorlagen for overdue document requests, and the notifications of those that came due."""
    from . import followups

    return followups.daily()
