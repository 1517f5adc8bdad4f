"""Segmented authenticated encryption of byte streams (AES-256-GCM, the STREAM construction).

An encrypted object is a header followed by segments::

    header  = MAGIC (5) | version (1) | segment size (4, big endian) | data key id (16) | nonce prefix (7)
    segment = AES-256-GCM(key, nonce = prefix (7) | counter (4, big endian) | last (1), plaintext ≤ size)

Every segment is authenticated with the header and the object's name as associated data, so a
segment cannot be moved to another position (counter), another object (name) or cut off at the end
(the last segment carries the flag 1; a stream without it is truncated). The plaintext size follows
from the ciphertext size, and each segment can be decrypted on its own: nothing needs the whole file
in memory. The header names the data key, so reading needs no context.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import uuid
from collections.abc import Callable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"JCENC"
VERSION = 1
SEGMENT_SIZE = 64 * 1024
RAW_BATCH = 4  # segments of ciphertext read from storage at a time
TAG = 16
PREFIX = 7
HEADER = struct.Struct(">5sBI16s7s")
HEADER_SIZE = HEADER.size  # 33 bytes


class DecryptionError(Exception):
    """The stored bytes are not an intact encrypted object (tampered, truncated, wrong key or name)."""


class Header:
    def __init__(self, key_id: uuid.UUID, prefix: bytes, segment_size: int = SEGMENT_SIZE) -> None:
        self.key_id = key_id
        self.prefix = prefix
        self.segment_size = segment_size

    @classmethod
    def new(cls, key_id: uuid.UUID) -> Header:
        return cls(key_id, os.urandom(PREFIX))

    def pack(self) -> bytes:
        return HEADER.pack(MAGIC, VERSION, self.segment_size, self.key_id.bytes, self.prefix)

    @classmethod
    def unpack(cls, data: bytes) -> Header:
        if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
            raise DecryptionError("not an encrypted object")
        magic, version, size, key_id, prefix = HEADER.unpack(data[:HEADER_SIZE])
        if version != VERSION or not 0 < size <= 16 * 1024 * 1024:
            raise DecryptionError(f"unknown format version {version}")
        return cls(uuid.UUID(bytes=key_id), prefix, size)


def is_encrypted(head: bytes) -> bool:
    return head[: len(MAGIC)] == MAGIC


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def plaintext_size(ciphertext_size: int, segment_size: int = SEGMENT_SIZE) -> int:
    body = ciphertext_size - HEADER_SIZE
    if body < TAG:
        raise DecryptionError("truncated object")
    segments = max(1, -(-body // (segment_size + TAG)))
    return body - segments * TAG


def encrypt_segments(source: IO[bytes], key: bytes, header: Header, aad: bytes) -> Iterator[bytes]:
    """Yield the header, then each encrypted segment of ``source`` (read one segment ahead)."""
    aead = AESGCM(key)
    packed = header.pack()
    associated = packed + aad
    yield packed
    size = header.segment_size
    current = read_exactly(source, size)
    counter = 0
    while True:
        following = read_exactly(source, size) if len(current) == size else b""
        last = not following
        yield aead.encrypt(_nonce(header.prefix, counter, last), current, associated)
        if last:
            return
        current = following
        counter += 1
        if counter >= 2**32:
            raise ValueError("object too large for one stream")


def read_exactly(source: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, reading again where a stream returns short reads (shorter only at its end)."""
    first = source.read(size)
    if len(first) == size or not first:  # the usual case: one read, no copy
        return bytes(first)
    parts = [first]
    missing = size - len(first)
    while missing:
        chunk = source.read(missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


class EncryptingReader(io.RawIOBase):
    """A read-only file object whose bytes are the encrypted form of ``source`` (for storage backends
    that pull with ``read(n)``, such as S3 multipart uploads)."""

    def __init__(self, source: IO[bytes], key: bytes, header: Header, aad: bytes) -> None:
        self._segments = encrypt_segments(source, key, header, aad)
        self._buffer = b""
        self._offset = 0  # read position in ``_buffer`` (no copy of the rest on every read)
        self._emitted = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._emitted

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) in {(0, io.SEEK_SET), (0, io.SEEK_CUR)} and self._emitted == 0:
            return 0
        raise io.UnsupportedOperation("an encrypting stream only reads forwards")

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._offset >= len(self._buffer):
            try:
                self._buffer, self._offset = next(self._segments), 0
            except StopIteration:
                return 0
        count = min(len(target), len(self._buffer) - self._offset)
        target[:count] = memoryview(self._buffer)[self._offset : self._offset + count]
        self._offset += count
        self._emitted += count
        return count


class DecryptingReader(io.RawIOBase):
    """A read-only, seekable file object over an encrypted object; decrypts one segment at a time.

    ``opener`` returns a fresh raw stream of the stored bytes (used again when seeking backwards on a
    stream that cannot seek); ``key_for`` maps the header's data key id to the key.
    """

    def __init__(
        self,
        opener: Callable[[], IO[bytes]],
        key_for: Callable[[uuid.UUID], bytes],
        aad: bytes,
        stored_size: int | None = None,
        name: str = "",
    ) -> None:
        self._opener = opener
        self._raw = opener()
        packed = read_exactly(self._raw, HEADER_SIZE)
        self.header = Header.unpack(packed)
        self._aead = AESGCM(key_for(self.header.key_id))
        self._associated = packed + aad
        self._stored_size = stored_size
        self._segment_index = 0  # next segment to read from raw
        # Ciphertext read ahead in batches into one reusable window (no allocation per segment); one
        # byte more than a segment must be there to know whether the current segment is the last.
        self._window = bytearray((self.header.segment_size + TAG) * RAW_BATCH)
        self._window_start = 0
        self._window_end = 0
        self._raw_done = False
        self._buffer = b""
        self._offset = 0  # read position in ``_buffer``
        self._position = 0
        self._done = False
        self.name = name

    # -- reading ---------------------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def _fill_window(self) -> None:
        size = self.header.segment_size + TAG
        if self._raw_done or self._window_end - self._window_start > size:
            return
        rest = self._window_end - self._window_start
        self._window[:rest] = self._window[self._window_start : self._window_end]
        self._window_start, self._window_end = 0, rest
        view = memoryview(self._window)
        while self._window_end < len(self._window):
            count = _readinto(self._raw, view[self._window_end :])
            if not count:
                self._raw_done = True
                break
            self._window_end += count

    def _next_ciphertext(self) -> tuple[memoryview, bytes] | None:
        """(ciphertext, nonce) of the next segment, a view into the read-ahead window."""
        if self._done:
            return None
        self._fill_window()
        size = self.header.segment_size + TAG
        available = self._window_end - self._window_start
        last = available <= size
        count = min(size, available)
        current = memoryview(self._window)[self._window_start : self._window_start + count]
        nonce = _nonce(self.header.prefix, self._segment_index, last)
        self._window_start += count
        self._segment_index += 1
        self._done = last
        return current, nonce

    def _next_segment(self) -> bytes | None:
        found = self._next_ciphertext()
        if found is None:
            return None
        with _authenticated():
            return self._aead.decrypt(found[1], found[0], self._associated)

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._offset >= len(self._buffer) and len(target) >= self.header.segment_size:
            # A whole segment fits: decrypt straight into the reader's buffer (no copy, no allocation).
            found = self._next_ciphertext()
            if found is None:
                return 0
            count = len(found[0]) - TAG
            with _authenticated():
                self._aead.decrypt_into(found[1], found[0], self._associated, memoryview(target)[:count])
            self._buffer, self._offset = b"", 0
            self._position += count
            return count
        while self._offset >= len(self._buffer):
            segment = self._next_segment()
            if segment is None:
                return 0
            self._buffer, self._offset = segment, 0
        count = min(len(target), len(self._buffer) - self._offset)
        target[:count] = memoryview(self._buffer)[self._offset : self._offset + count]
        self._offset += count
        self._position += count
        return count

    def readall(self) -> bytes:
        """The rest of the plaintext, segment by segment (``read()`` of a small object)."""
        parts = [self._buffer[self._offset :]]
        while (segment := self._next_segment()) is not None:
            parts.append(segment)
        self._buffer, self._offset = b"", 0
        data = b"".join(parts)
        self._position += len(data)
        return data

    # -- seeking (FileResponse asks for the size; tools may jump) ---------------------------------
    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def size(self) -> int:
        if self._stored_size is None:
            raise io.UnsupportedOperation("size unknown")
        return plaintext_size(self._stored_size, self.header.segment_size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += self.size()
        offset = max(0, offset)
        if offset == self._position:
            return offset
        if self._stored_size is not None and offset >= self.size():
            self._buffer, self._done, self._offset = b"", True, 0
            self._position = offset
            return offset
        segment_size = self.header.segment_size
        index, within = divmod(offset, segment_size)
        self._restart_at(index)
        self._position = index * segment_size
        while within > 0:
            chunk = self.read(within)
            if not chunk:
                break
            within -= len(chunk)
        return self._position

    def _restart_at(self, index: int) -> None:
        start = HEADER_SIZE + index * (self.header.segment_size + TAG)
        raw_seekable = getattr(self._raw, "seekable", lambda: False)()
        if raw_seekable:
            self._raw.seek(start)
        else:
            self._raw.close()
            self._raw = self._opener()
            _skip(self._raw, start)
        self._segment_index = index
        self._window_start = self._window_end = 0
        self._raw_done = False
        self._buffer = b""
        self._offset = 0
        self._done = False

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


@contextlib.contextmanager
def _authenticated() -> Iterator[None]:
    """A segment that fails its tag is a DecryptionError (never plaintext of a changed object)."""
    try:
        yield
    except InvalidTag:
        raise DecryptionError("segment does not authenticate (tampered, truncated or moved)") from None


def _readinto(stream: IO[bytes], target: memoryview) -> int:
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return int(readinto(target) or 0)
    data = stream.read(len(target))
    target[: len(data)] = data
    return len(data)


def _skip(stream: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1024 * 1024))
        if not chunk:
            return
        count -= len(chunk)
