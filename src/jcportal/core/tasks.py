"""Housekeeping tasks that every deployment runs (from the beat schedule)."""

import logging
import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat
from .registry import resumers

logger = logging.getLogger(__name__)


@shared_task(name="jcportal.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that a worker processed a task just now (idempotent upsert)."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": timezone.now()}
    )


@shared_task(name="jcportal.core.tasks.resume_stalled_work", ignore_result=True)
def resume_stalled_work() -> None:
    """Ask every registered resumer to re-queue work that stopped half way (e.g. a killed worker)."""
    for name, resumer in resumers.items():
        try:
            count = resumer()
        except Exception:  # one broken resumer must not stop the others
            logger.exception("resumer %s failed", name)
            continue
        if count:
            logger.info("resumer %s re-queued %s item(s)", name, count)
