"""Every file is written and read through here: Django's storage API with encryption at rest.

The storage backends ``EncryptedFileSystemStorage`` (the embedded default: a local folder) and
``EncryptedS3Storage`` (production: any S3-compatible bucket through django-storages) are the ones in
``settings.STORAGES``; so ``default_storage``, every ``FileField`` and these helpers encrypt on write
and decrypt on read, as streams of 64 KiB segments (``core.crypto.stream``): no whole file in memory.

- ``save(name, stream, household_id=…)`` / ``open(name)``: write and read (plaintext for the caller).
- ``local_copy(name)``: the one way for a tool that needs a path (pdftoppm, pdfium …): a decrypted
  temporary file, deleted when the block ends.
- ``household_resolvers``: which household's data key protects a new object is found, in order, from
  an explicit ``crypto.household_scope(...)``, from the resolver registered for the name's first
  folder (``documents`` registers ``originals``, ``documents``, ``thumbnails`` …), or else the system
  key (objects without a household: clearing, scan batches, access requests, exports).
- Objects written before encryption (or with ``ENCRYPTION_AT_REST`` off) are read as they are;
  ``manage.py encrypt_existing`` encrypts them.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

from jcportal.core import crypto
from jcportal.core.crypto import stream as cstream
from jcportal.core.registry import Registry

CHUNK = 1024 * 1024

# first folder of an object name -> callable(name) -> household id or None
household_resolvers: Registry[Callable[[str], int | None]] = Registry("household_resolvers")


def household_for(name: str) -> int | None:
    explicit, household_id = crypto.scoped_household()
    if explicit:
        return household_id
    resolver = household_resolvers.get(name.split("/", 1)[0])
    return resolver(name) if resolver else None


class EncryptingMixin:
    """Encrypts what ``_save`` writes and decrypts what ``_open`` reads (a storage backend mixin)."""

    def _raw_open(self, name: str) -> IO[bytes]:
        return super()._open(name, "rb")  # type: ignore[misc]

    def _raw_size(self, name: str) -> int:
        return int(super().size(name))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("stored objects are written with save(), never opened for writing")
        raw = self._raw_open(name)
        head = cstream.read_exactly(raw, cstream.HEADER_SIZE)
        if not cstream.is_encrypted(head):  # stored before encryption was switched on
            if _seekable(raw):
                raw.seek(0)
                return raw if isinstance(raw, File) else File(raw, name=name)
            return File(io.BufferedReader(_Prefixed(head, raw)), name=name)
        _close_quietly(raw)
        reader = cstream.DecryptingReader(
            lambda: self._raw_open(name),
            crypto.raw_key,
            name.encode(),
            stored_size=self._raw_size(name),
            name=name,
        )
        return _StoredFile(io.BufferedReader(reader, buffer_size=cstream.SEGMENT_SIZE), name, self)

    def _save(self, name: str, content: Any) -> str:
        if not crypto.enabled():
            return str(super()._save(name, content))  # type: ignore[misc]
        key_id, key = crypto.key_for_scope(household_for(name))
        for _attempt in range(5):
            if hasattr(content, "seek"):
                content.seek(0)
            source = content.file if isinstance(content, File) and content.file is not None else content
            reader = cstream.EncryptingReader(source, key, cstream.Header.new(key_id), name.encode())
            saved = str(super()._save(name, _CipherFile(reader, name)))  # type: ignore[misc]
            if saved == name:
                return saved
            # the backend chose another name (a race on the same name): the name is bound into the
            # ciphertext, so write again under the chosen one
            self.delete(saved)  # type: ignore[attr-defined]
            name = self.get_available_name(name)  # type: ignore[attr-defined]
        raise OSError(f"could not store {name}")

    def size(self, name: str) -> int:
        stored = self._raw_size(name)
        with contextlib.closing(self._raw_open(name)) as raw:
            head = cstream.read_exactly(raw, cstream.HEADER_SIZE)
        if not cstream.is_encrypted(head):
            return stored
        return cstream.plaintext_size(stored, cstream.Header.unpack(head).segment_size)

    def is_encrypted(self, name: str) -> bool:
        with contextlib.closing(self._raw_open(name)) as raw:
            return cstream.is_encrypted(cstream.read_exactly(raw, cstream.HEADER_SIZE))

    def open_raw(self, name: str) -> IO[bytes]:
        """The stored bytes as they are (backup, checks): ciphertext where encrypted."""
        return self._raw_open(name)

    def save_raw(self, name: str, content: IO[bytes]) -> str:
        """Store bytes exactly as given under exactly ``name`` (restore, encrypt_existing)."""
        raise NotImplementedError


class _StoredFile(File):
    """A decrypting file that can be reopened after closing (as ``FieldFile.open`` expects)."""

    def __init__(self, file: IO[bytes], name: str, storage: EncryptingMixin) -> None:
        super().__init__(file, name=name)
        self._storage = storage

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> _StoredFile:
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage._open(str(self.name), mode or "rb").file
        return self

    @property
    def size(self) -> int:  # type: ignore[override]
        return int(self._storage.size(str(self.name)))


class _CipherFile(File):
    """Ciphertext handed to the backend: streamed, never a temporary file path to move."""

    def __init__(self, reader: cstream.EncryptingReader, name: str) -> None:
        super().__init__(reader, name=name)  # type: ignore[misc,arg-type,index,return-value,assignment]

    @property
    def size(self) -> int:  # type: ignore[override]
        raise AttributeError("size unknown before the end")


class _Prefixed(io.RawIOBase):
    """A non-seekable raw stream with its first bytes already read put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            count = min(len(target), len(self._head))
            target[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        _close_quietly(self._rest)
        super().close()


def _seekable(raw: Any) -> bool:
    try:
        return bool(raw.seekable())
    except (AttributeError, ValueError):
        return False


def _close_quietly(raw: Any) -> None:
    with contextlib.suppress(Exception):
        raw.close()


class EncryptedFileSystemStorage(EncryptingMixin, FileSystemStorage):
    """A local folder (the embedded default); every save is on disk (fsync) before it returns."""

    def _save(self, name: str, content: Any) -> str:
        saved = super()._save(name, content)
        _fsync(self.path(saved))
        return saved

    def save_raw(self, name: str, content: IO[bytes]) -> str:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.jcportal-tmp-{os.getpid()}"
        with builtins.open(temporary, "wb") as target:
            shutil.copyfileobj(content, target, CHUNK)
            target.flush()
            os.fsync(target.fileno())
        if self.file_permissions_mode is not None:
            os.chmod(temporary, self.file_permissions_mode)
        os.replace(temporary, path)
        _fsync_directory(os.path.dirname(path))
        return name


def _fsync(path: str) -> None:
    with builtins.open(path, "rb") as handle:
        os.fsync(handle.fileno())
    _fsync_directory(os.path.dirname(path))


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is a declared dependency
    S3Storage = None  # type: ignore[assignment,misc]

if S3Storage is not None:

    class EncryptedS3Storage(EncryptingMixin, S3Storage):
        """An S3-compatible bucket; reads stream the object body (never the whole object in memory)."""

        def _raw_open(self, name: str) -> IO[bytes]:
            from botocore.exceptions import ClientError

            key = self._normalize_name(name)
            try:
                body = self.bucket.Object(key).get()["Body"]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                    raise FileNotFoundError(f"File does not exist: {name}") from None
                raise
            return _BodyReader(body)  # type: ignore[misc,arg-type,index,return-value,assignment]

        def save_raw(self, name: str, content: IO[bytes]) -> str:
            key = self._normalize_name(name)
            self.bucket.Object(key).upload_fileobj(content, Config=self.transfer_config)
            return name


class _BodyReader(io.RawIOBase):
    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._body.read(len(target))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        _close_quietly(self._body)
        super().close()


# -- helpers for callers -----------------------------------------------------------------------------


def storage() -> Any:
    return default_storage


def open(name: str) -> File:  # noqa: A001 - the storage verb
    """The object's plaintext as a binary file object, decrypted segment by segment."""
    return default_storage.open(name, "rb")


def save(name: str, content: IO[bytes] | File | bytes, household_id: int | None | type = ...) -> str:  # type: ignore[misc,arg-type,index,return-value,assignment]
    """Store ``content`` (a binary stream, a File, or small bytes) and return the name chosen.

    ``household_id`` names the data key explicitly (``None``: the system key); without it the
    resolvers decide (see module docstring)."""
    if isinstance(content, bytes):
        content = io.BytesIO(content)
    django_file = content if isinstance(content, File) else File(content, name=os.path.basename(name))
    if household_id is ...:
        return str(default_storage.save(name, django_file))
    with crypto.household_scope(household_id):  # type: ignore[arg-type]
        return str(default_storage.save(name, django_file))


def read_bytes(name: str, limit: int = 8 * 1024 * 1024) -> bytes:
    """A small object's plaintext (thumbnails, exports); refuses more than ``limit`` bytes."""
    with open(name) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit} bytes: stream it")
    return bytes(data)


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def exists(name: str) -> bool:
    return bool(name) and bool(default_storage.exists(name))


@contextlib.contextmanager
def local_copy(name: str, suffix: str = "") -> Iterator[str]:
    """A decrypted temporary local file of the object, for tools that need a path; deleted afterwards."""
    suffix = suffix or os.path.splitext(name)[1]
    fd, path = tempfile.mkstemp(prefix="jcportal-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as target, open(name) as source:
            shutil.copyfileobj(source, target, CHUNK)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def iter_names(folder: str = "") -> Iterator[str]:
    """Every object name under ``folder`` (recursively), as the storage lists them."""
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:  # an empty installation: the folder is made by the first save
        return
    prefix = f"{folder}/" if folder else ""
    for file_name in files:
        yield prefix + file_name
    for directory in directories:
        yield from iter_names(prefix + directory)


def is_encrypted(name: str) -> bool:
    check = getattr(default_storage, "is_encrypted", None)
    return bool(check(name)) if check else False


def open_raw(name: str) -> IO[bytes]:
    opener = getattr(default_storage, "open_raw", None)
    if opener is None:
        return default_storage.open(name, "rb")
    raw: IO[bytes] = opener(name)
    return raw


def rekey(name: str) -> bool:
    """Encrypt an object again with the data key its name resolves to now, if another key protects it
    (a document that moved from clearing or from an application into a household, so that destroying
    the household's key shreds it too). Replaced as a whole; returns whether it changed. Run it only
    after the commit that created the key: a rolled back key would leave the object unreadable."""
    with contextlib.closing(open_raw(name)) as raw:
        head = cstream.read_exactly(raw, cstream.HEADER_SIZE)
    if not cstream.is_encrypted(head):
        return False  # plaintext: ``encrypt_existing`` encrypts it
    key_id, key = crypto.key_for_scope(household_for(name))
    if cstream.Header.unpack(head).key_id == key_id:
        return False
    with tempfile.TemporaryFile() as spool:
        with open(name) as plain:
            reader = cstream.EncryptingReader(plain, key, cstream.Header.new(key_id), name.encode())
            shutil.copyfileobj(reader, spool, CHUNK)  # type: ignore[misc,arg-type,index,return-value,assignment]
        spool.seek(0)
        save_raw(name, spool)
    return True


def save_raw(name: str, content: IO[bytes]) -> str:
    saved: str = default_storage.save_raw(name, content)
    return saved
