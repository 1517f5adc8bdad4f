"""Page thumbnails of a document's PDF, rendered with poppler's ``pdftoppm`` and cached in storage.

The cache key contains the PDF's SHA-256, so a replaced PDF never shows old pages. Files live only in
Django's storage (local folder or S3); rendering works on a temporary local copy.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jcportal.documents.models import Document

THUMBNAIL_PIXELS = 220
MAX_THUMBNAILS = 30
TIMEOUT_SECONDS = 30


class PreviewUnavailable(Exception):
    pass


def _cache_name(document: Document, page: int) -> str:
    key = document.pdf_sha256 or hashlib.sha256(document.pdf.name.encode()).hexdigest()
    return f"previews/{document.pk}/{key[:16]}-p{page:04d}.png"


def page_numbers(document: Document) -> list[int]:
    if not document.pdf:
        return []
    return list(range(1, min(document.page_count or 1, MAX_THUMBNAILS) + 1))


def page_png(document: Document, page: int) -> bytes:
    """The PNG of one page (1-based); rendered once, then served from storage."""
    if not document.pdf or page < 1 or (document.page_count and page > document.page_count):
        raise PreviewUnavailable(page)
    name = _cache_name(document, page)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            return cached.read()
    binary = shutil.which("pdftoppm")
    if binary is None:
        raise PreviewUnavailable("pdftoppm is not installed")
    with tempfile.TemporaryDirectory(prefix="jc-preview-") as tmp:
        source = Path(tmp) / "in.pdf"
        with document.pdf.open("rb") as pdf, open(source, "wb") as local:
            shutil.copyfileobj(pdf, local)
        target = Path(tmp) / "page"
        result = subprocess.run(  # noqa: S603 - fixed binary, no shell, our own temporary paths
            [
                binary,
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-scale-to",
                str(THUMBNAIL_PIXELS),
                str(source),
                str(target),
            ],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        output = target.with_suffix(".png")
        if result.returncode != 0 or not output.exists():
            raise PreviewUnavailable(result.stderr.decode(errors="replace")[:200])
        data = output.read_bytes()
    default_storage.save(name, ContentFile(data))
    return data
