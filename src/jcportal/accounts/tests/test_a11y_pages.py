"""Accessibility of the access pages the site-wide sweep cannot reach (they need state): axe-core in
Chromium, German and Arabic (RTL), no horizontal scrolling at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import AccessRequest, ActivationCode, Representation
from jcportal.accounts.tests.factories import RepresentativeFactory
from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stateful_access_pages_have_no_axe_violations(browser, live_server, household, caseworker):  # type: ignore[no-untyped-def]
    from jcportal.accounts import services

    person = PersonFactory(household=household, last_name="Kovalenko", date_of_birth=dt.date(1988, 3, 9))
    request = AccessRequest.objects.create(
        first_name="Olena",
        last_name="Kovalenko",
        date_of_birth=person.date_of_birth,
        street="Teststraße 1",
        postcode=household.postcode,
        city="Teststadt",
        consent_version="v",
        team=household.responsible_team,
    )
    staff = login_staff(Client(), caseworker)
    rep = RepresentativeFactory()
    for h in (household, HouseholdFactory()):
        Representation.objects.create(representative=rep, household=h)
    rep_client = Client()
    rep_client.force_login(rep)
    account = services.create_citizen_account(person, by=caseworker)
    services.issue_activation_code(account, by=caseworker)
    anonymous = Client()
    session = anonymous.session
    session["activation_code_id"] = ActivationCode.objects.get(user=account).pk
    session["access_request_done"] = request.pk
    session.save()

    targets = [
        (staff, reverse("backoffice:access-request", kwargs={"access_request_id": request.pk})),
        (staff, reverse("backoffice:access-requests") + "?bg=unknown"),
        (rep_client, reverse("portal:choose-household")),
        (rep_client, reverse("portal:account")),
        (anonymous, reverse("accounts:access-request-done")),
        (anonymous, reverse("accounts:activate-password")),
    ]
    problems = []
    for language in ("de", "ar"):
        for client, url in targets:
            context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
            if cookie is not None:
                cookies.append(
                    {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}
                )
            context.add_cookies(cookies)
            page = context.new_page()
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            found = a11y.axe_violations(page)
            if found:
                problems.append(a11y.format_violations(f"{url} [{language}]", found))
            page.set_viewport_size({"width": 320, "height": 740})
            if a11y.horizontal_overflow(page) > 0:
                problems.append(f"{url} [{language}]: wider than 320px")
            context.close()
    assert not problems, "\n".join(problems)
