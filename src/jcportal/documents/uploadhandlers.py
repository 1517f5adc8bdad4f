"""Stop receiving a file as soon as it passes the size limit, instead of writing it to disk whole."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    """Put first in ``request.upload_handlers``: a file over ``UPLOAD_MAX_FILE_BYTES`` is skipped (the
    other handlers never see the rest of it) and its name is recorded in ``request.too_large_files``."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_FILE_BYTES
        if request is not None and not hasattr(request, "too_large_files"):
            request.too_large_files = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            if self.request is not None:
                self.request.too_large_files.append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
