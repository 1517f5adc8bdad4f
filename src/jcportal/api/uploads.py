"""Large uploads in parts (the ZGW "bestandsdelen" pattern), API scope ``documents:write``.

1. ``announce``: size, file name, household and type → an upload with its part size and part count;
2. ``put_part``: each part's raw bytes, in any order; sending a part again replaces it (idempotent);
3. ``complete``: the parts are joined as a stream (never the whole file in memory) into
   ``documents.services.accept_upload``; the parts are removed and the document is returned.

Parts live in the default storage under ``api-uploads/<upload id>/``. An upload not completed before
``expires_at`` is removed with its parts by ``expire_uploads`` (housekeeping task ``api.tasks``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jcportal.accounts.actor import Actor
from jcportal.audit.services import audit
from jcportal.documents import services as document_services
from jcportal.documents.filenames import display_name
from jcportal.documents.models import Document

from .models import PartUpload, UploadPart

PART_SIZE = 8 * 1024 * 1024  # bytes of every part but the last
MAX_SIZE = 2 * 1024 * 1024 * 1024
EXPIRES_AFTER = dt.timedelta(hours=24)
CHUNK = 1024 * 1024


class UploadError(ValueError):
    """The request does not fit the upload (wrong part number or size, parts missing)."""


def announce(
    *, actor: Actor, household: Any, doc_type: str, title: str, file_name: str, size: int
) -> PartUpload:
    if not 0 < size <= MAX_SIZE:
        raise UploadError(_("The size must be between 1 and %(max)s bytes.") % {"max": MAX_SIZE})
    return PartUpload.objects.create(
        client=actor.client,
        household=household,
        doc_type=doc_type,
        title=title,
        file_name=display_name(file_name)[:200] or "file",
        size=size,
        part_size=PART_SIZE,
        expires_at=timezone.now() + EXPIRES_AFTER,
    )


class _CountingReader(io.RawIOBase):
    """Reads at most ``limit`` + 1 bytes of the request body, hashing and counting them on the way."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self.source, self.limit = source, limit
        self.size, self.digest = 0, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.limit + 1 - self.size)
        if wanted <= 0:
            return 0
        data = self.source.read(wanted)
        if not data:
            return 0
        buffer[: len(data)] = data
        self.size += len(data)
        self.digest.update(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset == 0 and whence == io.SEEK_SET and self.size == 0:
            return 0
        raise io.UnsupportedOperation("the request body is read once")


def put_part(upload: PartUpload, number: int, body: IO[bytes]) -> UploadPart:
    """Store one part from the request body (streamed); a part sent again replaces the earlier one."""
    if upload.completed_at is not None:
        raise UploadError(_("The upload is already completed."))
    if not 1 <= number <= upload.part_count:
        raise UploadError(_("Part numbers run from 1 to %(count)s.") % {"count": upload.part_count})
    expected = upload.expected_size(number)
    reader = _CountingReader(body, expected)
    stored = File(reader, name="part")  # type: ignore[arg-type]  # a RawIOBase is a binary file
    name = default_storage.save(f"{upload.storage_prefix()}{number:05d}.part", stored)
    if reader.size != expected:
        default_storage.delete(name)
        raise UploadError(
            _("Part %(number)s must have %(size)s bytes.") % {"number": number, "size": expected}
        )
    with transaction.atomic():
        earlier = UploadPart.objects.select_for_update().filter(upload=upload, number=number).first()
        if earlier is not None:
            old_name = earlier.name
            earlier.size, earlier.sha256, earlier.name = reader.size, reader.digest.hexdigest(), name
            earlier.save()
            transaction.on_commit(lambda: default_storage.delete(old_name))
            return earlier
        return UploadPart.objects.create(
            upload=upload, number=number, size=reader.size, sha256=reader.digest.hexdigest(), name=name
        )


def missing_parts(upload: PartUpload) -> list[int]:
    have = set(upload.parts.values_list("number", flat=True))
    return [n for n in range(1, upload.part_count + 1) if n not in have]


class JoinedParts(io.RawIOBase):
    """The parts one after another as one readable stream (one part open at a time)."""

    def __init__(self, names: list[str], size: int, name: str) -> None:
        self.names, self.size, self.name = names, size, name
        self._index, self._position = 0, 0
        self._handle: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END and offset == 0:
            return self.size  # only a size probe; the position does not move
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only rewinding to the start")
        self._close_part()
        self._index, self._position = 0, 0
        return 0

    def tell(self) -> int:
        return self._position

    def _close_part(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def readinto(self, buffer: Any) -> int:
        while self._index < len(self.names):
            if self._handle is None:
                self._handle = default_storage.open(self.names[self._index], "rb")
            data = self._handle.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self._position += len(data)
                return len(data)
            self._close_part()
            self._index += 1
        return 0

    def close(self) -> None:
        self._close_part()
        super().close()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _remove_parts(upload: PartUpload) -> None:
    for name in upload.parts.values_list("name", flat=True):
        default_storage.delete(name)
    upload.parts.all().delete()


def complete(upload: PartUpload, *, actor: Actor) -> tuple[Document, bool]:
    """Join the parts into the intake; returns the document and whether it was created now (a second
    ``complete`` returns the same document)."""
    with transaction.atomic():
        upload = PartUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.completed_at is not None and upload.document is not None:
            return upload.document, False
        missing = missing_parts(upload)
        if missing:
            raise UploadError(
                _("Parts missing: %(parts)s") % {"parts": ", ".join(str(n) for n in missing[:20])}
            )
        names = list(upload.parts.order_by("number").values_list("name", flat=True))
        stream = JoinedParts(names, upload.size, upload.file_name)
        try:
            document = document_services.accept_upload(
                household=upload.household,
                uploaded_by=None,
                doc_type=upload.doc_type,
                title=upload.title,
                files=[(upload.file_name, stream)],
                channel=Document.Channel.BACKOFFICE,
            )
        finally:
            stream.close()
        upload.completed_at, upload.document = timezone.now(), document
        upload.save(update_fields=["completed_at", "document"])
        audit(
            "api.upload_completed",
            actor=actor,
            obj=document,
            household=upload.household,
            details={"upload": str(upload.pk), "size": upload.size, "parts": len(names)},
        )
        parts = list(upload.parts.values_list("name", flat=True))
        upload.parts.all().delete()
        transaction.on_commit(lambda: _delete_files(parts))
    return document, True


def abort(upload: PartUpload) -> None:
    with transaction.atomic():
        _remove_parts(upload)
        upload.delete()


def expire_uploads(now: Any = None) -> int:
    """Remove incomplete uploads past their expiry, with their parts; completed ones after the same time."""
    now = now or timezone.now()
    count = 0
    for upload in PartUpload.objects.filter(expires_at__lt=now):
        abort(upload)
        count += 1
    return count
