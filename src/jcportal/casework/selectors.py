"""Reads of case work: household search, the case file register, releases, notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from jcportal.accounts import policy
from jcportal.documents.models import Document
from jcportal.households.models import Household, Person
from jcportal.inbox.models import InboxEvent

from . import search
from .models import DocumentTag, Notification, Tag

HIDDEN_FOR_CITIZENS = (Document.Status.REJECTED, Document.Status.QUARANTINED)


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def households_for(user: Any, query: str = "") -> QuerySet[Household]:
    """Households the user may open, searched by BG number, name or date of birth."""
    head = Person.objects.filter(household=OuterRef("pk"), is_head=True)
    qs = policy.visible_households(user).annotate(
        head_first_name=Subquery(head.values("first_name")[:1]),
        head_last_name=Subquery(head.values("last_name")[:1]),
        head_date_of_birth=Subquery(head.values("date_of_birth")[:1]),
    )
    query = (query or "").strip()[:100]
    if query:
        day = _parse_date(query)
        if day is not None:
            qs = qs.filter(pk__in=Person.objects.filter(date_of_birth=day).values("household_id"))
        else:
            condition = Q(bg_number__icontains=query)
            for word in query.split()[:4]:
                condition |= Q(
                    pk__in=Person.objects.filter(
                        Q(last_name__icontains=word)
                        | Q(first_name__icontains=word)
                        | Q(birth_name__icontains=word)
                    ).values("household_id")
                )
            qs = qs.filter(condition)
    return qs.select_related("service_office", "responsible_team", "responsible_caseworker").order_by(
        "bg_number"
    )


def household_for(user: Any, household_id: int) -> Household | None:
    return (
        policy.visible_households(user)
        .select_related(
            "service_office",
            "responsible_team",
            "responsible_caseworker",
            "responsible_integration_specialist",
        )
        .filter(pk=household_id)
        .first()
    )


def register(household: Household, query: str = "", tag_id: int | None = None) -> QuerySet[Document]:
    """All documents of the household from every channel, newest first, with tags and who opened them."""
    qs = Document.objects.filter(household=household).defer("ocr_text", "pipeline_error")
    if query:
        qs = search.matching_documents(qs, query)
    if tag_id:
        qs = qs.filter(casework_tags__tag_id=tag_id)
    openers = (
        InboxEvent.objects.filter(action=InboxEvent.Action.OPENED).select_related("actor").order_by("at")
    )
    return (
        qs.select_related("released_by", "uploaded_by")
        .prefetch_related(
            Prefetch("inbox_events", queryset=openers, to_attr="open_events"),
            Prefetch(
                "casework_tags", queryset=DocumentTag.objects.select_related("tag"), to_attr="tag_links"
            ),
        )
        .order_by("-received_at")
    )


def document_for(user: Any, document_id: Any) -> Document | None:
    """A document of a household the staff member may see (else None → 404)."""
    if not policy.is_case_staff(user):
        return None
    return (
        Document.objects.select_related("household", "released_by", "uploaded_by")
        .filter(pk=document_id, household__in=policy.visible_households(user))
        .first()
    )


def tags_in_use(household: Household) -> QuerySet[Tag]:
    return Tag.objects.filter(documents__document__household=household).distinct().order_by("name")


def releasable_documents(household: Household) -> QuerySet[Document]:
    return (
        Document.objects.filter(household=household, released_at__isnull=True)
        .exclude(status__in=HIDDEN_FOR_CITIZENS)
        .defer("ocr_text")
        .order_by("-received_at")
    )


def releases_for(household: Household) -> QuerySet[Document]:
    """What the citizen sees under "From the Jobcenter": released, not revoked, not rejected."""
    return (
        Document.objects.filter(
            household=household, released_at__isnull=False, release_revoked_at__isnull=True
        )
        .exclude(status__in=HIDDEN_FOR_CITIZENS)
        .defer("ocr_text")
        .order_by("-released_at")
    )


def release_for(household: Household, document_id: Any) -> Document | None:
    return releases_for(household).filter(pk=document_id).first()


def released_of(household: Household) -> QuerySet[Document]:
    """Every release of the household, including revoked ones (for staff)."""
    return (
        Document.objects.filter(household=household, released_at__isnull=False)
        .select_related("released_by")
        .defer("ocr_text")
        .order_by("-released_at")
    )


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("document", "inbox_item")


def unread_release_ids(user: Any) -> set[object]:
    return set(
        Notification.objects.filter(
            recipient=user, kind=Notification.Kind.RELEASE, read_at__isnull=True
        ).values_list("document_id", flat=True)
    )
