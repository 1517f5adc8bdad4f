"""In real Chromium on a phone: the demo citizen sends two requested documents, which are being checked;
the caseworker and the scan station pages have no axe violations."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import browser_login, submit


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_uploads_against_request_items_on_a_phone(demo_data, live_server, phone_page):
    from jcportal.docrequests.models import DocumentRequest

    page = phone_page
    doc_request = DocumentRequest.objects.get(household__bg_number="12345BG0000001")
    required = list(doc_request.items.filter(optional=False).order_by("position"))
    assert len(required) == 2

    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/")
    page.click("a[href='/portal/angeforderte-unterlagen/']")
    a11y.assert_accessible(page, "portal:requests")
    page.click(f"a[href='/portal/angeforderte-unterlagen/{doc_request.pk}/']")
    a11y.assert_accessible(page, "portal:request")

    for number, item in enumerate(required):
        page.set_input_files(
            f"#id_item{item.pk}-upload",
            [{"name": f"foto{number}.jpg", "mimeType": "image/jpeg", "buffer": jpeg("white")}],
        )
        submit(page, f"#item-{item.pk} button[type=submit]")
        # received, being checked by the caseworker (accepted items get checklist__item--done)
        assert page.locator(f"#item-{item.pk}.checklist__item--received").count() == 1
        assert page.locator(".notification--success").count() >= 1

    doc_request.refresh_from_db()
    assert doc_request.completed_at is None  # complete once the caseworker accepts the answers
    assert page.locator(".checklist__form").count() == 1  # only the optional item is left to send
    a11y.assert_accessible(page, "portal:request (being checked)")

    # a bad file: error summary and inline error, nothing lost
    optional = doc_request.items.get(optional=True)
    page.set_input_files(
        f"#id_item{optional.pk}-upload", [{"name": "leer.jpg", "mimeType": "image/jpeg", "buffer": b""}]
    )
    submit(page, f"#item-{optional.pk} button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    a11y.assert_accessible(page, "portal:request (error)")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_pages_of_requests_and_scan_station_are_accessible(
    demo_data, live_server, desktop_page, browser
):
    from jcportal.docrequests.models import DocumentRequest
    from jcportal.households.models import Household
    from jcportal.scanning.models import ScanBatch

    page = desktop_page
    household = Household.objects.get(bg_number="12345BG0000001")
    doc_request = DocumentRequest.objects.get(household=household)
    browser_login(
        page, "demo-sachbearbeitung", "Demo-Sachbearbeitung-2026", "JCPORTALDEMOSTAFFTOTPSECRETSEVEN"
    )
    for url in [
        "/verwaltung/unterlagenanforderungen/",
        "/verwaltung/unterlagenanforderungen/?state=overdue",
        f"/verwaltung/unterlagenanforderungen/neu/{household.pk}/",
        f"/verwaltung/unterlagenanforderungen/{doc_request.pk}/",
    ]:
        page.goto(url)
        a11y.assert_accessible(page, url)
    page.goto(f"/verwaltung/unterlagenanforderungen/neu/{household.pk}/")
    page.fill("#id_deadline", "2000-01-01")
    submit(page, "main form[method=post] button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    a11y.assert_accessible(page, "create with errors")

    scan = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="de-DE"
    )
    scan_page = scan.new_page()
    try:
        browser_login(scan_page, "demo-scan", "Demo-Scan-2026", "JCPORTALDEMOSTAFFTOTPSECRETSEVEN")
        batch = ScanBatch.objects.get(original_name="demo-posteingang.pdf")
        for url in [
            "/verwaltung/scanstelle/",
            "/verwaltung/scanstelle/trennblaetter/",
            f"/verwaltung/scanstelle/stapel/{batch.pk}/",
        ]:
            scan_page.goto(url)
            a11y.assert_accessible(scan_page, url)
        scan_page.goto(f"/verwaltung/scanstelle/stapel/{batch.pk}/?q=12345BG")
        assert scan_page.locator(".search-results li").count() >= 1
        a11y.assert_accessible(scan_page, "batch with search")
    finally:
        scan.close()
