"""Wiedervorlage (follow-up): on a date an inbox item or a case file comes back to a staff member with a
reason. Set by hand from an item or a case file, and automatically on the return date of an approved
Ortsabwesenheit and for each overdue document request (``create_for_overdue_requests``, daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jcportal.audit.services import audit
from jcportal.households.models import Household
from jcportal.inbox.models import InboxItem

from .models import FollowUp, Notification


class FollowUpError(ValueError):
    """The Wiedervorlage cannot be set as asked (message is shown to staff)."""


def label(followup: FollowUp) -> str:
    """What the Wiedervorlage is about, in the reader's language (automatic ones carry their kind)."""
    if followup.source == FollowUp.Source.ABSENCE:
        return _("Return from an approved absence (Ortsabwesenheit): check that the person reported back.")
    if followup.source == FollowUp.Source.DOCUMENT_REQUEST:
        return _("A document request is overdue: check what is missing and decide how to go on.")
    return followup.reason


@transaction.atomic
def create(
    *,
    by: Any,
    due_on: dt.date,
    reason: str,
    item: InboxItem | None = None,
    household: Household | None = None,
    assignee: Any = None,
    source: str = FollowUp.Source.MANUAL,
    source_key: str = "",
    request: HttpRequest | None = None,
) -> FollowUp:
    """A Wiedervorlage for ``assignee`` (default: who sets it). With ``source_key`` at most one exists per
    key: a second call returns the first."""
    reason = reason.strip()[:2000]
    if source == FollowUp.Source.MANUAL and not reason:
        raise FollowUpError(_("Enter a reason for the Wiedervorlage."))
    if item is None and household is None:
        raise ValueError("a Wiedervorlage belongs to an item or a case file")
    if household is None and item is not None:
        household = item.household
    if source_key:
        existing = FollowUp.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    assignee = assignee or by
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(
                item=item,
                household=household,
                assignee=assignee,
                team_id=getattr(assignee, "team_id", None),
                due_on=due_on,
                reason=reason,
                source=source,
                source_key=source_key,
                created_by=by,
            )
    except IntegrityError:  # the same automatic Wiedervorlage was created concurrently
        return FollowUp.objects.get(source_key=source_key)
    audit(
        "followup.created",
        request=request,
        actor=by,
        obj=followup,
        household=getattr(household, "pk", None),
        details={
            "due_on": due_on.isoformat(),
            "source": source,
            "assignee": getattr(assignee, "pk", None),
            "inbox_item": getattr(item, "pk", None),
        },
    )
    return followup


def due_for(user: Any, day: dt.date | None = None) -> QuerySet[FollowUp]:
    """The open Wiedervorlagen of ``user`` due on ``day`` (today) or earlier, oldest first."""
    day = day or timezone.localdate()
    return (
        FollowUp.objects.filter(assignee=user, done_at__isnull=True, due_on__lte=day)
        .select_related("item__document", "household", "created_by")
        .order_by("due_on", "pk")
    )


def upcoming_for(user: Any, day: dt.date | None = None) -> QuerySet[FollowUp]:
    day = day or timezone.localdate()
    return (
        FollowUp.objects.filter(assignee=user, done_at__isnull=True, due_on__gt=day)
        .select_related("item__document", "household", "created_by")
        .order_by("due_on", "pk")
    )


def open_of(*, item: InboxItem | None = None, household: Household | None = None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(done_at__isnull=True).select_related("assignee")
    if item is not None:
        return qs.filter(item=item)
    return qs.filter(household=household)


@transaction.atomic
def mark_done(followup: FollowUp, user: Any, request: HttpRequest | None = None) -> FollowUp:
    if followup.done_at is None:
        followup.done_at = timezone.now()
        followup.done_by = user
        followup.save(update_fields=["done_at", "done_by"])
        audit(
            "followup.done",
            request=request,
            actor=user,
            obj=followup,
            household=followup.household_id,
            details={"due_on": followup.due_on.isoformat()},
        )
    return followup


@transaction.atomic
def postpone(
    followup: FollowUp, user: Any, new_date: dt.date, request: HttpRequest | None = None
) -> FollowUp:
    """A later date; the Wiedervorlage leaves the tab until then (and may notify again)."""
    if new_date <= timezone.localdate():
        raise FollowUpError(_("Choose a date after today."))
    previous = followup.due_on
    followup.due_on = new_date
    followup.notified_at = None
    followup.save(update_fields=["due_on", "notified_at"])
    audit(
        "followup.postponed",
        request=request,
        actor=user,
        obj=followup,
        household=followup.household_id,
        details={"from": previous.isoformat(), "to": new_date.isoformat()},
    )
    return followup


# --- automatic Wiedervorlagen --------------------------------------------------------------------------


def _responsible(household: Household | None, fallback: Any = None) -> Any:
    if household is not None and household.responsible_caseworker_id:
        return household.responsible_caseworker
    return fallback


def on_submission_action(submission: Any, action: str, user: Any) -> FollowUp | None:
    """Listener of ``eforms.services``: an approved Ortsabwesenheit is followed up on the return date
    (the first day after the absence) by the household's caseworker (or who approved it)."""
    if submission.form_slug != "ortsabwesenheit" or action != "approve":
        return None
    values = (submission.data or {}).get("absence") or {}
    try:
        until = dt.date.fromisoformat(values["absent_until"])
    except (KeyError, TypeError, ValueError):
        return None
    household = submission.household
    if household is None:
        return None
    item = InboxItem.objects.filter(document_id=submission.document_id).order_by("pk").first()
    return create(
        by=user,
        due_on=until + dt.timedelta(days=1),
        reason=f"{submission.reference} · {values.get('absent_from', '')} – {values['absent_until']}",
        item=item if submission.document_id else None,
        household=household,
        assignee=_responsible(household, user),
        source=FollowUp.Source.ABSENCE,
        source_key=f"eforms.Submission:{submission.pk}",
    )


def create_for_overdue_requests(day: dt.date | None = None) -> int:
    """One Wiedervorlage per overdue document request (idempotent: run daily; a request already followed
    up gets none again). For the household's caseworker, else for who made the request."""
    from jcportal.docrequests.models import DocumentRequest

    day = day or timezone.localdate()
    keys = set(
        FollowUp.objects.filter(source=FollowUp.Source.DOCUMENT_REQUEST).values_list("source_key", flat=True)
    )
    created = 0
    overdue = DocumentRequest.objects.overdue(day).select_related(
        "household__responsible_caseworker", "created_by"
    )
    for document_request in overdue.iterator():
        key = f"docrequests.DocumentRequest:{document_request.pk}"
        if key in keys:
            continue
        assignee = _responsible(document_request.household, document_request.created_by)
        if assignee is None:
            continue
        create(
            by=None,
            due_on=day,
            reason=document_request.deadline.isoformat(),
            household=document_request.household,
            assignee=assignee,
            source=FollowUp.Source.DOCUMENT_REQUEST,
            source_key=key,
        )
        created += 1
    return created


def notify_due(day: dt.date | None = None) -> int:
    """An in-app notification (and e-mail as the person chose) for each Wiedervorlage that came due."""
    from . import services

    day = day or timezone.localdate()
    due = FollowUp.objects.filter(
        done_at__isnull=True, notified_at__isnull=True, due_on__lte=day, assignee__isnull=False
    ).filter(Q(assignee__is_active=True))
    ids: list[int] = []
    for followup in due.select_related("item"):
        if followup.assignee_id is None:
            continue
        with transaction.atomic():
            claimed = FollowUp.objects.filter(pk=followup.pk, notified_at__isnull=True).update(
                notified_at=timezone.now()
            )
            if not claimed:
                continue
            note = Notification.objects.create(
                recipient_id=followup.assignee_id,
                kind=Notification.Kind.FOLLOW_UP,
                inbox_item=followup.item,
                document_id=followup.item.document_id if followup.item else None,
            )
            ids.append(note.pk)
    if ids:
        services.send_single_emails(ids)
    return len(ids)


def daily(day: dt.date | None = None) -> dict[str, int]:
    """The daily run (beat task and ``manage.py casework_followups``)."""
    return {"created": create_for_overdue_requests(day), "notified": notify_due(day)}
