"""Export tasks on the ``io`` queue (routed by ``CELERY_TASK_ROUTES``), retried with backoff."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from jcportal.core.registry import register_resumer

from . import services
from .models import ExportJob


@shared_task(
    name="jcportal.exporters.tasks.run_export",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def run_export(self: Any, job_id: int) -> str:
    """Run one export job; a failure that may pass (folder unreachable …) is retried with backoff."""
    job = services.run_job(job_id)
    if job is None:
        return "not due"
    if job.status == ExportJob.Status.PENDING and not self.app.conf.task_always_eager:
        raise self.retry(countdown=services.backoff_seconds(job.attempts))
    return str(job.status)


@register_resumer("exporters")
def resume_exports() -> int:
    return services.resume_stale()
