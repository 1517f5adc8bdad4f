"""Reading side of the online services. Staff visibility is derived from ``accounts.policy``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.households.models import Household

from .models import Submission


def drafts_for(household: Household) -> QuerySet[Submission]:
    return Submission.objects.filter(household=household, status=Submission.Status.DRAFT).order_by(
        "-updated_at"
    )


def submissions_for(household: Household) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(household=household)
        .exclude(status=Submission.Status.DRAFT)
        .order_by("-submitted_at")
    )


def submissions_visible_to(user: Any) -> QuerySet[Submission]:
    """Submissions staff (or an API client's Actor) may open: ``accounts.policy.visible_submissions``."""
    return policy.visible_submissions(user).select_related("household", "service_office", "document")


def filed_visible_to(user: Any) -> QuerySet[Submission]:
    return submissions_visible_to(user).exclude(status=Submission.Status.DRAFT).order_by("-submitted_at")


def partial_applications_visible_to(user: Any) -> QuerySet[Submission]:
    """Erstanträge with a recorded date of application that were never sent (to follow up)."""
    return (
        submissions_visible_to(user)
        .filter(form_slug="erstantrag", status=Submission.Status.DRAFT, application_date__isnull=False)
        .order_by("application_date")
    )


def absence_days_this_year(submission: Any, year: int) -> int:
    """Days of other approved or pending absences of the same household in ``year``."""
    from .definitions.ortsabwesenheit import absence_days

    if submission is None or submission.household_id is None:
        return 0
    others = (
        Submission.objects.filter(household_id=submission.household_id, form_slug="ortsabwesenheit")
        .filter(status__in=[Submission.Status.SUBMITTED, Submission.Status.APPROVED, Submission.Status.QUERY])
        .exclude(pk=submission.pk)
    )
    total = 0
    for other in others:
        values = other.data.get("absence") or {}
        start = values.get("absent_from") or ""
        if start.startswith(f"{year}-"):
            total += absence_days(other.data)
    return total


def sick_report_statistics(
    since: dt.date | None = None, base: QuerySet[Submission] | None = None
) -> dict[str, int]:
    """Counts for the statistics: sick reports received, confirmed and exported (of ``base``: all)."""
    since = since or timezone.localdate().replace(day=1)
    qs = (base if base is not None else Submission.objects.all()).filter(
        form_slug="krankmeldung", submitted_at__date__gte=since
    )
    return {
        "received": qs.count(),
        "confirmed": qs.filter(status=Submission.Status.CONFIRMED).count(),
        "exported": qs.filter(exported_at__isnull=False).count(),
        "asked_back": qs.filter(status=Submission.Status.QUERY).count(),
    }


def service_statistics(since: dt.date | None = None) -> list[dict[str, Any]]:
    """Filed submissions per service since ``since`` (default: this month)."""
    from django.db.models import Count

    since = since or timezone.localdate().replace(day=1)
    rows = (
        Submission.objects.exclude(status=Submission.Status.DRAFT)
        .filter(submitted_at__date__gte=since)
        .values("form_slug")
        .annotate(count=Count("id"))
        .order_by("form_slug")
    )
    return [dict(row) for row in rows]


def possible_existing_households(user: Any, submission: Submission) -> QuerySet[Household]:
    """Households with a person of the applicant's name and date of birth (to avoid a duplicate BG)."""
    personal = submission.data.get("personal") or {}
    if (
        not policy.can_search_households(user)
        or not personal.get("last_name")
        or not personal.get("date_of_birth")
    ):
        return Household.objects.none()
    return Household.objects.filter(
        members__last_name__iexact=personal["last_name"], members__date_of_birth=personal["date_of_birth"]
    ).distinct()[:5]
