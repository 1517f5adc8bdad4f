"""Data keys: one per household, one system key; created on first use, cached unwrapped briefly."""

from __future__ import annotations

import contextvars
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .providers import KeyProvider, KeyUnavailable, key_providers

CACHE_SECONDS = 60  # how long another process may still use a key that was just destroyed

_lock = threading.Lock()
_raw_keys: dict[uuid.UUID, tuple[float, bytes]] = {}
_scope_keys: dict[int | None, tuple[float, uuid.UUID]] = {}
_providers: dict[tuple[str, str], KeyProvider] = {}

SYSTEM = None  # the scope of objects without a household
_scope: contextvars.ContextVar[tuple[bool, int | None]] = contextvars.ContextVar(
    "jcportal_key_scope", default=(False, None)
)


class KeyDestroyed(Exception):
    """The data key was destroyed (crypto-shredding): the data it protected is gone for good."""


def enabled() -> bool:
    """Encryption of new objects and columns (``ENCRYPTION_AT_REST``; reading always decrypts)."""
    return bool(getattr(settings, "ENCRYPTION_AT_REST", True))


def current_provider(name: str | None = None) -> KeyProvider:
    chosen = name or getattr(settings, "KEY_PROVIDER", "local")
    signature = (
        chosen,
        f"{getattr(settings, 'KMS_KEY_ID', '')}|{settings.VAR_DIR}|{getattr(settings, 'KMS_ENDPOINT_URL', '')}",
    )
    with _lock:
        found = _providers.get(signature)  # type: ignore[misc,arg-type,index,return-value,assignment]
        if found is None:
            found = _providers[signature] = key_providers[chosen]()  # type: ignore[misc,arg-type,index,return-value,assignment]
        return found


def forget_cached_keys() -> None:
    """Drop every unwrapped key and provider from this process (tests; after rotation or restore)."""
    with _lock:
        _raw_keys.clear()
        _scope_keys.clear()
        _providers.clear()


@contextmanager
def household_scope(household_id: int | None) -> Iterator[None]:
    """Objects and columns written inside use this household's data key (``None``: the system key)."""
    token = _scope.set((True, household_id))
    try:
        yield
    finally:
        _scope.reset(token)


def scoped_household() -> tuple[bool, int | None]:
    """(whether a scope is set, its household id)."""
    return _scope.get()


def _context(key_id: uuid.UUID) -> str:
    return f"jcportal-data-key:{key_id}"


def raw_key(key_id: uuid.UUID) -> bytes:
    """The unwrapped data key ``key_id`` (KeyDestroyed / KeyUnavailable when it cannot be had)."""
    from jcportal.core.models import DataKey

    now = time.monotonic()
    cached = _raw_keys.get(key_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    row = DataKey.objects.filter(pk=key_id).first()
    if row is None or row.destroyed_at is not None or not bytes(row.wrapped):
        _raw_keys.pop(key_id, None)
        raise KeyDestroyed(f"data key {key_id} was destroyed or never existed here")
    key = current_provider(row.provider).unwrap(bytes(row.wrapped), row.kek_id, _context(row.pk))
    with _lock:
        _raw_keys[key_id] = (now, key)
    return key


def key_for_scope(household_id: int | None) -> tuple[uuid.UUID, bytes]:
    """The live data key of a household (or the system key), created on first use."""
    from jcportal.core.models import DataKey

    now = time.monotonic()
    cached = _scope_keys.get(household_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        try:
            return cached[1], raw_key(cached[1])
        except KeyDestroyed:
            _scope_keys.pop(household_id, None)
    live = DataKey.objects.filter(household_id=household_id, destroyed_at__isnull=True)
    row = live.first()
    if row is None:
        row = _create(household_id)
    key = raw_key(row.pk)
    if transaction.get_connection().in_atomic_block:
        # cache only what was committed: a rolled back key must never be used again
        transaction.on_commit(lambda: _scope_keys.__setitem__(household_id, (time.monotonic(), row.pk)))
    else:
        _scope_keys[household_id] = (now, row.pk)
    return row.pk, key


def _create(household_id: int | None):  # type: ignore[no-untyped-def]
    from jcportal.core.models import DataKey

    chosen = current_provider()
    key_id = uuid.uuid4()
    key = os.urandom(32)
    wrapped = chosen.wrap(key, _context(key_id))
    try:
        with transaction.atomic():
            row = DataKey.objects.create(
                id=key_id,
                household_id=household_id,
                provider=chosen.name,
                kek_id=chosen.kek_id(),
                wrapped=wrapped,
            )
    except IntegrityError:  # another process made it at the same moment
        row = DataKey.objects.get(household_id=household_id, destroyed_at__isnull=True)
        return row
    with _lock:
        _raw_keys[key_id] = (time.monotonic(), key)
    return row


def destroy_household_key(household_id: int) -> list[str]:
    """Crypto-shredding: destroy every data key of the household; returns the destroyed key ids.

    Every object and column encrypted with them is unreadable from now on, wherever a copy lives
    (storage, database dumps, backups without this key). Irreversible. Other processes stop using a
    cached copy within ``CACHE_SECONDS``.
    """
    from jcportal.core.models import DataKey

    with transaction.atomic():
        rows = list(
            DataKey.objects.select_for_update().filter(household_id=household_id, destroyed_at__isnull=True)
        )
        for row in rows:
            row.wrapped = b""
            row.destroyed_at = timezone.now()
            row.save(update_fields=["wrapped", "destroyed_at"])
    with _lock:
        for row in rows:
            _raw_keys.pop(row.pk, None)
        _scope_keys.pop(household_id, None)
    return [str(row.pk) for row in rows]


def provider_status() -> tuple[bool, str]:
    try:
        return current_provider().status()
    except KeyUnavailable as error:
        return False, str(error)
