"""Figures for team leads: uploads per week and channel, portal usage, processing times, ratings,
open document requests, per service office. Reads only; every figure is also a table row."""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from jcportal.accounts.models import Role, User
from jcportal.documents.models import Document
from jcportal.households.models import Household, ServiceOffice

WEEKS = 12
TIMES_WINDOW_DAYS = 90


@dataclass
class WeekRow:
    week: dt.date
    counts: dict[str, int]
    total: int
    percent: int = 0  # of the busiest week, for the bar
    cells: list[tuple[str, int]] = field(default_factory=list)  # (channel label, count) in column order


@dataclass
class OfficeRow:
    office: ServiceOffice | None
    households: int
    portal_households: int
    uploads: int
    median_opened_hours: float | None
    median_processed_hours: float | None
    open_requests: int | None = None

    @property
    def portal_percent(self) -> int:
        return round(100 * self.portal_households / self.households) if self.households else 0


@dataclass
class Statistics:
    office: ServiceOffice | None
    channels: list[tuple[str, str]]
    weeks: list[WeekRow]
    households: int
    portal_households: int
    median_opened_hours: float | None
    median_processed_hours: float | None
    offices: list[OfficeRow] = field(default_factory=list)
    ratings: dict[str, Any] | None = None
    open_requests: int | None = None
    overdue_requests: int | None = None
    dms_unacknowledged: int = 0  # sent to the DMS longer than DMS_ACK_OVERDUE_HOURS ago, not filed

    @property
    def portal_percent(self) -> int:
        return round(100 * self.portal_households / self.households) if self.households else 0


def _documents(office: ServiceOffice | None) -> QuerySet[Document]:
    qs = Document.objects.filter(direction=Document.Direction.INBOUND)
    return qs.filter(household__service_office=office) if office is not None else qs


def _households(office: ServiceOffice | None) -> QuerySet[Household]:
    qs = Household.objects.filter(active=True)
    return qs.filter(service_office=office) if office is not None else qs


def portal_usage(office: ServiceOffice | None) -> tuple[int, int]:
    """(active households, of which at least one member has an active citizen account)."""
    households = _households(office)
    citizens = User.objects.filter(role=Role.CITIZEN, is_active=True, person__isnull=False)
    using = households.filter(pk__in=citizens.values("person__household_id"))
    return households.count(), using.count()


def _median_hours(pairs: list[tuple[dt.datetime, dt.datetime | None]]) -> float | None:
    hours = [(end - start).total_seconds() / 3600 for start, end in pairs if start and end and end >= start]
    return round(pystats.median(hours), 1) if hours else None


def processing_times(office: ServiceOffice | None) -> tuple[float | None, float | None]:
    since = timezone.now() - dt.timedelta(days=TIMES_WINDOW_DAYS)
    recent = _documents(office).filter(received_at__gte=since)
    opened = list(recent.filter(opened_at__isnull=False).values_list("received_at", "opened_at")[:50_000])
    processed = list(
        recent.filter(processed_at__isnull=False).values_list("received_at", "processed_at")[:50_000]
    )
    return _median_hours(opened), _median_hours(processed)


def uploads_per_week(office: ServiceOffice | None) -> list[WeekRow]:
    today = timezone.localdate()
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(dt.datetime.combine(first_monday, dt.time.min))
    rows = (
        _documents(office)
        .filter(received_at__gte=since)
        .annotate(week=TruncWeek("received_at"))
        .values("week", "channel")
        .annotate(count=Count("pk"))
    )
    by_week: dict[dt.date, dict[str, int]] = {first_monday + dt.timedelta(weeks=i): {} for i in range(WEEKS)}
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, dt.datetime) else week
        by_week.setdefault(day, {})[row["channel"]] = row["count"]
    result = [
        WeekRow(week=week, counts=counts, total=sum(counts.values()))
        for week, counts in sorted(by_week.items())
    ]
    busiest = max((r.total for r in result), default=0)
    for week_row in result:
        week_row.cells = [
            (str(channel.label), week_row.counts.get(channel.value, 0)) for channel in Document.Channel
        ]
        week_row.percent = round(100 * week_row.total / busiest / 5) * 5 if busiest else 0
    return result


def _ratings() -> dict[str, Any] | None:
    try:
        from jcportal.documents import selectors as document_selectors
    except ImportError:
        return None
    summary = getattr(document_selectors, "rating_summary", None)
    if summary is None:
        return None
    result = summary(since_days=TIMES_WINDOW_DAYS)
    distribution = None
    try:
        rating_model = apps.get_model("documents", "ServiceRating")
        since = timezone.now() - dt.timedelta(days=TIMES_WINDOW_DAYS)
        counts = dict(
            rating_model.objects.filter(created_at__gte=since)
            .values_list("stars")
            .annotate(n=Count("pk"))
            .values_list("stars", "n")
        )
        total = sum(counts.values())
        distribution = [
            {
                "stars": s,
                "count": counts.get(s, 0),
                "percent": round(100 * counts.get(s, 0) / total / 5) * 5 if total else 0,
            }
            for s in range(5, 0, -1)
        ]
    except LookupError:
        pass
    return {**result, "distribution": distribution}


def _request_model() -> Any:
    try:
        return apps.get_model("docrequests", "DocumentRequest")
    except LookupError:
        return None


def _open_requests(office: ServiceOffice | None) -> tuple[int | None, int | None]:
    model = _request_model()
    if model is None:
        return None, None
    qs = model.objects.all()
    if office is not None:
        qs = qs.filter(household__service_office=office)
    return qs.open().count(), qs.overdue().count()


def dms_unacknowledged(office: ServiceOffice | None) -> int:
    """Documents sent to the DMS more than ``DMS_ACK_OVERDUE_HOURS`` ago that it has not acknowledged."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.DMS_ACK_OVERDUE_HOURS)
    qs = Document.objects.filter(exported_at__lte=cutoff, filed_at__isnull=True)
    return (qs.filter(household__service_office=office) if office is not None else qs).count()


def per_office() -> list[OfficeRow]:
    since = timezone.now() - dt.timedelta(weeks=WEEKS)
    model = _request_model()
    open_requests: dict[int | None, int] = {}
    if model is not None:
        open_requests = dict(
            model.objects.open()
            .values_list("household__service_office")
            .annotate(n=Count("pk"))
            .values_list("household__service_office", "n")
        )
    rows = []
    for office in ServiceOffice.objects.annotate(
        n_households=Count("households", filter=Q(households__active=True), distinct=True)
    ).order_by("name"):
        households, using = portal_usage(office)
        opened, processed = processing_times(office)
        rows.append(
            OfficeRow(
                office=office,
                households=households,
                portal_households=using,
                uploads=_documents(office).filter(received_at__gte=since).count(),
                median_opened_hours=opened,
                median_processed_hours=processed,
                open_requests=open_requests.get(office.pk, 0) if model is not None else None,
            )
        )
    return rows


def compute(office: ServiceOffice | None = None) -> Statistics:
    households, using = portal_usage(office)
    opened, processed = processing_times(office)
    open_requests, overdue = _open_requests(office)
    return Statistics(
        office=office,
        channels=[(c.value, str(c.label)) for c in Document.Channel],
        weeks=uploads_per_week(office),
        households=households,
        portal_households=using,
        median_opened_hours=opened,
        median_processed_hours=processed,
        offices=per_office(),
        ratings=_ratings(),
        open_requests=open_requests,
        overdue_requests=overdue,
        dms_unacknowledged=dms_unacknowledged(office),
    )
