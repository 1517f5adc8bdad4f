"""Page thumbnails of a document's PDF: rendered ONCE (all pages, one ``pdftoppm`` run over a temporary
local copy) by the task ``casework.tasks.render_previews`` and stored, then served from storage.

The names contain the PDF's SHA-256, so a replaced PDF never shows old pages. Like every stored object
they are encrypted with the household's data key (``core.storage``); a page asked for before the task
ran is rendered by the same function in the request (then every page is stored at once).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.db import transaction

from jcportal.core import storage
from jcportal.documents.models import Document

THUMBNAIL_PIXELS = 220
MAX_THUMBNAILS = 30
TIMEOUT_SECONDS = 120


class PreviewUnavailable(Exception):
    pass


def _cache_name(document: Document, page: int) -> str:
    key = document.pdf_sha256 or hashlib.sha256(document.pdf.name.encode()).hexdigest()
    return f"previews/{document.pk}/{key[:16]}-p{page:04d}.png"


def page_numbers(document: Document) -> list[int]:
    """The pages that have a thumbnail; queues their rendering once if they are not stored yet."""
    if not document.pdf:
        return []
    numbers = list(range(1, min(document.page_count or 1, MAX_THUMBNAILS) + 1))
    if not storage.exists(_cache_name(document, numbers[-1])):
        from .tasks import render_previews

        document_id = str(document.pk)
        transaction.on_commit(lambda: render_previews.delay(document_id))
    return numbers


def render_all(document: Document) -> int:
    """Render and store every thumbnail page that is missing (idempotent); returns pages stored."""
    numbers = page_numbers_only(document)
    missing = [n for n in numbers if not storage.exists(_cache_name(document, n))]
    if not missing:
        return 0
    binary = shutil.which("pdftoppm")
    if binary is None:
        raise PreviewUnavailable("pdftoppm is not installed")
    stored = 0
    with (
        storage.local_copy(str(document.pdf.name), suffix=".pdf") as source,
        tempfile.TemporaryDirectory(prefix="jc-preview-") as tmp,
    ):
        prefix = Path(tmp) / "p"
        result = subprocess.run(  # noqa: S603 - fixed binary, no shell, our own temporary paths
            [
                binary,
                "-png",
                "-f",
                str(missing[0]),
                "-l",
                str(missing[-1]),
                "-scale-to",
                str(THUMBNAIL_PIXELS),
                source,
                str(prefix),
            ],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        rendered = {int(p.stem.rsplit("-", 1)[1]): p for p in Path(tmp).glob("p-*.png")}
        if result.returncode != 0 and not rendered:
            raise PreviewUnavailable(result.stderr.decode(errors="replace")[:200])
        for number in missing:
            path = rendered.get(number)
            if path is None:
                continue
            with open(path, "rb") as handle:
                storage.save(_cache_name(document, number), handle, household_id=document.household_id)
            stored += 1
    return stored


def page_numbers_only(document: Document) -> list[int]:
    if not document.pdf:
        return []
    return list(range(1, min(document.page_count or 1, MAX_THUMBNAILS) + 1))


def page_png(document: Document, page: int) -> bytes:
    """The PNG of one page (1-based), from storage (rendered once if the task has not run yet)."""
    if not document.pdf or page < 1 or page > max(page_numbers_only(document), default=0):
        raise PreviewUnavailable(page)
    name = _cache_name(document, page)
    if not storage.exists(name):
        render_all(document)
    if not storage.exists(name):
        raise PreviewUnavailable(page)
    return storage.read_bytes(name)
