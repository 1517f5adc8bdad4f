"""Reads of the inbox. Lists run a constant number of queries per page, whatever the inbox size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.models import Absence, User
from jcportal.households.models import Person

from .models import InboxEvent, InboxItem

PAGE_SIZE = 25
TABS = ("mine", "team")
STATES = ("active", "new", "open", "done")
# Each sort (but type and household) reads one index of InboxItem.Meta in order and stops after a page.
SORTS: dict[str, list[Any]] = {
    "received": ["-received_at", "-pk"],
    "received_asc": ["received_at", "pk"],
    "deadline": ["due", "-pk"],  # no deadline sorts last
    "type": ["doc_type", "-pk"],
    "household": ["household__bg_number", "-pk"],
}


@dataclass
class InboxFilter:
    tab: str = "mine"
    state: str = "active"
    doc_type: str = ""
    household: str = ""
    name: str = ""  # a household member's first, last or birth name (part of it)
    sort: str = "received"
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    due_by: dt.date | None = None

    def normalised(self) -> InboxFilter:
        return InboxFilter(
            tab=self.tab if self.tab in TABS else "mine",
            state=self.state if self.state in STATES else "active",
            doc_type=self.doc_type.strip()[:40],
            household=self.household.strip()[:20],
            name=" ".join(self.name.split())[:100],
            sort=self.sort if self.sort in SORTS else "received",
            received_from=self.received_from,
            received_to=self.received_to,
            due_by=self.due_by,
        )


def _base(user: Any, tab: str) -> QuerySet[InboxItem]:
    if tab == "team":
        # the home team, further teams and standing substitutions, as a subquery (no query of its own)
        return InboxItem.objects.filter(team_id__in=policy.inbox_teams(user))
    return InboxItem.objects.filter(assignee=user)


def _state_filter(qs: QuerySet[InboxItem], state: str) -> QuerySet[InboxItem]:
    if state == "active":
        return qs.filter(active=1)
    return qs.filter(state=state)


def inbox_items(user: Any, flt: InboxFilter) -> QuerySet[InboxItem]:
    """The items of a tab and filter, in their order: the inbox table alone, no joins."""
    flt = flt.normalised()
    qs = _state_filter(_base(user, flt.tab), flt.state)
    if flt.doc_type:
        qs = qs.filter(doc_type=flt.doc_type)
    if flt.household:
        qs = qs.filter(household__bg_number__startswith=flt.household.upper())
    for word in flt.name.split()[:4]:  # every word names somebody of the household
        people = Person.objects.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(birth_name__icontains=word)
        )
        qs = qs.filter(household_id__in=people.values("household_id"))
    tz = timezone.get_current_timezone()
    if flt.received_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(flt.received_from, dt.time.min, tzinfo=tz))
    if flt.received_to:
        qs = qs.filter(
            received_at__lt=dt.datetime.combine(
                flt.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
        )
    if flt.due_by:
        qs = qs.filter(deadline__lte=flt.due_by)
    return qs.order_by(*SORTS[flt.sort])


def with_details(qs: QuerySet[InboxItem]) -> QuerySet[InboxItem]:
    """What a list row shows: document, household and its head's name, the people involved."""
    head_name = Person.objects.filter(household=OuterRef("household_id"), is_head=True).values("last_name")[
        :1
    ]
    return (
        qs.select_related("document", "household", "assignee", "team", "deputy_for", "forwarded_by")
        .defer(
            "document__ocr_text", "document__note", "document__rejection_detail", "document__pipeline_error"
        )
        .annotate(head_last_name=Subquery(head_name))
    )


class _IdsFirstPaginator(Paginator):
    """Finds the ids of a page on the inbox table alone (an index read in order that stops after the
    page), then loads those rows with their details. One big joined, sorted query would make the
    database sort every matching row first (bench/inbox_scale.py)."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = with_details(InboxItem.objects.filter(pk__in=ids)).in_bulk()
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def inbox_page(user: Any, flt: InboxFilter, page_number: str | int | None) -> Page:
    paginator = _IdsFirstPaginator(inbox_items(user, flt), PAGE_SIZE)
    return paginator.get_page(page_number)


def inbox_counts(user: Any, tab: str) -> dict[str, int]:
    """Number of new/open/done items of a tab, in one query."""
    counts = _base(user, tab).aggregate(
        new=Count("pk", filter=Q(state=InboxItem.State.NEW)),
        open=Count("pk", filter=Q(state=InboxItem.State.OPEN)),
        done=Count("pk", filter=Q(state=InboxItem.State.DONE)),
    )
    counts["active"] = counts["new"] + counts["open"]
    return counts


def item_for(user: Any, item_id: int) -> InboxItem | None:
    """An inbox item the user may work on: their own, their team's, or one of a household they may see."""
    if not policy.is_case_staff(user):
        return None
    item = (
        InboxItem.objects.select_related(
            "document", "household", "assignee", "team", "deputy_for", "forwarded_by", "document__household"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not policy.can_work_on_item(user, item):
        return None
    return item


def document_history(document) -> QuerySet[InboxEvent]:  # type: ignore[no-untyped-def]
    """Everything done with the document in any inbox (the owner sees what the deputy did)."""
    return (
        InboxEvent.objects.filter(document=document)
        .select_related("actor", "on_behalf_of")
        .order_by("at", "pk")
    )


def other_items(item: InboxItem) -> QuerySet[InboxItem]:
    return (
        InboxItem.objects.filter(document_id=item.document_id)
        .exclude(pk=item.pk)
        .select_related("assignee", "team", "deputy_for")
    )


def absences_for(user: Any) -> QuerySet[Absence]:
    """Absences a user may see and delete: their own and those they deputise; all for administrators."""
    qs = (
        Absence.objects.select_related("staff", "deputy")
        .prefetch_related("further_deputies")
        .order_by("-starts_on", "-pk")
    )
    if policy.can_administer(user):
        return qs
    managed = policy.absence_staff(user).values("pk")  # a team lead's team
    return qs.filter(
        Q(staff=user) | Q(deputy=user) | Q(further_deputies=user) | Q(staff__in=managed)
    ).distinct()


def colleagues(user: Any) -> QuerySet[User]:
    """Active staff in a case role (for forwarding, deputies and reassignment; ``policy.case_roles``)."""
    return (
        User.objects.filter(is_active=True, role__in=policy.case_roles())
        .select_related("team")
        .order_by("last_name", "first_name", "username")
    )
