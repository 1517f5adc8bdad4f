"""Reading side of the documents app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from . import problems
from .models import Document, OriginalFile, ServiceRating

IN_PROGRESS = (Document.Status.RECEIVED, Document.Status.CHECKED)
AT_THE_JOBCENTER = (Document.Status.DELIVERED, Document.Status.OPENED, Document.Status.PROCESSED)
# What a citizen sent: uploads, online services and their paper mail (not what staff filed internally).
CITIZEN_CHANNELS = (Document.Channel.PORTAL, Document.Channel.SERVICE, Document.Channel.SCAN)


def documents_for_household(household: Any) -> QuerySet[Document]:
    """Every document of a household, newest first (both directions, nothing filtered by status)."""
    return (
        Document.objects.filter(household=household)
        .select_related("uploaded_by")
        .prefetch_related("originals")
        .order_by("-received_at")
    )


def sent_by_household(household: Any) -> QuerySet[Document]:
    """What the household sent to the Jobcenter (the citizen's "My documents"). A document staff moved
    into the household (``documents.corrections.move``) is listed only if its sender belongs to it."""
    from django.db.models import Q

    from jcportal.accounts.models import Representation

    household_id = getattr(household, "pk", household)
    theirs = (
        Q(household_corrected_at__isnull=True)
        | Q(uploaded_by__person__household_id=household_id)
        | Q(
            uploaded_by__in=Representation.objects.active()
            .filter(household_id=household_id)
            .values("representative_id")
        )
    )
    return documents_for_household(household).filter(
        theirs, direction=Document.Direction.INBOUND, channel__in=CITIZEN_CHANNELS
    )


def earlier_copies(document: Document) -> list[tuple[OriginalFile, Document]]:
    """For each original of ``document`` that the household sent before: (original, earliest document)."""
    if document.household_id is None:
        return []
    result = []
    for original in document.originals.all():
        if original.size == 0:
            continue
        earlier = (
            OriginalFile.objects.filter(document__household_id=document.household_id, sha256=original.sha256)
            .exclude(document=document)
            .filter(document__received_at__lte=document.received_at)
            .select_related("document")
            .order_by("document__received_at")
            .first()
        )
        if earlier is not None:
            result.append((original, earlier.document))
    return result


def file_notices(document: Document) -> list[dict[str, Any]]:
    """The per-file notices with their translated message and advice."""
    notices = []
    for notice in document.file_notices:
        problem = problems.get(notice.get("code", ""))
        notices.append({**notice, "message": problem.message, "what_to_do": problem.what_to_do})
    return notices


def rejection(document: Document) -> problems.Problem | None:
    if document.status in (Document.Status.REJECTED, Document.Status.QUARANTINED):
        return problems.get(document.rejection_code)
    return None


def rating_summary(since_days: int | None = None) -> dict[str, Any]:
    """Average stars and count overall and per week (for the statistics page)."""
    ratings = ServiceRating.objects.all()
    if since_days:
        ratings = ratings.filter(created_at__gte=timezone.now() - timedelta(days=since_days))
    overall = ratings.aggregate(average=Avg("stars"), count=Count("id"))
    weeks = list(
        ratings.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(average=Avg("stars"), count=Count("id"))
        .order_by("week")
    )
    return {"average": overall["average"], "count": overall["count"], "weeks": weeks}
