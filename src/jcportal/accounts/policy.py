"""Who may see and do what. The one place that decides access to social data (§35 SGB I).

Every view, task, export and API endpoint asks these functions; nothing else filters by household.
Each function takes ``who``: an ``accounts.actor.Actor`` (a staff member, citizen, representative, API
client or the system) or a user object (``request.user``, also anonymous). The rules, role by role, are
the matrix in ``docs/staff/roles.md`` (a test compares it with these functions):
- a citizen sees only their own household;
- a representative sees the households that granted them access, within the granted scopes and dates;
- staff in a case role see the households of their team, and of colleagues they currently deputise for;
  the team lead is in a case role (Fachaufsicht) unless ``TEAM_LEAD_READS_CASES`` is off;
- administrators, the scan station and the data-protection officer read no documents;
- an API client sees the households of its offices and teams (or all), only within its scopes;
- the system (tasks, commands) is not a person: these functions grant it nothing (tasks do not ask).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet

from jcportal.households.models import Household

from .actor import Actor
from .models import (
    CASE_ROLES,
    STAFF_ROLES,
    Absence,
    AccessRequest,
    Representation,
    Role,
    Substitution,
    TeamMembership,
)

# An Actor, or any authenticated or anonymous user object (request.user), or None.
Who = Any
User = Any  # kept for callers that annotate with policy.User

PORTAL_ROLES = (Role.CITIZEN, Role.REPRESENTATIVE)


# --- who is asking -------------------------------------------------------------------------------------


def user_of(who: Who) -> Any:
    """The user behind ``who`` (None for an API client, the system or an anonymous visitor)."""
    if isinstance(who, Actor):
        return who.user
    if who is None or not getattr(who, "is_authenticated", False):
        return None
    return who


def client_of(who: Who) -> Any:
    """The API client behind ``who`` (an Actor for a client, or the client object itself)."""
    if isinstance(who, Actor):
        return who.client
    if who is not None and hasattr(who, "all_households") and not hasattr(who, "role"):
        return who
    return None


def _role(who: Who) -> str | None:
    """The role of an active, authenticated user; None for everybody else."""
    user = user_of(who)
    if user is None or not user.is_active:
        return None
    return str(user.role)


def case_roles() -> frozenset[str]:
    """Roles whose task requires reading the cases of their team (``TEAM_LEAD_READS_CASES``)."""
    roles = {str(r) for r in CASE_ROLES}
    if not getattr(settings, "TEAM_LEAD_READS_CASES", True):
        roles.discard(str(Role.TEAM_LEAD))
    return frozenset(roles)


def is_portal_user(who: Who) -> bool:
    """A citizen or representative (the portal's side; whether a household is chosen is another matter)."""
    return _role(who) in PORTAL_ROLES


def is_staff(who: Who) -> bool:
    return _role(who) in STAFF_ROLES


def is_case_staff(who: Who) -> bool:
    return _role(who) in case_roles()


def deputised_staff_ids(who: Who) -> list[int]:
    """IDs of colleagues whose absence ``who`` covers today (as deputy, further deputy or by a standing
    substitution, ``Absence.covered_staff_ids``)."""
    user = user_of(who)
    if user is None:
        return []
    return Absence.covered_staff_ids(user)


# --- teams ---------------------------------------------------------------------------------------------


def team_ids_of(who: Who) -> list[int]:
    """The teams a staff member works in: the home team (``User.team``) and every further team of a
    ``TeamMembership``. Every decision "by team" asks this, never ``user.team`` alone."""
    user = user_of(who)
    if user is None or user.pk is None:
        return []
    ids = [user.team_id] if user.team_id else []
    ids += [
        t for t in TeamMembership.objects.filter(user=user).values_list("team_id", flat=True) if t not in ids
    ]
    return ids


def inbox_team_ids(who: Who) -> list[int]:
    """The teams whose inbox tab ``who`` sees: ``team_ids_of`` and the teams of standing substitutions."""
    user = user_of(who)
    if user is None:
        return []
    standing = Substitution.objects.filter(deputy=user, team__isnull=False).values_list("team_id", flat=True)
    return sorted(set(team_ids_of(user)) | set(standing))


def inbox_teams(who: Who) -> QuerySet:
    """``inbox_team_ids`` as one lazy query (for lists, which then add no query of their own)."""
    from jcportal.households.models import Team

    user = user_of(who)
    if user is None:
        return Team.objects.none()
    condition = Q(memberships__user=user) | Q(standing_substitutes__deputy=user)
    if user.team_id:
        condition |= Q(pk=user.team_id)
    return Team.objects.filter(condition).values("pk")


def team_role(who: Who, team_id: int | None) -> str | None:
    """The role ``who`` has in a team: the membership's role (or the own role) in a team they belong to."""
    user = user_of(who)
    if user is None or team_id is None or not user.is_active:
        return None
    if user.team_id == team_id:
        return str(user.role)
    membership = TeamMembership.objects.filter(user=user, team_id=team_id).first()
    return membership.effective_role if membership else None


def clearing_teams(who: Who) -> QuerySet:
    """The clearing teams (``Team.is_clearing``) a staff member belongs to; all of them for an
    administrator, who configures them."""
    from jcportal.households.models import Team

    if _role(who) == Role.ADMIN:
        return Team.objects.filter(is_clearing=True)
    if _role(who) not in STAFF_ROLES:
        return Team.objects.none()
    return Team.objects.filter(is_clearing=True, pk__in=team_ids_of(who))


def can_open_clearing(who: Who) -> bool:
    """The clearing inbox (items without a household, quarantined uploads, parked intake): members of a
    clearing team and administrators (who see the list, not the documents)."""
    return _role(who) == Role.ADMIN or clearing_teams(who).exists()


def can_clear_items(who: Who) -> bool:
    """Assigning an item to a household or turning an Erstantrag into one: case staff of a clearing team."""
    return is_case_staff(who) and _role(who) != Role.ADMIN and clearing_teams(who).exists()


# --- households ----------------------------------------------------------------------------------------


def _representative_household_ids(user: Any, scope: str | None) -> QuerySet:
    grants = Representation.objects.active().filter(representative=user)
    if scope:
        grants = grants.with_scope(scope)
    return grants.values("household_id")


def visible_households(who: Who, scope: str | None = None) -> QuerySet[Household]:
    """Households whose case file ``who`` may open. ``scope`` narrows representatives' grants; an API
    client sees its territory (``api_client_households``; what it may do there, ``can_client`` says)."""
    client = client_of(who)
    if client is not None:
        return api_client_households(client)
    role = _role(who)
    user = user_of(who)
    if role == Role.CITIZEN:
        if user.person_id is None:
            return Household.objects.none()
        return Household.objects.filter(members__id=user.person_id)
    if role == Role.REPRESENTATIVE:
        return Household.objects.filter(id__in=_representative_household_ids(user, scope))
    if role in case_roles():
        deputised = deputised_staff_ids(user)
        condition = Q(responsible_team_id__in=_own_and_deputised_team_ids(user, deputised))
        condition |= Q(responsible_caseworker_id=user.pk) | Q(responsible_integration_specialist_id=user.pk)
        if deputised:
            condition |= Q(responsible_caseworker_id__in=deputised) | Q(
                responsible_integration_specialist_id__in=deputised
            )
        return Household.objects.filter(condition).distinct()
    return Household.objects.none()


def can_view_household(who: Who, household: Household | None, scope: str | None = None) -> bool:
    if household is None:
        return False
    return visible_households(who, scope).filter(pk=household.pk).exists()


def can_read_documents_of(who: Who, household: Household | None) -> bool:
    """The household's documents (PDFs, originals, ID scans). An API client needs ``documents:read``."""
    client = client_of(who)
    if client is not None:
        return can_client(client, "documents:read", household)
    return can_view_household(who, household, scope="read")


def can_upload_for(who: Who, household: Household | None) -> bool:
    """Send documents for the household (an API client: ``documents:write`` in its territory)."""
    client = client_of(who)
    if client is not None:
        return can_client(client, "documents:write", household)
    if _role(who) in PORTAL_ROLES:
        return can_view_household(who, household, scope="upload")
    return is_case_staff(who) and can_view_household(who, household)


def can_file_services_for(who: Who, household: Household | None) -> bool:
    if _role(who) in PORTAL_ROLES:
        return can_view_household(who, household, scope="services")
    return False


def can_search_households(who: Who) -> bool:
    """Matching access requests and assigning scans needs a search over names/BG numbers (not documents)."""
    return is_case_staff(who) or _role(who) == Role.SCAN_STATION


def citizen_household(who: Who) -> Household | None:
    """The household a citizen account belongs to (None for everybody else)."""
    user = user_of(who)
    if _role(who) == Role.CITIZEN and user.person_id:
        return user.person.household
    return None


# --- staff functions -----------------------------------------------------------------------------------


def can_read_audit_log(who: Who) -> bool:
    return _role(who) in (Role.DPO, Role.ADMIN)


def can_manage_records(who: Who) -> bool:
    """Records management (retention plan, legal holds, archive offer, approving destruction): staff
    with the records permission (the group "Records management"); it grants no reading of documents."""
    return _role(who) in STAFF_ROLES and bool(user_of(who).has_perm("records.manage_records"))


def can_administer(who: Who) -> bool:
    return _role(who) == Role.ADMIN


def can_delete_absence(who: Who, absence: Any) -> bool:
    """Staff delete their own absences; their team lead and administrators manage them too."""
    return can_manage_absences_of(who, absence.staff)


def can_manage_absences_of(who: Who, staff: Any) -> bool:
    """Entering an absence (and standing substitutions) for ``staff``: the person themself, the team
    lead of one of their teams (the role in that team), and administrators."""
    user = user_of(who)
    if user is None or _role(who) not in STAFF_ROLES or staff is None:
        return False
    if staff.pk == user.pk or can_administer(user):
        return True
    return any(team_role(user, team_id) == Role.TEAM_LEAD for team_id in team_ids_of(staff))


def absence_staff(who: Who) -> QuerySet:
    """Staff ``who`` may enter absences for (``can_manage_absences_of``)."""
    from .models import User as UserModel

    staff = UserModel.objects.filter(is_active=True, role__in=[str(r) for r in STAFF_ROLES])
    if can_administer(who):
        return staff
    user = user_of(who)
    if user is None or _role(who) not in STAFF_ROLES:
        return staff.none()
    led = [t for t in team_ids_of(user) if team_role(user, t) == Role.TEAM_LEAD]
    if not led:
        return staff.filter(pk=user.pk)
    members = TeamMembership.objects.filter(team_id__in=led).values("user_id")
    return staff.filter(Q(pk=user.pk) | Q(team_id__in=led) | Q(pk__in=members)).distinct()


def led_team_ids(who: Who) -> list[int]:
    """Teams in which ``who`` is team lead (home team with the role, or a membership with that role)."""
    return [t for t in team_ids_of(who) if team_role(who, t) == Role.TEAM_LEAD]


def manageable_substitutions(who: Who) -> QuerySet:
    """Standing substitutions ``who`` sees and may delete: their own (as deputy or substituted), those of
    colleagues they enter absences for and of teams they lead; all for administrators."""
    if can_administer(who):
        return Substitution.objects.all()
    user = user_of(who)
    if user is None or _role(who) not in STAFF_ROLES:
        return Substitution.objects.none()
    condition = (
        Q(deputy=user) | Q(staff__in=absence_staff(user).values("pk")) | Q(team_id__in=led_team_ids(user))
    )
    return Substitution.objects.filter(condition).distinct()


def can_use_scan_station(who: Who) -> bool:
    return _role(who) in (Role.SCAN_STATION, Role.TEAM_ASSISTANT, Role.TEAM_LEAD)


def can_see_statistics(who: Who) -> bool:
    return _role(who) in (Role.TEAM_LEAD, Role.ADMIN)


def statistics_teams(who: Who) -> QuerySet:
    """Teams whose figures (backlog, throughput, time to done) ``who`` sees: administrators all teams, a
    team lead their own team(s); nobody else any."""
    from jcportal.households.models import Team

    role = _role(who)
    if role == Role.ADMIN:
        return Team.objects.select_related("service_office").order_by("service_office__name", "name")
    if role != Role.TEAM_LEAD:
        return Team.objects.none()
    user = user_of(who)
    team_ids = {user.team_id} if user.team_id else set()
    memberships = getattr(user, "team_memberships", None)  # several teams per user, where recorded
    if memberships is not None and hasattr(memberships, "values_list"):
        team_ids |= set(memberships.values_list("team_id", flat=True))
    return Team.objects.filter(pk__in=team_ids).select_related("service_office").order_by("name")


def can_test_routing(who: Who) -> bool:
    """The routing test shows where a made-up document would land (no social data)."""
    return _role(who) in (Role.TEAM_LEAD, Role.ADMIN)


def can_handle_intake_failures(who: Who) -> bool:
    """Documents the intake parked as failed: administrators and members of a clearing team."""
    return can_open_clearing(who)


def visible_intake_failures(who: Who, documents: QuerySet) -> QuerySet:
    """Administrators see every parked document; a clearing team those of its service office (and those
    without a household, which only a clearing team can place)."""
    if _role(who) == Role.ADMIN:
        return documents
    offices = list(clearing_teams(who).values_list("service_office_id", flat=True))
    if not offices:
        return documents.none()
    if None in offices:
        return documents
    return documents.filter(Q(household__service_office_id__in=offices) | Q(household__isnull=True))


def can_read_accessibility_feedback(who: Who) -> bool:
    """Reports of barriers sent from the accessibility statement (about the site, no social data)."""
    return _role(who) in (Role.TEAM_LEAD, Role.ADMIN)


def _own_and_deputised_team_ids(user: Any, deputised: list[int] | None = None) -> list[int]:
    """``team_ids_of(user)``, the teams of colleagues they deputise for today, and the teams of their
    standing substitutions."""
    from .models import User as UserModel

    teams = team_ids_of(user)
    deputised = deputised_staff_ids(user) if deputised is None else deputised
    if deputised:
        teams += list(
            UserModel.objects.filter(pk__in=deputised, team__isnull=False).values_list("team_id", flat=True)
        )
        teams += list(TeamMembership.objects.filter(user_id__in=deputised).values_list("team_id", flat=True))
    teams += list(
        Substitution.objects.filter(deputy=user, team__isnull=False).values_list("team_id", flat=True)
    )
    return sorted(set(teams))


def can_work_on_item(who: Who, item: Any) -> bool:
    """An inbox item: one's own, one's team's, or one of a household one may see (case staff only)."""
    if not is_case_staff(who):
        return False
    user = user_of(who)
    if item.assignee_id == user.pk or (item.team_id and item.team_id in _own_and_deputised_team_ids(user)):
        return True
    return item.household_id is not None and can_view_household(who, item.household)


def can_work_on_followup(who: Who, followup: Any) -> bool:
    """A Wiedervorlage: one's own, or one of an item or a case file one may work on (case staff only)."""
    if not is_case_staff(who):
        return False
    if followup.assignee_id == user_of(who).pk:
        return True
    if followup.item_id is not None:
        return can_work_on_item(who, followup.item)
    return followup.household_id is not None and can_view_household(who, followup.household)


def visible_access_requests(who: Who) -> QuerySet[AccessRequest]:
    """Access requests routed to the user's team (or a team they deputise for), or matched to a visible
    household. Only case staff handle them."""
    if not is_case_staff(who):
        return AccessRequest.objects.none()
    user = user_of(who)
    condition = Q(team_id__in=_own_and_deputised_team_ids(user)) | Q(household__in=visible_households(user))
    return AccessRequest.objects.filter(condition).distinct()


def can_decide_access_request_for(who: Who, household: Household | None) -> bool:
    """Approving a request opens the household's data to a new account: only its own case staff."""
    return is_case_staff(who) and can_view_household(who, household)


def manageable_accounts(who: Who) -> QuerySet:
    """Portal accounts (citizens of, and representatives for, households the staff member looks after)."""
    from .models import User as UserModel

    if not is_case_staff(who):
        return UserModel.objects.none()
    households = visible_households(who)
    return UserModel.objects.filter(
        Q(role=Role.CITIZEN, person__household__in=households)
        | Q(role=Role.REPRESENTATIVE, representations__household__in=households)
    ).distinct()


def can_manage_account(who: Who, account: Any) -> bool:
    return manageable_accounts(who).filter(pk=account.pk).exists()


def can_manage_representations_of(who: Who, household: Household | None) -> bool:
    """The citizen themself (never a representative) or the household's case staff."""
    if _role(who) == Role.CITIZEN:
        return household is not None and citizen_household(who) == household
    return is_case_staff(who) and can_view_household(who, household)


def can_see_transparency_log(who: Who, household: Household | None) -> bool:
    """Citizens see who accessed their household's data; representatives do not (it is not theirs)."""
    return _role(who) == Role.CITIZEN and household is not None and citizen_household(who) == household


# --- documents -----------------------------------------------------------------------------------------


def _document_model() -> Any:
    return apps.get_model("documents", "Document")


def can_download(who: Who, document: Any) -> bool:
    """Whether ``who`` may download ``document`` (its PDF or an original) or see its thumbnail.

    Never a quarantined document or one without a household. Citizens and representatives get letters
    of the Jobcenter only once released; a representative who may only send documents still gets back
    what they sent themselves; an API client needs ``documents:read`` and the household in its territory."""
    Document = _document_model()
    if document.household_id is None or document.status == Document.Status.QUARANTINED:
        return False
    household = document.household
    if client_of(who) is not None:
        return can_read_documents_of(who, household)
    user = user_of(who)
    if not can_read_documents_of(who, household):
        return bool(
            user is not None
            and document.uploaded_by_id is not None
            and document.uploaded_by_id == user.pk
            and document.direction == Document.Direction.INBOUND
            and can_upload_for(who, household)
        )
    if _role(who) in PORTAL_ROLES and document.direction == Document.Direction.OUTBOUND:
        return bool(document.released_at and not document.release_revoked_at)
    return True


def can_correct_document(who: Who, document: Any) -> bool:
    """Corrections of a document (type and title, household, split, merge, rotate, asking for and
    approving its deletion): case staff who may open the household's case file (its team's caseworkers,
    the team lead), and members of a clearing team. Read-only roles (administrator, scan station,
    data-protection officer) never; a quarantined document is never changed."""
    if not is_case_staff(who) or _role(who) == Role.ADMIN:
        return False
    if document.status == _document_model().Status.QUARANTINED:
        return False
    if document.household_id is not None and can_view_household(who, document.household):
        return True
    return can_handle_intake_failures(who)


def visible_documents(who: Who) -> QuerySet:
    """Documents staff or an API client may open (the E-Akte of visible households; never quarantined
    ones for an API client). Citizens' lists are the portal's selectors; each download asks ``can_download``."""
    Document = _document_model()
    client = client_of(who)
    if client is not None:
        if not can_client(client, "documents:read"):
            return Document.objects.none()
        return Document.objects.filter(household__in=api_client_households(client)).exclude(
            status=Document.Status.QUARANTINED
        )
    if not is_case_staff(who):
        return Document.objects.none()
    return Document.objects.filter(household__in=visible_households(who))


# --- online services (submissions) ---------------------------------------------------------------------


def _submission_model() -> Any:
    return apps.get_model("eforms", "Submission")


def visible_submissions(who: Who) -> QuerySet:
    """Submissions staff or an API client may open.

    Staff: those of households visible to them, plus Erstanträge without a household (pre-registrations)
    whose residence routes them to the user's service office; pre-registrations no postcode rule matched
    go to the clearing team (Eingangszone). An API client with ``submissions:read``: the filed ones of its
    territory, and pre-registrations of its offices (all of them with ``all_households``)."""
    Submission = _submission_model()
    client = client_of(who)
    if client is not None:
        if not can_client(client, "submissions:read"):
            return Submission.objects.none()
        filed = Submission.objects.exclude(status=Submission.Status.DRAFT)
        if getattr(client, "all_households", False):
            return filed
        return filed.filter(
            Q(household__in=api_client_households(client))
            | Q(household__isnull=True, service_office__in=client.offices.all())
        )
    if not is_case_staff(who):
        return Submission.objects.none()
    user = user_of(who)
    from jcportal.households.models import Team

    condition = Q(household__in=visible_households(user))
    for team in Team.objects.filter(pk__in=team_ids_of(user)):
        condition |= Q(household__isnull=True, service_office_id=team.service_office_id)
        if team.is_clearing:
            condition |= Q(household__isnull=True, service_office__isnull=True)
    return Submission.objects.filter(condition)


def can_open_submission(who: Who, submission: Any) -> bool:
    """Staff (back office) or an API client: a visible submission, never a draft nobody sent, except a
    partial Erstantrag with a recorded date of application (to follow up)."""
    if submission.is_draft and submission.application_date is None:
        return False
    return visible_submissions(who).filter(pk=submission.pk).exists()


def can_open_submission_document(who: Who, submission: Any, document: Any) -> bool:
    """The copy for the file or an evidence document of a submission ``who`` may open; never quarantined."""
    if document.status == _document_model().Status.QUARANTINED:
        return False
    linked = {str(e.document_id) for e in submission.evidence.all()}
    if submission.document_id:
        linked.add(str(submission.document_id))
    return str(document.pk) in linked and can_open_submission(who, submission)


def can_start_service(who: Who, *, needs_account: bool, household: Household | None = None) -> bool:
    """Starting an online service: with an account for ``household`` (citizen or representative with the
    services scope), or without an account (Erstantrag) for anybody but staff, who file nothing."""
    if needs_account:
        return can_file_services_for(who, household)
    return not is_staff(who) and client_of(who) is None


def can_continue_submission(
    who: Who, submission: Any, *, household: Household | None = None, draft_ids: Any = ()
) -> bool:
    """The applicant's side of a submission. Bound to a household: only while acting for that household
    (``household``, the portal's current household) with the services scope. Without a household
    (Erstantrag): a draft started or resumed in this session (``draft_ids``), or the applicant's account."""
    if submission.household_id is not None:
        return (
            household is not None
            and household.pk == submission.household_id
            and can_file_services_for(who, household)
        )
    if str(submission.pk) in {str(d) for d in draft_ids}:
        return True
    user = user_of(who)
    return bool(user is not None and submission.created_by_id == user.pk and not is_staff(who))


# --- API clients ---------------------------------------------------------------------------------------


def _client_active(client: Any) -> bool:
    return bool(
        client is not None
        and getattr(client, "revoked_at", None) is None
        and getattr(client, "is_active", True)
    )


def api_client_households(client: Any) -> QuerySet[Household]:
    """Households an API client may see: all (``all_households``) or those of its offices (service
    offices) and teams. A revoked or inactive client (or none) sees nothing."""
    if not _client_active(client):
        return Household.objects.none()
    if getattr(client, "all_households", False):
        return Household.objects.all()
    condition = Q(service_office__in=client.offices.all()) | Q(responsible_team__in=client.teams.all())
    return Household.objects.filter(condition)


def client_may_place_household(client: Any, *, office_id: int | None, team_id: int | None) -> bool:
    """Whether an API client (households:write) may create a household in, or move one to, this office
    and team: it must land in the client's own territory, or the client would write what it cannot see."""
    if not _client_active(client):
        return False
    if getattr(client, "all_households", False):
        return True
    offices = set(client.offices.values_list("pk", flat=True))
    teams = set(client.teams.values_list("pk", flat=True))
    return (office_id is not None and office_id in offices) or (team_id is not None and team_id in teams)


def client_can_see_household(client: Any, household: Household | None) -> bool:
    if household is None:
        return False
    return api_client_households(client).filter(pk=household.pk).exists()


def client_scopes(client: Any) -> frozenset[str]:
    scopes = getattr(client, "scopes", None) or ()
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    return frozenset(str(s) for s in scopes)


def can_client(client: Any, scope: str, household: Household | None = None) -> bool:
    """Whether an (active) API client holds ``scope``; with ``household``, also that it is in its territory."""
    if not _client_active(client) or scope not in client_scopes(client):
        return False
    return household is None or client_can_see_household(client, household)


# --- document requests (Mitwirkung) --------------------------------------------------------------------


def can_decide_request_answers(who: Who, doc_request: Any) -> bool:
    """Accept or reject an answer to a document request, or extend its deadline: a decision on the
    Mitwirkung, taken by the case roles that decide on benefits (not the team assistant), for households
    they may see."""
    if _role(who) not in case_roles() - {str(Role.TEAM_ASSISTANT)}:
        return False
    return can_view_household(who, getattr(doc_request, "household", None))


def can_handle_request_post(who: Who, doc_request: Any) -> bool:
    """Tick an item received on paper, print the request or reminder letter and record that it was
    posted: office work that the team assistant does too, for households the user may see."""
    return is_case_staff(who) and can_view_household(who, getattr(doc_request, "household", None))
