"""Large photos are made smaller in the browser only when the citizen agrees (issue 14 point 5): a photo
over 2.5 MB or 12 megapixels brings the question "Your photo is large (… MB). Send it smaller?" in the
citizen's language; "Keep as it is" sends the original bytes, "Send smaller" a JPEG with the long side at
2480 px, recorded as a file notice of the document."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from jcportal.core.testing.a11y import assert_accessible
from jcportal.core.testing.fixtures import browser_login
from jcportal.documents.models import Document
from jcportal.portal.forms_documents import downscaled_notices


def _large_photo() -> bytes:
    """A 12.2-megapixel JPEG of about 7.7 MB (noise compresses badly, as a real phone photo does)."""
    buffer = io.BytesIO()
    Image.effect_noise((4032, 3024), 40).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _choose(page, photo: bytes) -> None:  # type: ignore[no-untyped-def]
    page.goto("/portal/hochladen/")
    page.check("input[name=doc_type][value=lohnabrechnung]")
    page.set_input_files(
        "input[name=files]", [{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.wait_for_selector("[data-downscale]:not([hidden])")


def _send(page) -> Document:  # type: ignore[no-untyped-def]
    before = Document.objects.count()
    page.click("[data-upload-submit]")
    page.wait_for_url(re.compile(r"/hochladen/[0-9a-f-]{36}/bestaetigung/$"))
    assert Document.objects.count() == before + 1
    return Document.objects.latest("received_at")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_large_photo_is_sent_smaller_only_after_the_citizen_says_so(demo_data, live_server, phone_page):
    page = phone_page
    photo = _large_photo()
    assert len(photo) > 2.5 * 1024 * 1024
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")

    # The question, in German (the citizen's language here), with the size; the page stays accessible.
    _choose(page, photo)
    question = page.locator("[data-downscale]")
    with translation.override("de"):
        smaller, keep = gettext("Send smaller"), gettext("Keep as it is")
        asked = gettext("Your photo is large ({size} MB). Send it smaller? That is faster.")
    assert asked.split("{size}")[0] in question.inner_text()
    assert "7,3 MB" in question.inner_text() or "7,4 MB" in question.inner_text(), question.inner_text()
    assert_accessible(page, "upload page with the question to send a large photo smaller")

    # "Keep as it is": the original bytes arrive, nothing is recorded.
    question.get_by_role("button", name=keep).click()
    assert question.is_hidden()
    document = _send(page)
    assert document.originals.get().size == len(photo)
    assert [n for n in document.file_notices if n["code"] == "downscaled_in_browser"] == []

    # "Send smaller": a JPEG with the long side at 2480 px, far fewer bytes, recorded with the sizes.
    _choose(page, photo)
    page.locator("[data-downscale]").get_by_role("button", name=smaller).click()
    page.wait_for_function(
        "() => /IMG_2041\\.jpg/.test(document.querySelector('[data-upload-list]').textContent)"
    )
    document = _send(page)
    original = document.originals.get()
    assert original.size < len(photo) / 2
    with original.file.open("rb") as stream:
        sent = Image.open(io.BytesIO(stream.read()))
        assert sent.size == (2480, 1860)
    [notice] = [n for n in document.file_notices if n["code"] == "downscaled_in_browser"]
    assert notice["original_size"] == len(photo) and notice["size"] == original.size
    assert (notice["original_width"], notice["width"]) == (4032, 2480)


def test_the_record_names_only_files_that_were_sent():
    raw = '[{"name": "a.jpg", "original_size": "9000000", "size": 800000}, {"name": "other.jpg"}, 7]'
    [notice] = downscaled_notices(raw, ["b.pdf", "a.jpg"])
    assert (notice["name"], notice["position"], notice["original_size"], notice["size"]) == (
        "a.jpg",
        1,
        9000000,
        800000,
    )
    assert downscaled_notices("not json", ["a.jpg"]) == [] and downscaled_notices('{"a": 1}', ["a"]) == []
