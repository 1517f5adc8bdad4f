"""Every PDF we deliver or generate is PDF/A-2b, and photo pages stay lossless on the way.

No veraPDF is reachable here, so ``pdfa.problems`` checks the rules that matter (XMP identification,
OutputIntent, embedded fonts, no encryption/JavaScript/transparency groups/DeviceCMYK, an /ID); the
first tests prove the checker catches each of them.
"""

from __future__ import annotations

import io

import pikepdf
import pytest

from jcportal.core.pdf import render_pdf
from jcportal.documents import normalise, pdfa

from . import samples


def _pdf_with_unembedded_font() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    document.pages[0].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    document.pages[0].obj.Contents = document.make_stream(b"BT /F1 24 Tf 72 720 Td (Kontoauszug) Tj ET")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_checker_names_what_a_plain_pdf_lacks():
    found = pdfa.problems(_pdf_with_unembedded_font())
    assert "no XMP metadata" in found
    assert "no PDF/A OutputIntent with an ICC profile" in found
    assert "page 1: font /F1 is not embedded" in found
    assert pdfa.problems(samples.encrypted_pdf()) == ["encrypted"]
    assert any("JavaScript" in p or "automatic actions" in p for p in pdfa.problems(samples.javascript_pdf()))


def test_photo_page_becomes_pdfa_with_the_jpeg_bytes_unchanged():
    photo = samples.jpeg("red", orientation=6, size=(640, 480))
    page = normalise.convert(io.BytesIO(photo)).pdf
    archived = pdfa.conform(page, title="Kontoauszug", subject="E-2026-000001")
    assert pdfa.problems(archived) == []
    assert pdfa.declares_pdfa_2b(archived)
    with pikepdf.open(io.BytesIO(archived)) as document:
        images = list(document.pages[0].get_images().values())
        assert [image.read_raw_bytes() for image in images] == [photo]  # lossless: the citizen's bytes
        assert int(document.pages[0].obj.get("/Rotate", 0)) == 90
        assert str(document.docinfo["/Title"]) == "Kontoauszug"
        with document.open_metadata() as meta:
            assert meta["dc:title"] == "Kontoauszug"


def test_pages_that_cannot_conform_are_rendered_and_then_conform():
    archived = pdfa.conform(_pdf_with_unembedded_font())
    assert pdfa.problems(archived) == []
    with pikepdf.open(io.BytesIO(archived)) as document:
        assert len(document.pages) == 1
        assert [float(v) for v in document.pages[0].mediabox] == [0, 0, 612, 792]


def test_active_content_is_gone_from_the_archive_copy():
    archived = pdfa.conform(normalise.convert(io.BytesIO(samples.javascript_pdf())).pdf)
    assert pdfa.problems(archived) == []
    assert b"/JavaScript" not in archived


@pytest.mark.parametrize("language", ["de", "ar", "ti"])
def test_generated_pdfs_are_pdfa_2b(language):
    data = render_pdf("pdf/base.html", {"title": "Eingangsbestätigung"}, language)
    assert pdfa.problems(data) == []
    assert pdfa.declares_pdfa_2b(data)


@pytest.mark.django_db
def test_delivered_document_is_pdfa_and_keeps_photos_lossless(upload):
    photo = samples.jpeg("blue", size=(320, 240))
    document = upload(("seite1.jpg", photo), ("seite2.pdf", samples.pdf()))
    with document.pdf.open("rb") as handle:
        data = handle.read()
    assert pdfa.problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as merged:
        assert len(merged.pages) == 2
        streams = [i.read_raw_bytes() for i in merged.pages[0].get_images().values()]
        assert streams == [photo]
