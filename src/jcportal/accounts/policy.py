"""Who may see and do what. The one place that decides access to social data (§35 SGB I).

Every view, task, export and API endpoint asks these functions; nothing else filters by household.
Rules:
- a citizen sees only their own household;
- a representative sees the households that granted them access, within the granted scopes and dates;
- staff in a case role see the households of their team, and of colleagues they currently deputise for;
- administrators, the scan station and the data-protection officer read no documents.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jcportal.households.models import Household

from .models import CASE_ROLES, STAFF_ROLES, Absence, AccessRequest, Representation, Role

# Any authenticated or anonymous user object (request.user); every function checks authentication.
User = Any


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


def is_case_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in CASE_ROLES)


def deputised_staff_ids(user: User) -> list[int]:
    """IDs of colleagues whose absence ``user`` covers today."""
    return list(Absence.current().filter(deputy=user).values_list("staff_id", flat=True))


def _representative_household_ids(user: User, scope: str | None) -> QuerySet:
    grants = Representation.objects.active().filter(representative=user)
    if scope:
        grants = grants.with_scope(scope)
    return grants.values("household_id")


def visible_households(user: User, scope: str | None = None) -> QuerySet[Household]:
    """Households whose case file ``user`` may open. ``scope`` narrows representatives' grants."""
    if not user.is_authenticated or not user.is_active:
        return Household.objects.none()
    if user.role == Role.CITIZEN:
        if user.person_id is None:
            return Household.objects.none()
        return Household.objects.filter(members__id=user.person_id)
    if user.role == Role.REPRESENTATIVE:
        return Household.objects.filter(id__in=_representative_household_ids(user, scope))
    if user.role in CASE_ROLES:
        deputised = deputised_staff_ids(user)
        condition = Q(responsible_team_id=user.team_id) if user.team_id else Q(pk__in=[])
        condition |= Q(responsible_caseworker_id=user.pk) | Q(responsible_integration_specialist_id=user.pk)
        if deputised:
            condition |= Q(responsible_caseworker_id__in=deputised) | Q(
                responsible_integration_specialist_id__in=deputised
            )
            from .models import User as UserModel

            deputised_teams = UserModel.objects.filter(pk__in=deputised, team__isnull=False).values("team_id")
            condition |= Q(responsible_team_id__in=deputised_teams)
        return Household.objects.filter(condition).distinct()
    return Household.objects.none()


def can_view_household(user: User, household: Household, scope: str | None = None) -> bool:
    return visible_households(user, scope).filter(pk=household.pk).exists()


def can_read_documents_of(user: User, household: Household) -> bool:
    return can_view_household(user, household, scope="read")


def can_upload_for(user: User, household: Household) -> bool:
    if user.role in (Role.CITIZEN, Role.REPRESENTATIVE):
        return can_view_household(user, household, scope="upload")
    return is_case_staff(user) and can_view_household(user, household)


def can_file_services_for(user: User, household: Household) -> bool:
    if user.role in (Role.CITIZEN, Role.REPRESENTATIVE):
        return can_view_household(user, household, scope="services")
    return False


def can_search_households(user: User) -> bool:
    """Matching access requests and assigning scans needs a search over names/BG numbers (not documents)."""
    return is_case_staff(user) or (user.is_authenticated and user.role == Role.SCAN_STATION)


def can_read_audit_log(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in (Role.DPO, Role.ADMIN))


def can_administer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def can_delete_absence(user: User, absence: Any) -> bool:
    """Staff delete their own absences; administrators manage everyone's."""
    return bool(user.is_authenticated and (absence.staff_id == user.pk or can_administer(user)))


def can_use_scan_station(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.SCAN_STATION, Role.TEAM_ASSISTANT, Role.TEAM_LEAD)
    )


def can_see_statistics(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in (Role.TEAM_LEAD, Role.ADMIN))


def citizen_household(user: User) -> Household | None:
    """The household a citizen account belongs to (None for everybody else)."""
    if user.is_authenticated and user.role == Role.CITIZEN and user.person_id:
        return user.person.household
    return None


def _own_and_deputised_team_ids(user: User) -> list[int]:
    from .models import User as UserModel

    teams = [user.team_id] if user.team_id else []
    deputised = deputised_staff_ids(user)
    if deputised:
        teams += list(
            UserModel.objects.filter(pk__in=deputised, team__isnull=False).values_list("team_id", flat=True)
        )
    return teams


def visible_access_requests(user: User) -> QuerySet[AccessRequest]:
    """Access requests routed to the user's team (or a team they deputise for), or matched to a visible
    household. Only case staff handle them."""
    if not is_case_staff(user):
        return AccessRequest.objects.none()
    condition = Q(team_id__in=_own_and_deputised_team_ids(user)) | Q(household__in=visible_households(user))
    return AccessRequest.objects.filter(condition).distinct()


def can_decide_access_request_for(user: User, household: Household) -> bool:
    """Approving a request opens the household's data to a new account: only its own case staff."""
    return is_case_staff(user) and can_view_household(user, household)


def manageable_accounts(user: User) -> QuerySet:
    """Portal accounts (citizens of, and representatives for, households the staff member looks after)."""
    from .models import User as UserModel

    if not is_case_staff(user):
        return UserModel.objects.none()
    households = visible_households(user)
    return UserModel.objects.filter(
        Q(role=Role.CITIZEN, person__household__in=households)
        | Q(role=Role.REPRESENTATIVE, representations__household__in=households)
    ).distinct()


def can_manage_account(user: User, account: Any) -> bool:
    return manageable_accounts(user).filter(pk=account.pk).exists()


def can_manage_representations_of(user: User, household: Household) -> bool:
    """The citizen themself (never a representative) or the household's case staff."""
    if user.is_authenticated and user.role == Role.CITIZEN:
        return citizen_household(user) == household
    return is_case_staff(user) and can_view_household(user, household)


def can_see_transparency_log(user: User, household: Household) -> bool:
    """Citizens see who accessed their household's data; representatives do not (it is not theirs)."""
    return bool(user.is_authenticated and user.role == Role.CITIZEN and citizen_household(user) == household)
