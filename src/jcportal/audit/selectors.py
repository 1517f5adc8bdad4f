"""Reads of the audit log: the data-protection officer's search and citizens' transparency view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .actions import citizen_visible_actions, label_for
from .models import AuditEvent


def search_events(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: str = "",
    actor: str = "",
    household_id: int | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        # the user ID stored with the entry, or the actor's name (every word in the first or last name)
        by_name = Q()
        for word in actor.split():
            by_name &= Q(actor__first_name__icontains=word) | Q(actor__last_name__icontains=word)
        events = events.filter(Q(actor_label__icontains=actor.strip()) | by_name)
    if household_id is not None:
        events = events.filter(household_id=household_id)
    return events.order_by("-sequence")


def known_actions() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct().order_by("action"))


@dataclass(frozen=True)
class TransparencyEntry:
    at: dt.datetime
    what: str
    who: str
    on_behalf: bool


def _who(event: AuditEvent, viewer) -> str:  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import Role

    actor = event.actor
    if actor is None:
        return _("Jobcenter (automatic)") if event.actor_label != "anonymous" else _("Someone without login")
    if viewer is not None and actor.pk == viewer.pk:
        return _("You")
    role = Role(actor.role).label if actor.role in Role.values else actor.role
    if actor.role == Role.REPRESENTATIVE:
        return _("Representative %(name)s") % {"name": actor.get_full_name() or actor.username}
    if actor.role == Role.CITIZEN:
        return _("A member of your household")
    office = actor.team.service_office.name if actor.team_id else ""
    if office:
        return _("%(role)s, %(office)s") % {"role": role, "office": office}
    return str(role)


def transparency_entries(household, viewer, limit: int | None = 200) -> list[TransparencyEntry]:  # type: ignore[no-untyped-def]
    """Readable events of one household for its citizens: what happened, when, and by which role/office
    (never staff names or internal details). ``viewer`` None: "You" is never said (exports by staff);
    ``limit`` None: all of them (the access log export)."""
    events = (
        AuditEvent.objects.filter(household_id=household.pk, action__in=citizen_visible_actions())
        .select_related("actor", "actor__team", "actor__team__service_office")
        .order_by("-sequence")
    )
    if limit is not None:
        events = events[:limit]
    return [
        TransparencyEntry(
            at=e.at, what=label_for(e.action), who=_who(e, viewer), on_behalf=bool(e.on_behalf_of)
        )
        for e in events
    ]
