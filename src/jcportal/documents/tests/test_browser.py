"""End to end in real Chromium on a phone: three photos become one upright 3-page PDF in the inbox."""

from __future__ import annotations

import io

import pikepdf
import pytest

from jcportal.core.testing.fixtures import browser_login

from . import samples

COLOURS = {"red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255)}


def top_and_bottom(pdf_bytes: bytes, index: int) -> tuple[tuple[int, int], tuple[int, ...], tuple[int, ...]]:
    """Render a page as a viewer would (honouring /Rotate): size, colour near the top, near the bottom."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        image = document[index].render(scale=0.5).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    return (
        (width, height),
        image.getpixel((width // 2, height // 20)),
        image.getpixel((width // 2, height * 19 // 20)),
    )


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 70 for a, b in zip(pixel, colour, strict=False))


def assert_no_axe_violations(page) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options={**wcag, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_sends_three_photos_and_caseworker_gets_one_upright_pdf(demo_data, live_server, phone_page):
    from jcportal.accounts.models import User
    from jcportal.documents.models import Document
    from jcportal.inbox.models import InboxItem

    page = phone_page
    rotated, heic, plain = (
        samples.rotated_jpeg("red"),
        samples.upright_heic("blue"),
        samples.upright_jpeg("green"),
    )
    browser_login(page, "demo-kunde", "Demo-Kunde-2026")
    page.goto("/portal/hochladen/")
    assert_no_axe_violations(page)
    page.check("input[name=doc_type][value=mietvertrag]")
    page.set_input_files(
        "input[name=files]",
        [
            {"name": "seite1.jpg", "mimeType": "image/jpeg", "buffer": rotated},
            {"name": "seite2.heic", "mimeType": "image/heic", "buffer": heic},
        ],
    )
    page.set_input_files(
        "input[name=more_files]",
        [
            {"name": "falsch.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg("black")},
            {"name": "seite3.jpg", "mimeType": "image/jpeg", "buffer": plain},
        ],
    )
    items = page.locator("[data-upload-list] li")
    assert items.count() == 4  # thumbnails with move/remove buttons (JavaScript)
    # the citizen moves the wrong photo to the end, then removes it
    items.nth(2).get_by_role("button").nth(1).click()  # "move down" on page 3
    assert "falsch.jpg" in items.nth(3).inner_text()
    items.nth(3).get_by_role("button").last.click()  # "remove"
    assert items.count() == 3
    names = [items.nth(i).inner_text().split(": ", 1)[1].splitlines()[0].strip() for i in range(3)]
    assert names == ["seite1.jpg", "seite2.heic", "seite3.jpg"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no horizontal scrolling
    page.click("[data-upload-submit]")
    page.wait_for_url("**/bestaetigung/")
    document = Document.objects.get(pk=page.url.rstrip("/").split("/")[-2])
    assert page.locator("h1").inner_text()
    assert document.receipt_number in page.content()
    assert_no_axe_violations(page)
    with page.expect_download() as download_info:
        page.click(f"a[href$='/dokumente/{document.pk}/eingangsbestaetigung/']")
    assert download_info.value.suggested_filename.endswith(".pdf")

    document.refresh_from_db()
    assert document.status == Document.Status.DELIVERED
    assert document.doc_type == "mietvertrag"
    assert [o.original_name for o in document.originals.all()] == ["seite1.jpg", "seite2.heic", "seite3.jpg"]
    caseworker = User.objects.get(username="demo-sachbearbeitung")
    assert InboxItem.objects.filter(document=document, assignee=caseworker).count() == 1
    with document.pdf.open("rb") as handle:
        data = handle.read()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 3
        jpegs = [
            image.read_raw_bytes() for p in (pdf.pages[0], pdf.pages[2]) for image in p.get_images().values()
        ]
    assert jpegs == [rotated, plain]  # JPEG pages: byte-identical image streams
    for index, colour in enumerate(["red", "blue", "green"]):
        (width, height), top, bottom = top_and_bottom(data, index)
        assert height > width, f"page {index + 1} is not upright"
        assert close_to(top, COLOURS[colour]) and close_to(bottom, (255, 255, 255)), (index, top, bottom)

    page.goto("/portal/dokumente/")
    assert "Mietvertrag" in page.content()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 320, "height": 640})  # reflows at 320 px without horizontal scrolling
    for path in ("/portal/dokumente/", f"/portal/dokumente/{document.pk}/", "/portal/hochladen/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
