"""The citizen's side in all seven languages on a phone (issue 14, "Done means"): the document request
page has no German sentence outside the caseworker's own words (marked ``lang="de"``); the dashboard
shows the deadline; switching the language on the upload page keeps the note and the type; and a
document of a requested type sent through "Send documents" (not the request page) answers the request.

One browser for all languages, one context per language (``phone_page``); every click that loads a page
goes through ``submit``. What is asserted is what the citizen sees (the item no longer "still missing",
the request page naming the document), not the request's internal state.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from jcportal.core.i18n import language_tag
from jcportal.core.testing.fixtures import browser_login, submit
from jcportal.docrequests.models import DocumentRequest
from jcportal.documents.models import Document
from jcportal.documents.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NOTE = "Bitte an Frau Muster weitergeben"

# The text of <main> outside the caseworker's German (elements marked lang="de" inside <main>), one text
# node a line: the same template gives the same pieces in every language.
MAIN_TEXT = """() => {
  const main = document.querySelector('main');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const lines = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const german = parent.closest('[lang="de"]');
    if ((german && main.contains(german)) || parent.closest('script, style, template')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) lines.push(text);
  }
  return lines.join('\\n');
}"""


def _sentences(text: str) -> set[str]:
    """The sentences and phrases of a page with at least three words (dates, numbers and names left out)."""
    pieces = set()
    for line in text.splitlines():
        for piece in re.split(r"(?<=[.!?:;።፦؟])\s*", line):
            piece = piece.strip(" ()–-")
            if len(re.findall(r"[^\W\d_]{3,}", piece)) >= 3:
                pieces.add(piece)
    return pieces


def _open_in(page, code: str, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open ``url`` in the language ``code`` (the switcher's own link, as a citizen would)."""
    page.goto(f"{reverse('core:set-language', args=[code])}?next={url}")


def _other(code: str) -> str:
    return "en" if code != "en" else "ar"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_citizen_side_in_every_language(code, demo_data, live_server, phone_page):
    page = phone_page
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}])
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    doc_request = DocumentRequest.objects.get(household__bg_number="12345BG0000001")
    item = doc_request.items.get(doc_type="kontoauszug")
    deadline = doc_request.deadline.strftime("%d.%m.%Y")
    with translation.override(code):
        still_missing = gettext("Still missing")

    # (d) The dashboard shows the open request's deadline, first.
    page.goto("/portal/")
    assert page.locator("html").get_attribute("lang") == language_tag(code)
    waiting = page.locator("section.requests-due")
    assert deadline in waiting.inner_text()
    assert waiting.bounding_box()["y"] < page.locator(".card-grid").bounding_box()["y"]  # type: ignore[index]

    # (a) The request page: no sentence of the German (or, for German, the English) page appears outside
    # the caseworker's text marked lang="de".
    request_url = f"/portal/angeforderte-unterlagen/{doc_request.pk}/"
    reference = "en" if code in ("de", "de-ls") else "de"
    _open_in(page, reference, request_url)
    assert page.locator("html").get_attribute("lang") == language_tag(reference)
    foreign = _sentences(page.evaluate(MAIN_TEXT))
    if code == "de-ls":  # Leichte Sprache is German, but its own text: most sentences differ
        _open_in(page, "de", request_url)
        standard = _sentences(page.evaluate(MAIN_TEXT))
    _open_in(page, code, "/portal/")
    submit(page, f"section.requests-due a[href='{request_url}']")
    assert page.locator("html").get_attribute("lang") == language_tag(code)
    shown = page.evaluate(MAIN_TEXT)
    assert foreign, "the reference page had no sentences"
    leftovers = sorted(s for s in foreign if s in shown)
    assert leftovers == [], f"{code}: untranslated sentences on the request page: {leftovers}"
    if code == "de-ls":
        same = standard & _sentences(shown)
        assert len(same) <= len(standard) / 4, f"Leichte Sprache reads like the standard German: {same}"
    german = page.locator("main [lang=de]")
    assert german.count() >= 1 and "Mitwirkungspflicht" in german.first.inner_text()  # marked as German
    assert all(dir_ == "ltr" for dir_ in german.evaluate_all("els => els.map(e => e.getAttribute('dir'))"))
    assert still_missing in page.locator(f"#item-{item.pk}").inner_text()

    # (c) Through "Send documents": the requested item is preselected; switching the language keeps the
    # note and the chosen type.
    page.goto("/portal/")
    submit(page, ".card-grid a[href='/portal/hochladen/']")
    preselected = page.locator("input[name=doc_type]:checked")
    assert preselected.get_attribute("value") == f"item-{item.pk}"
    assert deadline in page.locator(f"label[for='{preselected.get_attribute('id')}']").inner_text()
    page.check("input[name=doc_type][value=lohnabrechnung]")
    page.fill("textarea[name=note]", NOTE)
    other = _other(code)
    submit(page, f".language-switcher a[hreflang='{language_tag(other)}']")
    assert page.locator("html").get_attribute("lang") == language_tag(other)
    assert page.input_value("textarea[name=note]") == NOTE
    assert page.is_checked("input[name=doc_type][value=lohnabrechnung]")
    submit(page, f".language-switcher a[hreflang='{language_tag(code)}']")
    assert page.locator("html").get_attribute("lang") == language_tag(code)
    assert page.input_value("textarea[name=note]") == NOTE
    assert page.is_checked("input[name=doc_type][value=lohnabrechnung]")

    # (b) A bank statement sent as the plain type (not the request's own choice) answers the request.
    kontoauszug = page.locator("input[name=doc_type][value=kontoauszug]")
    if not kontoauszug.is_visible():
        page.click("details.upload-more-types summary")
    kontoauszug.check()
    page.set_input_files(
        "input[name=files]", [{"name": "kontoauszug.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}]
    )
    before = Document.objects.count()
    submit(page, "[data-upload-submit]")
    page.wait_for_url(re.compile(r"/hochladen/[0-9a-f-]{36}/bestaetigung/$"))
    assert Document.objects.count() == before + 1
    document = Document.objects.latest("received_at")
    assert (document.doc_type, document.note) == ("kontoauszug", NOTE)

    page.goto(request_url)
    row = page.locator(f"#item-{item.pk}").inner_text()
    assert still_missing not in row, row
    assert document.receipt_number in row, row
