"""Streaming file responses with a strong ETag (the SHA-256 of the content) and single byte ranges.

Files are stored encrypted in segments; the decrypting reader seeks to the segment of the range's
start, so a range costs what it returns, never the whole file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 256 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(handle: IO[bytes], length: int) -> Iterator[bytes]:
    try:
        remaining = length
        while remaining > 0:
            block = handle.read(min(CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


def _range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end inclusive) of a satisfiable single range; None: no/ignored header; False: unsatisfiable."""
    match = RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        count = int(last)
        if count == 0:
            return False
        return max(0, size - count), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def file_response(
    request: Any, field: Any, *, sha256: str, filename: str, content_type: str, inline: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """The stored file ``field`` for ``request``: 304 when the client's copy is current, 206 for a single
    range (a download broken off on a bad connection resumes where it stopped), 416 for a range beyond
    the end. Never cached by shared caches."""
    etag = f'"{sha256}"' if sha256 else ""
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "Content-Disposition": content_disposition_header(not inline, filename) or "attachment",
        "X-Content-Type-Options": "nosniff",
    }
    if etag:
        headers["ETag"] = etag
        matches = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
        if etag in matches or "*" in matches:
            return HttpResponse(status=304, headers=headers)
    handle = field.open("rb")
    size = field.size
    wanted: tuple[int, int] | None | bool = None
    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    if range_header and (not if_range or if_range == etag):
        wanted = _range(range_header, size)
    if wanted is False:
        handle.close()
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if isinstance(wanted, tuple):
        start, end = wanted
        handle.seek(start)
        length = end - start + 1
        response = StreamingHttpResponse(_chunks(handle, length), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        length = size
        response = StreamingHttpResponse(_chunks(handle, length), content_type=content_type)
    response["Content-Length"] = str(length)
    for name, value in headers.items():
        response[name] = value
    return response
