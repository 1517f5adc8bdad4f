"""Writing side of the exporters: turn sequenced events into export jobs, run a job (retried), and let
administrators change the configuration.

The events dispatcher calls ``on_events`` (registered in ``events.services.listeners``) inside its
sequencing transaction; it only writes ``ExportJob`` rows and queues ``tasks.run_export`` after the
commit. Each job runs once to success: the exporters themselves are idempotent, a successful document
export calls ``documents.services.mark_exported``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcportal.audit.services import audit
from jcportal.documents import services as document_services
from jcportal.documents.models import Document
from jcportal.events import catalogue
from jcportal.households.models import Household, Jobcenter

from .base import ExportError, Nothing, exporters
from .models import ExporterConfig, ExportJob

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 6 * 3600
STALE_AFTER = timedelta(minutes=10)


def backoff_seconds(attempts: int) -> int:
    return int(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def event_types_for(exporter_id: str) -> list[str]:
    """The event types whose subject an exporter can export (documents or submissions)."""
    plugin = exporters[exporter_id]
    dataref = catalogue.DOCUMENT if plugin.kind == "document" else catalogue.SUBMISSION
    return [t for t, declared in catalogue.event_types.items() if declared.dataref == dataref]


# --- events -> jobs ---------------------------------------------------------------------------------


def _jobcenters_of(household_ids: set[int]) -> dict[int, int | None]:
    rows = Household.objects.filter(pk__in=household_ids).values_list("pk", "service_office__jobcenter_id")
    return dict(rows)


def on_events(events: list[Any]) -> None:
    """Create one job per (active configuration, matching event) and queue them after the commit."""
    configs = [c for c in ExporterConfig.objects.filter(active=True) if c.plugin is not None]
    if not configs:
        return
    household_ids = {e.household_id for e in events if e.household_id}
    jobcenter_of = _jobcenters_of(household_ids)
    only = list(Jobcenter.objects.values_list("pk", flat=True)[:2])
    fallback = only[0] if len(only) == 1 else None
    rows = []
    for event in events:
        jobcenter_id = jobcenter_of.get(event.household_id) if event.household_id else None
        jobcenter_id = jobcenter_id or fallback
        for config in configs:
            if not event.household_id and config.plugin.kind == "document":
                continue  # documents without a household (clearing) do not go to the DMS
            if config.jobcenter_id == jobcenter_id and event.type in config.wanted_types():
                rows.append(
                    ExportJob(config=config, event=event, event_type=event.type, subject=event.subject)
                )
    if not rows:
        return
    ExportJob.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        ExportJob.objects.filter(event__in=events, status=ExportJob.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: queue(ids))


def queue(job_ids: list[int]) -> None:
    from .tasks import run_export

    for job_id in job_ids:
        try:
            run_export.delay(job_id)
        except Exception:
            if getattr(run_export.app.conf, "task_always_eager", False):
                raise
            logger.exception("could not queue export job %s (the resumer retries it)", job_id)


# --- running a job -----------------------------------------------------------------------------------


def _subject(kind: str, subject: str) -> Any:
    if kind == "document":
        return (
            Document.objects.select_related("household__service_office", "uploaded_by__person")
            .prefetch_related("originals")
            .filter(pk=subject)
            .first()
        )
    from jcportal.eforms.models import Submission

    return (
        Submission.objects.select_related("household", "created_by__person", "decided_by", "document")
        .filter(pk=subject)
        .first()
    )


def run_job(job_id: int) -> ExportJob | None:
    """Run one pending job once. Returns the job (status pending = try again later), None if not due."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("config").filter(pk=job_id).first()
        if job is None or job.status != ExportJob.Status.PENDING:
            return None
        job.attempts += 1
        job.save(update_fields=["attempts", "updated_at"])
    config = job.config
    plugin = config.plugin
    try:
        if plugin is None:
            raise Nothing(f"no exporter {config.exporter!r}")
        try:
            obj = _subject(plugin.kind, job.subject)
        except (ValueError, ValidationError):  # a subject that is not an id of this kind
            obj = None
        if obj is None:
            raise Nothing("the object no longer exists")
        target = plugin.export(config, obj, job.event_type)
        if plugin.marks_exported:
            document_services.mark_exported(obj, to=f"{plugin.identifier}:{config.name}"[:200])
    except Nothing as nothing:
        job.status, job.last_error = ExportJob.Status.SKIPPED, str(nothing)[:2000]
        job.save(update_fields=["status", "last_error", "updated_at"])
        return job
    except (ExportError, OSError, document_services.NotDelivered) as error:
        job.last_error = f"{error.__class__.__name__}: {error}"[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            job.status = ExportJob.Status.FAILED
            logger.warning("export job %s failed for good: %s", job.pk, job.last_error)
        job.save(update_fields=["status", "last_error", "updated_at"])
        return job
    job.status, job.target, job.last_error, job.done_at = (
        ExportJob.Status.DONE,
        target[:500],
        "",
        timezone.now(),
    )
    job.save(update_fields=["status", "target", "last_error", "done_at", "updated_at"])
    return job


def retry_failed(config: ExporterConfig, *, by: Any) -> int:
    """Give the configuration's failed jobs a fresh start (after the folder is reachable again)."""
    ids = list(config.jobs.filter(status=ExportJob.Status.FAILED).values_list("pk", flat=True))
    ExportJob.objects.filter(pk__in=ids).update(status=ExportJob.Status.PENDING, attempts=0)
    audit("exporters.config.changed", actor=by, obj=config, details={"retried_jobs": len(ids)})
    transaction.on_commit(lambda: queue(ids))
    return len(ids)


def resume_stale() -> int:
    """Queue pending jobs nobody worked on for a while (a lost task, a broker outage, a due retry)."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        ExportJob.objects.filter(status=ExportJob.Status.PENDING, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    ExportJob.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    queue(ids)
    return len(ids)


# --- configuration (back office) --------------------------------------------------------------------


@transaction.atomic
def save_config(
    config: ExporterConfig | None,
    *,
    by: Any,
    jobcenter: Jobcenter,
    name: str,
    exporter: str,
    event_types: list[str],
    options: dict[str, Any],
    active: bool,
) -> ExporterConfig:
    if exporter not in exporters:
        raise ValueError(f"unknown exporter {exporter!r}")
    allowed = set(event_types_for(exporter))
    wanted = sorted(t for t in set(event_types) if t in allowed)
    created = config is None
    config = config or ExporterConfig(exporter=exporter)
    config.jobcenter, config.name, config.event_types = jobcenter, name[:200], wanted
    config.options, config.active = dict(options), active
    config.save()
    audit(
        "exporters.config.changed",
        actor=by,
        obj=config,
        details={
            "created": created,
            "exporter": exporter,
            "event_types": wanted,
            "options": config.options,
            "active": active,
        },
    )
    return config


@transaction.atomic
def delete_config(config: ExporterConfig, *, by: Any) -> None:
    audit(
        "exporters.config.changed",
        actor=by,
        obj=config,
        details={"deleted": True, "name": config.name, "exporter": config.exporter},
    )
    config.delete()
