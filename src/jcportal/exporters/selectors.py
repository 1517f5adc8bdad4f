"""Reading side of the exporters: configurations, recent jobs, documents the DMS has not acknowledged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.documents.models import Document

from .models import ExporterConfig, ExportJob


def overdue_hours() -> int:
    return int(settings.DMS_ACK_OVERDUE_HOURS)


def overdue_cutoff() -> Any:
    return timezone.now() - timedelta(hours=overdue_hours())


def unacknowledged(user: Any) -> QuerySet[Document]:
    """Documents sent to the DMS longer than ``DMS_ACK_OVERDUE_HOURS`` ago and not acknowledged as filed,
    of the households ``user`` may see, oldest first."""
    return (
        Document.objects.filter(exported_at__lte=overdue_cutoff(), filed_at__isnull=True)
        .filter(household__in=policy.visible_households(user))
        .select_related("household")
        .order_by("exported_at", "pk")
    )


def configs() -> QuerySet[ExporterConfig]:
    return ExporterConfig.objects.select_related("jobcenter").annotate(
        failed=Count("jobs", filter=Q(jobs__status=ExportJob.Status.FAILED)),
        waiting=Count("jobs", filter=Q(jobs__status=ExportJob.Status.PENDING)),
        done=Count("jobs", filter=Q(jobs__status=ExportJob.Status.DONE)),
    )


def recent_jobs(config: ExporterConfig, limit: int = 20) -> list[ExportJob]:
    return list(config.jobs.order_by("-updated_at", "-pk")[:limit])
