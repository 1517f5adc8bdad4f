"""In real Chromium: the team lead's statistics page, the readable audit log and the width of the PDF
viewer (a 1920 px screen and a 320 px phone), each with axe-core and reflow checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import staff_browser_context, submit

from .helpers import document_with_pdf

WIDE = {"width": 1920, "height": 1080}
PHONE_320 = {"width": 320, "height": 640}


@pytest.fixture
def case(db):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import Role
    from jcportal.accounts.tests.factories import StaffFactory
    from jcportal.households.tests.factories import HouseholdFactory
    from jcportal.inbox.models import InboxItem
    from jcportal.inbox.tests.factories import InboxItemFactory

    household = HouseholdFactory()
    team = household.responsible_team
    document = document_with_pdf(household=household, title="Kontoauszug Mai", doc_type="kontoauszug")
    item = InboxItemFactory(document=document, team=team)
    for age, done in ((3, 1), (9, None), (40, None)):
        old = document_with_pdf(household=household, received_at=timezone.now() - dt.timedelta(days=age))
        InboxItemFactory(
            document=old,
            team=team,
            state=InboxItem.State.DONE if done else InboxItem.State.OPEN,
            done_at=old.received_at + dt.timedelta(days=done) if done else None,
        )
    return {
        "household": household,
        "item": item,
        "lead": StaffFactory(role=Role.TEAM_LEAD, team=team, first_name="Lena", last_name="Leitung"),
        "worker": StaffFactory(team=team, first_name="Carl", last_name="Casework"),
        "dpo": StaffFactory(role=Role.DPO, team=None),
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_team_lead_statistics_page(browser, live_server, case):  # type: ignore[no-untyped-def]
    context = staff_browser_context(browser, live_server, case["lead"], viewport=WIDE)
    try:
        page = context.new_page()
        page.goto(reverse("backoffice:statistics"))
        row = page.locator("#backlog-table tbody tr").first
        assert str(case["household"].responsible_team) in row.inner_text()
        assert row.locator("td").first.inner_text() == "3"  # open items
        a11y.assert_accessible(page, "statistics (team lead, 1920 px)")
        submit(page, "form[aria-labelledby=team-figures] button[type=submit]")
        assert page.locator("#throughput-table tbody tr").count() == 12
        assert page.locator("a[href$='export.xlsx']").count() == 1
        page.set_viewport_size(PHONE_320)
        a11y.assert_accessible(page, "statistics (team lead, 320 px)")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_readable_audit_log_page(browser, live_server, case):  # type: ignore[no-untyped-def]
    from jcportal.audit.services import audit

    document = case["item"].document
    for _ in range(6):
        audit("document.viewed", actor=case["worker"], obj=document, household=case["household"])
    context = staff_browser_context(
        browser, live_server, case["dpo"], viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto(reverse("backoffice:audit-log"))
        page.fill("#id_actor", "Carl Casework")
        submit(page, page.get_by_role("button", name="Filter"))
        rows = page.locator("#audit-table tbody tr")
        assert rows.count() == 1
        text = rows.first.inner_text()
        assert "Carl Casework" in text and "6 times" in text and "Kontoauszug Mai" in text
        assert "document.viewed" not in page.locator("main").inner_text()
        a11y.assert_accessible(page, "audit log (grouped)")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pdf_viewer_uses_the_width_of_a_wide_screen_and_fits_a_phone(browser, live_server, case):  # type: ignore[no-untyped-def]
    context = staff_browser_context(browser, live_server, case["worker"], viewport=WIDE)
    try:
        page = context.new_page()
        page.goto(reverse("backoffice:item", args=[case["item"].pk]))
        width = page.locator("iframe[data-pdf-viewer]").bounding_box()["width"]
        assert width >= 1300, f"viewer only {width} px wide on 1920 px"
        page.set_viewport_size(PHONE_320)
        box = page.locator("iframe[data-pdf-viewer]").bounding_box()
        assert box["width"] <= 320 - 16
        assert a11y.horizontal_overflow(page) <= 0
    finally:
        context.close()
