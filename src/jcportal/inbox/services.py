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

from jcportal.accounts import policy
from jcportal.accounts.models import Absence, Role, Substitution, User
from jcportal.audit.services import audit
from jcportal.documents import lifecycle as document_lifecycle
from jcportal.households.models import Household, Team

from . import routing
from .models import InboxEvent, InboxItem

# Called with each newly created item (inside the transaction). Registered by higher layers.
item_listeners: list[Callable[[InboxItem], None]] = []

# Documents that belong to another document's item (the evidence of an online application belongs to the
# application's item). Registered by higher layers from their AppConfig.ready (eforms):
# ``bundle_parents``: called with a document, return a text naming what it belongs to (shown in its
# history) or None; such a document gets no inbox item of its own. ``bundle_children``: called with a
# document id, return the ids of the documents that are done when it is done.
bundle_parents: list[Callable[[Any], str | None]] = []
bundle_children: list[Callable[[Any], list[Any]]] = []


def _bundle_parent(document: Any) -> str | None:
    for resolve in bundle_parents:
        found = resolve(document)
        if found:
            return found
    return None


def _close_bundle(document_id: Any, user: Any, now: dt.datetime) -> None:
    """The documents bundled with ``document_id`` are done with it (their items, if any, and their status)."""
    from jcportal.documents.models import Document

    ids = [child for resolve in bundle_children for child in resolve(document_id)]
    if not ids:
        return
    for item in InboxItem.objects.filter(document_id__in=ids).exclude(state=InboxItem.State.DONE):
        _close(item, user)
    for child in Document.objects.filter(pk__in=ids, processed_at__isnull=True):
        document_lifecycle.mark_processed(child, at=now)


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
            existing.household_id = existing.household_id or document.household_id
            existing.doc_type = existing.doc_type or document.doc_type
            existing.received_at = existing.received_at or document.received_at
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


# Reason codes of the items the intake hands to the clearing team (not routed work).
CLEARING_CODES = ("quarantined", "intake_failed")


def _is_clearing(item: InboxItem) -> bool:
    steps = item.reason_steps or []
    return bool(steps) and steps[0].get("code") in CLEARING_CODES


@transaction.atomic
def route_document(document) -> list[InboxItem]:  # type: ignore[no-untyped-def]
    """Put a delivered document into the right inbox(es). Idempotent: a second call adds nothing.

    Letters *from* the Jobcenter (direction outbound) are not inbox work and are not routed. A clearing
    hand-over of the intake (a retried failure) does not count as routed.
    """
    existing = [item for item in document.inbox_items.all() if not _is_clearing(item)]
    if existing:
        return existing
    if getattr(document, "direction", "inbound") == "outbound":
        return []
    belongs_to = _bundle_parent(document)
    if belongs_to:  # handled in the item it belongs to: no item of its own
        if not document.inbox_events.filter(action=InboxEvent.Action.ROUTED).exists():
            InboxEvent.objects.create(
                document=document, action=InboxEvent.Action.ROUTED, target=belongs_to[:200]
            )
        return []
    return _route_now(document)


def _route_now(document, note: str = "") -> list[InboxItem]:  # type: ignore[no-untyped-def]
    """Decide and put the document into the inbox(es) it belongs to now (also after clearing)."""
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
        note=note,
    )
    return items


@transaction.atomic
def hand_to_clearing(document, *, code: str, detail: str) -> InboxItem | None:  # type: ignore[no-untyped-def]
    """The intake could not finish ``document`` (``code`` in CLEARING_CODES): an item for the clearing
    team of the household's office. Idempotent while such an item is open."""
    for item in document.inbox_items.all():
        if _is_clearing(item) and item.state != InboxItem.State.DONE:
            return None
    team = clearing_team(document)
    steps = [routing._step(code, detail=detail[:200])]
    steps.append(routing._step("clearing", team=team.name) if team else routing._step("no_clearing"))
    item = _put(document, assignee=None, team=team, steps=steps)
    InboxEvent.objects.create(
        document=document,
        item=item,
        action=InboxEvent.Action.CLEARING,
        target=team.name if team else "",
        note=detail[:2000],
    )
    return item


@transaction.atomic
def resolve_clearing(document, *, actor: Any) -> int:  # type: ignore[no-untyped-def]
    """Staff retried the intake: its open clearing items are done (each with its event)."""
    closed = 0
    for item in document.inbox_items.exclude(state=InboxItem.State.DONE):
        if _is_clearing(item):
            _close(item, actor)
            closed += 1
    return closed


def _close(item: InboxItem, user: Any, note: str = "") -> None:
    item.state = InboxItem.State.DONE
    item.done_at = timezone.now()
    item.save(update_fields=["state", "done_at"])
    _event(item, user, InboxEvent.Action.PROCESSED, note=note)


@transaction.atomic
def close_items_of(document_id: Any, user: Any, *, note: str = "") -> int:
    """Another workflow settled the document (e.g. an online service was decided): its open items are
    done, each with its event."""
    items = list(InboxItem.objects.filter(document_id=document_id).exclude(state=InboxItem.State.DONE))
    for item in items:
        _close(item, user, note)
    _close_bundle(document_id, user, timezone.now())
    return len(items)


@transaction.atomic
def reopen_items_of(document_id: Any, user: Any, *, note: str = "") -> int:
    """The document needs staff again (e.g. the applicant answered a question): its items are open."""
    items = list(InboxItem.objects.filter(document_id=document_id).exclude(state=InboxItem.State.OPEN))
    for item in items:
        item.state = InboxItem.State.OPEN
        item.done_at = None
        item.save(update_fields=["state", "done_at"])
        _event(item, user, InboxEvent.Action.REOPENED, note=note)
    return len(items)


# --- what staff do with an item ------------------------------------------------------------------


def _on_behalf(item: InboxItem, user: Any) -> User | None:
    if user is None:
        return None
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
    now = timezone.now()
    if item.state == InboxItem.State.NEW:
        item.state = InboxItem.State.OPEN
        item.opened_at = now
        item.save(update_fields=["state", "opened_at"])
        _event(item, user, InboxEvent.Action.OPENED)
    document_lifecycle.mark_opened(item.document, at=now)
    return item


@transaction.atomic
def mark_processed(item: InboxItem, user: Any, request: HttpRequest | None = None) -> InboxItem:
    """Done: every inbox item of the document is closed (also a deputy's) and the citizen sees "processed"."""
    now = timezone.now()
    document = item.document
    if item.opened_at is None:
        mark_read(item, user)
    # one action, one event (on the acting item): the document's other items close with it
    InboxItem.objects.filter(document=document).exclude(state=InboxItem.State.DONE).update(
        state=InboxItem.State.DONE, done_at=now
    )
    item.state = InboxItem.State.DONE
    item.done_at = now
    document_lifecycle.mark_processed(document, at=now)
    _event(item, user, InboxEvent.Action.PROCESSED)
    _close_bundle(document.pk, user, now)
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
    copy: bool = False,
) -> InboxItem:
    """Hand the item to a colleague or a team with a note; the own item is closed. With ``copy`` the
    recipient gets an item of their own and the own item stays as it is."""
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
    if target.pk != item.pk and not copy:
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
        details={
            "to_user": getattr(to_user, "pk", None),
            "to_team": getattr(to_team, "pk", None),
            "copy": copy,
        },
    )
    return target


@transaction.atomic
def take_over(item: InboxItem, user: Any, request: HttpRequest | None = None) -> InboxItem:
    """The staff member takes the item into their own inbox ("take over"): a team item or a colleague's
    item becomes theirs. When they already have an item for the document, that one is reopened and this
    one closes (as a forward to themself)."""
    if item.assignee_id == user.pk:
        return item
    if InboxItem.objects.filter(document_id=item.document_id, assignee=user).exclude(pk=item.pk).exists():
        target = forward(item, user, to_user=user, request=request)
        return target
    previous = _person(item.assignee) if item.assignee_id else (item.team.name if item.team else "")
    item.assignee = user
    item.team = user.team or item.team
    item.deputy_for = None
    item.save(update_fields=["assignee", "team", "deputy_for"])
    _event(item, user, InboxEvent.Action.FORWARDED, target=_person(user), note=previous)
    audit(
        "inbox.taken_over",
        request=request,
        actor=user,
        obj=item.document,
        household=item.document.household_id,
        details={"inbox_item": item.pk, "from": previous},
    )
    return item


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


class AbsenceNotAllowed(PermissionError):
    """``by`` may not enter absences or substitutions for this colleague (``policy.can_manage_absences_of``)."""


@transaction.atomic
def record_absence(
    *,
    staff: Any,
    deputy: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str = "",
    by: Any,
    further_deputies: Any = (),
    request: HttpRequest | None = None,
) -> Absence:
    """Record an absence (by the person themself, their team lead or an administrator). When it has
    already begun, the absent person's open items are handed to the deputies at once."""
    if not policy.can_manage_absences_of(by, staff):
        raise AbsenceNotAllowed
    absence = Absence.objects.create(
        staff=staff, deputy=deputy, starts_on=starts_on, ends_on=ends_on, note=note
    )
    further = [d for d in further_deputies if d.pk not in (staff.pk, deputy.pk)]
    if further:
        absence.further_deputies.set(further)
    audit(
        "absence.recorded",
        request=request,
        actor=by,
        obj=absence,
        details={
            "staff": staff.pk,
            "deputy": deputy.pk,
            "further_deputies": [d.pk for d in further],
            "from": starts_on,
            "to": ends_on,
        },
    )
    if starts_on <= timezone.localdate() <= ends_on:
        hand_over_open_items(absence)
    return absence


@transaction.atomic
def hand_over_open_items(absence: Absence) -> list[InboxItem]:
    """The absence has begun: every open item of the absent person also goes to each deputy (with
    "deputy for …" and the reason), not only the new ones. Idempotent: a deputy who already has an item
    for the document keeps it as it is."""
    staff = absence.staff
    deputies = absence.all_deputies()
    created: list[InboxItem] = []
    open_items = (
        InboxItem.objects.filter(assignee=staff, deputy_for__isnull=True)
        .exclude(state=InboxItem.State.DONE)
        .select_related("document", "team")
    )
    for item in open_items:
        for deputy in deputies:
            if InboxItem.objects.filter(document_id=item.document_id, assignee=deputy).exists():
                continue
            steps = [
                *(item.reason_steps or []),
                routing._step(
                    "deputy",
                    deputy=_person(deputy),
                    person=_person(staff),
                    start=absence.starts_on.isoformat(),
                    end=absence.ends_on.isoformat(),
                ),
            ]
            copy = _put(
                item.document,
                assignee=deputy,
                team=deputy.team or item.team,
                steps=steps,
                deputy_for=staff,
                deadline=item.deadline,
            )
            InboxEvent.objects.create(
                document=item.document, item=copy, action=InboxEvent.Action.ROUTED, target=_person(deputy)
            )
            created.append(copy)
    Absence.objects.filter(pk=absence.pk).update(handed_over_at=timezone.now())
    if created:
        audit(
            "absence.items_handed_over",
            actor=None,
            obj=absence,
            details={"staff": staff.pk, "deputies": [d.pk for d in deputies], "items": len(created)},
        )
    return created


def hand_over_begun_absences(day: dt.date | None = None) -> int:
    """Daily (task ``inbox.tasks.hand_over_absences``): absences that began and were not handed over."""
    count = 0
    for absence in Absence.current(day).filter(handed_over_at__isnull=True).select_related("staff"):
        count += len(hand_over_open_items(absence))
    return count


@transaction.atomic
def record_substitution(
    *, deputy: Any, staff: Any = None, team: Team | None = None, by: Any, request: HttpRequest | None = None
) -> Substitution:
    """A standing substitution: ``deputy`` deputises for ``staff`` whenever they are absent, or always
    for ``team``. For a colleague: by them, their team lead or an administrator; for a team: its lead or
    an administrator."""
    if (staff is None) == (team is None):
        raise ValueError("a substitution is for a colleague or for a team")
    if staff is not None:
        allowed = policy.can_manage_absences_of(by, staff)
    else:
        allowed = policy.can_administer(by) or policy.team_role(by, team.pk) == Role.TEAM_LEAD
    if not allowed:
        raise AbsenceNotAllowed
    rule, _created = Substitution.objects.get_or_create(deputy=deputy, staff=staff, team=team)
    audit(
        "absence.substitution_recorded",
        request=request,
        actor=by,
        obj=rule,
        details={"deputy": deputy.pk, "staff": getattr(staff, "pk", None), "team": getattr(team, "pk", None)},
    )
    if staff is not None:
        for absence in Absence.current().filter(staff=staff):
            hand_over_open_items(absence)
    return rule


@transaction.atomic
def delete_substitution(rule: Substitution, *, by: Any, request: HttpRequest | None = None) -> None:
    audit(
        "absence.substitution_deleted",
        request=request,
        actor=by,
        obj=rule,
        details={"deputy": rule.deputy_id, "staff": rule.staff_id, "team": rule.team_id},
    )
    rule.delete()


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
