"""Key providers: where the key-encryption key (KEK) lives that wraps every data key.

A provider is registered in ``key_providers`` (one ``core.registry.Registry``) under the name that the
setting ``KEY_PROVIDER`` chooses:

- ``local`` (embedded default): a 256-bit master key from the environment variable ``MASTER_KEY``
  (base64) or the file ``master.key`` in the data folder (``JCPORTAL_VAR_DIR``, mode 0600), generated on
  first use. It never wraps data keys it did not make: once data keys exist, a missing or different
  master key is refused (``KeyUnavailable``), never silently replaced.
- ``aws-kms``: the AWS KMS API (``KMS_KEY_ID``, ``KMS_ENDPOINT_URL``, ``KMS_REGION``) through boto3;
  Vault's and other KMS-compatible services fit behind the same API.

A provider wraps and unwraps 32-byte data keys; the data key id is bound to the wrapped form (AEAD
associated data, or the KMS encryption context), so a wrapped key cannot be swapped for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from jcportal.core.registry import Registry


class KeyUnavailable(Exception):
    """The key-encryption key cannot be reached: nothing can be decrypted or newly encrypted."""


class KeyProvider(Protocol):
    name: str

    def kek_id(self) -> str: ...

    def wrap(self, key: bytes, context: str) -> bytes: ...

    def unwrap(self, wrapped: bytes, kek_id: str, context: str) -> bytes: ...

    def status(self) -> tuple[bool, str]: ...

    def rotation_target(self, **options: Any) -> KeyProvider: ...

    def finish_rotation(self, target: KeyProvider) -> str: ...


key_providers: Registry[type] = Registry("key_providers")


def _fingerprint(key: bytes) -> str:
    return "local:" + hashlib.sha256(b"jcportal-kek" + key).hexdigest()[:16]


def _decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.b64decode(text, validate=True) if len(text) != 64 else bytes.fromhex(text)
    except (binascii.Error, ValueError):
        raise KeyUnavailable("MASTER_KEY is neither base64 nor hex") from None
    if len(raw) != 32:
        raise KeyUnavailable("the master key must be 32 bytes (256 bits)")
    return raw


@key_providers.register("local")
class LocalMasterKey:
    """The master key from ``MASTER_KEY`` or ``<JCPORTAL_VAR_DIR>/master.key``."""

    name = "local"

    def __init__(self, key: bytes | None = None, path: Path | None = None) -> None:
        self._key = key
        self.path = path or Path(settings.VAR_DIR) / "master.key"

    # -- where the key comes from ----------------------------------------------------------------
    def _candidates(self) -> list[bytes]:
        found: list[bytes] = []
        if self._key is not None:
            return [self._key]
        from_env = os.environ.get("MASTER_KEY", "")
        if from_env:
            found.append(_decode_key(from_env))
        for path in (self.path, self.path.with_name(self.path.name + ".new")):
            if path.exists():
                found.append(_decode_key(path.read_text()))
        return found

    def _current(self, create: bool) -> bytes:
        candidates = self._candidates()
        if candidates:
            return candidates[0]
        if not create:
            raise KeyUnavailable(f"no master key: neither MASTER_KEY nor {self.path}")
        return self._generate()

    def _generate(self) -> bytes:
        from jcportal.core.models import DataKey

        if DataKey.objects.filter(provider=self.name).exists():
            raise KeyUnavailable(
                f"the master key is missing ({self.path} or MASTER_KEY) although data keys exist; "
                "put the master key back (a new one would make every document unreadable)"
            )
        key = os.urandom(32)
        _write_secret(self.path, base64.b64encode(key).decode() + "\n")
        return key

    def _key_for(self, kek_id: str) -> bytes:
        for key in self._candidates():
            if _fingerprint(key) == kek_id:
                return key
        if self._candidates():
            raise KeyUnavailable("the master key present is not the one that wrapped the data keys")
        raise KeyUnavailable(f"no master key: neither MASTER_KEY nor {self.path}")

    # -- the provider interface ------------------------------------------------------------------
    def kek_id(self) -> str:
        return _fingerprint(self._current(create=True))

    def wrap(self, key: bytes, context: str) -> bytes:
        master = self._current(create=True)
        nonce = os.urandom(12)
        return nonce + AESGCM(master).encrypt(nonce, key, context.encode())

    def unwrap(self, wrapped: bytes, kek_id: str, context: str) -> bytes:
        master = self._key_for(kek_id)
        try:
            return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], context.encode())
        except InvalidTag:
            raise KeyUnavailable("a wrapped data key does not open with the master key") from None

    def status(self) -> tuple[bool, str]:
        from jcportal.core.models import DataKey

        try:
            keys = self._candidates()
        except KeyUnavailable as error:
            return False, str(error)
        wanted = set(
            DataKey.objects.filter(provider=self.name, destroyed_at__isnull=True)
            .values_list("kek_id", flat=True)
            .distinct()
        )
        if not keys:
            if wanted:
                return False, "local master key missing"
            return True, "local master key (created on first use)"
        have = {_fingerprint(key) for key in keys}
        if wanted - have:
            return False, "local master key does not match the data keys"
        return True, "local master key"

    def rotation_target(self, **options: Any) -> LocalMasterKey:
        """The new master key, staged in ``master.key.new``; an interrupted rotation reuses it."""
        staged = self.path.with_name(self.path.name + ".new")
        if staged.exists():
            return LocalMasterKey(key=_decode_key(staged.read_text()), path=self.path)
        new_key = os.urandom(32)
        _write_secret(staged, base64.b64encode(new_key).decode() + "\n")
        return LocalMasterKey(key=new_key, path=self.path)

    def finish_rotation(self, target: KeyProvider) -> str:
        staged = self.path.with_name(self.path.name + ".new")
        if os.environ.get("MASTER_KEY"):
            return (
                f"the new master key is in {staged}: put its content into MASTER_KEY and restart; "
                "then delete that file"
            )
        os.replace(staged, self.path)
        return f"the new master key replaced {self.path}"


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".tmp-{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


@key_providers.register("aws-kms")
class AwsKms:
    """AWS KMS (or any service speaking its API): the KEK never leaves the key service."""

    name = "aws-kms"

    def __init__(self, key_id: str | None = None) -> None:
        self.key_id = key_id or getattr(settings, "KMS_KEY_ID", "")
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "kms",
                endpoint_url=getattr(settings, "KMS_ENDPOINT_URL", None) or None,
                region_name=getattr(settings, "KMS_REGION", None) or "eu-central-1",
                config=Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2}),
            )
        return self._client

    def _call(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        if not self.key_id and method != "decrypt":
            raise KeyUnavailable("KMS_KEY_ID is not set")
        try:
            return getattr(self.client(), method)(**kwargs)
        except (BotoCoreError, ClientError) as error:
            raise KeyUnavailable(f"KMS: {type(error).__name__}") from None

    def kek_id(self) -> str:
        return self.key_id  # type: ignore[misc,arg-type,index,return-value,assignment]

    def wrap(self, key: bytes, context: str) -> bytes:
        answer = self._call(
            "encrypt", KeyId=self.key_id, Plaintext=key, EncryptionContext={"jcportal-data-key": context}
        )
        return bytes(answer["CiphertextBlob"])

    def unwrap(self, wrapped: bytes, kek_id: str, context: str) -> bytes:
        answer = self._call(
            "decrypt", CiphertextBlob=wrapped, KeyId=kek_id, EncryptionContext={"jcportal-data-key": context}
        )
        return bytes(answer["Plaintext"])

    def status(self) -> tuple[bool, str]:
        try:
            answer = self._call("describe_key", KeyId=self.key_id)
        except KeyUnavailable as error:
            return False, str(error)
        state = answer["KeyMetadata"].get("KeyState", "")
        return state == "Enabled", f"KMS key {state.lower()}"

    def rotation_target(self, **options: Any) -> AwsKms:
        new_id = options.get("kms_key_id") or ""
        if not new_id:
            new_id = self._call("create_key", Description="jcportal key-encryption key")["KeyMetadata"][
                "KeyId"
            ]
        return AwsKms(key_id=new_id)

    def finish_rotation(self, target: KeyProvider) -> str:
        return f"every data key is now wrapped by KMS key {target.kek_id()}: set KMS_KEY_ID to it"


def provider(name: str | None = None) -> KeyProvider:
    chosen = name or getattr(settings, "KEY_PROVIDER", "local")
    instance: KeyProvider = key_providers[chosen]()  # type: ignore[misc,arg-type,index,return-value,assignment]
    return instance
