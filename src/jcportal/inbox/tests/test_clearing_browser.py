"""In real Chromium, from the clearing inbox: an Erstantrag is registered as a new household and its item
lands in the responsible inbox; a document without a household is assigned to one by a search. Clicks
are counted by the browser's own click events (ClickCounter); every new page passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jcportal.accounts.models import Role, TeamMembership
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.core.testing import a11y
from jcportal.core.testing.clicks import ClickCounter
from jcportal.core.testing.fixtures import staff_browser_context, submit
from jcportal.eforms import registry
from jcportal.eforms.models import Submission
from jcportal.households.models import Team
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory, TeamFactory
from jcportal.inbox import services
from jcportal.inbox.models import InboxItem
from jcportal.inbox.tests.factories import DocumentFactory

DESKTOP = {"width": 1280, "height": 900}


def _world():  # type: ignore[no-untyped-def]
    benefits = TeamFactory(name="Leistung 1")
    zone = Team.objects.create(
        service_office=benefits.service_office,
        name="Eingangszone",
        function=Team.Function.INTAKE,
        is_clearing=True,
    )
    clerk = StaffFactory(role=Role.CASEWORKER, team=benefits, first_name="Clara", last_name="Clearing")
    TeamMembership.objects.create(user=clerk, team=zone)
    owner = StaffFactory(role=Role.CASEWORKER, team=benefits, first_name="Otto", last_name="Owner")
    household = HouseholdFactory(responsible_team=benefits, responsible_caseworker=owner)
    PersonFactory(
        household=household, first_name="Erika", last_name="Mustermann", date_of_birth=dt.date(1980, 5, 1)
    )
    return benefits, zone, clerk, owner, household


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clearing_an_erstantrag_and_assigning_a_document_from_the_clearing_inbox(browser, live_server):  # type: ignore[no-untyped-def]
    benefits, zone, clerk, owner, household = _world()
    application = DocumentFactory(household=None, doc_type="erstantrag", title="Erstantrag Neu")
    submission = Submission.objects.create(
        form_slug="erstantrag",
        form_version=registry.current("erstantrag").version,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        reference="JC-ERST-77",
        service_office=benefits.service_office,
        document=application,
        data={"personal": {"first_name": "Petra", "last_name": "Neu", "date_of_birth": "1990-01-02"}},
    )
    services.route_document(application)
    stray = DocumentFactory(household=None, doc_type="kontoauszug", title="Kontoauszug ohne Haushalt")
    services.route_document(stray)
    assert {i.team for i in InboxItem.objects.all()} == {zone}

    context = staff_browser_context(browser, live_server, clerk, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto("/verwaltung/clearing/")
        a11y.assert_accessible(page, "clearing inbox")
        page.goto("/verwaltung/postfach/?tab=team")
        clicks = ClickCounter(page)
        clicks.reset()
        # --- clear an Erstantrag: inbox list → item → "Register as new household" --------------------
        item = application.inbox_items.get()
        submit(page, page.locator(f"a[href^='/verwaltung/postfach/{item.pk}/']").first)
        assert page.get_by_text("This is the application JC-ERST-77").is_visible()
        a11y.assert_accessible(page, "clearing item of an Erstantrag")
        submit(page, page.get_by_role("button", name="Register as new household"))
        n = clicks.count
        print(f"CLICKS clear_erstantrag={n}")
        assert n <= 5
        submission.refresh_from_db()
        new_household = submission.household
        assert new_household is not None
        routed = InboxItem.objects.filter(document=application).exclude(pk=item.pk).get()
        assert routed.household == new_household and routed.state == InboxItem.State.NEW
        assert routed.team != zone
        assert page.get_by_text(f"Household {new_household.bg_number} was created").is_visible()

        # --- assign a document without household: clearing inbox → item → search → assign -----------
        stray_item = stray.inbox_items.get()
        clicks.reset()
        submit(page, page.locator(f"a[href='/verwaltung/postfach/{stray_item.pk}/']"))
        assert page.get_by_text("The document is not linked to a household.").first.is_visible()
        page.fill("#id_name", "Mustermann")
        submit(page, page.get_by_role("button", name="Search households"))
        a11y.assert_accessible(page, "household search on a clearing item")
        submit(page, page.get_by_role("button", name=f"Assign to household {household.bg_number}"))
        n_assign = clicks.count
        print(f"CLICKS assign_household={n_assign}")
        assert n_assign <= 4
        moved = InboxItem.objects.filter(document=stray).exclude(pk=stray_item.pk).get()
        assert moved.assignee == owner and moved.household == household
        page.goto("/verwaltung/abwesenheiten/")
        a11y.assert_accessible(page, "absences and standing substitutions")
    finally:
        context.close()

    # the responsible caseworker finds the document in their inbox
    context = staff_browser_context(browser, live_server, owner, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto("/verwaltung/postfach/")
        assert page.get_by_text("Kontoauszug ohne Haushalt").is_visible()
    finally:
        context.close()

    admin = StaffFactory(role=Role.ADMIN, team=None, is_staff=True, is_superuser=True)
    context = staff_browser_context(browser, live_server, admin, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto("/verwaltung/clearing/")
        a11y.assert_accessible(page, "clearing inbox as administrator")
        page.goto("/verwaltung/mitarbeitende/")
        a11y.assert_accessible(page, "staff and teams")
        page.goto(f"/verwaltung/mitarbeitende/{owner.pk}/teams/")
        page.select_option("#id_team", str(zone.pk))
        submit(page, page.get_by_role("button", name="Add to team"))
        assert TeamMembership.objects.filter(user=owner, team=zone).exists()
        a11y.assert_accessible(page, "teams of a staff member")
    finally:
        context.close()
