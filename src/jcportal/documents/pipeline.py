"""The intake pipeline: a declared, ordered list of small steps (paperless-ngx style).

    quarantine → scan → normalise → merge → ocr → thumbnail → store → deliver → cleanup

``Document.pipeline_step`` names the next step to run ("" = not started, "done" = finished), so a
pipeline that stopped anywhere (``kill -9``) resumes at that step. Every step is idempotent: it
writes its result to a fixed work path in storage (``work/<document id>/…``) or to the document,
so running it twice changes nothing. A lease (``pipeline_lease_until``) makes sure one worker at a
time works on a document; an expired lease means the worker died and the resumer re-queues it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from jcportal.audit.services import audit
from jcportal.core import clamav
from jcportal.events.services import emit_for

from . import normalise, ocr, pdfa
from .models import Document, OriginalFile

logger = logging.getLogger(__name__)

DONE = "done"


class RetryLater(Exception):
    """A needed service (e.g. the virus scanner) is unavailable; try the same step again later."""


class Stop(Exception):
    """The pipeline ends here on purpose (document rejected or quarantined)."""


def lease_seconds() -> int:
    return int(getattr(settings, "PIPELINE_LEASE_SECONDS", 600))


def extend_lease(document: Document, seconds: int | None = None) -> None:
    """Tell the resumer this worker is alive (call before long work, e.g. per file or before OCR)."""
    until = timezone.now() + timedelta(seconds=max(seconds or 0, lease_seconds()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_lease_until=until, pipeline_updated_at=timezone.now()
    )


def work_path(document: Document, name: str) -> str:
    return f"work/{document.pk}/{name}"


def write_work(document: Document, name: str, data: bytes) -> str:
    path = work_path(document, name)
    if default_storage.exists(path):
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(data))
    return saved


def read_work(document: Document, name: str) -> bytes:
    with default_storage.open(work_path(document, name), "rb") as handle:
        return handle.read()


def _test_hook(step: str) -> None:
    """Test-only: block in a step so a test can kill the worker there (never in production)."""
    if settings.PRODUCTION or os.environ.get("JCPORTAL_PIPELINE_BLOCK_STEP") != step:
        return
    marker = os.environ.get("JCPORTAL_PIPELINE_BLOCK_MARKER")
    if marker:
        with open(marker, "w") as handle:
            handle.write(step)
    time.sleep(3600)


class Step:
    name: ClassVar[str]

    def applies(self, document: Document) -> bool:
        return True

    def run(self, document: Document) -> None:
        raise NotImplementedError


class QuarantineStep(Step):
    """Originals sit in storage, unreachable for anybody, until they are checked. Verify them."""

    name = "quarantine"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        for original in document.originals.all():
            if not original.file.name or not default_storage.exists(original.file.name):
                raise RuntimeError(f"original {original.pk} missing in storage")


class ScanStep(Step):
    """Scan every original with ClamAV. Found → quarantined, staff alerted. Scanner down → wait."""

    name = "scan"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        if not clamav.configured():
            if settings.MALWARE_SCAN_REQUIRED:
                raise RetryLater("malware scanner required but not configured")
            logger.warning("document %s delivered without malware scan (no scanner configured)", document.pk)
            return
        for original in document.originals.all():
            try:
                with original.file.open("rb") as stream:
                    result = clamav.scan_stream(stream)  # type: ignore[arg-type]
            except clamav.ScannerUnavailable as exc:
                if settings.MALWARE_SCAN_REQUIRED:
                    raise RetryLater(f"malware scanner unavailable: {exc}") from exc
                logger.warning("document %s: scanner unavailable, not scanned: %s", document.pk, exc)
                return
            if not result.clean:
                quarantine(document, original, result.signature)
                raise Stop


class NormaliseStep(Step):
    """Each original → PDF pages in ``work/<id>/part-NNN.pdf``; unusable files become notices."""

    name = "normalise"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        notices = [n for n in document.file_notices if n.get("stage") != "normalise"]
        usable = 0
        for original in document.originals.all():
            extend_lease(document)
            _test_hook("normalise")
            try:
                with original.file.open("rb") as stream:
                    data = io.BytesIO(stream.read())
                converted = normalise.convert(data)
            except normalise.FileProblem as problem:
                notices.append(_notice(original, problem.code, accepted=False))
                OriginalFile.objects.filter(pk=original.pk).update(page_count=0)
                continue
            write_work(document, f"part-{original.position:03d}.pdf", converted.pdf)
            OriginalFile.objects.filter(pk=original.pk).update(
                detected_type=converted.mime, page_count=converted.pages
            )
            notices.extend(_notice(original, code, accepted=True) for code in converted.notices)
            usable += 1
        document.file_notices = notices
        document.save(update_fields=["file_notices"])
        if usable == 0:
            codes = [n["code"] for n in notices if not n["accepted"]]
            reject(document, codes[0] if len(set(codes)) == 1 else "no_usable_file")
            raise Stop


class MergeStep(Step):
    """All usable parts, in the citizen's order, into one PDF (image streams copied unchanged)."""

    name = "merge"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        import pikepdf

        merged = pikepdf.new()
        parts = []
        for original in document.originals.filter(page_count__gt=0):
            part = pikepdf.open(io.BytesIO(read_work(document, f"part-{original.position:03d}.pdf")))
            parts.append(part)
            merged.pages.extend(part.pages)
        if len(merged.pages) > settings.UPLOAD_MAX_PAGES:
            reject(document, "too_many_pages")
            raise Stop
        merged.docinfo["/Title"] = document.title
        merged.docinfo["/Subject"] = document.receipt_number
        out = io.BytesIO()
        merged.save(out)
        for part in parts:
            part.close()
        write_work(document, "merged.pdf", out.getvalue())


def tesseract_languages() -> list[str]:
    binary = shutil.which("tesseract")
    if not binary:
        return []
    try:
        result = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in result.stdout.splitlines()[1:] if line.strip()]


class OcrStep(Step):
    """Optional text layer (ocrmypdf, output type "pdf": page images are not re-encoded)."""

    name = "ocr"

    def applies(self, document: Document) -> bool:
        return bool(settings.OCR_ENABLED and document.originals.exists() and shutil.which("tesseract"))

    def run(self, document: Document) -> None:
        pages = document.originals.aggregate(total=models.Sum("page_count"))["total"] or 1
        extend_lease(document, seconds=lease_seconds() + 30 * pages)  # OCR takes a while per page
        installed = set(tesseract_languages())
        languages = [lang for lang in settings.OCR_LANGUAGES.split("+") if lang in installed] or ["eng"]
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "in.pdf")
            target = os.path.join(tmp, "out.pdf")
            sidecar = os.path.join(tmp, "text.txt")
            with open(source, "wb") as handle:
                handle.write(read_work(document, "merged.pdf"))
            try:
                ocr.add_text_layer(Path(source), Path(target), Path(sidecar), languages)
            except Exception as exc:  # OCR is a convenience: deliver without text layer
                logger.warning("document %s: OCR failed: %s", document.pk, exc)
                return
            with open(target, "rb") as handle:
                write_work(document, "ocr.pdf", handle.read())
            text = ""
            if os.path.exists(sidecar):
                with open(sidecar, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
        document.ocr_text = text.replace("\f", "\n").strip()
        document.save(update_fields=["ocr_text"])  # save(): encrypted with the household's key, indexed


def _result_pdf(document: Document) -> bytes:
    if default_storage.exists(work_path(document, "ocr.pdf")):
        return read_work(document, "ocr.pdf")
    return read_work(document, "merged.pdf")


class ThumbnailStep(Step):
    name = "thumbnail"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        write_work(document, "thumbnail.png", normalise.thumbnail_png(_result_pdf(document)))


class StoreStep(Step):
    """Checksum, store the result as the document's PDF (exactly one file), status checked."""

    name = "store"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        data = pdfa.conform(_result_pdf(document), title=document.title, subject=document.receipt_number)
        thumbnail = read_work(document, "thumbnail.png")
        for field, folder in (("pdf", "documents"), ("thumbnail", "thumbnails")):
            current = getattr(document, field).name
            try:
                _dirs, names = default_storage.listdir(f"{folder}/{document.pk}")
            except FileNotFoundError:
                names = []
            for name in names:  # left over from an attempt that died before the commit
                path = f"{folder}/{document.pk}/{name}"
                if path != current:
                    default_storage.delete(path)
            if current:
                default_storage.delete(current)
        document.pdf.save("document.pdf", ContentFile(data), save=False)
        document.thumbnail.save("thumbnail.png", ContentFile(thumbnail), save=False)
        document.pdf_sha256 = hashlib.sha256(data).hexdigest()
        document.page_count = normalise.page_count(data)
        document.status = Document.Status.CHECKED
        document.checked_at = timezone.now()
        document.save(update_fields=["pdf", "thumbnail", "pdf_sha256", "page_count", "status", "checked_at"])


class DeliverStep(Step):
    """Delivered; inbound documents are routed into the responsible inbox (exactly once)."""

    name = "deliver"

    def run(self, document: Document) -> None:
        from jcportal.inbox.services import route_document

        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.delivered_at is None:
                locked.status = Document.Status.DELIVERED
                locked.delivered_at = timezone.now()
                locked.save(update_fields=["status", "delivered_at"])
                audit(
                    "document.delivered",
                    obj=locked,
                    household=locked.household,
                    details={"pages": locked.page_count, "sha256": locked.pdf_sha256},
                )
                emit_for("de.jcportal.document.delivered", locked)
            if locked.direction == Document.Direction.INBOUND:
                route_document(locked)


class CleanupStep(Step):
    name = "cleanup"

    def run(self, document: Document) -> None:
        cleanup_work(document)


STEPS: list[type[Step]] = [
    QuarantineStep,
    ScanStep,
    NormaliseStep,
    MergeStep,
    OcrStep,
    ThumbnailStep,
    StoreStep,
    DeliverStep,
    CleanupStep,
]
STEP_NAMES = [step.name for step in STEPS]


def cleanup_work(document: Document) -> None:
    folder = f"work/{document.pk}"
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


def _notice(original: OriginalFile, code: str, accepted: bool) -> dict[str, object]:
    return {
        "name": original.original_name,
        "position": original.position,
        "code": code,
        "accepted": accepted,
        "stage": "normalise",
    }


def reject(document: Document, code: str, detail: str = "") -> None:
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.REJECTED,
            rejection_code=code,
            rejection_detail=detail,
            pipeline_step=DONE,
            pipeline_lease_until=None,
            pipeline_updated_at=timezone.now(),
        )
        document.refresh_from_db()
        audit("document.rejected", obj=document, household=document.household, details={"code": code})
    cleanup_work(document)


def quarantine(document: Document, original: OriginalFile, signature: str) -> None:
    """Isolate the document and alert the clearing team (audit event + inbox item)."""
    from jcportal.inbox.models import InboxItem
    from jcportal.inbox.services import clearing_team

    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.QUARANTINED,
            rejection_code="malware",
            rejection_detail=f"{original.original_name}: {signature}",
            pipeline_step=DONE,
            pipeline_lease_until=None,
            pipeline_updated_at=timezone.now(),
        )
        document.refresh_from_db()
        audit(
            "document.quarantined",
            obj=document,
            household=document.household,
            details={"signature": signature, "file": original.original_name, "sha256": original.sha256},
        )
        if not document.inbox_items.exists():
            InboxItem.objects.create(
                document=document,
                team=clearing_team(document),
                reason=f"malware quarantined: {signature} in {original.original_name}"[:300],
            )
    cleanup_work(document)


# --- running ----------------------------------------------------------------------------------------


def claim(document_id: str) -> bool:
    """Take the lease on a document unless another live worker holds it or it is finished."""
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Document.objects.filter(pk=document_id)
            .exclude(pipeline_step=DONE)
            .exclude(pipeline_lease_until__gt=now)
            .update(pipeline_lease_until=now + timedelta(seconds=lease_seconds()), pipeline_updated_at=now)
        )
    return bool(updated)


def release(document_id: str) -> None:
    Document.objects.filter(pk=document_id).update(pipeline_lease_until=None)


def run(document_id: str) -> str:
    """Run the remaining steps of one document. Returns the outcome: done, stopped, busy, retry."""
    if not claim(document_id):
        return "busy"
    try:
        document = Document.objects.get(pk=document_id)
        start = STEP_NAMES.index(document.pipeline_step) if document.pipeline_step in STEP_NAMES else 0
        for step_class in STEPS[start:]:
            step = step_class()
            Document.objects.filter(pk=document_id).update(
                pipeline_step=step.name,
                pipeline_updated_at=timezone.now(),
                pipeline_lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
            )
            document.refresh_from_db()
            if step.applies(document):
                step.run(document)
        Document.objects.filter(pk=document_id).update(
            pipeline_step=DONE, pipeline_error="", pipeline_updated_at=timezone.now()
        )
        return "done"
    except Stop:
        return "stopped"
    except RetryLater as exc:
        Document.objects.filter(pk=document_id).update(
            pipeline_error=str(exc)[:2000], pipeline_attempts=models_f_increment()
        )
        return "gave_up" if _alert_if_given_up(document_id) else "retry"
    except Exception as exc:
        Document.objects.filter(pk=document_id).update(
            pipeline_error=f"{type(exc).__name__}: {exc}"[:2000], pipeline_attempts=models_f_increment()
        )
        _alert_if_given_up(document_id)
        raise
    finally:
        release(document_id)


def max_attempts() -> int:
    return int(getattr(settings, "PIPELINE_MAX_ATTEMPTS", 20))


def _alert_if_given_up(document_id: str) -> bool:
    """After too many failed attempts the resumer stops; a person in the clearing team takes over.
    Returns True when the pipeline has given up on the document."""
    from jcportal.inbox.models import InboxItem
    from jcportal.inbox.services import clearing_team

    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.pipeline_attempts < max_attempts():
        return False
    if document.inbox_items.exists():
        return True
    logger.error(
        "document %s: intake failed %s times, handed to the clearing team", document_id, max_attempts()
    )
    with transaction.atomic():
        InboxItem.objects.create(
            document=document,
            team=clearing_team(document),
            reason=f"intake failed at step {document.pipeline_step}: {document.pipeline_error}"[:300],
        )
        audit(
            "document.intake_failed",
            obj=document,
            household=document.household,
            details={"step": document.pipeline_step, "error": document.pipeline_error[:500]},
        )
    return True


def models_f_increment():  # type: ignore[no-untyped-def]
    from django.db.models import F

    return F("pipeline_attempts") + 1


def stalled_documents(older_than_seconds: int | None = None):  # type: ignore[no-untyped-def]
    """Documents whose pipeline has not finished and whose worker is gone (lease expired or never taken)."""
    now = timezone.now()
    older = now - timedelta(
        seconds=older_than_seconds
        if older_than_seconds is not None
        else int(getattr(settings, "PIPELINE_RESUME_AFTER_SECONDS", 30))
    )
    return (
        Document.objects.exclude(pipeline_step=DONE)
        .filter(status__in=[Document.Status.RECEIVED, Document.Status.CHECKED])
        .exclude(pipeline_lease_until__gt=now)
        .filter(received_at__lt=older)
        .exclude(pipeline_updated_at__gt=older)
        .filter(pipeline_attempts__lt=max_attempts())
    )
