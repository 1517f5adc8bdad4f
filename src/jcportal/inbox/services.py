"""Writes of the inbox: routing a document into inboxes, and what staff do with an item.

``route_document`` is the one entry point the intake pipeline calls. Higher layers that want to react
to new items (in-app notifications) join ``item_listeners`` from their ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jcportal.accounts.models import Absence, User
from jcportal.audit.services import audit
from jcportal.households.models import Household, Team

from . import routing
from .models import InboxEvent, InboxItem

# Called with each newly created item (inside the transaction). Registered by higher layers.
item_listeners: list[Callable[[InboxItem], None]] = []


def clearing_team(document) -> Team | None:  # type: ignore[no-untyped-def]
    household = document.household
    return routing.clearing_team(household.service_office if household is not None else None)


def _person(user: Any | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _put(
    document,  # type: ignore[no-untyped-def]
    *,
    assignee: Any | None,
    team: Team | None,
    steps: list[dict[str, Any]],
    deputy_for: Any = None,
    forwarded_by: Any = None,
    note: str = "",
    deadline: dt.date | None = None,
) -> InboxItem:
    """Create the item, or reopen the one this person already has for the document."""
    if assignee is not None:
        existing = InboxItem.objects.filter(document=document, assignee=assignee).first()
        if existing is not None:
            existing.state = InboxItem.State.NEW
            existing.done_at = None
            existing.team = team or existing.team
            existing.deputy_for = deputy_for
            existing.forwarded_by = forwarded_by
            existing.note = note
            existing.reason_steps = steps
            existing.reason = routing.summary_text(steps)
            existing.deadline = deadline or existing.deadline
            existing.save()
            _notify(existing)
            return existing
    item = InboxItem.objects.create(
        document=document,
        household_id=document.household_id,
        doc_type=document.doc_type,
        received_at=document.received_at,
        assignee=assignee,
        team=team,
        deputy_for=deputy_for,
        forwarded_by=forwarded_by,
        note=note,
        reason_steps=steps,
        reason=routing.summary_text(steps),
        deadline=deadline,
    )
    _notify(item)
    return item


def _notify(item: InboxItem) -> None:
    for listener in item_listeners:
        listener(item)


@transaction.atomic
def route_document(document) -> list[InboxItem]:  # type: ignore[no-untyped-def]
    """Put a delivered document into the right inbox(es). Idempotent: a second call adds nothing.

    Letters *from* the Jobcenter (direction outbound) are not inbox work and are not routed.
    """
    existing = list(document.inbox_items.all())
    if existing:
        return existing
    if getattr(document, "direction", "inbound") == "outbound":
        return []
    decision = routing.decide(document.household, document.doc_type)
    deadline = None
    if decision.deadline_days is not None:
        received = timezone.localdate(document.received_at) if document.received_at else timezone.localdate()
        deadline = received + dt.timedelta(days=decision.deadline_days)
    items = [
        _put(
            document, assignee=decision.assignee, team=decision.team, steps=decision.steps, deadline=deadline
        )
    ]
    for deputy in decision.deputies:
        items.append(
            _put(
                document,
                assignee=deputy.deputy,
                team=deputy.deputy.team or decision.team,
                steps=decision.deputy_steps(deputy),
                deputy_for=deputy.absent,
                deadline=deadline,
            )
        )
    InboxEvent.objects.create(
        document=document,
        item=items[0],
        action=InboxEvent.Action.ROUTED,
        target=_person(decision.assignee) or (decision.team.name if decision.team else ""),
    )
    return items


# --- what staff do with an item ------------------------------------------------------------------


def _on_behalf(item: InboxItem, user: Any) -> User | None:
    return item.deputy_for if item.assignee_id == user.pk and item.deputy_for_id else None


def _event(item: InboxItem, user: Any, action: str, target: str = "", note: str = "") -> InboxEvent:
    return InboxEvent.objects.create(
        document=item.document,
        item=item,
        actor=user,
        on_behalf_of=_on_behalf(item, user),
        action=action,
        target=target,
        note=note,
    )


@transaction.atomic
def mark_read(item: InboxItem, user: Any) -> InboxItem:
    """The staff member opened the document: the item is open, the citizen sees "opened"."""
    from jcportal.documents.models import Document

    now = timezone.now()
    document = item.document
    if item.state == InboxItem.State.NEW:
        item.state = InboxItem.State.OPEN
        item.opened_at = now
        item.save(update_fields=["state", "opened_at"])
        _event(item, user, InboxEvent.Action.OPENED)
    if document.opened_at is None or document.status in (Document.Status.DELIVERED, Document.Status.CHECKED):
        fields = []
        if document.opened_at is None:
            document.opened_at = now
            fields.append("opened_at")
        if document.status in (Document.Status.DELIVERED, Document.Status.CHECKED, Document.Status.RECEIVED):
            document.status = Document.Status.OPENED
            fields.append("status")
        if fields:
            Document.objects.filter(pk=document.pk).update(**{f: getattr(document, f) for f in fields})
    return item


@transaction.atomic
def mark_processed(item: InboxItem, user: Any, request: HttpRequest | None = None) -> InboxItem:
    """Done: every inbox item of the document is closed (also a deputy's) and the citizen sees "processed"."""
    from jcportal.documents.models import Document

    now = timezone.now()
    document = item.document
    if item.opened_at is None:
        mark_read(item, user)
    InboxItem.objects.filter(document=document).exclude(state=InboxItem.State.DONE).update(
        state=InboxItem.State.DONE, done_at=now
    )
    item.state = InboxItem.State.DONE
    item.done_at = now
    updates: dict[str, Any] = {"processed_at": document.processed_at or now}
    if document.status not in (Document.Status.REJECTED, Document.Status.QUARANTINED):
        updates["status"] = Document.Status.PROCESSED
    if document.opened_at is None:
        updates["opened_at"] = now
    Document.objects.filter(pk=document.pk).update(**updates)
    for key, value in updates.items():
        setattr(document, key, value)
    _event(item, user, InboxEvent.Action.PROCESSED)
    on_behalf = _on_behalf(item, user)
    audit(
        "document.processed",
        request=request,
        actor=user,
        obj=document,
        household=document.household_id,
        on_behalf_of=on_behalf.get_username() if on_behalf else "",
        details={"inbox_item": item.pk},
    )
    return item


@transaction.atomic
def reopen(item: InboxItem, user: Any) -> InboxItem:
    item.state = InboxItem.State.OPEN
    item.done_at = None
    item.save(update_fields=["state", "done_at"])
    _event(item, user, InboxEvent.Action.REOPENED)
    return item


@transaction.atomic
def forward(
    item: InboxItem,
    user: Any,
    *,
    to_user: Any | None = None,
    to_team: Team | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> InboxItem:
    """Hand the item to a colleague or a team with a note; the own item is closed."""
    if to_user is None and to_team is None:
        raise ValueError("forward needs a colleague or a team")
    steps = [routing._step("forwarded", person=_person(user))]
    target = _put(
        item.document,
        assignee=to_user,
        team=to_team or (to_user.team if to_user is not None else None),
        steps=steps,
        forwarded_by=user,
        note=note,
        deadline=item.deadline,
    )
    if target.pk != item.pk:
        item.state = InboxItem.State.DONE
        item.done_at = timezone.now()
        item.save(update_fields=["state", "done_at"])
    label = _person(to_user) if to_user is not None else (to_team.name if to_team else "")
    _event(item, user, InboxEvent.Action.FORWARDED, target=label, note=note)
    audit(
        "inbox.forwarded",
        request=request,
        actor=user,
        obj=item.document,
        household=item.document.household_id,
        details={"to_user": getattr(to_user, "pk", None), "to_team": getattr(to_team, "pk", None)},
    )
    return target


@transaction.atomic
def assign_household(
    household: Household,
    user: Any,
    *,
    new_person: Any,
    function: str = "benefits",
    item: InboxItem | None = None,
    request: HttpRequest | None = None,
) -> Household:
    """Make ``new_person`` responsible for the household (audited as a responsibility change).

    An open inbox item of the previous person for this household moves along to the new person.
    """
    field = (
        "responsible_integration_specialist"
        if function == routing.RoutingRule.Function.INTEGRATION
        else "responsible_caseworker"
    )
    previous: User | None = getattr(household, field)
    setattr(household, field, new_person)
    update = [field]
    if function != routing.RoutingRule.Function.INTEGRATION and new_person.team_id:
        household.responsible_team_id = new_person.team_id
        update.append("responsible_team")
    household.save(update_fields=update)
    audit(
        "household.responsibility_changed",
        request=request,
        actor=user,
        obj=household,
        household=household.pk,
        details={
            "field": field,
            "from": getattr(previous, "pk", None),
            "from_label": _person(previous),
            "to": new_person.pk,
            "to_label": _person(new_person),
        },
    )
    if item is not None:
        _event(item, user, InboxEvent.Action.REASSIGNED, target=_person(new_person))
        if item.state != InboxItem.State.DONE and item.assignee_id != new_person.pk:
            forward(item, user, to_user=new_person, request=request)
    return household


# --- absences and deputies -----------------------------------------------------------------------


@transaction.atomic
def record_absence(
    *,
    staff: Any,
    deputy: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str = "",
    by: Any,
    request: HttpRequest | None = None,
) -> Absence:
    absence = Absence.objects.create(
        staff=staff, deputy=deputy, starts_on=starts_on, ends_on=ends_on, note=note
    )
    audit(
        "absence.recorded",
        request=request,
        actor=by,
        obj=absence,
        details={"staff": staff.pk, "deputy": deputy.pk, "from": starts_on, "to": ends_on},
    )
    return absence


@transaction.atomic
def delete_absence(absence: Absence, *, by: Any, request: HttpRequest | None = None) -> None:
    audit(
        "absence.deleted",
        request=request,
        actor=by,
        obj=absence,
        details={"staff": absence.staff_id, "deputy": absence.deputy_id},
    )
    absence.delete()
