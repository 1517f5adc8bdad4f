from __future__ import annotations

from celery import shared_task

from . import uploads


@shared_task(acks_late=True, name="jcportal.api.tasks.expire_uploads")
def expire_uploads() -> int:
    """Hourly: remove uploads in parts that were not completed in time, with their parts."""
    return uploads.expire_uploads()
