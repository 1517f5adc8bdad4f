"""Clearing that works: several teams per user, the clearing inbox, "assign to household", an Erstantrag
registered as a household in one step, quarantined uploads never downloadable, and deputies who get the
open items when an absence begins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.models import Absence, Role, Substitution, TeamMembership
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents.models import Document
from jcportal.eforms import registry
from jcportal.eforms import services as eforms_services
from jcportal.eforms.models import Submission
from jcportal.households.models import Team
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory, TeamFactory
from jcportal.inbox import clearing, services
from jcportal.inbox.models import InboxEvent, InboxItem
from jcportal.inbox.tests.factories import DocumentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    benefits = TeamFactory(name="Leistung 1")
    zone = Team.objects.create(
        service_office=benefits.service_office,
        name="Eingangszone",
        function=Team.Function.INTAKE,
        is_clearing=True,
    )
    caseworker = StaffFactory(role=Role.CASEWORKER, team=benefits)
    TeamMembership.objects.create(user=caseworker, team=zone)
    household = HouseholdFactory(responsible_team=benefits, responsible_caseworker=caseworker)
    PersonFactory(
        household=household, first_name="Erika", last_name="Mustermann", date_of_birth=dt.date(1980, 5, 1)
    )
    return {"benefits": benefits, "zone": zone, "caseworker": caseworker, "household": household}


def _unplaced(world, **kwargs) -> InboxItem:  # type: ignore[no-untyped-def]
    document = DocumentFactory(household=None, **kwargs)
    services.route_document(document)
    item = document.inbox_items.get()
    assert item.team == world["zone"]
    return item


def test_team_ids_of_counts_memberships_and_the_team_tab_shows_them(world):  # type: ignore[no-untyped-def]
    from jcportal.inbox import selectors

    caseworker = world["caseworker"]
    assert set(policy.team_ids_of(caseworker)) == {world["benefits"].pk, world["zone"].pk}
    item = _unplaced(world)
    assert policy.can_work_on_item(caseworker, item)
    tab = selectors.inbox_items(caseworker, selectors.InboxFilter(tab="team"))
    assert item in tab
    outsider = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    assert not policy.can_work_on_item(outsider, item)
    assert not policy.can_open_clearing(outsider)


def test_clearing_member_opens_the_item_and_admin_opens_the_clearing_inbox(world, client):  # type: ignore[no-untyped-def]
    item = _unplaced(world)
    staff = login_staff(client, world["caseworker"])
    page = staff.get(reverse("backoffice:item", args=[item.pk]))
    assert page.status_code == 200
    assert "The document is not linked to a household." in page.content.decode()
    assert "Assign to household" in page.content.decode()
    admin = StaffFactory(role=Role.ADMIN, team=None, is_staff=True, is_superuser=True)
    from django.test import Client

    admin_client = login_staff(Client(), admin)
    listing = admin_client.get(reverse("backoffice:clearing"))
    assert listing.status_code == 200
    assert item.document.receipt_number in listing.content.decode()


def test_assign_to_household_routes_by_the_rules_with_event_and_audit(world, client):  # type: ignore[no-untyped-def]
    item = _unplaced(world)
    staff = login_staff(client, world["caseworker"])
    found = staff.get(reverse("backoffice:item", args=[item.pk]), {"name": "Mustermann"})
    assert world["household"].bg_number in found.content.decode()
    response = staff.post(
        reverse("backoffice:item-clearing-assign", args=[item.pk]), {"household": world["household"].pk}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    document = Document.objects.get(pk=item.document_id)
    assert document.household == world["household"]
    assert item.state == InboxItem.State.DONE
    routed = document.inbox_items.exclude(pk=item.pk).get()
    assert routed.assignee == world["caseworker"] and routed.household == world["household"]
    assert InboxEvent.objects.filter(document=document, action=InboxEvent.Action.REASSIGNED).exists()
    assert AuditEvent.objects.filter(action="inbox.assigned_to_household").exists()


def _erstantrag(world, personal):  # type: ignore[no-untyped-def]
    document = DocumentFactory(household=None, doc_type="erstantrag")
    submission = Submission.objects.create(
        form_slug="erstantrag",
        form_version=registry.current("erstantrag").version,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        reference="JC-ERST-1",
        service_office=world["benefits"].service_office,
        document=document,
        data={"personal": personal},
    )
    services.route_document(document)
    return submission, document.inbox_items.get()


def test_erstantrag_becomes_a_household_that_takes_the_item(world):  # type: ignore[no-untyped-def]
    personal = {
        "first_name": "Petra",
        "last_name": "Neu",
        "date_of_birth": "1990-01-02",
        "postcode": "",
        "city": "",
    }
    submission, item = _erstantrag(world, personal)
    assert clearing.submission_of(item) == submission
    household = eforms_services.convert_preregistration(submission, world["caseworker"])
    item.refresh_from_db()
    assert item.state == InboxItem.State.DONE
    new = InboxItem.objects.filter(document_id=item.document_id).exclude(pk=item.pk).get()
    assert new.household == household and new.team != world["zone"]


def test_erstantrag_without_birth_date_gives_a_clear_message(world, client):  # type: ignore[no-untyped-def]
    submission, item = _erstantrag(world, {"first_name": "Petra", "last_name": "Neu"})
    with pytest.raises(eforms_services.IncompleteApplication, match="no valid date of birth for Petra Neu"):
        eforms_services.convert_preregistration(submission, world["caseworker"])
    staff = login_staff(client, world["caseworker"])
    response = staff.post(reverse("backoffice:item-clearing-register", args=[item.pk]), follow=True)
    assert response.status_code == 200
    assert "no valid date of birth" in response.content.decode()
    submission.refresh_from_db()
    assert submission.household is None


def test_quarantined_upload_shows_the_verdict_and_is_never_downloadable(world, client):  # type: ignore[no-untyped-def]
    document = DocumentFactory(
        household=None, status=Document.Status.QUARANTINED, rejection_detail="Eicar-Test-Signature FOUND"
    )
    item = services.hand_to_clearing(document, code="quarantined", detail="Eicar-Test-Signature")
    staff = login_staff(client, world["caseworker"])
    page = staff.get(reverse("backoffice:item", args=[item.pk])).content.decode()
    assert "Eicar-Test-Signature FOUND" in page
    assert reverse("backoffice:item-pdf", args=[item.pk]) not in page
    assert staff.get(reverse("backoffice:item-pdf", args=[item.pk])).status_code == 404
    assert staff.get(reverse("backoffice:document-download", args=[document.pk])).status_code == 404
    assert staff.get(reverse("backoffice:document-page", args=[document.pk])).status_code == 404
    with pytest.raises(clearing.ClearingError):
        clearing.assign_to_household(item, world["household"], actor=world["caseworker"])


def test_open_items_go_to_every_deputy_when_the_absence_begins(world):  # type: ignore[no-untyped-def]
    caseworker = world["caseworker"]
    document = DocumentFactory(household=world["household"])
    services.route_document(document)
    deputy = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    second = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    standing = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    Substitution.objects.create(deputy=standing, staff=caseworker)
    today = timezone.localdate()
    services.record_absence(
        staff=caseworker,
        deputy=deputy,
        further_deputies=[second],
        starts_on=today,
        ends_on=today,
        by=caseworker,
    )
    copies = InboxItem.objects.filter(document=document, deputy_for=caseworker)
    assert {c.assignee for c in copies} == {deputy, second, standing}
    assert all("deputises for" in " ".join(c.reason_lines()) for c in copies)
    assert policy.can_view_household(standing, world["household"])
    services.hand_over_begun_absences()  # idempotent
    assert copies.count() == 3


def test_absences_by_team_lead_not_by_colleagues(world):  # type: ignore[no-untyped-def]
    lead = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    TeamMembership.objects.create(user=lead, team=world["zone"], role=Role.TEAM_LEAD)
    member = StaffFactory(role=Role.CASEWORKER, team=world["zone"])
    colleague = StaffFactory(role=Role.CASEWORKER, team=world["benefits"])
    assert policy.can_manage_absences_of(lead, member)
    assert policy.can_manage_absences_of(lead, world["caseworker"])  # a member of the zone too
    assert not policy.can_manage_absences_of(colleague, member)
    today = timezone.localdate()
    with pytest.raises(services.AbsenceNotAllowed):
        services.record_absence(staff=member, deputy=colleague, starts_on=today, ends_on=today, by=colleague)
    absence = services.record_absence(staff=member, deputy=colleague, starts_on=today, ends_on=today, by=lead)
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_standing_substitution_for_a_team_shows_its_inbox(world):  # type: ignore[no-untyped-def]
    from jcportal.inbox import selectors

    helper = StaffFactory(role=Role.CASEWORKER, team=TeamFactory())
    admin = StaffFactory(role=Role.ADMIN, team=None)
    item = _unplaced(world)
    assert item not in selectors.inbox_items(helper, selectors.InboxFilter(tab="team"))
    services.record_substitution(deputy=helper, team=world["zone"], by=admin)
    assert item in selectors.inbox_items(helper, selectors.InboxFilter(tab="team"))
    assert policy.can_work_on_item(helper, item)
