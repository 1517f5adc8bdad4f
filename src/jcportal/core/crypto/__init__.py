"""Encryption at rest, envelope style (see docs/security.md).

- ``keys``: one data key per household and a system key, wrapped by the key-encryption key of a
  provider (``providers``: local master key or AWS KMS); ``destroy_household_key`` shreds.
- ``stream``: objects in storage as AES-256-GCM STREAM segments (``core.storage`` uses it).
- text values (database columns, ``core.fields``): ``encrypt_text`` / ``decrypt_text``.
"""

from __future__ import annotations

import base64
import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jcportal.core.registry import register_health_check

from .keys import (
    KeyDestroyed,
    destroy_household_key,
    enabled,
    forget_cached_keys,
    household_scope,
    key_for_scope,
    provider_status,
    raw_key,
    scoped_household,
)
from .providers import KeyUnavailable, key_providers
from .stream import DecryptionError

# /healthz: without the key-encryption key nothing can be read or stored (details name no paths)
register_health_check("keys")(provider_status)

__all__ = [
    "TEXT_PREFIX",
    "DecryptionError",
    "KeyDestroyed",
    "KeyUnavailable",
    "decrypt_text",
    "destroy_household_key",
    "enabled",
    "encrypt_text",
    "forget_cached_keys",
    "household_scope",
    "is_encrypted_text",
    "key_for_scope",
    "key_providers",
    "provider_status",
    "raw_key",
    "scoped_household",
    "sealed_values",
    "reading_sealed",
]

TEXT_PREFIX = "jce1:"
_sealed: contextvars.ContextVar[bool] = contextvars.ContextVar("jcportal_sealed_values", default=False)


@contextmanager
def sealed_values() -> Iterator[None]:
    """Inside, encrypted columns read as their stored ciphertext (backup, restore): nothing is
    decrypted, and ciphertext written back is stored unchanged."""
    token = _sealed.set(True)
    try:
        yield
    finally:
        _sealed.reset(token)


def reading_sealed() -> bool:
    return _sealed.get()


class Unreadable(str):
    """Shown instead of a column value whose key was destroyed (crypto-shredded)."""

    __slots__ = ()


def is_encrypted_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


def encrypt_text(value: str, household_id: int | None, aad: str = "") -> str:
    """``jce1:`` + base64(data key id | nonce | AES-256-GCM(value)); the column name as associated data."""
    key_id, key = key_for_scope(household_id)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), aad.encode())
    return TEXT_PREFIX + base64.b64encode(key_id.bytes + nonce + sealed).decode()


def decrypt_text(value: str, aad: str = "") -> str:
    if not is_encrypted_text(value):
        return value  # not yet encrypted (before ``encrypt_existing``)
    raw = base64.b64decode(value[len(TEXT_PREFIX) :])
    key_id = uuid.UUID(bytes=raw[:16])
    key = raw_key(key_id)
    try:
        return AESGCM(key).decrypt(raw[16:28], raw[28:], aad.encode()).decode()
    except InvalidTag:
        raise DecryptionError("an encrypted column value does not authenticate") from None


def text_key_id(value: str) -> uuid.UUID | None:
    if not is_encrypted_text(value):
        return None
    return uuid.UUID(bytes=base64.b64decode(value[len(TEXT_PREFIX) : len(TEXT_PREFIX) + 24])[:16])
