"""Writes of the scan station: separator sheets, batches, splitting, assignment, documents, mass import.

Every segment becomes a Document through ``documents.services.accept_upload(channel=SCAN)``: the same
pipeline (scan, normalise, merge, OCR, store) and the same routing into the inboxes as portal uploads.
The scanned batch file itself is kept unchanged in Django's storage as the original.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pikepdf
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone

from jcportal.audit.services import audit
from jcportal.core import storage
from jcportal.core.pdf import render_pdf
from jcportal.documents import types
from jcportal.documents.models import Document
from jcportal.households.models import Household, normalise_bg_number

from . import separator
from .models import ImportedFile, ScanBatch, ScanSegment

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


class ScanError(Exception):
    """The batch file cannot be read as a PDF."""


# --- separator sheets -------------------------------------------------------------------------------


def separator_sheets_pdf(entries: list[tuple[str, str]], language: str | None = None) -> bytes:
    """A PDF with one separator sheet per (BG number or "", document type code)."""
    sheets = []
    for bg_number, doc_type in entries:
        sheets.append(
            {
                "qr": separator.qr_data_uri(separator.encode(bg_number, doc_type)),
                "bg_number": bg_number,
                "type_label": types.label(doc_type),
            }
        )
    return render_pdf("pdf/separator.html", {"sheets": sheets}, language)


# --- files ------------------------------------------------------------------------------------------


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


@contextlib.contextmanager
def local_path(field: FieldFile) -> Iterator[str]:
    """A local file path for a stored batch: the one temporary decrypted copy (``core.storage``)."""
    with storage.local_copy(str(field.name), suffix=".pdf") as path:
        yield path


def create_batch(
    *,
    stream: IO[bytes],
    name: str,
    created_by: Any = None,
    source: str = ScanBatch.Source.UPLOAD,
    default_household: Household | None = None,
    default_doc_type: str = "",
    sha256: str = "",
    size: int = 0,
) -> ScanBatch:
    """Store the scanned PDF unchanged and create the batch (not yet split)."""
    if not sha256:
        sha256, size = sha256_of(stream)
    stream.seek(0)
    batch = ScanBatch(
        source=source,
        original_name=os.path.basename(name)[:255] or "scan.pdf",
        sha256=sha256,
        size=size,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        default_household=default_household,
        default_doc_type=default_doc_type,
    )
    with transaction.atomic():
        batch.file.save("scan.pdf", File(stream, name=batch.original_name), save=False)
        try:
            batch.save()
        except BaseException:
            default_storage.delete(str(batch.file.name))
            raise
    return batch


# --- splitting --------------------------------------------------------------------------------------


@dataclass
class _Run:
    first_page: int
    page_count: int
    from_separator: bool
    bg_number: str
    doc_type: str
    note: str = ""


def _household_by_bg(bg_number: str) -> Household | None:
    if not bg_number:
        return None
    return Household.objects.filter(bg_number=normalise_bg_number(bg_number)).first()


def _within_page_limit(runs: list[_Run]) -> list[_Run]:
    """The intake accepts at most UPLOAD_MAX_PAGES pages per document: longer runs become several
    consecutive documents of the same household and type (noted as parts)."""
    limit = _max_pages_per_file()
    result: list[_Run] = []
    for run in runs:
        if run.page_count <= limit:
            result.append(run)
            continue
        parts = -(-run.page_count // limit)
        for index in range(parts):
            count = min(limit, run.page_count - index * limit)
            result.append(
                _Run(
                    run.first_page + index * limit,
                    count,
                    run.from_separator,
                    run.bg_number,
                    run.doc_type,
                    note=f"part|{index + 1}|{parts}",
                )
            )
    return result


def split_batch(batch: ScanBatch) -> list[ScanSegment]:
    """Find separator sheets and create the segments (idempotent: an already split batch is kept)."""
    existing = list(batch.segments.all())
    if batch.split_at is not None:
        return existing
    with local_path(batch.file) as path:
        try:
            with pikepdf.open(path) as pdf:
                page_count = len(pdf.pages)
        except (pikepdf.PdfError, pikepdf.PasswordError, OSError) as exc:
            batch.status = ScanBatch.Status.FAILED
            batch.error = f"not a readable PDF: {exc}"[:2000]
            batch.save(update_fields=["status", "error"])
            raise ScanError(batch.error) from exc
        default_bg = batch.default_household.bg_number if batch.default_household_id else ""
        runs: list[_Run] = []
        current = _Run(1, 0, False, default_bg, batch.default_doc_type)
        for number, found in separator.scan_pages(path, page_count):
            if found is None:
                if current.page_count == 0:
                    current.first_page = number
                current.page_count += 1
                continue
            if current.page_count:
                runs.append(current)
            current = _Run(number + 1, 0, True, found.bg_number, found.doc_type)
        if current.page_count:
            runs.append(current)
    runs = _within_page_limit(runs)
    with transaction.atomic():
        batch = ScanBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.split_at is not None:
            return list(batch.segments.all())
        segments = []
        for position, run in enumerate(runs, start=1):
            household = _household_by_bg(run.bg_number)
            note = run.note
            if run.bg_number and household is None:
                note = f"unknown_bg|{run.bg_number}"
            doc_type = run.doc_type if run.doc_type in types.BY_CODE else ""
            segments.append(
                ScanSegment.objects.create(
                    batch=batch,
                    position=position,
                    first_page=run.first_page,
                    page_count=run.page_count,
                    from_separator=run.from_separator,
                    separator_note=note,
                    household=household,
                    doc_type=doc_type or ("post" if household is not None else ""),
                )
            )
        batch.page_count = page_count
        batch.split_at = timezone.now()
        batch.save(update_fields=["page_count", "split_at"])
    return segments


# --- documents --------------------------------------------------------------------------------------


def _max_pages_per_file() -> int:
    return max(1, int(settings.UPLOAD_MAX_PAGES))


def _segment_files(src: pikepdf.Pdf, segment: ScanSegment, workdir: str) -> list[tuple[str, Any]]:
    """Write the pages of a segment into PDF files within the intake limits (pages and bytes per file).

    The pipeline merges the files of a document into one PDF, so a long segment still becomes one
    document with all its pages.
    """
    paths: list[Path] = []

    def write(first: int, count: int) -> None:  # first: 0-based index into src.pages
        out = Path(workdir) / f"seg-{segment.pk}-{first:06d}.pdf"
        with pikepdf.new() as dst:
            dst.pages.extend(src.pages[first : first + count])
            dst.save(out)
        if out.stat().st_size > settings.UPLOAD_MAX_FILE_BYTES and count > 1:
            out.unlink()
            half = count // 2
            write(first, half)
            write(first + half, count - half)
            return
        paths.append(out)

    start = segment.first_page - 1
    step = _max_pages_per_file()
    for offset in range(0, segment.page_count, step):
        write(start + offset, min(step, segment.page_count - offset))
    return [(f"{segment.batch.original_name[:-4] or 'scan'}-{i + 1:03d}.pdf", p) for i, p in enumerate(paths)]


def _segment_title(segment: ScanSegment) -> str:
    return f"{types.canonical_label(segment.doc_type)} ({segment.batch.original_name}, S. {segment.first_page}–{segment.last_page})"


def create_documents(
    batch: ScanBatch,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    on_document: Callable | None = None,
) -> int:
    """Turn every assigned segment without a document into one; returns how many were created.

    Each document and its link to the segment are committed together, so an interrupted run resumes
    with the segments still missing and never creates a document twice.
    """
    from jcportal.documents.services import accept_upload

    pending = list(batch.segments.filter(document__isnull=True, household__isnull=False).exclude(doc_type=""))
    created = 0
    if pending:
        with (
            local_path(batch.file) as path,
            pikepdf.open(path) as src,
            tempfile.TemporaryDirectory() as workdir,
        ):
            for segment in pending:
                files = _segment_files(src, segment, workdir)
                handles = [open(p, "rb") for _name, p in files]  # noqa: SIM115 - closed below
                try:
                    with transaction.atomic():
                        locked = ScanSegment.objects.select_for_update().get(pk=segment.pk)
                        if locked.document_id is not None:
                            continue
                        document = accept_upload(
                            household=segment.household,
                            uploaded_by=actor if getattr(actor, "pk", None) else None,
                            doc_type=segment.doc_type,
                            title=_segment_title(segment),
                            files=[(name, h) for (name, _p), h in zip(files, handles, strict=True)],
                            channel=Document.Channel.SCAN,
                            direction=Document.Direction.INBOUND,
                            request=request,
                        )
                        locked.document = document
                        locked.save(update_fields=["document"])
                        link_to_open_request(document)
                        if on_document is not None:
                            on_document(document)
                finally:
                    for handle in handles:
                        handle.close()
                    for _name, p in files:
                        Path(p).unlink(missing_ok=True)
                created += 1
    update_status(batch)
    return created


def link_to_open_request(document: Document) -> None:
    """A scanned paper document is offered as the answer to a matching open item of a document request of
    its household: received, to be checked; staff accept it (``docrequests.services.accept_answer``)."""
    from jcportal.docrequests.models import DocumentRequestItem
    from jcportal.docrequests.services import link_document

    if document.household_id is None or document.doc_type in ("post", "sonstiges"):
        return
    item = (
        DocumentRequestItem.objects.filter(
            request__household_id=document.household_id,
            request__completed_at__isnull=True,
            request__withdrawn_at__isnull=True,
            doc_type=document.doc_type,
            arrived_at__isnull=True,
        )
        .order_by("request__deadline", "position")
        .first()
    )
    if item is not None:
        link_document(item=item, document=document)


def update_status(batch: ScanBatch) -> str:
    if batch.status == ScanBatch.Status.FAILED:
        return batch.status
    if batch.split_at is None:
        status = ScanBatch.Status.RECEIVED
    elif batch.segments.filter(document__isnull=True).exists():
        status = ScanBatch.Status.NEEDS_ASSIGNMENT
    else:
        status = ScanBatch.Status.DONE
    if status != batch.status:
        batch.status = status
        batch.save(update_fields=["status"])
    return status


def process_batch(batch: ScanBatch, *, actor: Any = None, request: HttpRequest | None = None) -> int:
    """Split (once) and create the documents of every segment that a separator sheet assigned."""
    split_batch(batch)
    batch.refresh_from_db()
    return create_documents(batch, actor=actor or batch.created_by, request=request)


@transaction.atomic
def assign_segment(
    *,
    segment: ScanSegment,
    household: Household,
    doc_type: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> ScanSegment:
    """Manual assignment in the batch view; the document is created right away."""
    segment = ScanSegment.objects.select_for_update().get(pk=segment.pk)
    if segment.document_id is not None:
        return segment
    segment.household = household
    segment.doc_type = types.get(doc_type).code
    segment.assigned_by = actor
    segment.save(update_fields=["household", "doc_type", "assigned_by"])
    audit(
        "scan.segment_assigned",
        request=request,
        actor=actor,
        obj=segment.batch,
        household=household,
        details={"segment": segment.position, "pages": segment.page_count, "doc_type": segment.doc_type},
    )
    return segment


# --- mass import and the watched folder ---------------------------------------------------------------


@dataclass
class ImportEntry:
    path: Path
    bg_number: str = ""
    doc_type: str = ""


@dataclass
class FileResult:
    status: str  # imported, skipped, duplicate, failed
    pages: int = 0
    documents: int = 0
    unassigned: int = 0
    error: str = ""


def import_file(
    entry: ImportEntry,
    *,
    actor: Any = None,
    source: str = ScanBatch.Source.MASS_IMPORT,
    on_document: Callable | None = None,
) -> FileResult:
    """Import one scanned PDF, restartably. State is kept per (path, SHA-256) in ``ImportedFile``."""
    key_path = str(entry.path)
    with open(entry.path, "rb") as stream:
        sha256, size = sha256_of(stream)
        state = ImportedFile.objects.filter(path=key_path, sha256=sha256).first()
        if state is not None and state.status in (ImportedFile.Status.DONE, ImportedFile.Status.DUPLICATE):
            return FileResult("skipped", pages=state.pages, documents=state.documents)
        if state is None:
            earlier = ImportedFile.objects.filter(sha256=sha256, status=ImportedFile.Status.DONE).first()
            try:
                state = ImportedFile.objects.create(
                    path=key_path,
                    sha256=sha256,
                    size=size,
                    status=ImportedFile.Status.DUPLICATE if earlier else ImportedFile.Status.RUNNING,
                    batch=earlier.batch if earlier else None,
                    finished_at=timezone.now() if earlier else None,
                )
            except IntegrityError:  # another worker registered it at the same moment
                return FileResult("skipped")
            if earlier is not None:
                return FileResult("duplicate")
        if state.batch_id is None:
            household = _household_by_bg(entry.bg_number)
            with transaction.atomic():
                new_batch = create_batch(
                    stream=stream,
                    name=entry.path.name,
                    created_by=actor,
                    source=source,
                    default_household=household,
                    default_doc_type=entry.doc_type if entry.doc_type in types.BY_CODE else "",
                    sha256=sha256,
                    size=size,
                )
                state.batch = new_batch
                state.save(update_fields=["batch"])
    batch = state.batch
    if batch is None:  # pragma: no cover - set above
        raise ScanError("no batch")
    try:
        split_batch(batch)
        batch.refresh_from_db()
        create_documents(batch, actor=actor, on_document=on_document)
    except ScanError as exc:
        state.status = ImportedFile.Status.FAILED
        state.error = str(exc)[:2000]
        state.finished_at = timezone.now()
        state.save(update_fields=["status", "error", "finished_at"])
        return FileResult("failed", error=state.error)
    documents = batch.segments.filter(document__isnull=False).count()
    unassigned = batch.segments.filter(document__isnull=True).count()
    state.status = ImportedFile.Status.DONE
    state.pages = batch.page_count
    state.documents = documents
    state.finished_at = timezone.now()
    state.save(update_fields=["status", "pages", "documents", "finished_at"])
    audit(
        "scan.file_imported",
        actor=actor if getattr(actor, "pk", None) else None,
        obj=batch,
        details={"file": batch.original_name, "pages": batch.page_count, "documents": documents},
    )
    return FileResult("imported", pages=batch.page_count, documents=documents, unassigned=unassigned)


def iter_entries(source: Path) -> Iterator[ImportEntry]:
    """The PDFs of a folder (recursively, sorted), or the rows of a CSV manifest.

    Manifest columns (with a header row): ``path`` (relative to the manifest), optionally ``bg_number``
    and ``doc_type`` for the pages before the first separator sheet of that file.
    """
    import csv

    if source.is_dir():
        for root, dirs, files in os.walk(source):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(".pdf"):
                    yield ImportEntry(Path(root) / name)
        return
    with open(source, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            raw = (row.get("path") or "").strip()
            if not raw:
                continue
            path = Path(raw)
            if not path.is_absolute():
                path = source.parent / path
            yield ImportEntry(path, (row.get("bg_number") or "").strip(), (row.get("doc_type") or "").strip())


def import_watched_folder() -> int:
    """Import the PDFs in ``SCAN_IMPORT_DIR`` (an input interface); move each into ``imported/`` or
    ``failed/`` afterwards. The stored copy in Django's storage is what the system keeps. One worker at
    a time, on whichever machine (``core.locks``)."""
    from jcportal.core.locks import single_consumer

    folder = settings.SCAN_IMPORT_DIR
    if not folder or not os.path.isdir(folder):
        return 0
    with single_consumer("scanning.watched-folder", ttl=30 * 60) as mine:
        if not mine:
            return 0
        return _import_folder(Path(folder))


def _import_folder(root: Path) -> int:
    imported = 0
    now = timezone.now().timestamp()
    for path in sorted(root.iterdir()):
        if not path.is_file() or not path.name.lower().endswith(".pdf"):
            continue
        if now - path.stat().st_mtime < 10:  # still being written by the scanner
            continue
        try:
            result = import_file(ImportEntry(path), source=ScanBatch.Source.FOLDER)
        except Exception:
            logger.exception("scan import of %s failed", path.name)
            result = FileResult("failed")
        target = root / ("failed" if result.status == "failed" else "imported")
        target.mkdir(exist_ok=True)
        destination = target / path.name
        if destination.exists():
            destination = target / f"{path.stem}-{int(now)}{path.suffix}"
        shutil.move(str(path), str(destination))
        imported += result.status == "imported"
    return imported
