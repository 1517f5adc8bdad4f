"""Separator sheets (Trennblätter): a printed page with a QR code that carries the household's BG number
and the document type. The scan import finds them by decoding the QR code from the page image, drops
them and starts a new document after each.

Payload: ``JCSEP1|<BG number or empty>|<document type code>``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno

logger = logging.getLogger(__name__)

PREFIX = "JCSEP1"
# 60 dpi is enough for the 95 mm QR code of our sheets (about 5 pixels per module) and keeps the cost per
# page low (about 25 ms render + decode on one core), which matters for millions of pages.
DETECT_DPI = 60
CHUNK_PAGES = 25  # pages rendered per pdftoppm call: bounded temporary disk use, few process starts


@dataclass(frozen=True)
class Separator:
    bg_number: str
    doc_type: str


def encode(bg_number: str, doc_type: str) -> str:
    return f"{PREFIX}|{bg_number.strip().upper()}|{doc_type}"


def decode(text: str) -> Separator | None:
    parts = (text or "").strip().split("|")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return Separator(bg_number=parts[1].strip().upper(), doc_type=parts[2].strip())


def qr_data_uri(payload: str) -> str:
    """A PNG data URI of the QR code (error correction level H survives stamps and smudges)."""
    return segno.make_qr(payload, error="h").png_data_uri(scale=12, border=4)


def read_separator(image: Any) -> Separator | None:
    """Decode a separator QR code from a page image (PIL image); None when the page is content."""
    import zxingcpp

    # QR finder patterns are found in any orientation; skipping rotated/inverted/downscaled retries makes
    # content pages (the vast majority) about three times cheaper.
    barcodes = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,  # type: ignore[arg-type]
        try_rotate=False,
        try_invert=False,
        try_downscale=False,
    )
    for barcode in barcodes:
        found = decode(barcode.text)
        if found is not None:
            return found
    return None


def scan_pages(pdf_path: str | os.PathLike[str], page_count: int) -> Iterator[tuple[int, Separator | None]]:
    """Yield (1-based page number, separator or None) for every page, rendering a few pages at a time
    in low resolution with poppler's ``pdftoppm`` (constant memory and disk, whatever the file size)."""
    from PIL import Image

    dpi = str(DETECT_DPI)
    with tempfile.TemporaryDirectory(prefix="jcscan-") as tmp:
        for first in range(1, page_count + 1, CHUNK_PAGES):
            last = min(first + CHUNK_PAGES - 1, page_count)
            prefix = Path(tmp) / "p"
            subprocess.run(
                [
                    "pdftoppm",
                    "-gray",
                    "-r",
                    dpi,
                    "-f",
                    str(first),
                    "-l",
                    str(last),
                    str(pdf_path),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            rendered = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
            numbers = {int(p.stem.rsplit("-", 1)[1]): p for p in rendered}
            for number in range(first, last + 1):
                path = numbers.get(number)
                if path is None:  # pdftoppm could not render this page: treat it as content
                    yield number, None
                    continue
                with Image.open(path) as image:
                    found = read_separator(image)
                path.unlink()
                yield number, found
