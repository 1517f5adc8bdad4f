"""In real Chromium on a phone: the demo citizen files online services with the camera input, downloads
the PDF copy, and the caseworker handles it in the back office. Pages are checked with axe-core."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import PHONE, browser_login, submit
from jcportal.demo.services import DEMO_TOTP_SECRET

TOTP = DEMO_TOTP_SECRET
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def next_step(page) -> None:  # type: ignore[no-untyped-def]
    """Send the step and wait until the answer (next step or the same step with errors) has loaded."""
    with page.expect_navigation():
        page.click("button[name=continue]")


def download_pdf_text(page) -> str:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click("a[href$='kopie.pdf']")
    download = info.value
    with open(download.path(), "rb") as handle:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)


def staff_page(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="de-DE")
    context.set_default_timeout(20_000)
    page = context.new_page()
    password = "Demo-" + username.removeprefix("demo-").capitalize() + "-2026"
    browser_login(page, username, password, TOTP)
    return context, page


def test_krankmeldung_on_a_phone_and_confirmed_by_the_integration_specialist(
    demo_data, live_server, phone_page, browser
):
    from jcportal.eforms.models import Submission

    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/dienste/")
    a11y.assert_accessible(page, "portal:services")
    page.click("a[href='/antrag/krankmeldung/']")
    a11y.assert_accessible(page, "eforms:start")
    page.click("main form button[type=submit]")
    # step 1: nothing entered → error summary linking to the fields
    next_step(page)
    page.locator(".error-summary a[href='#id_sick_from']").first.wait_for()
    a11y.assert_accessible(page, "eforms:step (errors)")
    today = dt.date.today()
    page.check("#id_certificate_kind_0")
    page.fill("#id_sick_from", today.isoformat())
    page.fill("#id_sick_until", (today + dt.timedelta(days=6)).isoformat())
    page.fill("#id_certified_on", today.isoformat())
    page.fill("#id_doctor", "Praxis Dr. Sonnenschein")
    page.check("#id_missed_appointment_1")
    next_step(page)
    assert page.locator("#id_au_certificate").get_attribute("capture") == "environment"
    assert "Schritt 2" in page.content() or "Step 2" in page.content()
    a11y.assert_accessible(page, "eforms:step (camera)")
    page.set_input_files("#id_au_certificate", [photo("au-bescheinigung.jpg")])  # the camera input
    next_step(page)
    page.check("#id_truthful")
    page.check("#id_privacy")
    next_step(page)
    assert "Praxis Dr. Sonnenschein" in page.content()
    a11y.assert_accessible(page, "eforms:review")
    page.click("[data-eforms-submit]")
    page.wait_for_url("**/gesendet/")
    submission = Submission.objects.get(form_slug="krankmeldung")
    assert submission.reference in page.content()
    a11y.assert_accessible(page, "eforms:done")
    text = download_pdf_text(page)
    assert submission.reference in text and "Praxis Dr. Sonnenschein" in text

    context, staff = staff_page(browser, live_server, "demo-fallmanagement")
    try:
        staff.goto("/verwaltung/antraege/")
        a11y.assert_accessible(staff, "backoffice:submissions")
        staff.click(f"text={submission.reference}")
        assert "Praxis Dr. Sonnenschein" in staff.content()
        a11y.assert_accessible(staff, "backoffice:submission")
        staff.click("button[value=confirm]")
        staff.locator(".notification--success").first.wait_for()
    finally:
        context.close()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CONFIRMED
    page.goto("/portal/dienste/")
    assert submission.reference in page.content()
    assert str(Submission.Status.CONFIRMED.label) in page.content() or "Bestätigt" in page.content()


def test_wba_prefilled_on_a_phone_and_processed_by_the_caseworker(
    demo_data, live_server, phone_page, browser
):
    from jcportal.eforms.models import Submission

    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/antrag/wba/")
    page.click("main form button[type=submit]")
    # personal details are prefilled: only continue
    assert page.input_value("#id_last_name") == "Muster"
    a11y.assert_accessible(page, "wba personal")
    next_step(page)
    assert "Lindenweg" in page.content() or "Bahnhofstraße" in page.content()  # the household today
    a11y.assert_accessible(page, "wba changes")
    page.check("input[name=sections][value=bank]")
    next_step(page)
    page.fill("#id_iban", "DE02 1203 0000 0000 2020 52")  # wrong check digits
    page.fill("#id_account_holder", "Anna Muster")
    next_step(page)
    page.locator(".error-summary a[href='#id_iban']").first.wait_for()
    assert page.input_value("#id_account_holder") == "Anna Muster"
    page.fill("#id_iban", "DE02 1203 0000 0000 2020 51")
    next_step(page)
    page.set_input_files("#id_bank_statements", [photo("konto-1.jpg"), photo("konto-2.jpg")])
    next_step(page)
    page.check("#id_truthful")
    page.check("#id_privacy")
    next_step(page)
    assert "DE02 1203 0000 0000 2020 51" in page.content()
    page.click("[data-eforms-submit]")
    page.wait_for_url("**/gesendet/")
    submission = Submission.objects.get(form_slug="wba")
    text = download_pdf_text(page)
    assert submission.reference in text and "Anna Muster" in text and "DE02 1203" in text

    context, staff = staff_page(browser, live_server, "demo-sachbearbeitung")
    try:
        staff.goto(f"/verwaltung/antraege/{submission.pk}/")
        assert "DE02 1203 0000 0000 2020 51" in staff.content()
        staff.click("button[value=done]")
        staff.locator(".notification--success").first.wait_for()
    finally:
        context.close()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DONE


def fill_fields(page, values: dict) -> None:  # type: ignore[no-untyped-def]
    """Fill a step by field name, whatever the input kind."""
    for name, value in values.items():
        if isinstance(value, str) and page.locator(f"[name='{name}_day']").count():
            year, month, day = value.split("-")  # a memorable date: day, month and year boxes
            page.fill(f"[name='{name}_day']", str(int(day)))
            page.fill(f"[name='{name}_month']", str(int(month)))
            page.fill(f"[name='{name}_year']", year)
            continue
        locator = page.locator(f"[name='{name}']")
        first = locator.first
        tag = first.evaluate("el => el.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            page.select_option(f"select[name='{name}']", value)
        elif kind == "radio":
            page.check(f"input[name='{name}'][value='{value}']")
        elif kind == "checkbox" and isinstance(value, list):
            for item in value:
                page.check(f"input[name='{name}'][value='{item}']")
        elif kind == "checkbox":
            page.check(f"input[name='{name}']")
        elif kind == "file":
            page.set_input_files(f"input[name='{name}'][capture]", value)
        else:
            page.fill(f"[name='{name}']", value)
    before = page.url
    next_step(page)
    page.wait_for_url(lambda url: url != before)  # the next step, not the old page's same-named fields


def test_erstantrag_without_account_resumed_in_a_new_browser_and_registered(
    demo_data, live_server, phone_page, browser
):
    from jcportal.eforms.models import Submission

    from .test_services_http import ERSTANTRAG_STEPS

    page = phone_page
    page.goto("/")
    page.click("a[href='/antrag/erstantrag/']")
    page.click("main form button[type=submit]")
    a11y.assert_accessible(page, "erstantrag personal")
    personal = {k: v for k, v in ERSTANTRAG_STEPS["personal"].items() if v}
    fill_fields(page, personal)
    code = page.locator("#resume-code").inner_text()
    assert len(code) == 14
    a11y.assert_accessible(page, "eforms:saved")
    page.context.close()  # abandoned on the phone

    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="de-DE")
    context.set_default_timeout(20_000)
    other = context.new_page()
    try:
        other.goto("/antrag/fortsetzen/")
        a11y.assert_accessible(other, "eforms:resume")
        other.fill("#id_code", code)
        submit(other, "main form button[type=submit]")
        assert other.url.endswith("/schritt/identity/")
        for step in ("identity", "situation", "bank", "household", "persons", "children", "income", "assets"):
            values = {k: v for k, v in ERSTANTRAG_STEPS[step].items() if v not in ("", None)}
            fill_fields(other, values)
        a11y.assert_accessible(other, "erstantrag housing")
        housing = {k: v for k, v in ERSTANTRAG_STEPS["housing"].items() if v not in ("", None)}
        fill_fields(other, {**housing, "rental_contract": [photo("mietvertrag.jpg")]})
        fill_fields(other, {})  # needs
        fill_fields(other, {"id_document": [photo("ausweis-vorne.jpg")]})
        fill_fields(other, {"truthful": True, "privacy": True})
        content = other.content()
        for value in ("Petra", "Ahornweg 3", "Karl", "Mia", "AOK"):
            assert value in content, value
        other.click("[data-eforms-submit]")
        other.wait_for_url("**/gesendet/")
        submission = Submission.objects.get(form_slug="erstantrag", status="submitted")
        assert submission.reference in other.content()
        text = download_pdf_text(other)
        assert submission.reference in text and "Neumann" in text and "Mia" in text
    finally:
        context.close()

    staff_context, staff = staff_page(browser, live_server, "demo-sachbearbeitung")
    try:
        staff.goto(f"/verwaltung/antraege/{submission.pk}/")
        a11y.assert_accessible(staff, "backoffice:submission (pre-registration)")
        staff.click("form[action$='/umwandeln/'] button")
        staff.locator(".notification--success").first.wait_for()
    finally:
        staff_context.close()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CONVERTED
    assert submission.household.members.count() == 3


def test_vaem_ortsabwesenheit_and_kontakt_on_a_phone(demo_data, live_server, phone_page, browser):
    from jcportal.eforms.models import Submission

    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    today = dt.date.today()

    page.goto("/antrag/vaem/")
    page.click("main form button[type=submit]")
    fill_fields(page, {"kinds": ["job_end", "pregnancy"], "since": today.isoformat()})
    fill_fields(
        page,
        {
            "employer": "Lager GmbH",
            "ends_on": today.isoformat(),
            "reason": "Befristung",
            "notice": [photo("kuendigung.jpg")],
        },
    )
    a11y.assert_accessible(page, "vaem pregnancy")
    fill_fields(
        page,
        {
            "due_date": (today + dt.timedelta(days=150)).isoformat(),
            "maternity_pass": [photo("mutterpass.jpg")],
        },
    )
    fill_fields(page, {"truthful": True, "privacy": True})
    page.click("[data-eforms-submit]")
    page.wait_for_url("**/gesendet/")
    vaem = Submission.objects.get(form_slug="vaem")
    assert "Lager GmbH" in download_pdf_text(page)

    page.goto("/antrag/ortsabwesenheit/")
    page.click("main form button[type=submit]")
    start = dt.date(today.year + 1, 5, 4)
    fill_fields(
        page,
        {
            "absent_from": start.isoformat(),
            "absent_until": (start + dt.timedelta(days=9)).isoformat(),
            "destination": "Rostock",
            "reason": "holiday",
        },
    )
    fill_fields(page, {"phone": "0151 2345678", "check_in": True})
    fill_fields(page, {"truthful": True, "privacy": True})
    page.click("[data-eforms-submit]")
    page.wait_for_url("**/gesendet/")
    absence = Submission.objects.get(form_slug="ortsabwesenheit")
    assert "Rostock" in download_pdf_text(page)

    page.goto("/antrag/kontakt/")
    page.click("main form button[type=submit]")
    fill_fields(page, {"kind": "callback", "topic": "benefits", "message": "Bitte um Rückruf zum Bescheid."})
    a11y.assert_accessible(page, "kontakt callback")
    fill_fields(page, {"phone": "0151 2345678", "time_windows": ["08-10", "13-15"]})
    fill_fields(page, {"attachment": [photo("bescheid.jpg")]})
    page.click("[data-eforms-submit]")
    page.wait_for_url("**/gesendet/")
    contact = Submission.objects.get(form_slug="kontakt")
    assert "Rückruf zum Bescheid" in download_pdf_text(page)

    context, staff = staff_page(browser, live_server, "demo-sachbearbeitung")
    try:
        staff.goto(f"/verwaltung/antraege/{absence.pk}/")
        staff.click("button[value=reject]")  # a rejection needs a reason
        staff.locator(".notification--error").first.wait_for()
        staff.fill("#id_approve-note", "Einverstanden. Bitte melden Sie sich nach der Rückkehr.")
        staff.click("button[value=approve]")
        staff.locator(".notification--success").first.wait_for()
        staff.goto(f"/verwaltung/antraege/{contact.pk}/")
        staff.fill("#id_done-note", "Rückruf erfolgt.")
        staff.click("button[value=done]")
        staff.locator(".notification--success").first.wait_for()
        staff.goto(f"/verwaltung/antraege/{vaem.pk}/")
        assert "Lager GmbH" in staff.content()
        staff.click("button[value=done]")
        staff.locator(".notification--success").first.wait_for()
        staff.goto("/verwaltung/antraege/nachverfolgen/")
        a11y.assert_accessible(staff, "backoffice:submission-followups")
    finally:
        context.close()
    page.goto(f"/antrag/vorgang/{absence.pk}/")
    assert "Bitte melden Sie sich nach der Rückkehr." in page.content()
    a11y.assert_accessible(page, "eforms:detail")
    for submission in (vaem, absence, contact):
        submission.refresh_from_db()
    assert (vaem.status, absence.status, contact.status) == ("done", "approved", "done")


def test_first_application_in_arabic_at_320_px_reflows(demo_data, live_server, browser):
    context = browser.new_context(
        viewport={"width": 320, "height": 700}, base_url=live_server.url, locale="ar"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto("/sprache/ar/?next=/antrag/erstantrag/")
        page.locator("html[dir=rtl]").first.wait_for()
        a11y.assert_accessible(page, "erstantrag start (ar)")
        page.click("main form button[type=submit]")
        next_step(page)  # empty: errors in RTL
        page.locator(".error-summary").first.wait_for()
        a11y.assert_accessible(page, "erstantrag personal with errors (ar, 320 px)")
    finally:
        context.close()
