"""Writes of team memberships: a staff member works in further teams (beside the home team), each with
a role there. Administrators decide (``policy.can_administer``); every change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from jcportal.audit.services import audit

from . import policy
from .models import TeamMembership


class MembershipNotAllowed(PermissionError):
    pass


@transaction.atomic
def add_membership(
    user: Any, team: Any, *, role: str = "", by: Any, request: HttpRequest | None = None
) -> TeamMembership:
    """``user`` also works in ``team`` (with ``role`` there; empty: their own role). Idempotent; a second
    call changes the role."""
    if not policy.can_administer(by):
        raise MembershipNotAllowed
    membership, _created = TeamMembership.objects.update_or_create(
        user=user, team=team, defaults={"role": role}
    )
    audit(
        "account.team_membership_added",
        request=request,
        actor=by,
        obj=user,
        details={"team": team.pk, "team_name": team.name, "role": role or str(user.role)},
    )
    return membership


@transaction.atomic
def remove_membership(membership: TeamMembership, *, by: Any, request: HttpRequest | None = None) -> None:
    if not policy.can_administer(by):
        raise MembershipNotAllowed
    audit(
        "account.team_membership_removed",
        request=request,
        actor=by,
        obj=membership.user,
        details={"team": membership.team_id, "team_name": membership.team.name},
    )
    membership.delete()
