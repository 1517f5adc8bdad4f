"""Small page images of a scan batch for the scan station: rendered ONCE per batch by the task
``scanning.tasks.render_batch_previews`` (``pdftoppm`` over one temporary local copy, a few pages per
run) and stored (encrypted with the system key), then served from storage: a page request never
downloads the batch again."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from jcportal.core import storage

from .models import ScanBatch

DPI = 60
CHUNK_PAGES = 25


def preview_name(batch: ScanBatch, page: int) -> str:
    return f"scan-previews/{batch.pk}/{batch.sha256[:16]}-p{page:05d}.png"


def render_batch(batch: ScanBatch) -> int:
    """Store the image of every page still missing (idempotent); returns how many were stored."""
    total = batch.page_count
    missing = [n for n in range(1, total + 1) if not storage.exists(preview_name(batch, n))]
    if not missing or not batch.file:
        return 0
    stored = 0
    with storage.local_copy(str(batch.file.name), suffix=".pdf") as source:
        for start in range(0, len(missing), CHUNK_PAGES):
            chunk = missing[start : start + CHUNK_PAGES]
            with tempfile.TemporaryDirectory(prefix="jcscanprev-") as tmp:
                prefix = Path(tmp) / "p"
                subprocess.run(  # noqa: S603 - fixed binary, no shell, our own temporary paths
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        str(DPI),
                        "-f",
                        str(chunk[0]),
                        "-l",
                        str(chunk[-1]),
                        source,
                        str(prefix),
                    ],  # noqa: S607
                    capture_output=True,
                    timeout=600,
                    check=False,
                )
                rendered = {int(p.stem.rsplit("-", 1)[1]): p for p in Path(tmp).glob("p-*.png")}
                for number in chunk:
                    path = rendered.get(number)
                    if path is None:
                        continue
                    with open(path, "rb") as handle:
                        storage.save(preview_name(batch, number), handle, household_id=None)
                    stored += 1
    return stored


def page_png(batch: ScanBatch, page: int) -> bytes | None:
    """The stored image of one page (rendering the whole batch once if the task has not run yet)."""
    name = preview_name(batch, page)
    if not storage.exists(name):
        render_batch(batch)
    if not storage.exists(name):
        return None
    return storage.read_bytes(name)
