"""Work lists in real Chromium, counted in clicks: 25 items marked done in one bulk action, an item
seen and done from the list, and a Wiedervorlage that comes due and shows in its inbox tab."""

from __future__ import annotations

import datetime as dt

import pytest

from jcportal.core.testing import a11y
from jcportal.core.testing.clicks import ClickCounter
from jcportal.core.testing.fixtures import staff_browser_context, submit

from .helpers import document_with_pdf

pytestmark = pytest.mark.usefixtures("english")

DESKTOP = {"width": 1280, "height": 900}
RESULTS: dict[str, int] = {}


def _fresh_inbox(user, household, count: int, prefix: str):  # type: ignore[no-untyped-def]
    """``count`` new items for ``user`` (and nothing else open in their inbox)."""
    from jcportal.inbox.models import InboxItem
    from jcportal.inbox.services import route_document

    InboxItem.objects.filter(assignee=user).update(state=InboxItem.State.DONE)
    items = []
    for i in range(count):
        document = document_with_pdf(household=household, title=f"{prefix} {i:02d}", doc_type="kontoauszug")
        items.extend(item for item in route_document(document) if item.assignee_id == user.pk)
    return items


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_25_items_done_in_one_bulk_action_and_seen_done_in_two_clicks(
    caseworker, household, live_server, browser
):
    from jcportal.inbox.models import InboxItem

    user = caseworker
    items = _fresh_inbox(user, household, 25, "Kontoauszug")
    assert len(items) == 25
    context = staff_browser_context(browser, live_server, user, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/verwaltung/postfach/")
        assert page.locator("input[name=items][form=bulk-form]").count() == 25
        a11y.assert_accessible(page, "inbox with bulk actions")
        clicks = ClickCounter(page)
        clicks.reset()
        page.locator("#bulk-all").click()
        submit(page, "[data-bulk-done]")
        RESULTS["bulk25"] = clicks.count
        assert page.locator("[role=status]").get_by_text("25 items marked as done").count() == 1
        assert (
            InboxItem.objects.filter(pk__in=[i.pk for i in items], state=InboxItem.State.DONE).count() == 25
        )
        a11y.assert_accessible(page, "inbox after the bulk action")

        # seen + done: open an item from the (sorted) list and mark it done; "next" keeps the list's order
        (first, second) = _fresh_inbox(user, household, 2, "Lohnabrechnung")
        page.goto("/verwaltung/postfach/?sort=received_asc")
        clicks.reset()
        submit(page, f"a[data-inbox-link][href^='/verwaltung/postfach/{first.pk}/']")
        assert "sort=received_asc" in page.url
        a11y.assert_accessible(page, "item page with notes and Wiedervorlage")
        submit(page, "button[data-shortcut=e]")
        RESULTS["seen_done"] = clicks.count
        assert InboxItem.objects.get(pk=first.pk).state == InboxItem.State.DONE
        assert f"/verwaltung/postfach/{second.pk}/?sort=received_asc" in page.url
        assert clicks.count <= 2
        assert RESULTS["bulk25"] <= 4
        print(f"CLICKS bulk25={RESULTS['bulk25']} seen_done={RESULTS['seen_done']}")

        # the selection page (assign, forward as copy, tag) is accessible too
        page.goto("/verwaltung/postfach/")
        page.locator(f"#select-{second.pk}").check()
        submit(page, "button[name=action][value=more]")
        assert page.locator("input[name=mode][value=copy]").count() == 1
        a11y.assert_accessible(page, "bulk selection page")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_wiedervorlage_comes_due_and_shows_in_its_tab(caseworker, household, live_server, browser):
    from django.utils import timezone

    from jcportal.casework import followups
    from jcportal.casework.models import FollowUp

    user = caseworker
    (item,) = _fresh_inbox(user, household, 1, "Mietvertrag")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    followup = followups.create(by=user, due_on=tomorrow, reason="Mietbescheinigung nachfordern", item=item)
    context = staff_browser_context(browser, live_server, user, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/verwaltung/postfach/")
        submit(page, "a[href='/verwaltung/wiedervorlage/']")
        assert page.locator("[data-followups-due]").count() == 0  # not due yet: only under "Coming up"
        assert page.get_by_text("Mietbescheinigung nachfordern").count() == 1
        a11y.assert_accessible(page, "Wiedervorlage tab, nothing due")

        # a day later (the date moves instead of the clock: no clock library in the environment)
        FollowUp.objects.filter(pk=followup.pk).update(due_on=timezone.localdate())
        page.reload()
        due = page.locator("[data-followups-due]")
        assert due.get_by_text("Mietbescheinigung nachfordern").count() == 1
        assert due.locator(f"a[href='/verwaltung/postfach/{item.pk}/']").count() == 1
        a11y.assert_accessible(page, "Wiedervorlage tab with a due item")
        submit(page, "[data-followups-due] button:has-text('Done')")
        assert page.locator("[data-followups-due]").count() == 0
        followup.refresh_from_db()
        assert followup.done_at is not None

        # the case file: Aktenvermerk and its Wiedervorlage link
        page.goto(f"/verwaltung/akten/{household.pk}/")
        page.fill("#file-note-text", "Telefonat mit Frau Muster: Unterlagen folgen.")
        submit(page, "#file-notes-title ~ form button[type=submit]")
        assert page.get_by_text("Telefonat mit Frau Muster: Unterlagen folgen.").count() == 1
        a11y.assert_accessible(page, "case file with Aktenvermerke")
        page.goto(f"/verwaltung/akten/{household.pk}/wiedervorlage/")
        a11y.assert_accessible(page, "Wiedervorlage form")
    finally:
        context.close()
