"""Households from the Fachverfahren: idempotent upsert keyed by the BG number (API ``households:write``).

The Fachverfahren is the source of the households, their members and who is responsible; it syncs them
nightly. ``upsert_households`` compares each household with what is stored and writes only differences:
an identical second run writes nothing (no event, no audit entry). Members are matched by the
Fachverfahren's person id (kept in ``api.PersonReference``), else by first name, last name and date of
birth. A member missing from the list is removed, unless a portal account belongs to them (then kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.accounts.models import STAFF_ROLES, User
from jcportal.audit.services import audit_many
from jcportal.events.catalogue import HOUSEHOLD_UPSERTED
from jcportal.events.services import emit_many
from jcportal.households.models import Household, Person, ServiceOffice, Team, normalise_bg_number

from .models import PersonReference

HOUSEHOLD_FIELDS = ("street", "postcode", "city", "active", "approval_until")
# the responsibilities: payload key -> model attribute holding the id
RESPONSIBILITIES = {
    "office": "service_office_id",
    "team": "responsible_team_id",
    "caseworker": "responsible_caseworker_id",
    "integration_specialist": "responsible_integration_specialist_id",
}
MEMBER_FIELDS = ("first_name", "last_name", "birth_name", "date_of_birth", "relation", "is_head")


class UpsertError(ValueError):
    """One household cannot be written as given (``code``: invalid, not_found, outside_territory)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class UpsertResult:
    bg_number: str
    created: bool = False
    changed: bool = False
    changes: list[str] = field(default_factory=list)
    household: Household | None = None
    error: UpsertError | None = None


@dataclass
class _Lookups:
    """Everything a batch refers to, loaded once (offices, teams, staff by username, territory)."""

    client: Any
    offices: dict[int, ServiceOffice]
    teams: dict[int, Team]
    staff: dict[str, User]
    placements: dict[tuple[int | None, int | None], bool] = field(default_factory=dict)

    def may_place(self, office_id: int | None, team_id: int | None) -> bool:
        key = (office_id, team_id)
        if key not in self.placements:
            self.placements[key] = policy.client_may_place_household(
                self.client, office_id=office_id, team_id=team_id
            )
        return self.placements[key]


def _lookups(client: Any, items: Sequence[dict[str, Any]]) -> _Lookups:
    office_ids, team_ids, usernames = set(), set(), set()
    for item in items:
        wanted = item.get("responsibilities") or {}
        if wanted.get("office") is not None:
            office_ids.add(wanted["office"])
        if wanted.get("team") is not None:
            team_ids.add(wanted["team"])
        for key in ("caseworker", "integration_specialist"):
            if wanted.get(key):
                usernames.add(wanted[key])
    return _Lookups(
        client=client,
        offices=ServiceOffice.objects.in_bulk(office_ids),
        teams=Team.objects.in_bulk(team_ids),
        staff={
            u.username: u
            for u in User.objects.filter(username__in=usernames, role__in=STAFF_ROLES, is_active=True)
        },
    )


def _responsibility_ids(wanted: dict[str, Any], lookups: _Lookups) -> dict[str, int | None]:
    """Model attribute -> id for each responsibility named in the payload (absent keys stay as they are)."""
    ids: dict[str, int | None] = {}
    if "office" in wanted:
        office = wanted["office"]
        if office is not None and office not in lookups.offices:
            raise UpsertError("invalid", _("Unknown service office: %(id)s") % {"id": office})
        ids["service_office_id"] = office
    if "team" in wanted:
        team = wanted["team"]
        if team is not None and team not in lookups.teams:
            raise UpsertError("invalid", _("Unknown team: %(id)s") % {"id": team})
        ids["responsible_team_id"] = team
    for key in ("caseworker", "integration_specialist"):
        if key in wanted:
            username = wanted[key]
            if username and username not in lookups.staff:
                raise UpsertError(
                    "invalid", _("No active staff member has the username %(name)s.") % {"name": username}
                )
            ids[RESPONSIBILITIES[key]] = lookups.staff[username].pk if username else None
    return ids


def _member_key(values: dict[str, Any]) -> tuple[str, str, dt.date | None]:
    return (
        str(values.get("first_name", "")).strip().casefold(),
        str(values.get("last_name", "")).strip().casefold(),
        values.get("date_of_birth"),
    )


def _member_values(member: dict[str, Any]) -> dict[str, Any]:
    relation = member.get("relation") or Person.Relation.HEAD
    return {
        "first_name": str(member["first_name"]).strip(),
        "last_name": str(member["last_name"]).strip(),
        "birth_name": str(member.get("birth_name") or "").strip(),
        "date_of_birth": member["date_of_birth"],
        "relation": relation,
        "is_head": bool(member.get("is_head", relation == Person.Relation.HEAD)),
    }


@dataclass
class _Plan:
    """What one household needs written; planning writes nothing, so a refused household leaves no trace."""

    item: dict[str, Any]
    household: Household
    created: bool
    fields: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    new_people: list[tuple[Person, str]] = field(default_factory=list)
    updated_people: list[tuple[Person, list[str]]] = field(default_factory=list)
    references: list[tuple[Person, str]] = field(default_factory=list)  # (existing person, new external id)
    removed: list[Person] = field(default_factory=list)


def _plan_members(plan: _Plan, members: Iterable[dict[str, Any]], batch_ids: set[str]) -> None:
    stored: list[Person] = [] if plan.created else list(plan.household.members.all())
    by_ref: dict[str, Person] = {}
    by_key: dict[tuple[str, str, dt.date | None], Person] = {}
    for member_stored in stored:
        reference = getattr(member_stored, "fachverfahren_reference", None)
        if reference is not None:
            by_ref[reference.external_id] = member_stored
        by_key.setdefault(_member_key(member_stored.__dict__), member_stored)
    kept: set[int] = set()
    for member in members:
        values = _member_values(member)
        external_id = str(member.get("fachverfahren_id") or "").strip()
        if external_id:
            if external_id in batch_ids:
                raise UpsertError("invalid", _("The person id %(id)s occurs twice.") % {"id": external_id})
            batch_ids.add(external_id)
        person: Person | None = by_ref.get(external_id) if external_id else None
        if person is None:
            person = by_key.get(_member_key(values))
            if person is not None and person.pk in kept:
                person = None
        if person is None:
            plan.new_people.append((Person(household=plan.household, **values), external_id))
            plan.changes.append("members.added")
            continue
        kept.add(person.pk)
        dirty = [name for name in MEMBER_FIELDS if getattr(person, name) != values[name]]
        if dirty:
            for name in dirty:
                setattr(person, name, values[name])
            plan.updated_people.append((person, dirty))
            plan.changes.append("members.changed")
        reference = getattr(person, "fachverfahren_reference", None)
        if external_id and (reference is None or reference.external_id != external_id):
            plan.references.append((person, external_id))
            plan.changes.append("members.changed")
    # a member with a portal account stays (the account must not lose its person)
    plan.removed = [p for p in stored if p.pk not in kept and not p.accounts.exists()]
    if plan.removed:
        plan.changes.append("members.removed")


def _plan(item: dict[str, Any], existing: Household | None, lookups: _Lookups, batch_ids: set[str]) -> _Plan:
    household = existing or Household(bg_number=normalise_bg_number(item["bg_number"]))
    plan = _Plan(item=item, household=household, created=existing is None)
    for name in HOUSEHOLD_FIELDS:
        if name in item and getattr(household, name) != item[name]:
            setattr(household, name, item[name])
            plan.fields.append(name)
    for attribute, value in _responsibility_ids(item.get("responsibilities") or {}, lookups).items():
        if getattr(household, attribute) != value:
            setattr(household, attribute, value)
            plan.fields.append(attribute)
    placed = {"service_office_id", "responsible_team_id"} & set(plan.fields)
    if (plan.created or placed) and not lookups.may_place(
        household.service_office_id, household.responsible_team_id
    ):
        raise UpsertError(
            "outside_territory", _("The office and team are outside the households this client may see.")
        )
    plan.changes.extend(name.removesuffix("_id") for name in plan.fields)
    if "members" in item:
        _plan_members(plan, item["members"], batch_ids)
    plan.changes = sorted(set(plan.changes))
    return plan


def _write(plans: list[_Plan]) -> None:
    """Every planned write of a batch, in bulk where the batch is large (a first sync creates thousands)."""
    Household.objects.bulk_create([p.household for p in plans if p.created], batch_size=500)
    for plan in plans:
        if not plan.created and plan.fields:
            plan.household.save(update_fields=plan.fields)
    for plan in plans:
        for person, dirty in plan.updated_people:
            person.save(update_fields=dirty)
    removed = [person.pk for plan in plans for person in plan.removed]
    if removed:
        Person.objects.filter(pk__in=removed).delete()
    new_people = [(person, ref) for plan in plans for person, ref in plan.new_people]
    for person, _ref in new_people:
        person.household_id = person.household.pk
    Person.objects.bulk_create([person for person, _ref in new_people], batch_size=500)
    references = [(person, ref) for plan in plans for person, ref in plan.references]
    references += [(person, ref) for person, ref in new_people if ref]
    if references:
        # an id moves with the person: drop what it (or the person) pointed at before
        ids = [ref for _person, ref in references]
        PersonReference.objects.filter(
            Q(external_id__in=ids) | Q(person__in=[person.pk for person, _ref in references])
        ).delete()
        PersonReference.objects.bulk_create(
            [PersonReference(person=person, external_id=ref) for person, ref in references], batch_size=500
        )


def upsert_households(items: Sequence[dict[str, Any]], *, actor: Actor) -> list[UpsertResult]:
    """Upsert many households (validated payloads, see ``api.serializers_households``) in one transaction.

    Each item either succeeds or carries its ``error`` (a household of another territory is ``not_found``,
    as a GET would be); the others are written regardless. Changed households are audited and get a
    ``household.upserted`` event; unchanged ones are not touched."""
    client = actor.client
    bg_numbers = [normalise_bg_number(item["bg_number"]) for item in items]
    members = Prefetch("members", queryset=Person.objects.select_related("fachverfahren_reference"))
    existing = {
        h.bg_number: h for h in Household.objects.filter(bg_number__in=bg_numbers).prefetch_related(members)
    }
    visible = set(
        policy.api_client_households(client)
        .filter(pk__in=[h.pk for h in existing.values()])
        .values_list("pk", flat=True)
    )
    lookups = _lookups(client, items)
    results: list[UpsertResult] = []
    plans: list[_Plan] = []
    seen: set[str] = set()
    batch_ids: set[str] = set()
    for item, bg_number in zip(items, bg_numbers, strict=True):
        result = UpsertResult(bg_number)
        results.append(result)
        household = existing.get(bg_number)
        try:
            if bg_number in seen:
                raise UpsertError("invalid", _("The BG number occurs twice."))
            seen.add(bg_number)
            if household is not None and household.pk not in visible:
                raise UpsertError("not_found", _("Not found."))
            plan = _plan(item, household, lookups, batch_ids)
        except UpsertError as error:
            result.error = error
            continue
        result.household, result.created, result.changes = plan.household, plan.created, plan.changes
        result.changed = plan.created or bool(plan.changes)
        if result.changed:
            plans.append(plan)
    with transaction.atomic():
        _write(plans)
        audit_many(
            "household.synced",
            [(p.household, p.household, {"created": p.created, "changes": p.changes}) for p in plans],
            actor=actor,
        )
        emit_many(
            HOUSEHOLD_UPSERTED.type,
            [
                (p.household.bg_number, p.household, {"created": p.created, "changes": p.changes})
                for p in plans
            ],
        )
    return results
