"""Figures for team leads: uploads per week and channel, portal usage, processing times, ratings,
open document requests, per service office. Reads only; every figure is also a table row."""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, DateTimeField, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext

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


# --- team figures: backlog, age, overdue, throughput, channels, time to done -------------------------
# Every figure is one grouped query over the inbox (indexed on team and state): no loop over rows, so the
# page stays fast at 100,000 items. Items held by a deputy (``deputy_for``) are copies and not counted.

# (first day, last day) of each age band of the backlog, in calendar days since receipt; None: open end
AGE_BANDS: list[tuple[int, int | None]] = [(0, 2), (3, 7), (8, 14), (15, 30), (31, None)]
KM_WINDOW_DAYS = 90


def age_band_label(band: tuple[int, int | None]) -> str:
    first, last = band
    if last is None:
        return gettext("more than %(days)s days") % {"days": first - 1}
    return gettext("%(first)s–%(last)s days") % {"first": first, "last": last}


def kaplan_meier_median(done: dict[int, int], censored: dict[int, int]) -> int | None:
    """The Kaplan–Meier median of the days to done: ``done`` counts items finished after n days,
    ``censored`` items still open after n days (they count as at risk up to and including that day).
    None when the estimate of the share still open never falls to one half."""
    at_risk = sum(done.values()) + sum(censored.values())
    survival = 1.0
    for day in sorted(set(done) | set(censored)):
        finished = done.get(day, 0)
        if finished and at_risk:
            survival *= 1 - finished / at_risk
            if survival <= 0.5 + 1e-12:
                return day
        at_risk -= finished + censored.get(day, 0)
    return None


@dataclass
class TeamFigures:
    team: Any  # a households.Team, or None for the sum of all shown teams
    name: str
    backlog: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * len(AGE_BANDS))
    overdue_items: int = 0
    overdue_requests: int = 0
    done_per_week: list[int] = field(default_factory=lambda: [0] * WEEKS)
    channels: dict[str, int] = field(default_factory=dict)
    km_done: dict[int, int] = field(default_factory=dict)
    km_open: dict[int, int] = field(default_factory=dict)

    @property
    def median_days_to_done(self) -> int | None:
        return kaplan_meier_median(self.km_done, self.km_open)

    @property
    def band_cells(self) -> list[tuple[str, int]]:
        return [(age_band_label(b), n) for b, n in zip(AGE_BANDS, self.bands, strict=True)]

    @property
    def km_items(self) -> int:
        return sum(self.km_done.values()) + sum(self.km_open.values())

    @property
    def channel_total(self) -> int:
        return sum(self.channels.values())

    @property
    def digital(self) -> int:
        return sum(n for code, n in self.channels.items() if code in DIGITAL_CHANNELS)

    @property
    def digital_percent(self) -> int:
        total = self.channel_total
        return round(100 * self.digital / total) if total else 0

    def channel_rows(self) -> list[tuple[str, int, int]]:
        total = self.channel_total
        return [
            (
                str(c.label),
                self.channels.get(c.value, 0),
                round(100 * self.channels.get(c.value, 0) / total) if total else 0,
            )
            for c in Document.Channel
        ]

    def add(self, other: TeamFigures) -> None:
        self.backlog += other.backlog
        self.bands = [a + b for a, b in zip(self.bands, other.bands, strict=True)]
        self.overdue_items += other.overdue_items
        self.overdue_requests += other.overdue_requests
        self.done_per_week = [a + b for a, b in zip(self.done_per_week, other.done_per_week, strict=True)]
        for code, n in other.channels.items():
            self.channels[code] = self.channels.get(code, 0) + n
        for target, source in ((self.km_done, other.km_done), (self.km_open, other.km_open)):
            for days, count in source.items():
                target[days] = target.get(days, 0) + count


# Channels in which the citizen sent the document digitally (portal upload, online service).
DIGITAL_CHANNELS = {Document.Channel.PORTAL.value, Document.Channel.SERVICE.value}


@dataclass
class TeamStatistics:
    teams: list[TeamFigures]
    total: TeamFigures
    weeks: list[dt.date]  # the Mondays of the ISO weeks, oldest first
    band_labels: list[str]

    @property
    def week_labels(self) -> list[str]:
        return [iso_week_label(w) for w in self.weeks]

    def week_rows(self) -> list[tuple[str, int]]:
        return list(zip(self.week_labels, self.total.done_per_week, strict=True))


class ElapsedDays(Func):
    """Whole days (24 hours) from the first to the second datetime, computed by the database itself: no
    Python function per row as Django's date functions need on SQLite (100,000 items stay fast)."""

    output_field = IntegerField()

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            sql = f"(CAST((julianday({end}) - julianday({start})) * 86400 + 0.5 AS INTEGER) / 86400)"
        else:
            sql = f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 86400) AS INTEGER)"
        return sql, [*end_params, *start_params]


def iso_week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return gettext("week %(week)s/%(year)s") % {"week": f"{week:02d}", "year": year}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def team_statistics(teams: list[Any], *, today: dt.date | None = None) -> TeamStatistics:
    """The figures of ``teams`` (households.Team objects the viewer may see, ``policy.statistics_teams``)."""
    from django.db.models.functions import Coalesce

    from jcportal.inbox.models import InboxItem

    today = today or timezone.localdate()
    rows = {t.pk: TeamFigures(team=t, name=str(t)) for t in teams}
    items = InboxItem.objects.filter(team_id__in=list(rows), deputy_for__isnull=True).order_by()
    received = Coalesce("received_at", "created_at")
    row: Any  # one grouped row of each query below

    # backlog by age band and overdue items: one grouped query
    band_filters = {}
    for i, (first, last) in enumerate(AGE_BANDS):
        condition = Q(received_on__lt=_midnight(today - dt.timedelta(days=first - 1))) if first else Q()
        if last is not None:
            condition &= Q(received_on__gte=_midnight(today - dt.timedelta(days=last)))
        band_filters[f"band{i}"] = Count("pk", filter=condition)
    backlog = (
        items.filter(active=1)
        .annotate(received_on=received)
        .values("team_id")
        .annotate(backlog=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)), **band_filters)
    )
    for row in backlog:
        figures = rows[row["team_id"]]
        figures.backlog = row["backlog"]
        figures.overdue_items = row["overdue"]
        figures.bands = [row[f"band{i}"] for i in range(len(AGE_BANDS))]

    # done per ISO week: one count per week range (plain comparisons, no date function per row)
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=WEEKS - 1)
    weeks = [first_monday + dt.timedelta(weeks=i) for i in range(WEEKS)]
    per_week = {
        f"w{i}": Count(
            "pk",
            filter=Q(done_at__gte=_midnight(week), done_at__lt=_midnight(week + dt.timedelta(weeks=1))),
        )
        for i, week in enumerate(weeks)
    }
    done = (
        items.filter(state=InboxItem.State.DONE, done_at__gte=_midnight(first_monday))
        .values("team_id")
        .annotate(**per_week)
    )
    for row in done:
        rows[row["team_id"]].done_per_week = [row[f"w{i}"] for i in range(WEEKS)]

    # channels of the documents received in the last 12 weeks
    channel_rows = (
        items.filter(received_at__gte=_midnight(first_monday))
        .values("team_id", "document__channel")
        .annotate(n=Count("document_id", distinct=True))
    )
    for row in channel_rows:
        rows[row["team_id"]].channels[row["document__channel"]] = row["n"]

    # time to done (Kaplan–Meier): items received in the window, counted per whole days to done (done
    # items) or open so far (censored), computed by the database
    now = timezone.now()
    since = _midnight(today - dt.timedelta(days=KM_WINDOW_DAYS))
    window = items.annotate(received_on=received).filter(received_on__gte=since)
    finished = (
        window.filter(state=InboxItem.State.DONE, done_at__isnull=False)
        .annotate(days=ElapsedDays("received_on", "done_at"))
        .values("team_id", "days")
        .annotate(n=Count("pk"))
    )
    for row in finished:
        target = rows[row["team_id"]].km_done
        days = max(row["days"] or 0, 0)
        target[days] = target.get(days, 0) + row["n"]
    still_open = (
        window.filter(active=1)
        .annotate(days=ElapsedDays("received_on", Value(now, output_field=DateTimeField())))
        .values("team_id", "days")
        .annotate(n=Count("pk"))
    )
    for row in still_open:
        target = rows[row["team_id"]].km_open
        days = max(row["days"] or 0, 0)
        target[days] = target.get(days, 0) + row["n"]

    # overdue document requests of the teams' households
    model = _request_model()
    if model is not None:
        overdue = (
            model.objects.overdue(today)
            .filter(household__responsible_team_id__in=list(rows))
            .order_by()
            .values("household__responsible_team_id")
            .annotate(n=Count("pk"))
        )
        for row in overdue:
            rows[row["household__responsible_team_id"]].overdue_requests = row["n"]

    total = TeamFigures(team=None, name=gettext("All shown teams"))
    for figures in rows.values():
        total.add(figures)
    return TeamStatistics(
        teams=list(rows.values()),
        total=total,
        weeks=weeks,
        band_labels=[age_band_label(b) for b in AGE_BANDS],
    )


def export_rows(stats: TeamStatistics) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The same figures as tables (title → header, rows) for the CSV and XLSX downloads."""
    everyone = [*stats.teams, stats.total]
    backlog_header = [
        gettext("Team"),
        gettext("Open items"),
        *stats.band_labels,
        gettext("Overdue items"),
        gettext("Overdue document requests"),
        gettext("Median days to done (Kaplan–Meier)"),
        gettext("Items in the estimate"),
        gettext("Digital share (%)"),
    ]
    backlog = [
        [
            f.name,
            f.backlog,
            *f.bands,
            f.overdue_items,
            f.overdue_requests,
            f.median_days_to_done if f.median_days_to_done is not None else "",
            f.km_items,
            f.digital_percent,
        ]
        for f in everyone
    ]
    week_header = [gettext("Team"), *stats.week_labels]
    weeks = [[f.name, *f.done_per_week] for f in everyone]
    channel_header = [gettext("Team"), *[str(c.label) for c in Document.Channel], gettext("Total")]
    channels = [
        [f.name, *[f.channels.get(c.value, 0) for c in Document.Channel], f.channel_total] for f in everyone
    ]
    return {
        gettext("Backlog"): (backlog_header, backlog),
        gettext("Done per week"): (week_header, weeks),
        gettext("Channels"): (channel_header, channels),
    }


def export_csv(stats: TeamStatistics) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for title, (header, rows) in export_rows(stats).items():
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(stats: TeamStatistics) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in export_rows(stats).items():
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
