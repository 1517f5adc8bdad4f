"""Background work of the citizen portal: thin, idempotent, acked late."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, name="jcportal.portal.tasks.purge_abandoned_uploads")
def purge_abandoned_uploads() -> int:
    """Hourly: delete the parts of resumable uploads never completed (PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS)."""
    from .abandoned_uploads import purge_abandoned_uploads as purge

    return purge().parts
