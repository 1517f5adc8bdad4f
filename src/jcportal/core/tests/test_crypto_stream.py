"""The segmented AES-GCM stream (``core.crypto.stream``) on its own: what is written reads back byte for
byte whatever the reader's buffer size (small reads copy out of a decrypted segment, reads of a whole
segment or more decrypt straight into the caller's buffer), seeking works, and a changed, cut or moved
object never yields plaintext."""

from __future__ import annotations

import io
import os
import uuid

import pytest

from jcportal.core.crypto import stream

KEY = bytes(range(32))
KEY_ID = uuid.uuid4()
SEGMENT = stream.SEGMENT_SIZE


def _encrypt(data: bytes, aad: bytes = b"documents/a.pdf") -> bytes:
    header = stream.Header.new(KEY_ID)
    return b"".join(stream.encrypt_segments(io.BytesIO(data), KEY, header, aad))


def _reader(blob: bytes, aad: bytes = b"documents/a.pdf") -> stream.DecryptingReader:
    return stream.DecryptingReader(lambda: io.BytesIO(blob), lambda key_id: KEY, aad, stored_size=len(blob))


def _read_all(reader: io.RawIOBase, chunk: int) -> bytes:
    parts = []
    while block := reader.read(chunk):
        parts.append(block)
    return b"".join(parts)


SIZES = [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 4 * SEGMENT, 9 * SEGMENT + 123]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chunk", [1000, SEGMENT, 4 * SEGMENT + 7])
def test_what_is_written_reads_back_whatever_the_buffer_size(size, chunk):
    data = os.urandom(size)
    blob = _encrypt(data)
    assert _read_all(_reader(blob), chunk) == data
    assert _read_all(io.BufferedReader(_reader(blob), buffer_size=SEGMENT), chunk) == data
    assert _reader(blob).size() == size


def test_seeking_forward_and_back_reads_the_right_bytes():
    data = os.urandom(5 * SEGMENT + 99)
    # buffered, as core.storage opens it (a raw reader may return short reads, as raw files may)
    reader = io.BufferedReader(_reader(_encrypt(data)), buffer_size=SEGMENT)
    for offset, length in [
        (3 * SEGMENT + 5, 2 * SEGMENT),
        (10, 100),
        (SEGMENT, SEGMENT),
        (len(data) - 7, 50),
    ]:
        reader.seek(offset)
        assert reader.read(length) == data[offset : offset + length]


@pytest.mark.parametrize("chunk", [1000, 4 * SEGMENT])  # the copying and the decrypt-into path
def test_a_changed_byte_in_any_segment_is_refused(chunk):
    data = os.urandom(3 * SEGMENT + 10)
    blob = bytearray(_encrypt(data))
    blob[stream.HEADER_SIZE + 2 * (SEGMENT + stream.TAG) + 3] ^= 1  # the third segment
    with pytest.raises(stream.DecryptionError):
        _read_all(_reader(bytes(blob)), chunk)


@pytest.mark.parametrize("chunk", [1000, 4 * SEGMENT])
def test_an_object_cut_at_a_segment_boundary_or_moved_is_refused(chunk):
    data = os.urandom(3 * SEGMENT + 10)
    blob = _encrypt(data)
    cut = blob[: stream.HEADER_SIZE + 2 * (SEGMENT + stream.TAG)]  # the last segment dropped
    with pytest.raises(stream.DecryptionError):
        _read_all(_reader(cut), chunk)
    with pytest.raises(stream.DecryptionError):  # stored under another name
        _read_all(_reader(blob, aad=b"documents/b.pdf"), chunk)
