"""In real Chromium: the Mitwirkung procedure end to end. The citizen answers a requested document on the
phone; the caseworker rejects the answer with a reason; the citizen sees the reason (marked as German) and
answers again; the caseworker accepts it and ticks the other item as received on paper; the request is
complete on both sides. Every page on the way has no axe violations."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import browser_login, staff_browser_context, submit

REASON = "Auf dem Kontoauszug fehlt die zweite Seite. Bitte senden Sie alle Seiten."


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def send(page, item, name: str) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files(
        f"#id_item{item.pk}-upload", [{"name": name, "mimeType": "image/jpeg", "buffer": jpeg("white")}]
    )
    submit(page, f"#item-{item.pk} button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rejected_answer_is_sent_again_and_accepted(demo_data, live_server, phone_page, browser):
    from jcportal.accounts.models import User
    from jcportal.docrequests.models import DocumentRequest, DocumentRequestItem

    doc_request = DocumentRequest.objects.get(household__bg_number="12345BG0000001")
    first, second = doc_request.items.filter(optional=False).order_by("position")
    citizen = phone_page
    browser_login(citizen, "demo-kunde", "Demo-Kunde-2026")
    request_url = f"/portal/angeforderte-unterlagen/{doc_request.pk}/"
    citizen.goto(request_url)

    # the citizen answers the first item: received, being checked (not done)
    send(citizen, first, "auszug.jpg")
    assert citizen.locator(f"#item-{first.pk}.checklist__item--received").count() == 1
    assert citizen.locator(f"#item-{first.pk}.checklist__item--done").count() == 0
    a11y.assert_accessible(citizen, "portal:request (being checked)")

    staff_user = User.objects.get(username="demo-sachbearbeitung")
    staff_context = staff_browser_context(
        browser, live_server, staff_user, viewport={"width": 1280, "height": 900}
    )
    staff = staff_context.new_page()
    try:
        detail = f"/verwaltung/unterlagenanforderungen/{doc_request.pk}/"
        staff.goto(detail)
        a11y.assert_accessible(staff, "document request with an answer to check")
        row = staff.locator(f"#item-{first.pk}")
        assert row.locator(".tag--info").count() == 1

        # a rejection needs a reason: the error summary says so
        row.locator("summary").click()
        submit(staff, row.locator("form.reject-answer button[type=submit]"))
        assert staff.locator(".error-summary").count() == 1
        a11y.assert_accessible(staff, "reject without a reason")
        row = staff.locator(f"#item-{first.pk}")
        row.locator(f"#id_reject{first.pk}-reason").fill(REASON)
        submit(staff, row.locator("form.reject-answer button[type=submit]"))
        first.refresh_from_db()
        assert first.state == DocumentRequestItem.State.REJECTED
        assert staff.locator(f"#item-{first.pk} .tag--error").count() == 1
        a11y.assert_accessible(staff, "document request after a rejection")

        # the citizen sees the reason, marked as German, and sends the document again
        citizen.goto(request_url)
        reason = citizen.locator(f"#item-{first.pk} .rejection-reason")
        assert reason.inner_text() == REASON
        assert reason.get_attribute("lang") == "de" and reason.get_attribute("dir") == "ltr"
        assert citizen.locator(f"#item-{first.pk}.checklist__item--rejected").count() == 1
        a11y.assert_accessible(citizen, "portal:request (rejected)")
        send(citizen, first, "auszug-alle-seiten.jpg")
        assert citizen.locator(f"#item-{first.pk}.checklist__item--received").count() == 1

        # the caseworker accepts the new answer and ticks the second item as received on paper
        staff.goto(detail)
        submit(staff, f"#item-{first.pk} button.accept-answer")
        submit(staff, f"#item-{second.pk} button.tick-item")
        doc_request.refresh_from_db()
        assert doc_request.completed_at is not None
        assert staff.locator(f"#item-{first.pk}.checklist__item--done").count() == 1
        assert staff.locator(f"#item-{second.pk}.checklist__item--done").count() == 1
        a11y.assert_accessible(staff, "complete document request")
    finally:
        staff_context.close()

    citizen.goto(request_url)
    assert citizen.locator(".notification--success").count() == 1
    assert citizen.locator(f"#item-{first.pk}.checklist__item--done").count() == 1
    assert citizen.locator(f"#item-{second.pk}.checklist__item--done").count() == 1
    a11y.assert_accessible(citizen, "portal:request (complete)")
