"""PDFs in Arabic and Tigrinya carry the right glyphs: the text extracted from the PDF equals the
translated string (Arabic shaped and right-to-left, Ge'ez script), with our fonts embedded."""

from __future__ import annotations

import io
import re
import unicodedata

import polib
import pytest
from pypdf import PdfReader

from jcportal.core import i18n
from jcportal.core.pdf import render_pdf

TRANSLATIONS = {
    "ar": {
        "Receipt": "إيصال استلام",
        "We received your documents.": "لقد استلمنا مستنداتك.",
    },
    "ti": {
        "Receipt": "መረጋገጺ ምቕባል",
        "We received your documents.": "ሰነዳትኩም ተቐቢልናዮም።",
    },
}
RECEIPT_TITLE = {
    "ar": "إشعار الاستلام (Eingangsbestätigung)",
    "ti": "መረጋገጺ ምቕባል (Eingangsbestätigung)",
}
for _language, _title in RECEIPT_TITLE.items():
    TRANSLATIONS[_language]["Proof of receipt (Eingangsbestätigung)"] = _title
TEMPLATE = (
    '{% extends "pdf/base.html" %}{% load i18n %}{% block title %}{% translate "Receipt" %}{% endblock %}'
    '{% block body %}<h1>{% translate "Receipt" %}</h1><p>{% translate "We received your documents." %}</p>'
    '<p>IBAN <bdi class="ltr">DE02 1203 0000 0000 2020 51</bdi></p>{% endblock %}'
)
FONTS = {"ar": "NotoSansArabic", "ti": "NotoSansEthiopic"}


@pytest.fixture
def pdf_catalogue(tmp_path, settings):  # type: ignore[no-untyped-def]
    """A tiny catalogue of our own in front of the real ones, so the test does not wait for translators."""
    for language, messages in TRANSLATIONS.items():
        po = polib.POFile()
        i18n.fix_header(po, language)
        for msgid, msgstr in messages.items():
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        target = tmp_path / "locale" / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        po.save_as_mofile(str(target / "django.mo"))
    templates = tmp_path / "templates" / "pdf"
    templates.mkdir(parents=True)
    (templates / "language_test.html").write_text(TEMPLATE, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [tmp_path / "templates", *engine["DIRS"]]
    settings.TEMPLATES = [engine]


def _text(pdf: bytes) -> str:
    """The text of the PDF in logical order (pypdf maps the glyphs back through the font's ToUnicode map)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", text)


def _fonts(pdf: bytes) -> dict[str, object]:
    fonts: dict[str, object] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"]).replace("-", "")] = font
    return fonts


def _glyphs_per_text(font) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """From the font's ToUnicode map: which glyph codes stand for which text."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    result: dict[str, set[str]] = {}
    for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap):
        if len(target) % 4:
            continue
        text = "".join(chr(int(target[i : i + 4], 16)) for i in range(0, len(target), 4))
        result.setdefault(text, set()).add(code)
    return result


@pytest.mark.parametrize("language", ["ar", "ti"])
def test_pdf_shows_the_translated_text_with_the_right_glyphs(pdf_catalogue, language):
    pdf = render_pdf("pdf/language_test.html", {}, language)
    lines = [line.strip() for line in _text(pdf).splitlines() if line.strip()]
    for msgid, translated in TRANSLATIONS[language].items():
        if msgid.startswith("Proof of receipt"):
            continue
        assert translated in lines, f"{msgid!r}: expected {translated!r} in {lines}"
    assert any("DE02 1203 0000 0000 2020 51" in line for line in lines)  # the IBAN stays one LTR run
    assert any(FONTS[language] in name for name in _fonts(pdf)), list(_fonts(pdf))


def test_arabic_letters_are_joined(pdf_catalogue):
    """Shaping works: the same letter appears as different glyphs (initial, medial, final forms), and
    lam + alef become one ligature glyph. Without shaping every letter would have one isolated glyph."""
    pdf = render_pdf("pdf/language_test.html", {}, "ar")
    arabic = [_glyphs_per_text(f) for name, f in _fonts(pdf).items() if "NotoSansArabic" in name]
    assert arabic, "the Arabic font is not embedded"
    joined = {
        text for glyphs in arabic for text, codes in glyphs.items() if len(text) == 1 and len(codes) >= 2
    }
    assert joined, "every Arabic letter is drawn with a single glyph: no contextual forms"
    assert any("\u0644\u0627" in glyphs for glyphs in arabic), "no lam-alef ligature: the text is not shaped"


@pytest.mark.parametrize("language", ["ar", "ti"])
def test_receipt_pdf_title_in_arabic_and_tigrinya(pdf_catalogue, language):
    """The real receipt template (engineer B's pdf/receipt.html) with a translated title."""
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    document = SimpleNamespace(
        received_at=timezone.make_aware(dt.datetime(2026, 11, 23, 10, 30)),
        receipt_number="EB-2026-000123",
        type_label="Mietvertrag",
        title="Mietvertrag",
        page_count=2,
        get_status_display="OK",
        pdf_sha256="",
    )
    pdf = render_pdf(
        "pdf/receipt.html",
        {"document": document, "household": {"bg_number": "12345BG0000001"}, "originals": [], "notices": []},
        language,
    )
    lines = [line.strip() for line in _text(pdf).splitlines() if line.strip()]
    # A title mixing Arabic and a German term in brackets is extracted in visual order of its runs
    # (the brackets mirror); each run must come out whole and in the same line.
    own, german = RECEIPT_TITLE[language].split(" (")
    assert any(own in line and "Eingangsbestätigung" in line for line in lines), lines[:5]
    assert any("EB-2026-000123" in line for line in lines)
