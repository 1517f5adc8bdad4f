"""End to end in real Chromium: the caseworker opens the inbox, views the PDF, marks it processed and
releases a Bescheid; the demo citizen sees and downloads it on a phone. Both steps are in the audit log."""

from __future__ import annotations

import re

import pytest

from jcportal.core.testing.fixtures import browser_login, submit
from jcportal.demo.services import DEMO_TOTP_SECRET

from .helpers import document_with_pdf, pdf_bytes

TOTP = DEMO_TOTP_SECRET


def assert_no_axe_violations(page) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options={**wcag, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def assert_no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_caseworker_processes_and_releases_citizen_downloads(
    demo_data, live_server, desktop_page, phone_page
):
    from jcportal.audit.models import AuditEvent
    from jcportal.documents.models import Document
    from jcportal.households.models import Household
    from jcportal.inbox.models import InboxItem
    from jcportal.inbox.services import route_document

    household = Household.objects.get(bg_number="12345BG0000001")
    incoming = document_with_pdf(household=household, title="Kontoauszug Oktober", doc_type="kontoauszug")
    (item, *_) = route_document(incoming)
    assert item.assignee.username == "demo-sachbearbeitung"

    # --- caseworker, desktop -------------------------------------------------------------------
    page = desktop_page
    browser_login(page, "demo-sachbearbeitung", "Demo-Sachbearbeitung-2026", totp_secret=TOTP)
    page.goto("/verwaltung/postfach/")
    link = page.locator(f"a[href='/verwaltung/postfach/{item.pk}/']")
    assert link.inner_text() == "Kontoauszug Oktober"
    assert_no_axe_violations(page)
    link.click()
    page.wait_for_url(re.compile(rf"/postfach/{item.pk}/$"))
    viewer = page.locator("iframe[data-pdf-viewer]")
    pdf_url = viewer.get_attribute("src")
    pdf = page.request.get(pdf_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline") and pdf.body().startswith(b"%PDF")
    thumbnail = page.locator("ul.thumbnails img").first
    thumbnail.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumbnail.element_handle())
    assert_no_axe_violations(page)
    with page.expect_navigation():  # to the next document of the inbox, or back to the list
        page.locator("button[data-shortcut=e]").click()
    assert page.locator("[role=status] .notification--success").count() == 1
    incoming.refresh_from_db()
    assert incoming.status == Document.Status.PROCESSED
    assert InboxItem.objects.get(pk=item.pk).state == InboxItem.State.DONE

    page.goto(f"/verwaltung/akten/{household.pk}/")
    assert page.locator("table.register").get_by_text("Kontoauszug Oktober").count() == 1
    assert_no_axe_violations(page)
    page.goto(f"/verwaltung/akten/{household.pk}/schreiben-freigeben/")
    page.fill("#id_title", "Bewilligungsbescheid 2027")
    page.set_input_files(
        "#id_file", {"name": "bescheid.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(1)}
    )
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/verwaltung/dokumente/[0-9a-f-]+/$"))
    letter = Document.objects.get(title="Bewilligungsbescheid 2027")
    assert letter.released_at and letter.direction == Document.Direction.OUTBOUND and letter.pdf

    # --- citizen, phone ------------------------------------------------------------------------
    phone = phone_page
    browser_login(phone, "demo-kunde", "Demo-Kunde-2026")
    phone.goto("/portal/vom-jobcenter/")
    assert phone.get_by_text("Bewilligungsbescheid 2027").first.is_visible()
    assert_no_horizontal_scroll(phone)
    assert_no_axe_violations(phone)
    with phone.expect_download() as download_info:
        phone.locator(f"a[href='/portal/vom-jobcenter/{letter.pk}/herunterladen/']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    actions = set(AuditEvent.objects.values_list("action", "actor_label"))
    assert ("document.viewed", "demo-sachbearbeitung") in actions
    assert ("document.processed", "demo-sachbearbeitung") in actions
    assert ("document.released", "demo-sachbearbeitung") in actions
    assert ("document.downloaded", "demo-kunde") in actions


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inbox_keyboard_shortcuts_and_phone_layout(demo_data, live_server, phone_page):
    from jcportal.households.models import Household
    from jcportal.inbox.services import route_document

    household = Household.objects.get(bg_number="12345BG0000002")
    for n in range(3):
        route_document(document_with_pdf(household=household, title=f"Nachweis {n}", pages=1))
    page = phone_page
    browser_login(page, "demo-sachbearbeitung", "Demo-Sachbearbeitung-2026", totp_secret=TOTP)
    page.goto("/verwaltung/postfach/")
    assert_no_horizontal_scroll(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused and "/verwaltung/postfach/" in focused
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/postfach/\d+/$"))
    assert_no_horizontal_scroll(page)
    page.keyboard.press("u")
    page.wait_for_url(re.compile(r"/postfach/$"))
    # typing into a field never triggers a shortcut
    page.focus("#id_household")
    page.keyboard.type("ju")
    assert page.input_value("#id_household") == "ju"
    assert page.url.endswith("/postfach/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_work_pages_are_accessible_on_a_phone(demo_data, live_server, phone_page):
    """axe-core finds no WCAG 2.1 AA violation and nothing scrolls sideways at 360 px."""
    import datetime as dt

    from django.utils import timezone

    from jcportal.accounts.models import Absence, User
    from jcportal.casework.services import add_tag, release_document
    from jcportal.households.models import Household
    from jcportal.inbox.services import route_document

    lead = User.objects.get(username="demo-teamleitung")
    caseworker = User.objects.get(username="demo-sachbearbeitung")
    household = Household.objects.get(bg_number="12345BG0000003")
    document = document_with_pdf(household=household, title="Mietvertrag Lindenweg", doc_type="mietvertrag")
    route_document(document)
    add_tag(document, "Umzug", by=lead)
    letter = document_with_pdf(
        household=household, title="Bescheid Juli", doc_type="bescheid", direction="outbound"
    )
    release_document(letter, by=lead)
    today = timezone.localdate()
    Absence.objects.create(
        staff=lead, deputy=caseworker, starts_on=today, ends_on=today + dt.timedelta(days=2)
    )

    page = phone_page
    browser_login(page, "demo-teamleitung", "Demo-Teamleitung-2026", totp_secret=TOTP)
    for url in (
        "/verwaltung/postfach/?tab=team",
        "/verwaltung/akten/?q=12345BG",
        f"/verwaltung/akten/{household.pk}/",
        f"/verwaltung/akten/{household.pk}/?q=miet",
        f"/verwaltung/dokumente/{document.pk}/",
        f"/verwaltung/akten/{household.pk}/schreiben-freigeben/",
        "/verwaltung/abwesenheiten/",
        "/verwaltung/weiterleitung/test/?household=12345BG0000003&doc_type=au_bescheinigung",
        "/verwaltung/benachrichtigungen/",
        "/verwaltung/statistik/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.locator("h1").count() == 1, url
        assert_no_horizontal_scroll(page)
        assert_no_axe_violations(page)
    # an invalid form shows the error summary and keeps what was entered
    page.goto("/verwaltung/abwesenheiten/")
    page.fill("#id_note", "Fortbildung")
    submit(page, page.locator("form:has(#id_note) button[type=submit].button"))
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#id_note") == "Fortbildung"
    assert_no_axe_violations(page)
