"""Celery tasks of the intake pipeline: thin, idempotent, acknowledged late."""

from __future__ import annotations

import logging

from celery import shared_task

from jcportal.core.registry import register_resumer

from . import pipeline

logger = logging.getLogger(__name__)


@shared_task(
    name="jcportal.documents.tasks.run_pipeline",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def run_pipeline(self, document_id: str) -> str:  # type: ignore[no-untyped-def]
    """Run (or resume) the intake pipeline of one document."""
    try:
        outcome = pipeline.run(document_id)
    except Exception as exc:
        if not pipeline.is_outage(exc) or self.request.is_eager:
            raise
        outcome = "waiting"  # e.g. the database was down before the document could be claimed
    if outcome == "waiting" and not self.request.is_eager:
        # the virus scanner (or storage, the database) is down: never deliver unscanned, wait for it
        raise self.retry(countdown=pipeline.wait_retry_seconds())
    return outcome


@register_resumer("documents.pipeline")
def resume_stalled_documents() -> int:
    """Re-queue documents whose pipeline stopped half way (killed worker, lost message, scanner down).

    Each re-queued document is marked as touched, so that the next runs leave it alone for
    ``PIPELINE_RESUME_AFTER_SECONDS`` (no flood of duplicate messages while a long queue drains)."""
    from django.utils import timezone

    from .models import Document

    ids = list(pipeline.stalled_documents().values_list("pk", flat=True)[:500])
    Document.objects.filter(pk__in=ids).update(pipeline_updated_at=timezone.now())
    for document_id in ids:
        run_pipeline.delay(str(document_id))
    return len(ids)


@shared_task(name="jcportal.documents.tasks.sanity_check", ignore_result=True)
def sanity_check() -> int:
    """Read-only check of all stored document files (run it weekly from the beat schedule)."""
    from . import sanity

    problems = 0
    for message in sanity.check():
        problems += 1
        logger.error("documents sanity check: %s", message)
    return problems
