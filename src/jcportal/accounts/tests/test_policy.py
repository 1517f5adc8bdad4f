"""accounts.policy beyond the role matrix: deputies, grants, API clients, online services, downloads,
and the team lead's Fachaufsicht as a Jobcenter setting (test_role_matrix covers every role per row)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.accounts.models import Absence, AccessRequest, Representation, Role
from jcportal.accounts.tests.factories import CitizenFactory, RepresentativeFactory, StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents.models import Document
from jcportal.eforms import registry
from jcportal.eforms.models import Submission, SubmissionEvidence
from jcportal.households.tests.factories import (
    HouseholdFactory,
    PersonFactory,
    ServiceOfficeFactory,
    TeamFactory,
)
from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

pytestmark = pytest.mark.django_db


def _submission(household=None, **fields):  # type: ignore[no-untyped-def]
    slug = fields.pop("form_slug", registry.slugs()[0])
    defaults = {
        "status": Submission.Status.SUBMITTED,
        "submitted_at": timezone.now(),
        "form_version": registry.current(slug).version,
    }
    return Submission.objects.create(form_slug=slug, household=household, **{**defaults, **fields})


def _api_client(**kwargs):  # type: ignore[no-untyped-def]
    from jcportal.api import scopes
    from jcportal.api.services import create_client

    scope_list = kwargs.pop("scope_list", scopes.all_scopes())
    return create_client(kwargs.pop("name", "dms"), scopes=scope_list, **kwargs)[0]


# --- the team lead (TEAM_LEAD_READS_CASES) ------------------------------------------------------------


def test_team_lead_reads_the_teams_case_files_audited_by_default(settings):  # type: ignore[no-untyped-def]
    settings.TEAM_LEAD_READS_CASES = True
    household = HouseholdFactory()
    lead = StaffFactory(role=Role.TEAM_LEAD, team=household.responsible_team)
    document = DocumentFactory(household=household, title="Personalausweis")
    client = login_staff(Client(), lead)
    assert client.get(reverse("backoffice:household", args=[household.pk])).status_code == 200
    assert client.get(reverse("backoffice:document", args=[document.pk])).status_code == 200
    viewed = AuditEvent.objects.filter(action="document.viewed", actor=lead, object_id=str(document.pk))
    assert viewed.exists()
    assert Actor.for_user(lead).is_case_staff
    # the citizen sees the read in "who accessed my data"
    from jcportal.audit.actions import label_for
    from jcportal.audit.selectors import transparency_entries

    opened = str(label_for("document.viewed"))
    assert any(str(entry.what) == opened for entry in transparency_entries(household, None))


def test_without_fachaufsicht_the_team_lead_opens_no_case(settings):  # type: ignore[no-untyped-def]
    settings.TEAM_LEAD_READS_CASES = False
    household = HouseholdFactory()
    lead = StaffFactory(role=Role.TEAM_LEAD, team=household.responsible_team)
    document = DocumentFactory(household=household)
    client = login_staff(Client(), lead)
    assert client.get(reverse("backoffice:household", args=[household.pk])).status_code in (403, 404)
    assert client.get(reverse("backoffice:document", args=[document.pk])).status_code in (403, 404)
    assert not policy.visible_households(lead).exists()
    assert not Actor.for_user(lead).is_case_staff
    # the figures stay
    assert policy.can_see_statistics(lead) and policy.can_test_routing(lead)
    assert client.get(reverse("backoffice:statistics")).status_code == 200


# --- staff: team, responsibility, deputies ------------------------------------------------------------


def test_deputy_sees_the_absent_colleagues_households_only_during_the_absence():  # type: ignore[no-untyped-def]
    absent = StaffFactory()
    household = HouseholdFactory(responsible_caseworker=absent)
    deputy = StaffFactory()  # another team
    assert not policy.can_view_household(deputy, household)
    today = timezone.localdate()
    absence = Absence.objects.create(staff=absent, deputy=deputy, starts_on=today, ends_on=today)
    assert policy.deputised_staff_ids(Actor.for_user(deputy)) == [absent.pk]
    assert policy.can_view_household(deputy, household)
    # the absent colleague's team's households too
    assert policy.can_view_household(deputy, HouseholdFactory(responsible_team=absent.team))
    absence.starts_on = absence.ends_on = today - dt.timedelta(days=1)
    absence.save()
    assert not policy.can_view_household(deputy, household)


def test_responsibility_outside_the_own_team_counts():  # type: ignore[no-untyped-def]
    specialist = StaffFactory(role=Role.CASE_MANAGER)
    household = HouseholdFactory(responsible_integration_specialist=specialist)
    assert household.responsible_team_id != specialist.team_id
    assert policy.can_view_household(specialist, household)
    assert policy.can_read_documents_of(specialist, household)


def test_inbox_items_own_team_or_visible_household():  # type: ignore[no-untyped-def]
    worker = StaffFactory()
    other_team = TeamFactory()
    foreign = HouseholdFactory(responsible_team=other_team)
    assigned = InboxItemFactory(document=DocumentFactory(household=foreign), assignee=worker, team=other_team)
    of_team = InboxItemFactory(document=DocumentFactory(household=foreign), team=worker.team)
    elsewhere = InboxItemFactory(document=DocumentFactory(household=foreign), team=other_team)
    assert policy.can_work_on_item(worker, assigned)
    assert policy.can_work_on_item(Actor.for_user(worker), of_team)
    assert not policy.can_work_on_item(worker, elsewhere)
    assert not policy.can_work_on_item(StaffFactory(role=Role.SCAN_STATION), of_team)


def test_access_requests_of_the_team_or_of_visible_households():  # type: ignore[no-untyped-def]
    worker = StaffFactory()
    request_fields = {
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": dt.date(1990, 1, 1),
        "street": "Weg 1",
        "postcode": "12345",
        "city": "Stadt",
        "consent_version": "v",
    }
    routed = AccessRequest.objects.create(team=worker.team, **request_fields)
    matched = AccessRequest.objects.create(
        household=HouseholdFactory(responsible_team=worker.team), **request_fields
    )
    foreign = AccessRequest.objects.create(team=TeamFactory(), **request_fields)
    assert set(policy.visible_access_requests(worker)) == {routed, matched}
    assert not policy.visible_access_requests(StaffFactory(role=Role.ADMIN, team=None)).exists()
    assert foreign not in policy.visible_access_requests(Actor.for_user(worker))


def test_absences_are_deleted_by_their_owner_or_an_administrator():  # type: ignore[no-untyped-def]
    owner = StaffFactory()
    today = timezone.localdate()
    absence = Absence.objects.create(staff=owner, deputy=StaffFactory(), starts_on=today, ends_on=today)
    assert policy.can_delete_absence(owner, absence)
    assert policy.can_delete_absence(Actor.for_user(StaffFactory(role=Role.ADMIN, team=None)), absence)
    assert not policy.can_delete_absence(StaffFactory(team=owner.team), absence)
    assert not policy.can_delete_absence(AnonymousUser(), absence)


# --- citizens and representatives ---------------------------------------------------------------------


def test_representative_only_within_scope_and_dates():  # type: ignore[no-untyped-def]
    household = HouseholdFactory()
    representative = RepresentativeFactory()
    grant = Representation.objects.create(representative=representative, household=household)
    assert policy.can_upload_for(representative, household)
    assert not policy.can_read_documents_of(representative, household)
    assert not policy.can_file_services_for(representative, household)
    sent = DocumentFactory(household=household, uploaded_by=representative)
    by_citizen = DocumentFactory(household=household)
    assert policy.can_download(representative, sent)  # what they sent themselves
    assert not policy.can_download(representative, by_citizen)
    grant.valid_until = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    assert not policy.visible_households(representative).exists()
    assert not policy.can_download(representative, sent)


def test_nobody_downloads_a_quarantined_document_or_one_without_household():  # type: ignore[no-untyped-def]
    household = HouseholdFactory()
    citizen = CitizenFactory(person=PersonFactory(household=household))
    caseworker = StaffFactory(team=household.responsible_team)
    quarantined = DocumentFactory(
        household=household, uploaded_by=citizen, status=Document.Status.QUARANTINED
    )
    unassigned = DocumentFactory(household=None)
    dms = Actor.for_client(_api_client(all_households=True))
    for who in (citizen, caseworker, dms):
        assert not policy.can_download(who, quarantined)
        assert not policy.can_download(who, unassigned)


def test_revoked_letter_is_gone_for_the_citizen_not_for_staff():  # type: ignore[no-untyped-def]
    household = HouseholdFactory()
    citizen = CitizenFactory(person=PersonFactory(household=household))
    letter = DocumentFactory(
        household=household,
        direction=Document.Direction.OUTBOUND,
        released_at=timezone.now(),
        release_revoked_at=timezone.now(),
    )
    assert not policy.can_download(citizen, letter)
    assert policy.can_download(StaffFactory(team=household.responsible_team), letter)


# --- online services: the applicant's side ------------------------------------------------------------


def test_starting_an_online_service():  # type: ignore[no-untyped-def]
    household = HouseholdFactory()
    citizen = CitizenFactory(person=PersonFactory(household=household))
    staff = StaffFactory(team=household.responsible_team)
    assert policy.can_start_service(citizen, needs_account=True, household=household)
    assert not policy.can_start_service(citizen, needs_account=True, household=HouseholdFactory())
    assert not policy.can_start_service(citizen, needs_account=True, household=None)
    assert not policy.can_start_service(staff, needs_account=True, household=household)
    # without an account (Erstantrag): anybody but staff and machines
    assert policy.can_start_service(AnonymousUser(), needs_account=False)
    assert policy.can_start_service(citizen, needs_account=False)
    assert not policy.can_start_service(staff, needs_account=False)
    assert not policy.can_start_service(Actor.for_client(_api_client()), needs_account=False)


def test_continuing_a_submission():  # type: ignore[no-untyped-def]
    household, other = HouseholdFactory(), HouseholdFactory()
    citizen = CitizenFactory(person=PersonFactory(household=household))
    bound = _submission(household, status=Submission.Status.DRAFT)
    assert policy.can_continue_submission(citizen, bound, household=household)
    assert not policy.can_continue_submission(citizen, bound, household=other)
    assert not policy.can_continue_submission(citizen, bound)
    # a representative acting for another of their households does not reach this one
    representative = RepresentativeFactory()
    for h in (household, other):
        Representation.objects.create(representative=representative, household=h, scope_services=True)
    assert policy.can_continue_submission(representative, bound, household=household)
    assert not policy.can_continue_submission(representative, bound, household=other)
    # an Erstantrag: this session's drafts, or the applicant's account
    anonymous = _submission(None, form_slug="erstantrag", status=Submission.Status.DRAFT)
    assert policy.can_continue_submission(AnonymousUser(), anonymous, draft_ids=[str(anonymous.pk)])
    assert not policy.can_continue_submission(AnonymousUser(), anonymous, draft_ids=[])
    own = _submission(None, form_slug="erstantrag", created_by=citizen)
    assert policy.can_continue_submission(Actor.for_user(citizen), own)
    staff = StaffFactory()
    assert not policy.can_continue_submission(
        staff, _submission(None, form_slug="erstantrag", created_by=staff)
    )


# --- online services: staff and API clients -----------------------------------------------------------


def test_staff_see_submissions_of_their_households_and_pre_registrations_of_their_office():  # type: ignore[no-untyped-def]
    worker = StaffFactory()
    mine = _submission(HouseholdFactory(responsible_team=worker.team))
    foreign = _submission(HouseholdFactory())
    pre_registration = _submission(None, form_slug="erstantrag", service_office=worker.team.service_office)
    elsewhere = _submission(None, form_slug="erstantrag", service_office=ServiceOfficeFactory())
    unrouted = _submission(None, form_slug="erstantrag")
    assert set(policy.visible_submissions(worker)) == {mine, pre_registration}
    clearing = StaffFactory(team=TeamFactory(is_clearing=True))
    assert unrouted in policy.visible_submissions(clearing)
    assert foreign not in policy.visible_submissions(
        clearing
    ) and elsewhere not in policy.visible_submissions(clearing)
    assert not policy.visible_submissions(StaffFactory(role=Role.DPO, team=None)).exists()


def test_a_draft_is_opened_by_staff_only_as_a_partial_erstantrag():  # type: ignore[no-untyped-def]
    worker = StaffFactory()
    household = HouseholdFactory(responsible_team=worker.team)
    draft = _submission(household, status=Submission.Status.DRAFT)
    partial = _submission(
        None,
        form_slug="erstantrag",
        status=Submission.Status.DRAFT,
        application_date=timezone.localdate(),
        service_office=worker.team.service_office,
    )
    assert not policy.can_open_submission(worker, draft)
    assert policy.can_open_submission(worker, partial)


def test_submission_files_are_only_the_copy_and_its_evidence():  # type: ignore[no-untyped-def]
    worker = StaffFactory()
    household = HouseholdFactory(responsible_team=worker.team)
    copy = DocumentFactory(household=household)
    submission = _submission(household, document=copy)
    evidence = DocumentFactory(household=household)
    SubmissionEvidence.objects.create(submission=submission, document=evidence)
    unrelated = DocumentFactory(household=household)
    assert policy.can_open_submission_document(worker, submission, copy)
    assert policy.can_open_submission_document(worker, submission, evidence)
    assert not policy.can_open_submission_document(worker, submission, unrelated)
    evidence.status = Document.Status.QUARANTINED
    assert not policy.can_open_submission_document(worker, submission, evidence)
    assert not policy.can_open_submission_document(StaffFactory(), submission, copy)


# --- API clients --------------------------------------------------------------------------------------


def test_an_api_clients_territory_is_its_offices_and_teams_or_all():  # type: ignore[no-untyped-def]
    by_office, by_team, elsewhere = HouseholdFactory(), HouseholdFactory(), HouseholdFactory()
    client = _api_client(offices=[by_office.service_office], teams=[by_team.responsible_team])
    assert set(policy.api_client_households(client)) == {by_office, by_team}
    assert set(policy.visible_households(Actor.for_client(client))) == {by_office, by_team}
    assert policy.client_can_see_household(client, by_team)
    assert not policy.client_can_see_household(client, elsewhere)
    assert not policy.client_can_see_household(client, None)
    everything = _api_client(name="all", all_households=True)
    assert policy.api_client_households(everything).count() == 3
    everything.revoked_at = timezone.now()
    assert not policy.api_client_households(everything).exists()
    assert not policy.api_client_households(None).exists()


def test_territory_works_with_any_object_with_the_three_fields():  # type: ignore[no-untyped-def]
    from jcportal.households.models import ServiceOffice, Team

    household = HouseholdFactory()
    fake = SimpleNamespace(
        all_households=False,
        offices=ServiceOffice.objects.filter(pk=household.service_office_id),
        teams=Team.objects.none(),
        scopes="documents:read submissions:read",
    )
    assert list(policy.api_client_households(fake)) == [household]
    assert policy.client_of(fake) is fake
    assert policy.can_client(fake, "documents:read", household)
    assert not policy.can_client(fake, "households:write")


def test_can_client_needs_the_scope_and_the_territory():  # type: ignore[no-untyped-def]
    household, elsewhere = HouseholdFactory(), HouseholdFactory()
    client = _api_client(scope_list=["documents:read"], teams=[household.responsible_team])
    assert policy.client_scopes(client) == {"documents:read"}
    assert policy.can_client(client, "documents:read")
    assert policy.can_client(client, "documents:read", household)
    assert not policy.can_client(client, "documents:read", elsewhere)
    assert not policy.can_client(client, "submissions:read", household)
    assert not policy.can_client(None, "documents:read")
    actor = Actor.for_client(client)
    assert policy.can_read_documents_of(actor, household)
    assert not policy.can_upload_for(actor, household)  # no documents:write
    assert not policy.is_staff(actor) and not policy.is_case_staff(actor)
    client.revoked_at = timezone.now()
    assert not policy.can_client(client, "documents:read")


def test_documents_and_submissions_an_api_client_sees():  # type: ignore[no-untyped-def]
    household, elsewhere = HouseholdFactory(), HouseholdFactory()
    client = _api_client(offices=[household.service_office])
    delivered = DocumentFactory(household=household)
    DocumentFactory(household=household, status=Document.Status.QUARANTINED)
    DocumentFactory(household=elsewhere)
    assert list(policy.visible_documents(Actor.for_client(client))) == [delivered]
    filed = _submission(household)
    _submission(household, status=Submission.Status.DRAFT)
    _submission(elsewhere)
    pre_registration = _submission(None, form_slug="erstantrag", service_office=household.service_office)
    _submission(None, form_slug="erstantrag", service_office=elsewhere.service_office)
    assert set(policy.visible_submissions(client)) == {filed, pre_registration}
    assert policy.can_open_submission(client, filed)
    without_scopes = _api_client(name="events-only", scope_list=["events:read"], all_households=True)
    assert not policy.visible_documents(without_scopes).exists()
    assert not policy.visible_submissions(without_scopes).exists()
    everything = _api_client(name="all", scope_list=["submissions:read"], all_households=True)
    assert policy.visible_submissions(everything).count() == 4  # all but the draft


def test_an_api_client_places_households_only_in_its_territory():  # type: ignore[no-untyped-def]
    team = TeamFactory()
    client = _api_client(teams=[team])
    assert policy.client_may_place_household(client, office_id=None, team_id=team.pk)
    assert not policy.client_may_place_household(client, office_id=team.service_office_id, team_id=None)
    assert policy.client_may_place_household(
        _api_client(name="all", all_households=True), office_id=None, team_id=None
    )


def test_an_api_clients_download_is_audited_with_the_client_as_actor():  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from jcportal.documents.services import open_download

    household = HouseholdFactory()
    document = DocumentFactory(household=household)
    document.pdf.save("x.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=True)
    reader = Actor.for_client(_api_client(name="reader", offices=[household.service_office]), ip="10.0.0.9")
    download = open_download(reader, document)
    assert download.filename == f"{document.receipt_number}.pdf"
    assert download.content_type == "application/pdf"
    event = AuditEvent.objects.get(action="document.downloaded", object_id=str(document.pk))
    assert (event.actor_label, event.actor_role, event.ip_address) == ("api:reader", "api", "10.0.0.9")
    outsider = Actor.for_client(_api_client(name="outsider", offices=[ServiceOfficeFactory()]))
    with pytest.raises(Http404):
        open_download(outsider, document)
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 1


# --- what a role is -----------------------------------------------------------------------------------

KINDS = {
    # role: (portal user, staff, case staff, Actor.kind)
    Role.CITIZEN: (True, False, False, "citizen"),
    Role.REPRESENTATIVE: (True, False, False, "representative"),
    Role.CASEWORKER: (False, True, True, "staff"),
    Role.CASE_MANAGER: (False, True, True, "staff"),
    Role.TEAM_ASSISTANT: (False, True, True, "staff"),
    Role.TEAM_LEAD: (False, True, True, "staff"),
    Role.SCAN_STATION: (False, True, False, "staff"),
    Role.ADMIN: (False, True, False, "staff"),
    Role.DPO: (False, True, False, "staff"),
}


@pytest.mark.parametrize("role", list(Role))
def test_what_each_role_is(role):  # type: ignore[no-untyped-def]
    from jcportal.accounts.tests.factories import UserFactory

    user = UserFactory(role=role)
    portal, staff, case_staff, kind = KINDS[role]
    for who in (user, Actor.for_user(user)):
        assert policy.is_portal_user(who) is portal
        assert policy.is_staff(who) is staff
        assert policy.is_case_staff(who) is case_staff
        assert policy.user_of(who) == user and policy.client_of(who) is None
        # records management is a permission, not a role
        assert not policy.can_manage_records(who)
    assert Actor.for_user(user).kind == kind
    user.is_active = False
    assert not policy.is_portal_user(user) and not policy.is_staff(user)


def test_records_management_is_a_permission_of_staff():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(codename="manage_records").first()
    if permission is None:
        pytest.skip("records app without its permission")
    staff, citizen = StaffFactory(role=Role.SCAN_STATION, team=None), CitizenFactory()
    for user in (staff, citizen):
        user.user_permissions.add(permission)
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    citizen = type(citizen).objects.get(pk=citizen.pk)
    assert policy.can_manage_records(staff) and policy.can_manage_records(Actor.for_user(staff))
    assert not policy.can_manage_records(citizen)
    assert not policy.can_read_documents_of(staff, HouseholdFactory())


def test_nobody_is_a_portal_user_or_staff_without_an_account():  # type: ignore[no-untyped-def]
    for who in (None, AnonymousUser(), Actor.system(), Actor.for_client(_api_client())):
        assert not policy.is_portal_user(who) and not policy.is_staff(who) and not policy.is_case_staff(who)
        assert policy.user_of(who) is None
        assert policy.citizen_household(who) is None
        assert policy.deputised_staff_ids(who) == []
        assert not policy.manageable_accounts(who).exists()
        assert not policy.visible_access_requests(who).exists()


@pytest.mark.parametrize("role", list(Role))
def test_document_and_submission_lists_are_for_case_staff_only(role):  # type: ignore[no-untyped-def]
    """The E-Akte lists (citizens' own lists are the portal's selectors, each download asks can_download)."""
    from jcportal.accounts.tests.factories import UserFactory

    household = HouseholdFactory()
    document = DocumentFactory(household=household)
    submission = _submission(household)
    team = household.responsible_team if role not in (Role.CITIZEN, Role.REPRESENTATIVE) else None
    user = UserFactory(role=role, team=team)
    listed = role in (Role.CASEWORKER, Role.CASE_MANAGER, Role.TEAM_ASSISTANT, Role.TEAM_LEAD)
    for who in (user, Actor.for_user(user)):
        assert (document in policy.visible_documents(who)) is listed
        assert (submission in policy.visible_submissions(who)) is listed


def test_without_fachaufsicht_nobody_forwards_to_or_is_deputised_by_the_team_lead(settings):  # type: ignore[no-untyped-def]
    from jcportal.inbox.selectors import colleagues

    lead = StaffFactory(role=Role.TEAM_LEAD)
    settings.TEAM_LEAD_READS_CASES = True
    assert lead in colleagues(lead)
    settings.TEAM_LEAD_READS_CASES = False
    assert lead not in colleagues(lead)
