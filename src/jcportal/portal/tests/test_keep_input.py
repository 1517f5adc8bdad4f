"""Nothing typed is lost (issue 14 point 3): switching the language on the upload page keeps the type and
the note; with photos chosen it asks first, because files cannot be kept."""

from __future__ import annotations

import pytest

from jcportal.core.testing.fixtures import browser_login, submit
from jcportal.documents.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_language_on_the_upload_page_keeps_the_note_and_the_type(
    demo_data, live_server, phone_page
):
    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/hochladen/")
    page.check("input[name=doc_type][value=lohnabrechnung]")
    page.fill("textarea[name=note]", "Bitte an Frau Muster weitergeben")
    submit(page, ".language-switcher a[hreflang=ar]")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.input_value("textarea[name=note]") == "Bitte an Frau Muster weitergeben"
    assert page.is_checked("input[name=doc_type][value=lohnabrechnung]")

    page.set_input_files(
        "input[name=files]", [{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}]
    )
    messages: list[str] = []

    def dismiss(dialog):  # type: ignore[no-untyped-def]
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click(".language-switcher a[hreflang=en]")
    assert messages, "switching the language with chosen files must ask first"
    assert page.locator("html").get_attribute("lang") == "ar"  # dismissed: still on the page, files kept
    assert page.locator("[data-upload-list] > li").count() == 1  # the chosen photo is still there
