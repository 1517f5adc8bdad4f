"""The records pages in real Chromium on a phone: the demo team lead (records role) reviews a proposal
and places a legal hold; every page passes axe (WCAG 2.1 AA) and reflows."""

from __future__ import annotations

import datetime as dt

import pytest

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import staff_browser_context
from jcportal.households.models import Household
from jcportal.records import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import User

    context = staff_browser_context(browser, live_server, User.objects.get(username=username))
    return context, context.new_page()


def test_records_pages_on_a_phone(browser, live_server, demo_data):  # type: ignore[no-untyped-def]
    household = Household.objects.order_by("pk").last()
    household.active = False
    household.benefits_ended_on = dt.date(2010, 1, 31)  # long over: due today
    household.save()
    proposal = services.build_proposal()
    assert proposal is not None
    context, page = _page(browser, live_server, "demo-teamleitung")
    try:
        page.goto("/verwaltung/")
        page.click("text=Retention and destruction")
        a11y.assert_accessible(page, "records")
        page.goto(f"/verwaltung/aufbewahrung/vorschlag/{proposal.pk}/")
        page.locator(f"text={household.bg_number}").first.wait_for()
        a11y.assert_accessible(page, "destruction proposal")
        page.click("text=Propose destruction")
        page.locator("input[type=file]").wait_for()
        a11y.assert_accessible(page, "proposal offered")
        page.goto("/verwaltung/aufbewahrung/sperren/")
        a11y.assert_accessible(page, "legal hold")
        page.click("form[novalidate] button[type=submit]")
        page.locator(".error-summary").first.wait_for()
        a11y.assert_accessible(page, "legal hold with errors")
        page.goto("/verwaltung/aufbewahrung/leistungsende/")
        a11y.assert_accessible(page, "end of benefits")
    finally:
        context.close()
    dpo_context, dpo_page = _page(browser, live_server, "demo-datenschutz")
    try:
        dpo_page.goto("/verwaltung/protokoll/")
        a11y.assert_accessible(dpo_page, "audit log with the access log export")
    finally:
        dpo_context.close()
