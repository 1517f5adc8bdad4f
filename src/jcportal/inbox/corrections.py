"""What the inbox does when staff correct a document (``documents.corrections`` calls these).

The inbox owns its items: a document moved to another household is routed again by the normal rules
(``services.route_document``), and the items' copies of the document's type and household follow it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import routing, services
from .models import InboxEvent, InboxItem


def refresh_copies(document) -> int:  # type: ignore[no-untyped-def]
    """The items keep a copy of the document's type and household for their lists: bring it up to date."""
    return InboxItem.objects.filter(document=document).update(
        household_id=document.household_id, doc_type=document.doc_type
    )


@transaction.atomic
def reroute(document, *, user: Any = None, note: str = "") -> list[InboxItem]:  # type: ignore[no-untyped-def]
    """Route the document again (it moved to another household, or its type needs another function).

    The open items close (the previous recipients have nothing left to do; the items, their notes and
    events stay in the history), the items' copies follow the document, and the routing rules decide the
    new inbox(es) as for a new document: a "routed" event names the new recipient."""
    now = timezone.now()
    InboxItem.objects.filter(document=document).exclude(state=InboxItem.State.DONE).update(
        state=InboxItem.State.DONE, done_at=now
    )
    refresh_copies(document)
    if getattr(document, "direction", "inbound") == "outbound":
        return []
    decision = routing.decide(document.household, document.doc_type)
    deadline = None
    if decision.deadline_days is not None:
        received = timezone.localdate(document.received_at) if document.received_at else timezone.localdate()
        deadline = received + dt.timedelta(days=decision.deadline_days)
    items = [
        services._put(
            document, assignee=decision.assignee, team=decision.team, steps=decision.steps, deadline=deadline
        )
    ]
    for deputy in decision.deputies:
        items.append(
            services._put(
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
        actor=user if getattr(user, "pk", None) else None,
        action=InboxEvent.Action.ROUTED,
        target=services._person(decision.assignee) or (decision.team.name if decision.team else ""),
        note=note,
    )
    return items


@transaction.atomic
def close_merged(document, *, user: Any, note: str = "") -> int:  # type: ignore[no-untyped-def]
    """The document was appended to another one: its open items are done (each with its event)."""
    return services.close_items_of(document.pk, user, note=note)
