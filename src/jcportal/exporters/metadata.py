"""What every DMS export says about a document: BG number, household member, type, title, received-at,
Vorgangsnummer (when it came from an online service) and its files with SHA-256 checksums."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jcportal.documents.models import Document

from .base import ExportError, Nothing

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ExportFile:
    name: str  # the file's name inside the export (e.g. "document.pdf", "originals/001-scan.jpg")
    role: str  # "pdf" or "original"
    field: Any  # the FieldFile in storage
    sha256: str
    size: int
    original_name: str = ""
    media_type: str = ""


def safe_name(name: str) -> str:
    """A file name any DMS importer accepts: letters, digits, dot, dash, underscore."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "datei"
    return stem[:120]


def submission_of(document: Document) -> Any:
    """The online-service submission the document belongs to (its copy or evidence), or None."""
    from jcportal.eforms.models import Submission, SubmissionEvidence

    submission = Submission.objects.filter(document=document).first()
    if submission is None:
        evidence = SubmissionEvidence.objects.filter(document=document).select_related("submission").first()
        submission = evidence.submission if evidence else None
    return submission


def member_of(document: Document, submission: Any = None) -> Any:
    """The household member the document is about: the citizen who sent it (or filed the service)."""
    for user in (document.uploaded_by, getattr(submission, "created_by", None)):
        person = getattr(user, "person", None) if user is not None else None
        if person is not None and person.household_id == document.household_id:
            return person
    return None


def person_dict(person: Any) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
    }


def files_of(document: Document) -> list[ExportFile]:
    if not document.pdf or not document.delivered_at:
        raise Nothing("the document has no delivered PDF")
    files = [
        ExportFile("document.pdf", "pdf", document.pdf, document.pdf_sha256, 0, media_type="application/pdf")
    ]
    for original in document.originals.all():
        name = f"originals/{original.position + 1:03d}-{safe_name(original.original_name)}"
        files.append(
            ExportFile(
                name,
                "original",
                original.file,
                original.sha256,
                original.size,
                original_name=original.original_name,
                media_type=original.detected_type,
            )
        )
    return files


def copy_verified(item: ExportFile, target: Path) -> tuple[str, int]:
    """Copy the decrypted object to ``target`` and check it against the stored SHA-256."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with item.field.open("rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    checksum = digest.hexdigest()
    if item.sha256 and checksum != item.sha256:
        raise ExportError(f"{item.name}: checksum differs from the one recorded at intake")
    return checksum, size


def stream_into(item: ExportFile, target: Any) -> tuple[str, int]:
    """Copy the decrypted object into an open binary file (e.g. a zip member), checking its SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with item.field.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    checksum = digest.hexdigest()
    if item.sha256 and checksum != item.sha256:
        raise ExportError(f"{item.name}: checksum differs from the one recorded at intake")
    return checksum, size


def document_metadata(document: Document) -> dict[str, Any]:
    submission = submission_of(document)
    return {
        "receipt_number": document.receipt_number,
        "id": str(document.pk),
        "bg_number": document.household.bg_number if document.household else None,
        "member": person_dict(member_of(document, submission)),
        "document_type": document.doc_type,
        "document_type_label": str(document.type_label),
        "title": document.title,
        "channel": document.channel,
        "direction": document.direction,
        "received_at": document.received_at.isoformat(),
        "page_count": document.page_count,
        "vorgangsnummer": submission.reference if submission is not None and submission.reference else None,
    }
