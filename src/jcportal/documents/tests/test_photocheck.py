"""The photo check: a small labelled set of page photos made here; blurred, dark and cut-off ones are
flagged, sharp ones pass; a flagged photo is delivered all the same with a notice the citizen and the
caseworker see. The same set goes through the browser's check (static/js/photocheck.js)."""

from __future__ import annotations

import io
import random

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from jcportal.core.testing.fixtures import browser_login
from jcportal.documents import photocheck
from jcportal.documents.models import Document
from jcportal.inbox.models import InboxItem

from . import samples

pytestmark = pytest.mark.usefixtures("english")  # the tests read the English message ids


def page_photo(
    size: tuple[int, int] = (1200, 1600),
    page_box: tuple[int, int, int, int] = (110, 130, 1090, 1470),
    background: int = 70,
    paper: int = 228,
) -> Image.Image:
    """A phone photo of a printed page: paper on a darker table, lines of letter-like strokes."""
    rnd = random.Random(14)
    image = Image.new("L", size, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle(page_box, fill=paper)
    left, top, right, bottom = page_box
    margin = (right - left) // 10
    y = top + margin
    while y < bottom - margin:
        x = left + margin
        while x < right - margin:
            for _letter in range(rnd.randint(4, 9)):
                width = rnd.choice((9, 11, 13))
                draw.rectangle((x, y, x + 2, y + 18), fill=30)
                draw.rectangle((x, y + 16, x + width, y + 18), fill=30)
                if rnd.random() < 0.5:
                    draw.rectangle((x + width - 2, y + 6, x + width, y + 18), fill=30)
                x += width + 4
            x += 14
        y += 34
    return image.convert("RGB")


def as_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def labelled_set() -> dict[str, tuple[bytes, list[str]]]:
    sharp = page_photo()
    photos = {
        "sharp": (sharp, []),
        "sharp_scan_white_margins": (page_photo(page_box=(0, 0, 1199, 1599), background=228), []),
        "sharp_landscape_page_small": (page_photo(size=(1600, 1200), page_box=(500, 250, 1100, 1000)), []),
        "slightly_soft_but_readable": (sharp.filter(ImageFilter.GaussianBlur(1)), []),
        "blurred": (sharp.filter(ImageFilter.GaussianBlur(5)), ["photo_blurry"]),
        "blurred_a_little_less": (sharp.filter(ImageFilter.GaussianBlur(3)), ["photo_blurry"]),
        "dark": (ImageEnhance.Brightness(sharp).enhance(0.3), ["photo_dark"]),
        "cut_off_right_and_bottom": (page_photo(page_box=(260, 380, 1500, 2000)), ["photo_cut_off"]),
        "cut_off_left": (page_photo(page_box=(-300, 130, 900, 1470)), ["photo_cut_off"]),
    }
    return {name: (as_jpeg(image), expected) for name, (image, expected) in photos.items()}


LABELLED = labelled_set()


@pytest.mark.parametrize("name", list(LABELLED))
def test_server_check_flags_exactly_the_bad_photos(name):
    data, expected = LABELLED[name]
    assert photocheck.check(data) == expected


def test_small_images_pdfs_and_broken_files_are_not_judged():
    assert photocheck.check(samples.jpeg("black")) == []  # 64×48: not a photo of a page
    assert photocheck.check(samples.pdf()) == []
    assert photocheck.check(LABELLED["blurred"][0][:5000]) == []  # truncated: the converter decides


@pytest.mark.django_db
def test_blurred_photo_is_delivered_with_a_hint_for_citizen_and_caseworker(
    upload, citizen_client, caseworker_client
):
    document = upload(("unscharf.jpg", LABELLED["blurred"][0]), ("gut.jpg", LABELLED["sharp"][0]))

    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 2
    assert [(n["name"], n["code"], n["accepted"]) for n in document.file_notices] == [
        ("unscharf.jpg", "photo_blurry", True)
    ]
    citizen_page = citizen_client.get(reverse("portal:upload-done", args=[document.pk])).content.decode()
    assert "The photo looks blurred." in citizen_page
    assert "not sent." not in citizen_page
    item = InboxItem.objects.get(document=document)
    staff_page = caseworker_client.get(reverse("backoffice:item", args=[item.pk])).content.decode()
    assert "The photo may be hard to read." in staff_page
    assert "unscharf.jpg" in staff_page and "The photo looks blurred." in staff_page
    assert "gut.jpg" not in staff_page.split("data-photo-notice", 1)[1].split("</div>", 1)[0]


@pytest.mark.django_db
def test_sharp_photo_gets_no_photo_notice(upload, caseworker_client):
    document = upload(("seite.jpg", LABELLED["sharp"][0]))

    assert document.status == Document.Status.DELIVERED
    assert document.file_notices == []
    page = caseworker_client.get(reverse("backoffice:document", args=[document.pk])).content.decode()
    assert "data-photo-notice" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_asks_to_retake_a_bad_photo_and_the_citizen_may_send_anyway(
    demo_data, live_server, phone_page
):
    import base64

    from playwright.sync_api import expect

    from .test_browser import assert_no_axe_violations

    page = phone_page
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/hochladen/")
    # the browser's check gives the server's verdicts on the labelled set
    verdicts = page.evaluate(
        """async (samples) => {
          const out = {};
          for (const [name, b64] of Object.entries(samples)) {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            out[name] = await window.jcPhotoCheck.analyse(new File([bytes], name + ".jpg", {type: "image/jpeg"}));
          }
          return out;
        }""",
        {name: base64.b64encode(data).decode() for name, (data, _expected) in LABELLED.items()},
    )
    assert verdicts == {name: expected for name, (_data, expected) in LABELLED.items()}

    strings = page.locator("[data-photo-check-strings]")
    question = page.locator("[data-photo-check]")
    items = page.locator("[data-upload-list] li")
    page.check("input[name=doc_type][value=mietvertrag]")
    # a dark photo: the citizen takes it again (the camera/file chooser opens), the new one is fine
    page.set_input_files(
        "input[name=files]", [{"name": "dunkel.jpg", "mimeType": "image/jpeg", "buffer": LABELLED["dark"][0]}]
    )
    expect(question).to_be_visible()
    assert strings.get_attribute("data-dark") in question.inner_text()
    assert "dunkel.jpg" in question.inner_text()
    assert_no_axe_violations(page)
    with page.expect_file_chooser() as chooser:
        question.get_by_role("button", name=strings.get_attribute("data-retake")).click()
    chooser.value.set_files([{"name": "hell.jpg", "mimeType": "image/jpeg", "buffer": LABELLED["sharp"][0]}])
    expect(items).to_have_count(1)
    assert "hell.jpg" in items.first.inner_text()
    page.wait_for_timeout(300)  # the check of the new photo has run
    expect(question).to_be_hidden()
    # a blurred second page: asked again, the citizen sends it anyway
    page.set_input_files(
        "input[name=more_files]",
        [{"name": "unscharf.jpg", "mimeType": "image/jpeg", "buffer": LABELLED["blurred"][0]}],
    )
    expect(question).to_be_visible()
    assert strings.get_attribute("data-blurry") in question.inner_text()
    assert strings.get_attribute("data-again") in question.inner_text()
    question.get_by_role("button", name=strings.get_attribute("data-send")).click()
    expect(question).to_be_hidden()
    expect(items).to_have_count(2)
    page.click("[data-upload-submit]")
    page.wait_for_url("**/bestaetigung/")

    document = Document.objects.get(pk=page.url.rstrip("/").split("/")[-2])
    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 2
    assert [(n["name"], n["code"]) for n in document.file_notices] == [("unscharf.jpg", "photo_blurry")]


def test_a_truncated_image_is_corrupt_even_after_weasyprint_made_pillow_lenient(monkeypatch):
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES when imported; the intake still refuses."""
    import io

    from PIL import ImageFile

    from jcportal.documents import normalise

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = samples.png(size=(400, 300))
    with pytest.raises(normalise.FileProblem) as problem:
        normalise.convert(io.BytesIO(data[: len(data) // 2]))
    assert problem.value.code == "corrupt_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was for the others
    assert photocheck.check(LABELLED["blurred"][0][:5000]) == []
