"""Writing side of the documents app: accept uploads, store generated PDFs, ratings, safe downloads.

``accept_upload`` is the one entry point for every channel (portal, online services, document
requests, scan station, releases). It returns only after every original is durably stored and the
record is committed; the pipeline (``documents.pipeline``) starts after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.audit.services import audit
from jcportal.core.downloads import file_response
from jcportal.events.services import emit_for

from . import normalise
from .filenames import display_name
from .models import Document, OriginalFile, ServiceRating

logger = logging.getLogger(__name__)

RECEIPT_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
CHUNK = 1024 * 1024

FileInput = Any  # UploadedFile, File, or (name, binary file object)


def new_receipt_number() -> str:
    """Human-friendly and unique: ``E-20261123-K7MQ3X`` (date of receipt + 6 unambiguous characters)."""
    day = timezone.localdate().strftime("%Y%m%d")
    for _attempt in range(20):
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))
        number = f"E-{day}-{code}"
        if not Document.objects.filter(receipt_number=number).exists():
            return number
    raise RuntimeError("could not find a free receipt number")


def _named_stream(item: FileInput) -> tuple[str, IO[bytes]]:
    if isinstance(item, tuple | list):
        name, stream = item
        return os.path.basename(str(name)) or "file", stream
    name = getattr(item, "name", "") or "file"
    return os.path.basename(str(name)) or "file", item


def _hash_and_size(name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync(name: str) -> None:
    """Make sure a locally stored file is on disk before we acknowledge it."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # object storage: the PUT has completed when save() returns
        return
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    directory = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _store_originals(document: Document, files: Iterable[FileInput]) -> list[OriginalFile]:
    originals = []
    for position, item in enumerate(files):
        name, stream = _named_stream(item)
        if hasattr(stream, "seek"):
            stream.seek(0)
        original = OriginalFile(document=document, position=position, original_name=display_name(name))
        django_file = stream if isinstance(stream, File) else File(stream, name=name)
        original.file.save(name, django_file, save=False)
        stored_name = str(original.file.name)
        _fsync(stored_name)
        original.sha256, original.size = _hash_and_size(stored_name)
        original.save()
        originals.append(original)
    return originals


def _mark_duplicate(document: Document, originals: list[OriginalFile]) -> None:
    if document.household_id is None:
        return
    earlier = (
        OriginalFile.objects.filter(
            document__household_id=document.household_id, sha256__in=[o.sha256 for o in originals]
        )
        .exclude(document=document)
        .exclude(size=0)
        .order_by("document__received_at")
        .select_related("document")
        .first()
    )
    if earlier is not None:
        document.duplicate_of = earlier.document
        document.save(update_fields=["duplicate_of"])


def start_pipeline(document: Document) -> None:
    """Queue the intake pipeline once the surrounding transaction has committed."""
    from .tasks import run_pipeline

    document_id = str(document.pk)

    def enqueue() -> None:
        try:
            run_pipeline.delay(document_id)
        except Exception:  # broker down: the document is safe; the periodic resumer queues it later
            if getattr(run_pipeline.app.conf, "task_always_eager", False):
                raise
            logger.exception("could not queue the pipeline of document %s", document_id)

    transaction.on_commit(enqueue)


def accept_upload(
    *,
    household: Any,
    uploaded_by: Any,
    doc_type: str,
    title: str,
    files: Iterable[FileInput],
    note: str = "",
    channel: str = Document.Channel.PORTAL,
    direction: str = Document.Direction.INBOUND,
    by_representative: bool = False,
    request: HttpRequest | None = None,
    file_notices: list[dict[str, Any]] | None = None,
) -> Document:
    """Store every original durably, create the document (status received), audit, commit, then start
    the pipeline. ``file_notices`` lets the caller record files it refused before (e.g. too large)."""
    files = list(files)
    if not files:
        raise ValueError("accept_upload needs at least one file")
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        document = Document.objects.create(
                            household=household,
                            uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                            doc_type=doc_type,
                            title=(title or "").strip()[:200] or normalise_title(doc_type),
                            note=note or "",
                            channel=channel,
                            direction=direction,
                            by_representative=by_representative,
                            receipt_number=new_receipt_number(),
                            received_at=timezone.now(),
                            status=Document.Status.RECEIVED,
                            file_notices=list(file_notices or []),
                        )
                    break
                except IntegrityError:  # receipt number taken by a concurrent upload: draw again
                    continue
            else:
                raise RuntimeError("could not create the document")
            originals = _store_originals(document, files)
            stored_names.extend(str(o.file.name) for o in originals)
            _mark_duplicate(document, originals)
            audit(
                "document.received",
                request=request,
                actor=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                obj=document,
                household=household,
                details={
                    "receipt_number": document.receipt_number,
                    "channel": channel,
                    "direction": direction,
                    "doc_type": doc_type,
                    "files": [
                        {"name": o.original_name, "sha256": o.sha256, "size": o.size} for o in originals
                    ],
                },
            )
            emit_for("de.jcportal.document.received", document)
            start_pipeline(document)
    except BaseException:
        for name in stored_names:  # the record was rolled back: do not leave orphaned files behind
            default_storage.delete(name)
        raise
    return document


def normalise_title(doc_type: str) -> str:
    """The type's name as default title, in the office language (the title is for the Jobcenter)."""
    from django.conf import settings
    from django.utils import translation

    from . import types

    with translation.override(settings.LANGUAGE_CODE):
        return str(types.label(doc_type))


def store_generated_pdf(
    *,
    household: Any,
    doc_type: str,
    title: str,
    pdf_bytes: bytes,
    channel: str,
    created_by: Any = None,
    direction: str = Document.Direction.INBOUND,
    note: str = "",
) -> Document:
    """Store a PDF the system produced itself (no scan/normalising), deliver and route it (inbound)."""
    from . import delivery

    pages = normalise.page_count(pdf_bytes)
    thumbnail = normalise.thumbnail_png(pdf_bytes)
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        document = Document.objects.create(
            household=household,
            uploaded_by=created_by,
            doc_type=doc_type,
            title=(title or "").strip()[:200] or normalise_title(doc_type),
            note=note,
            channel=channel,
            direction=direction,
            receipt_number=new_receipt_number(),
            received_at=now,
            checked_at=now,
            delivered_at=now,
            status=Document.Status.DELIVERED,
            page_count=pages,
            pdf_sha256=digest,
            pipeline_step="done",
            pipeline_updated_at=now,
        )
        document.pdf.save("document.pdf", ContentFile(pdf_bytes), save=False)
        _fsync(str(document.pdf.name))
        document.thumbnail.save("thumbnail.png", ContentFile(thumbnail), save=False)
        document.save(update_fields=["pdf", "thumbnail"])
        audit(
            "document.generated",
            actor=created_by,
            obj=document,
            household=household,
            details={"receipt_number": document.receipt_number, "sha256": digest, "pages": pages},
        )
        emit_for("de.jcportal.document.delivered", document)
        if direction == Document.Direction.INBOUND:
            delivery.deliver(document)
    return document


# --- ratings ----------------------------------------------------------------------------------------


def record_rating(
    *, household: Any, user: Any, stars: int, comment: str = "", context: str = "upload", document: Any = None
) -> ServiceRating:
    if not 1 <= int(stars) <= 5:
        raise ValueError("stars must be between 1 and 5")
    return ServiceRating.objects.create(
        household=household,
        user=user if getattr(user, "pk", None) else None,
        stars=int(stars),
        comment=(comment or "").strip(),
        context=context,
        document=document,
    )


# --- hand-off to the DMS / E-Akte ------------------------------------------------------------------


class NotDelivered(ValueError):
    """The document has not finished the intake (no PDF yet): it cannot be handed off or filed."""


def mark_exported(document: Document, *, to: str, actor: Any = None) -> bool:
    """Record that ``to`` (an exporter or an API client) took the delivered document.

    The first hand-off counts: later ones change nothing and emit nothing (re-exports are idempotent).
    Returns whether this call recorded it."""
    if not document.delivered_at:
        raise NotDelivered(str(document.pk))
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.exported_at is not None:
            return False
        locked.exported_at = timezone.now()
        locked.exported_to = to[:200]
        locked.save(update_fields=["exported_at", "exported_to"])
        audit("document.exported", actor=actor, obj=locked, household=locked.household, details={"to": to})
        emit_for("de.jcportal.document.exported", locked, to=to)
    document.exported_at, document.exported_to = locked.exported_at, locked.exported_to
    return True


def acknowledge_filed(
    document: Document, *, dms_reference: str, filed_at: Any = None, actor: Any = None, by: str = ""
) -> bool:
    """The DMS reports that it filed the document in the E-Akte under its own reference.

    Idempotent: the same reference again changes nothing; a different reference for an already filed
    document is refused (``ValueError``), so two systems cannot silently claim one document. Returns
    whether this call recorded the filing."""
    reference = (dms_reference or "").strip()
    if not reference:
        raise ValueError("dms_reference is required")
    if not document.delivered_at:
        raise NotDelivered(str(document.pk))
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.filed_at is not None:
            if locked.dms_reference != reference[:200]:
                raise ValueError("already filed under another reference")
            return False
        now = timezone.now()
        locked.filed_at = filed_at or now
        locked.dms_reference = reference[:200]
        fields = ["filed_at", "dms_reference"]
        if locked.exported_at is None:
            locked.exported_at, locked.exported_to = now, (by or getattr(actor, "label", "") or "dms")[:200]
            fields += ["exported_at", "exported_to"]
        locked.save(update_fields=fields)
        audit(
            "document.filed",
            actor=actor,
            obj=locked,
            household=locked.household,
            details={"dms_reference": locked.dms_reference},
        )
        emit_for("de.jcportal.document.filed", locked, dms_reference=locked.dms_reference)
    for name in ("filed_at", "dms_reference", "exported_at", "exported_to"):
        setattr(document, name, getattr(locked, name))
    return True


# --- downloads --------------------------------------------------------------------------------------


def may_download(user: Any, document: Document) -> bool:
    """Whether ``user`` (a user or an ``Actor``) may download ``document``: ``accounts.policy.can_download``."""
    return policy.can_download(user, document)


@dataclass(frozen=True)
class Download:
    """What to send: the stored file (not yet opened), its download name and its content type."""

    file: Any
    filename: str
    content_type: str
    sha256: str = ""


def prepare_download(actor: Actor, document: Document, original: OriginalFile | None = None) -> Download:
    """What to send ``actor``: the PDF (or one original) of ``document``, after ``policy.can_download``
    (every channel asks it: portal, back office, API). Nothing is audited yet (``record_download``).

    Raises Http404 when the actor may not see it (never reveal that a foreign document exists)."""
    if not policy.can_download(actor, document):
        raise Http404
    if original is not None:
        if original.document_id != document.pk:
            raise Http404
        return Download(original.file, original.original_name, "application/octet-stream", original.sha256)
    if not document.pdf:
        raise Http404
    return Download(document.pdf, f"{document.receipt_number}.pdf", "application/pdf", document.pdf_sha256)


def record_download(
    actor: Actor,
    document: Document,
    original: OriginalFile | None = None,
    *,
    through_api: bool = False,
) -> None:
    """Audit that ``actor`` read the PDF (or ``original``) of ``document``: once per download."""
    details = {"file": "original" if original else "pdf", "position": getattr(original, "position", None)}
    if through_api:
        audit(
            "api.document_downloaded",
            actor=actor,
            obj=document,
            household=document.household,
            details=details,
        )
    else:
        audit("document.downloaded", actor=actor, obj=document, household=document.household, details=details)


def open_download(actor: Actor, document: Document, original: OriginalFile | None = None) -> Download:
    """The delivered PDF (or one original) for ``actor``, after the policy check; the read is audited.

    Raises Http404 when the actor may not see it (never reveal that a foreign document exists)."""
    download = prepare_download(actor, document, original)
    record_download(actor, document, original)
    return download


def download_response(
    request: HttpRequest, document: Document, original: OriginalFile | None = None, inline: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """``open_download`` for the request's user: never cached, with a strong ETag and single ranges, so a
    download broken off on a poor connection resumes instead of starting over."""
    download = open_download(Actor.from_request(request), document, original)
    return file_response(
        request,
        download.file,
        sha256=download.sha256,
        filename=download.filename,
        content_type=download.content_type,
        inline=inline,
    )
