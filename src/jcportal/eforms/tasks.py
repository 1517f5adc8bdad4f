"""Background work of the online services: thin, idempotent, acked late."""

from __future__ import annotations

from celery import shared_task

from jcportal.core.registry import register_resumer


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60)
def finalize_submission(submission_id: str) -> None:
    from . import services
    from .models import Submission

    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is not None:
        services.finalize(submission)


@register_resumer("eforms-finalize")
def resume_unfinished() -> int:
    """Filed submissions whose copy for the case file is missing (e.g. the PDF renderer failed)."""
    from . import services

    ids = services.unfinished_submissions()
    for submission_id in ids:
        finalize_submission.delay(submission_id)
    return len(ids)


@shared_task(acks_late=True)
def purge_stale_drafts() -> int:
    from django.conf import settings

    from . import services

    return services.purge_stale_drafts(int(getattr(settings, "EFORMS_DRAFT_RETENTION_DAYS", 30)))
