"""Reads for document requests. Staff see only requests of households ``accounts.policy`` lets them see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.documents.models import Document
from jcportal.households.models import Household

from .models import DocumentRequest, DocumentRequestItem

REJECTED_STATUSES = [Document.Status.REJECTED, Document.Status.QUARANTINED]


def _with_items(qs: QuerySet[DocumentRequest]) -> QuerySet[DocumentRequest]:
    return (
        qs.select_related("household", "created_by")
        .prefetch_related(Prefetch("items", queryset=DocumentRequestItem.objects.select_related("document")))
        .annotate(
            item_count=Count("items", distinct=True),
            arrived_count=Count(
                "items",
                filter=Q(items__arrived_at__isnull=False) & ~Q(items__document__status__in=REJECTED_STATUSES),
                distinct=True,
            ),
            accepted_count=Count(
                "items", filter=Q(items__state=DocumentRequestItem.State.ACCEPTED), distinct=True
            ),
            to_check_count=Count(
                "items",
                filter=Q(items__state=DocumentRequestItem.State.RECEIVED)
                & ~Q(items__document__status__in=REJECTED_STATUSES),
                distinct=True,
            ),
        )
    )


def requests_for_staff(user: Any, *, state: str = "open") -> QuerySet[DocumentRequest]:
    """``state``: open, overdue, complete, withdrawn or all."""
    qs = DocumentRequest.objects.filter(household__in=policy.visible_households(user))
    if state == "open":
        qs = qs.open()
    elif state == "overdue":
        qs = qs.overdue()
    elif state == "complete":
        qs = qs.filter(completed_at__isnull=False)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    ordering = ["-completed_at", "-pk"] if state == "complete" else ["deadline", "pk"]
    return _with_items(qs).order_by(*ordering)


def request_for_staff(user: Any, request_id: int) -> DocumentRequest | None:
    return (
        _with_items(DocumentRequest.objects.filter(household__in=policy.visible_households(user)))
        .filter(pk=request_id)
        .first()
    )


def requests_for_household(household: Household) -> QuerySet[DocumentRequest]:
    return _with_items(
        DocumentRequest.objects.filter(household=household, withdrawn_at__isnull=True)
    ).order_by("completed_at", "deadline", "pk")


def open_requests_for_household(household: Household) -> QuerySet[DocumentRequest]:
    return requests_for_household(household).filter(completed_at__isnull=True)


def missing_items(household: Household) -> list[DocumentRequestItem]:
    """Items of the household's open requests that still need an answer (missing, or rejected by staff),
    the earliest deadline first (what the dashboard and the upload page put first)."""
    return list(
        DocumentRequestItem.objects.filter(
            request__household=household,
            request__completed_at__isnull=True,
            request__withdrawn_at__isnull=True,
            state__in=[DocumentRequestItem.State.MISSING, DocumentRequestItem.State.REJECTED],
        )
        .select_related("request")
        .order_by("request__deadline", "request_id", "position", "pk")
    )


def waiting_for(household: Household) -> list[dict[str, Any]]:
    """The missing items grouped by request, earliest deadline first (the citizen's dashboard)."""
    grouped: dict[int, dict[str, Any]] = {}
    for item in missing_items(household):
        entry = grouped.setdefault(item.request_id, {"request": item.request, "items": []})
        entry["items"].append(item)
    today = timezone.localdate()
    for entry in grouped.values():
        entry["days_left"] = (entry["request"].deadline - today).days
        entry["overdue"] = entry["days_left"] < 0
    return list(grouped.values())


def overdue_count(user: Any) -> int:
    return DocumentRequest.objects.filter(household__in=policy.visible_households(user)).overdue().count()


def days_left(doc_request: DocumentRequest) -> int:
    return (doc_request.deadline - timezone.localdate()).days


def answers_of(document: Document) -> list[DocumentRequestItem]:
    """The request items ``document`` answers (or answered and was rejected for), with their request."""
    return list(
        DocumentRequestItem.objects.filter(document=document)
        .select_related("request", "decided_by")
        .order_by("request__deadline", "position", "pk")
    )


def letters_awaiting_post(user: Any) -> QuerySet[Any]:
    """Request and reminder letters of the user's households still to be printed and posted."""
    from .models import DocumentRequestLetter

    return DocumentRequestLetter.objects.filter(
        request__household__in=policy.visible_households(user),
        channel=DocumentRequestLetter.Channel.POST,
        sent_by_post_at__isnull=True,
        request__withdrawn_at__isnull=True,
    ).select_related("request", "request__household")
