"""PDF documents (receipts, access letters, copies of applications) from HTML templates via WeasyPrint.

Fonts for Arabic, Persian and Ethiopic scripts are embedded from our static folder, so the PDFs look
the same on every machine; HarfBuzz (through Pango) does the Arabic shaping. Every PDF is PDF/A-2b.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def render_pdf(template_name: str, context: dict[str, Any], language: str | None = None) -> bytes:
    from weasyprint import HTML

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            template_name,
            {
                **context,
                "font_dir": FONT_DIR.as_uri(),
                "pdf_language": language,
                "pdf_direction": "rtl" if translation.get_language_bidi() else "ltr",
            },
        )
    # PDF/A-2b: receipts, copies of applications and letters are archive copies too (XMP identification,
    # sRGB OutputIntent, embedded font subsets; documents/tests/test_pdfa.py checks the rules).
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf(pdf_variant="pdf/a-2b")
