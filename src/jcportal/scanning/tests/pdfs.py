"""Build scanner-like test PDFs: real separator sheets (rendered by our own separator PDF) between
tiny blank content pages."""

from __future__ import annotations

import io

import pikepdf

from jcportal.scanning.services import separator_sheets_pdf

SMALL_PAGE = (210, 297)  # points: tiny A4-shaped pages render fast


def sep(bg_number: str, doc_type: str) -> tuple:
    return ("sep", bg_number, doc_type)


def pages(count: int) -> tuple:
    return ("pages", count)


def build_scan(layout: list[tuple]) -> bytes:
    separators = [item for item in layout if item[0] == "sep"]
    sheets = None
    if separators:
        entries = [(bg, doc_type) for _kind, bg, doc_type in separators]
        sheets = pikepdf.open(io.BytesIO(separator_sheets_pdf(entries, "de")))
    out = pikepdf.new()
    index = 0
    for item in layout:
        if item[0] == "sep":
            out.pages.append(sheets.pages[index])
            index += 1
        else:
            for _n in range(item[1]):
                out.add_blank_page(page_size=SMALL_PAGE)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
