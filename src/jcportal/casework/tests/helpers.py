"""Small helpers for the case-work tests: a real one-page PDF and a delivered document with it."""

from __future__ import annotations

import io

import pikepdf
from django.core.files.base import ContentFile

from jcportal.inbox.tests.factories import DocumentFactory


def pdf_bytes(pages: int = 2) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(300, 420))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def document_with_pdf(pages: int = 2, **fields):  # type: ignore[no-untyped-def]
    document = DocumentFactory(page_count=pages, **fields)
    document.pdf.save("document.pdf", ContentFile(pdf_bytes(pages)), save=True)
    return document
