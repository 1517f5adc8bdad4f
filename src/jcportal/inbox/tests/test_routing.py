"""The routing engine: each rule kind, explicit assignment, deputies, clearing, and the demo households."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from jcportal.accounts.models import Absence, Role, User
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.households.models import Household, Team
from jcportal.households.tests.factories import (
    HouseholdFactory,
    PersonFactory,
    ServiceOfficeFactory,
    TeamFactory,
)
from jcportal.inbox import routing
from jcportal.inbox.models import InboxEvent, InboxItem, RoutingRule
from jcportal.inbox.services import route_document

from .factories import DocumentFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return ServiceOfficeFactory(postcodes="50000")


@pytest.fixture
def clearing(office):
    return TeamFactory(
        service_office=office, name="Eingangszone", function=Team.Function.INTAKE, is_clearing=True
    )


def test_explicit_caseworker_gets_benefit_documents(household, caseworker):
    items = route_document(DocumentFactory(household=household, doc_type="kontoauszug"))
    assert [(i.assignee, i.team) for i in items] == [(caseworker, caseworker.team)]
    with translation.override("en"):
        assert any("is the caseworker recorded for household" in line for line in items[0].reason_lines())


def test_sick_note_goes_to_integration_specialist(household, caseworker):
    specialist = StaffFactory(role=Role.CASE_MANAGER)
    household.responsible_integration_specialist = specialist
    household.save()
    (item,) = route_document(DocumentFactory(household=household, doc_type="au_bescheinigung"))
    assert item.assignee == specialist
    assert item.team == specialist.team


def test_function_rule_overrides_type_default(household, caseworker):
    specialist = StaffFactory(role=Role.CASE_MANAGER)
    household.responsible_integration_specialist = specialist
    household.save()
    RoutingRuleFactory(
        kind=RoutingRule.Kind.FUNCTION_BY_TYPE,
        doc_types="lohnabrechnung",
        function="integration",
        name="Lohn",
    )
    (item,) = route_document(DocumentFactory(household=household, doc_type="lohnabrechnung"))
    assert item.assignee == specialist
    assert item.reason_steps[0]["code"] == "function_rule"
    assert item.deadline is None
    RoutingRule.objects.update(deadline_days=3)
    (item,) = route_document(DocumentFactory(household=household, doc_type="lohnabrechnung"))
    assert item.deadline == timezone.localdate() + dt.timedelta(days=3)


def test_integration_without_specialist_falls_back_to_caseworker(household, caseworker):
    (item,) = route_document(DocumentFactory(household=household, doc_type="au_bescheinigung"))
    assert item.assignee == caseworker
    assert "fallback_benefits" in [s["code"] for s in item.reason_steps]


def test_surname_rule_in_office_found_by_postcode(office, clearing):
    team = TeamFactory(service_office=office)
    worker = StaffFactory(team=team)
    household = HouseholdFactory(responsible_team=None, service_office=None, postcode="50000")
    PersonFactory(household=household, last_name="Özdemir")
    RoutingRuleFactory(kind=RoutingRule.Kind.OFFICE_BY_POSTCODE, postcodes="50000", service_office=office)
    RoutingRuleFactory(letters="A-K", team=team, only_office=None, position=5)
    RoutingRuleFactory(letters="L-Z", assignee=worker, only_office=office, position=10)
    decision = routing.decide(household, "kontoauszug")
    assert decision.service_office == office
    assert decision.assignee == worker and decision.team == team
    assert [s["code"] for s in decision.steps] == ["function_default", "office_postcode", "surname_rule"]


def test_bg_range_rule(office, clearing):
    team = TeamFactory(service_office=office)
    household = HouseholdFactory(bg_number="50000BG0000500", responsible_team=None, service_office=office)
    RoutingRuleFactory(
        kind=RoutingRule.Kind.RESPONSIBLE_BY_BG_RANGE,
        bg_from="50000BG0000001",
        bg_to="50000BG0000999",
        team=team,
    )
    (item,) = route_document(DocumentFactory(household=household))
    assert item.team == team and item.assignee is None


def test_municipality_rule_and_inactive_rules_are_skipped(office, clearing):
    other = ServiceOfficeFactory()
    household = HouseholdFactory(responsible_team=None, service_office=None, postcode="", city="Neudorf")
    RoutingRuleFactory(
        kind=RoutingRule.Kind.OFFICE_BY_MUNICIPALITY,
        municipalities="Neudorf",
        service_office=other,
        active=False,
    )
    RoutingRuleFactory(
        kind=RoutingRule.Kind.OFFICE_BY_MUNICIPALITY, municipalities="Altheim\nneudorf", service_office=office
    )
    assert routing.decide(household, "kontoauszug").service_office == office


def test_unroutable_goes_to_clearing(office, clearing):
    household = HouseholdFactory(responsible_team=None, service_office=office)
    (item,) = route_document(DocumentFactory(household=household))
    assert item.team == clearing and item.assignee is None
    assert [s["code"] for s in item.reason_steps][-2:] == ["no_responsible", "clearing"]


def test_document_without_household_goes_to_clearing(clearing):
    (item,) = route_document(DocumentFactory(household=None))
    assert item.team == clearing
    assert "no_household" in [s["code"] for s in item.reason_steps]


def test_absence_sends_a_copy_to_the_deputy_and_notifies(household, caseworker):
    from jcportal.casework.models import Notification

    deputy = StaffFactory(team=caseworker.team)
    today = timezone.localdate()
    Absence.objects.create(
        staff=caseworker, deputy=deputy, starts_on=today, ends_on=today + dt.timedelta(days=3)
    )
    items = route_document(DocumentFactory(household=household))
    assert {(i.assignee, i.deputy_for) for i in items} == {(caseworker, None), (deputy, caseworker)}
    assert Notification.objects.filter(recipient=deputy, kind=Notification.Kind.DEPUTY_ITEM).count() == 1


def test_past_absence_does_not_route_to_deputy(household, caseworker):
    deputy = StaffFactory(team=caseworker.team)
    past = timezone.localdate() - dt.timedelta(days=10)
    Absence.objects.create(
        staff=caseworker, deputy=deputy, starts_on=past, ends_on=past + dt.timedelta(days=2)
    )
    assert [i.assignee for i in route_document(DocumentFactory(household=household))] == [caseworker]


def test_route_document_is_idempotent(household, caseworker):
    document = DocumentFactory(household=household)
    first = route_document(document)
    second = route_document(document)
    assert [i.pk for i in first] == [i.pk for i in second]
    assert InboxItem.objects.filter(document=document).count() == 1
    assert InboxEvent.objects.filter(document=document, action="routed").count() == 1


def test_outbound_letters_are_not_routed(household, caseworker):
    assert (
        route_document(DocumentFactory(household=household, direction="outbound", doc_type="bescheid")) == []
    )


def test_rule_validation_messages():
    from django.core.exceptions import ValidationError

    rule = RoutingRule(kind=RoutingRule.Kind.RESPONSIBLE_BY_SURNAME, name="x", letters="")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert {"letters", "team"} <= set(error.value.message_dict)
    assert RoutingRule(letters="A-C, Ä").letter_set() == {"A", "B", "C", "Ä"}


def test_every_demo_household_lands_where_the_rules_say(demo_data):
    sachbearbeitung = User.objects.get(username="demo-sachbearbeitung")
    vertretung = User.objects.get(username="demo-vertretung")
    clearing = Team.objects.get(is_clearing=True)
    today = timezone.localdate()
    Absence.objects.create(staff=sachbearbeitung, deputy=vertretung, starts_on=today, ends_on=today)
    households = list(Household.objects.all())
    assert len(households) == 20
    for household in households:
        items = route_document(DocumentFactory(household=household, doc_type="kontoauszug"))
        expected = household.responsible_caseworker
        assert items[0].assignee == expected, household.bg_number
        assert items[0].team == expected.team
        if expected == sachbearbeitung:
            assert [(i.assignee, i.deputy_for) for i in items[1:]] == [(vertretung, sachbearbeitung)]
        else:
            assert len(items) == 1
        (sick,) = route_document(DocumentFactory(household=household, doc_type="au_bescheinigung"))
        assert sick.assignee == (
            household.responsible_integration_specialist or household.responsible_caseworker
        )
    orphan = HouseholdFactory(responsible_team=None, service_office=None, postcode="99999", city="Nirgendwo")
    (item,) = route_document(DocumentFactory(household=orphan))
    assert item.team == clearing
