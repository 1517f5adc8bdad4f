"""Operator tasks on the keys and the stored data (``manage.py rotate_master_key``, ``encrypt_existing``).

Both are resumable: interrupted, they are simply started again and continue where they stopped.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from . import keys
from .providers import KeyProvider, key_providers

Report = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


def rotate_master_key(provider: str | None = None, report: Report = _quiet, **options: Any) -> int:
    """Rewrap every live data key with a new key-encryption key and return how many were rewrapped.

    Without ``provider`` the current provider makes a new key of its own kind (local: a new master key,
    staged in ``master.key.new`` until every data key is rewrapped; KMS: a new KMS key, or
    ``kms_key_id``); with ``provider`` the data keys move to that provider (e.g. ``aws-kms`` with
    ``kms_key_id``). The data keys themselves stay the same, so no object or column is rewritten.
    Data keys already wrapped by the target are skipped, so a second run finishes an interrupted one."""
    from jcportal.core.models import DataKey

    current = keys.current_provider()
    target: KeyProvider
    if provider is None or provider == current.name:
        target = current.rotation_target(**options)
    else:
        kms_key_id = options.get("kms_key_id")
        target = key_providers[provider](kms_key_id) if kms_key_id else key_providers[provider]()  # type: ignore[misc,arg-type,index,return-value,assignment]
    target_kek = target.kek_id()
    count = 0
    live = DataKey.objects.filter(destroyed_at__isnull=True).exclude(wrapped=b"")
    for row in live.iterator():
        if row.provider == target.name and row.kek_id == target_kek:
            continue
        context = keys._context(row.pk)
        raw = keys.current_provider(row.provider).unwrap(bytes(row.wrapped), row.kek_id, context)
        wrapped = target.wrap(raw, context)
        if target.unwrap(wrapped, target_kek, context) != raw:  # pragma: no cover - provider defect
            raise RuntimeError(f"data key {row.pk} does not unwrap after rewrapping")
        with transaction.atomic():
            DataKey.objects.filter(pk=row.pk, destroyed_at__isnull=True).update(
                provider=target.name, kek_id=target_kek, wrapped=wrapped, rotated_at=timezone.now()
            )
        count += 1
    keys.forget_cached_keys()
    report(f"{count} data key(s) rewrapped with {target.name} {target_kek}")
    if provider is None or provider == current.name:
        report(current.finish_rotation(target))
    else:
        report(f"set KEY_PROVIDER={target.name} so that new data keys are wrapped by it too")
    return count


def encrypt_existing(report: Report = _quiet, batch: int = 200) -> tuple[int, int]:
    """Encrypt every stored object and column value of an installation that ran without encryption.

    Objects already encrypted and values already sealed are skipped (never encrypted twice); an object
    is replaced only as a whole (atomic rename / S3 PUT), so an interruption leaves either the plaintext
    or the encrypted object, and a second run continues. Objects and values under another key than
    their household's (moved from clearing into a household) are encrypted again with it.
    Returns (objects, rows) changed."""
    from jcportal.core import fields, storage

    if not keys.enabled():
        raise RuntimeError("ENCRYPTION_AT_REST is off: switch it on first")
    objects = 0
    for name in list(storage.iter_names()):
        if ".jcportal-tmp-" in name:
            continue
        if storage.is_encrypted(name):
            # under another key than its household's now (moved from clearing): encrypted again
            objects += storage.rekey(name)
            continue
        encrypt_object(name)
        objects += 1
        if objects % 100 == 0:
            report(f"{objects} object(s) encrypted")
    report(f"{objects} object(s) encrypted")
    rows = 0
    for model in apps.get_models():
        if model._meta.proxy or not fields.encrypted_fields(model):
            continue
        changed = fields.seal_rows(model, batch=batch)
        rows += changed
        report(f"{model._meta.label}: {changed} row(s) encrypted")
    return objects, rows


def encrypt_object(name: str) -> None:
    """Replace the plaintext object ``name`` by its encrypted form (same name, household's key)."""
    from jcportal.core import storage
    from jcportal.core.crypto import stream as cstream

    key_id, key = keys.key_for_scope(storage.household_for(name))
    with tempfile.TemporaryFile() as spool:
        with storage.open_raw(name) as source:
            reader = cstream.EncryptingReader(source, key, cstream.Header.new(key_id), name.encode())
            shutil.copyfileobj(reader, spool, storage.CHUNK)  # type: ignore[misc,arg-type,index,return-value,assignment]
        spool.seek(0)
        storage.save_raw(name, spool)
