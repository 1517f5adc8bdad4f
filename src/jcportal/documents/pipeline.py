"""The intake pipeline: a declared, ordered list of small steps (paperless-ngx style).

    quarantine → scan → normalise → merge → ocr → thumbnail → store → deliver → cleanup

``Document.pipeline_step`` names the next step to run ("" = not started, "done" = finished), so a
pipeline that stopped anywhere (``kill -9``) resumes at that step. Every step is idempotent: it
writes its result to a fixed work path in storage (``work/<document id>/…``) or to the document,
so running it twice changes nothing. A lease (``pipeline_lease_until``) makes sure one worker at a
time works on a document; an expired lease means the worker died and the resumer re-queues it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from jcportal.audit.services import audit
from jcportal.core import clamav, metrics
from jcportal.events.services import emit_for

from . import delivery, normalise, ocr, pdfa, photocheck
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


CHUNK = 1024 * 1024


def spool(stored: Any, target: str) -> None:
    """Copy an open stored file (decrypted as it is read) to a local file, chunk by chunk."""
    with open(target, "wb") as handle:
        shutil.copyfileobj(stored, handle, CHUNK)


@contextlib.contextmanager
def work_file(document: Document, name: str) -> Iterator[str]:
    """A stored work file as a local temporary path (streamed out of storage, removed afterwards), so
    the worker's memory stays flat however large the file is: pikepdf and pdfium read the path lazily."""
    with tempfile.TemporaryDirectory(prefix="jcportal-work-") as tmp:
        target = os.path.join(tmp, os.path.basename(name))
        with default_storage.open(work_path(document, name), "rb") as stored:
            spool(stored, target)
        yield target


def write_work_file(document: Document, name: str, source: str) -> str:
    """``write_work`` from a local file (streamed into storage)."""
    path = work_path(document, name)
    if default_storage.exists(path):
        default_storage.delete(path)
    with open(source, "rb") as handle:
        return default_storage.save(path, File(handle, name=os.path.basename(name)))


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _test_hook(step: str, document: Document | None = None) -> None:
    """Test-only fault injection, never in production (documents/tests/test_faults.py):

    ``JCPORTAL_PIPELINE_BLOCK_STEP`` – block in that step (the test kills the worker there);
    ``JCPORTAL_PIPELINE_PAUSE_STEP`` – wait in that step until the test deletes the marker file (e.g. after
    it terminated the worker's database connections); ``JCPORTAL_PIPELINE_POISON`` – a file of this name
    kills its worker process (as a segfaulting decoder would)."""
    if settings.PRODUCTION:
        return
    poison = os.environ.get("JCPORTAL_PIPELINE_POISON")
    if (
        poison
        and step == "normalise"
        and document is not None
        and document.originals.filter(original_name=poison).exists()
    ):
        os.kill(os.getpid(), 9)
    marker = os.environ.get("JCPORTAL_PIPELINE_BLOCK_MARKER")
    if (
        os.environ.get("JCPORTAL_PIPELINE_PAUSE_STEP") == step
        and marker
        and not os.path.exists(marker + ".done")
    ):
        with open(marker, "w") as handle:
            handle.write(step)
        while os.path.exists(marker):
            time.sleep(0.1)
        with open(marker + ".done", "w") as handle:  # only the first document pauses
            handle.write(step)
        return
    if os.environ.get("JCPORTAL_PIPELINE_BLOCK_STEP") != step:
        return
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
            except clamav.ScannerUnavailable as exc:  # configured but down: never deliver unscanned
                raise RetryLater(f"malware scanner unavailable: {exc}") from exc
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
            name = f"part-{original.position:03d}.pdf"
            with tempfile.TemporaryDirectory(prefix="jcportal-work-") as tmp:
                received, part = os.path.join(tmp, "original"), os.path.join(tmp, name)
                with original.file.open("rb") as stream:
                    spool(stream, received)
                with open(received, "rb") as data:
                    try:
                        converted = normalise.convert(data, target=part)
                    except normalise.FileProblem as problem:
                        notices.append(_notice(original, problem.code, accepted=False))
                        OriginalFile.objects.filter(pk=original.pk).update(page_count=0)
                        continue
                    photo: list[str] = []
                    if normalise.detect(data) in photocheck.PHOTO_MIMES:  # bounded by the file limit
                        photo = photocheck.check(data.read())
                write_work_file(document, name, part)
            OriginalFile.objects.filter(pk=original.pk).update(
                detected_type=converted.mime, page_count=converted.pages
            )
            notices.extend(_notice(original, code, accepted=True) for code in [*converted.notices, *photo])
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

        with contextlib.ExitStack() as stack:
            merged = stack.enter_context(pikepdf.new())
            for original in document.originals.filter(page_count__gt=0):
                path = stack.enter_context(work_file(document, f"part-{original.position:03d}.pdf"))
                part = stack.enter_context(pikepdf.open(path, access_mode=pikepdf.AccessMode.stream))
                merged.pages.extend(part.pages)
            if len(merged.pages) > settings.UPLOAD_MAX_PAGES:
                reject(document, "too_many_pages")
                raise Stop
            merged.docinfo["/Title"] = document.title
            merged.docinfo["/Subject"] = document.receipt_number
            target = os.path.join(stack.enter_context(tempfile.TemporaryDirectory()), "merged.pdf")
            merged.save(target)
            write_work_file(document, "merged.pdf", target)


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
            with default_storage.open(work_path(document, "merged.pdf"), "rb") as stored:
                spool(stored, source)
            try:
                ocr.add_text_layer(Path(source), Path(target), Path(sidecar), languages)
            except Exception as exc:  # OCR is a convenience: deliver without text layer
                logger.warning("document %s: OCR failed: %s", document.pk, exc)
                return
            write_work_file(document, "ocr.pdf", target)
            text = ""
            if os.path.exists(sidecar):
                with open(sidecar, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
        document.ocr_text = text.replace("\f", "\n").strip()
        document.save(update_fields=["ocr_text"])  # save(): encrypted with the household's key, indexed


def _result_pdf(document: Document) -> contextlib.AbstractContextManager[str]:
    """The result so far (with text layer when OCR ran) as a local temporary path."""
    if default_storage.exists(work_path(document, "ocr.pdf")):
        return work_file(document, "ocr.pdf")
    return work_file(document, "merged.pdf")


class ThumbnailStep(Step):
    name = "thumbnail"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        with _result_pdf(document) as path:
            write_work(document, "thumbnail.png", normalise.thumbnail_png(path))


class StoreStep(Step):
    """Checksum, store the result as the document's PDF (exactly one file), status checked."""

    name = "store"

    def applies(self, document: Document) -> bool:
        return document.originals.exists()

    def run(self, document: Document) -> None:
        with _result_pdf(document) as source, tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, "document.pdf")
            pdfa.conform_file(source, target, title=document.title, subject=document.receipt_number)
            self.store(document, target)

    def store(self, document: Document, path: str) -> None:
        thumbnail = read_work(document, "thumbnail.png")
        for field, folder in (("pdf", "documents"), ("thumbnail", "thumbnails")):
            current = getattr(document, field).name
            try:
                _dirs, names = default_storage.listdir(f"{folder}/{document.pk}")
            except FileNotFoundError:
                names = []
            for name in names:  # left over from an attempt that died before the commit
                leftover = f"{folder}/{document.pk}/{name}"
                if leftover != current:
                    default_storage.delete(leftover)
            if current:
                default_storage.delete(current)
        with open(path, "rb") as handle:
            document.pdf.save("document.pdf", File(handle, name="document.pdf"), save=False)
        document.thumbnail.save("thumbnail.png", ContentFile(thumbnail), save=False)
        document.pdf_sha256 = sha256_file(path)
        document.page_count = normalise.page_count(path)
        document.status = Document.Status.CHECKED
        document.checked_at = timezone.now()
        document.save(update_fields=["pdf", "thumbnail", "pdf_sha256", "page_count", "status", "checked_at"])


class DeliverStep(Step):
    """Delivered; inbound documents are routed into the responsible inbox (exactly once)."""

    name = "deliver"

    def run(self, document: Document) -> None:
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
                delivery.deliver(locked)


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
    """Isolate the document and alert the clearing team (audit event + clearing hand-over)."""
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.QUARANTINED,
            rejection_code="malware",
            rejection_detail=f"{original.original_name}: {signature}",
            pipeline_step=DONE,
            pipeline_state="",
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
        delivery.hand_to_clearing(
            document, code="quarantined", detail=f"{signature} in {original.original_name}"
        )
    cleanup_work(document)


# --- running ----------------------------------------------------------------------------------------
#
# An attempt counts when a worker *claims* a document (not when it fails): a job that kills its worker
# (OOM, a segfault in a decoder) never reaches an ``except``, yet its attempts still add up. After
# ``PIPELINE_MAX_ATTEMPTS`` claims of one step without finishing it the document is parked as *failed*
# for a person (back office → intake failures). An outage of a dependency is no attempt: the document
# waits (``pipeline_state = "waiting"``) and is resumed when the dependency is back.

WAITING = "waiting"
FAILED = "failed"


def max_attempts() -> int:
    return int(getattr(settings, "PIPELINE_MAX_ATTEMPTS", 3))


def wait_retry_seconds() -> int:
    return int(getattr(settings, "PIPELINE_WAIT_RETRY_SECONDS", 30))


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says that a dependency is down (not that this document is bad)."""
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, RetryLater | clamav.ScannerUnavailable | OperationalError | InterfaceError):
        return True
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    outages: list[type[BaseException]] = []
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError

        outages.append(BotoConnectionError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerDown

        outages.append(BrokerDown)
    except ImportError:  # pragma: no cover
        pass
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisTimeout

        outages += [RedisDown, RedisTimeout]
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exc, tuple(outages))


def claim(document_id: str) -> bool:
    """Take the lease on a document (and count the attempt) unless another live worker holds it, it is
    finished or parked. A document whose step was claimed too often without finishing is parked."""
    now = timezone.now()
    free = (
        Document.objects.filter(pk=document_id)
        .exclude(pipeline_step=DONE)
        .exclude(pipeline_state=FAILED)
        .exclude(pipeline_lease_until__gt=now)
    )
    with transaction.atomic():
        updated = free.filter(pipeline_attempts__lt=max_attempts()).update(
            pipeline_lease_until=now + timedelta(seconds=lease_seconds()),
            pipeline_updated_at=now,
            pipeline_attempts=F("pipeline_attempts") + 1,
        )
    if updated:
        return True
    if free.exists():  # every allowed attempt was claimed and none finished: its worker died each time
        document = Document.objects.get(pk=document_id)
        park_failed(
            document,
            document.pipeline_error
            or f"the worker stopped during step {document.pipeline_step or 'start'} "
            f"{document.pipeline_attempts} times (killed or crashed)",
        )
    return False


def release(document_id: str) -> None:
    Document.objects.filter(pk=document_id).update(pipeline_lease_until=None)


def run(document_id: str) -> str:
    """Run the remaining steps of one document.

    Returns the outcome: done, stopped (rejected/quarantined), busy (someone else has it, or parked),
    waiting (a dependency is down: retry later, not counted), failed (parked for a person). Any other
    exception propagates after it was recorded (the resumer tries again while attempts are left)."""
    if not claim(document_id):
        return "busy"
    try:
        document = Document.objects.get(pk=document_id)
        start = STEP_NAMES.index(document.pipeline_step) if document.pipeline_step in STEP_NAMES else 0
        for position, step_class in enumerate(STEPS[start:]):
            step = step_class()
            changes: dict[str, object] = {
                "pipeline_step": step.name,
                "pipeline_updated_at": timezone.now(),
                "pipeline_lease_until": timezone.now() + timedelta(seconds=lease_seconds()),
            }
            if position:  # the previous step finished: the attempts of this one start with this claim
                changes.update(pipeline_attempts=1, pipeline_error="", pipeline_state="")
            Document.objects.filter(pk=document_id).update(**changes)
            document.refresh_from_db()
            _test_hook(step.name, document)
            if step.applies(document):
                started = time.monotonic()
                try:
                    step.run(document)
                except BaseException:
                    metrics.observe_step(step.name, time.monotonic() - started, failed=True)
                    raise
                metrics.observe_step(step.name, time.monotonic() - started)
        Document.objects.filter(pk=document_id).update(
            pipeline_step=DONE,
            pipeline_error="",
            pipeline_state="",
            pipeline_attempts=0,
            pipeline_updated_at=timezone.now(),
        )
        return "done"
    except Stop:
        return "stopped"
    except Exception as exc:
        if is_outage(exc):
            _record_waiting(document_id, exc)
            return "waiting"
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Document.objects.filter(pk=document_id).update(pipeline_error=error)
        document = Document.objects.get(pk=document_id)
        if document.pipeline_attempts >= max_attempts():
            park_failed(document, error)
            return "failed"
        raise
    finally:
        _quietly(release, document_id)


def _quietly(func, *args) -> None:  # type: ignore[no-untyped-def]
    """Best effort while a dependency may be down (the lease then simply runs out)."""
    from django.db import DatabaseError, connections

    try:
        func(*args)
    except DatabaseError:
        connections.close_all()  # a terminated connection is unusable; the next query reconnects
        try:
            func(*args)
        except DatabaseError:
            logger.warning("pipeline: database unavailable, %s skipped", getattr(func, "__name__", func))


def _record_waiting(document_id: str, exc: BaseException) -> None:
    """The attempt did not count; the document waits for the dependency (the task retries it)."""
    reason = f"waiting: {type(exc).__name__}: {exc}"[:2000]
    logger.warning("document %s waits for a dependency: %s", document_id, reason)

    def record(document_id: str) -> None:
        Document.objects.filter(pk=document_id).update(
            pipeline_state=WAITING,
            pipeline_error=reason,
            pipeline_attempts=Greatest(F("pipeline_attempts") - 1, 0),
            pipeline_updated_at=timezone.now(),
        )

    _quietly(record, document_id)


def park_failed(document: Document, reason: str) -> None:
    """Stop trying: a person in the clearing team takes over (failures view, retry). The citizen's
    document stays "received" – they read that it is being processed, never an error they caused."""
    with transaction.atomic():
        updated = (
            Document.objects.filter(pk=document.pk)
            .exclude(pipeline_state=FAILED)
            .update(
                pipeline_state=FAILED,
                pipeline_error=reason[:2000],
                pipeline_lease_until=None,
                pipeline_updated_at=timezone.now(),
            )
        )
        if not updated:
            return
        document.refresh_from_db()
        logger.error(
            "document %s: intake parked as failed at step %s after %s attempts",
            document.pk,
            document.pipeline_step,
            document.pipeline_attempts,
        )
        audit(
            "document.intake_failed",
            obj=document,
            household=document.household,
            details={"step": document.pipeline_step, "error": reason[:500]},
        )
        delivery.hand_to_clearing(
            document, code="intake_failed", detail=f"{document.pipeline_step}: {reason}"[:500]
        )


def retry_failed(document: Document, *, actor: Any) -> bool:
    """Staff retry a parked document: attempts start again at the step where it stopped.
    Returns False when the document was not parked. The caller queues ``tasks.run_pipeline``."""
    with transaction.atomic():
        updated = (
            Document.objects.filter(pk=document.pk, pipeline_state=FAILED)
            .exclude(pipeline_step=DONE)
            .update(pipeline_state="", pipeline_attempts=0, pipeline_updated_at=timezone.now())
        )
        if not updated:
            return False
        document.refresh_from_db()
        audit(
            "document.intake_retried",
            actor=actor,
            obj=document,
            household=document.household,
            details={"step": document.pipeline_step},
        )
        delivery.resolve_clearing(document, actor=actor)
    return True


def failed_documents():  # type: ignore[no-untyped-def]
    return Document.objects.filter(pipeline_state=FAILED).exclude(pipeline_step=DONE)


def stalled_documents(older_than_seconds: int | None = None):  # type: ignore[no-untyped-def]
    """Documents whose pipeline has not finished and whose worker is gone (lease expired or never
    taken), and waiting documents – not the parked ones. A document whose worker died in the last step
    (cleanup, after delivery) is resumed too: its status already says delivered (or opened)."""
    now = timezone.now()
    older = now - timedelta(
        seconds=older_than_seconds
        if older_than_seconds is not None
        else int(getattr(settings, "PIPELINE_RESUME_AFTER_SECONDS", 30))
    )
    return (
        Document.objects.exclude(pipeline_step=DONE)
        .exclude(pipeline_state=FAILED)
        .filter(
            models.Q(status__in=[Document.Status.RECEIVED, Document.Status.CHECKED])
            | models.Q(
                pipeline_step=CleanupStep.name,
                status__in=[Document.Status.DELIVERED, Document.Status.OPENED, Document.Status.PROCESSED],
            )
        )
        .exclude(pipeline_lease_until__gt=now)
        .filter(received_at__lt=older)
        .exclude(pipeline_updated_at__gt=older)
    )
