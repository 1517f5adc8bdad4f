"""Read-only sanity check: every stored object decrypts (authenticated to its end, its data key
present), every file is where the database says, with the recorded checksum, and no file lies in
storage without a record (paperless-ngx's sanity checker, for our storage API)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.core.files.storage import default_storage

from jcportal.core import crypto, storage

from .models import Document, OriginalFile

CHUNK = 1024 * 1024


def _sha256(name: str) -> str | None:
    if not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_below(folder: str) -> Iterator[str]:
    try:
        directories, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _files_below(f"{folder}/{directory}")


def _decrypts(name: str) -> str | None:
    """None when the object reads to its end (authenticated segment by segment), else why not."""
    try:
        with default_storage.open(name, "rb") as handle:
            while handle.read(CHUNK):
                pass
    except crypto.KeyDestroyed:
        return "its data key was destroyed"
    except crypto.KeyUnavailable as error:
        return f"key unavailable: {error}"
    except crypto.DecryptionError as error:
        return str(error)
    return None


def check() -> Iterator[str]:
    """Yield one message per problem; yields nothing when storage and database agree."""
    known: set[str] = set()
    unreadable: set[str] = set()
    for name in storage.iter_names():
        if ".jcportal-tmp-" in name:
            continue
        reason = _decrypts(name)
        if reason is not None:
            unreadable.add(name)
            yield f"does not decrypt: {name} ({reason})"
    yield from _check_records(known, unreadable)
    for folder in ("originals", "documents", "thumbnails"):
        for name in _files_below(folder):
            if name not in known:
                yield f"orphaned file: {name}"


def _check_records(known: set[str], unreadable: set[str]) -> Iterator[str]:
    for original in OriginalFile.objects.select_related("document").iterator():
        name = str(original.file.name)
        known.add(name)
        if name in unreadable:
            continue
        digest = _sha256(name)
        if digest is None:
            yield f"missing original: document {original.document_id} file {original.position} ({name})"
        elif digest != original.sha256:
            yield f"checksum mismatch: original {name} of document {original.document_id}"
    for document in Document.objects.exclude(pdf="").only("pk", "pdf", "pdf_sha256").iterator():
        name = str(document.pdf.name)
        known.add(name)
        if name in unreadable:
            continue
        digest = _sha256(name)
        if digest is None:
            yield f"missing PDF: document {document.pk} ({name})"
        elif document.pdf_sha256 and digest != document.pdf_sha256:
            yield f"checksum mismatch: PDF {name} of document {document.pk}"
    known.update(str(n) for n in Document.objects.exclude(thumbnail="").values_list("thumbnail", flat=True))
