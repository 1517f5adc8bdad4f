"""Backup and restore of a whole installation (``manage.py backup DIR`` / ``manage.py restore DIR``).

A backup is a folder::

    manifest.json        format, time, database vendor, the migration state, SHA-256 of every file
    database.jsonl       every row (Django's python serialisation, one object per line); encrypted
                         columns exactly as stored, i.e. still encrypted
    objects/<name>       every stored object as stored, i.e. still encrypted
    keys/                only with --include-keys: the wrapped data keys (data-keys.json) and, with the
                         local provider, the master key (master.key, mode 0600)

The database is read in one transaction (a snapshot: REPEATABLE READ on PostgreSQL, one read
transaction on SQLite), then the objects are copied; objects are never changed in place (only added or
deleted), so every object the dump refers to is in the set. Without the key material a backup cannot be
read by anyone: keep it apart (another place, another person), and destroyed data keys (crypto-shredding)
are then gone from every backup restored with a later key backup. Restore checks every checksum first,
refuses a non-empty installation, and rebuilds the database, the objects, the keys and the search index.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from jcportal.core import crypto, storage

FORMAT = "jcportal-backup/1"
CHUNK = 1024 * 1024
EXCLUDED = {"core.datakey", "sessions.session"}  # keys go separately; sessions are not worth keeping
Report = Callable[[str], None]


class BackupError(Exception):
    pass


def _quiet(message: str) -> None:
    return None


class _Encoder(json.JSONEncoder):
    """Like Django's, but datetimes keep their microseconds (the audit chain hashes them)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        if isinstance(o, bytes | memoryview):
            return base64.b64encode(bytes(o)).decode()
        return super().default(o)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backed_up_models() -> list[Any]:
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in EXCLUDED
    ]


def _dump_rows(target: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    nested = connection.in_atomic_block  # (tests) the outer transaction is the snapshot
    with transaction.atomic(), crypto.sealed_values(), target.open("w", encoding="utf-8") as out:
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in backed_up_models():
            count = 0
            queryset = model._base_manager.order_by(model._meta.pk.name)
            for start in range(0, 10**12, 1000):
                chunk = list(queryset[start : start + 1000])
                if not chunk:
                    break
                for row in serializers.serialize("python", chunk):
                    out.write(json.dumps(row, cls=_Encoder, ensure_ascii=False) + "\n")
                    count += 1
            counts[model._meta.label_lower] = count
    return counts


def _key_rows() -> list[dict[str, Any]]:
    from jcportal.core.models import DataKey

    return [
        {
            "id": str(row.pk),
            "household_id": row.household_id,
            "provider": row.provider,
            "kek_id": row.kek_id,
            "wrapped": base64.b64encode(bytes(row.wrapped)).decode(),
            "created_at": row.created_at.isoformat(),
            "rotated_at": row.rotated_at.isoformat() if row.rotated_at else None,
            "destroyed_at": row.destroyed_at.isoformat() if row.destroyed_at else None,
        }
        for row in DataKey.objects.order_by("created_at")
    ]


def _write_keys(folder: Path) -> list[str]:
    from .crypto.keys import current_provider
    from .crypto.providers import LocalMasterKey

    folder.mkdir(mode=0o700)
    written = ["data-keys.json"]
    (folder / "data-keys.json").write_text(json.dumps(_key_rows(), indent=1))
    provider = current_provider()
    if isinstance(provider, LocalMasterKey):
        master = provider._current(create=False)
        fd = os.open(folder / "master.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(master).decode() + "\n")
        written.append("master.key")
    return written


def backup(directory: str | Path, include_keys: bool = False, report: Report = _quiet) -> dict[str, Any]:
    """Write a consistent backup into ``directory`` (new or empty) and return its manifest."""
    folder = Path(directory)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    migrations = sorted(MigrationRecorder(connection).applied_migrations())
    counts = _dump_rows(folder / "database.jsonl")
    report(f"database: {sum(counts.values())} rows")
    objects = []
    for name in sorted(storage.iter_names()):
        if ".jcportal-tmp-" in name:
            continue
        target = folder / "objects" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with storage.open_raw(name) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        except FileNotFoundError:  # deleted since the listing (destroyed): not part of the snapshot
            continue
        with target.open("rb") as handle:
            encrypted = handle.read(5) == crypto.stream.MAGIC
        objects.append(
            {
                "name": name,
                "size": target.stat().st_size,
                "sha256": _sha256_file(target),
                "encrypted": encrypted,
            }
        )
    report(f"objects: {len(objects)}")
    keys = _write_keys(folder / "keys") if include_keys else []
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {
            "vendor": connection.vendor,
            "file": "database.jsonl",
            "sha256": _sha256_file(folder / "database.jsonl"),
            "rows": counts,
            "migrations": [f"{app}.{name}" for app, name in migrations],
        },
        "objects": objects,
        "keys": {name: _sha256_file(folder / "keys" / name) for name in keys},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


# -- restore -------------------------------------------------------------------------------------------


def verify(directory: str | Path) -> list[str]:
    """Every problem of a backup folder (missing files, checksum mismatches); empty when intact."""
    folder = Path(directory)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return [f"{folder}: no readable manifest.json"]
    if manifest.get("format") != FORMAT:
        return [f"{folder}: unknown backup format {manifest.get('format')!r}"]
    problems = []
    files = [(manifest["database"]["file"], manifest["database"]["sha256"])]
    files += [(f"objects/{entry['name']}", entry["sha256"]) for entry in manifest["objects"]]
    files += [(f"keys/{name}", digest) for name, digest in manifest.get("keys", {}).items()]
    for relative, digest in files:
        path = folder / relative
        if not path.is_file():
            problems.append(f"missing: {relative}")
        elif _sha256_file(path) != digest:
            problems.append(f"checksum mismatch: {relative}")
    return problems


def _is_empty_installation() -> bool:
    from jcportal.documents.models import Document
    from jcportal.households.models import Household

    if Document.objects.exists() or Household.objects.exists():
        return False
    return next(iter(storage.iter_names()), None) is None


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _restore_keys(folder: Path) -> int:
    from django.conf import settings

    from jcportal.core.crypto.providers import LocalMasterKey, _decode_key, _fingerprint, _write_secret
    from jcportal.core.models import DataKey

    master = folder / "master.key"
    if master.exists():
        key = _decode_key(master.read_text())
        present = LocalMasterKey()._candidates()
        if not present:
            _write_secret(Path(settings.VAR_DIR) / "master.key", base64.b64encode(key).decode() + "\n")
        elif _fingerprint(key) not in {_fingerprint(k) for k in present}:
            raise BackupError("a different master key is installed: remove it or restore without its key")
    rows = json.loads((folder / "data-keys.json").read_text())
    DataKey.objects.bulk_create(
        [
            DataKey(
                id=uuid.UUID(row["id"]),
                household_id=row["household_id"],
                provider=row["provider"],
                kek_id=row["kek_id"],
                wrapped=base64.b64decode(row["wrapped"]),
                rotated_at=dt.datetime.fromisoformat(row["rotated_at"]) if row["rotated_at"] else None,
                destroyed_at=dt.datetime.fromisoformat(row["destroyed_at"]) if row["destroyed_at"] else None,
            )
            for row in rows
        ]
    )
    created = {uuid.UUID(row["id"]): dt.datetime.fromisoformat(row["created_at"]) for row in rows}
    for key_id, at in created.items():  # auto_now_add ignores the given value
        DataKey.objects.filter(pk=key_id).update(created_at=at)
    return len(rows)


def restore(directory: str | Path, keys: str | Path | None = None, report: Report = _quiet) -> dict[str, Any]:
    """Rebuild an empty installation from a backup folder (and its key material)."""
    from jcportal.casework import search
    from jcportal.core.models import DataKey

    folder = Path(directory)
    problems = verify(folder)
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems[:5]))
    manifest = json.loads((folder / "manifest.json").read_text())
    key_folder = Path(keys) if keys else folder / "keys"
    if not (key_folder / "data-keys.json").exists():
        raise BackupError(f"no key material in {key_folder}: give the key backup with --keys")
    call_command("migrate", interactive=False, verbosity=0)
    if not _is_empty_installation():
        raise BackupError("this installation is not empty: restore only into a new one")
    models = backed_up_models()
    with transaction.atomic(), crypto.sealed_values():
        # what migrate seeded (content types, permissions, groups, defaults) is replaced by the backup's
        with connection.cursor() as cursor:
            for model in reversed(models):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            for model in models:
                for field in model._meta.local_many_to_many:
                    through = field.remote_field.through._meta.db_table
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(through)}")  # noqa: S608
        DataKey.objects.all().delete()
        key_count = _restore_keys(key_folder)
        rows = 0
        batch: list[dict[str, Any]] = []
        for row in _rows(folder / manifest["database"]["file"]):
            batch.append(row)
            if len(batch) >= 500:
                rows += _load(batch)
                batch = []
        rows += _load(batch)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    report(f"database: {rows} rows, {key_count} data key(s)")
    for entry in manifest["objects"]:
        with (folder / "objects" / entry["name"]).open("rb") as source:
            storage.save_raw(entry["name"], source)
    report(f"objects: {len(manifest['objects'])}")
    crypto.forget_cached_keys()
    indexed = search.index_missing()
    report(f"search index: {indexed} document(s)")
    return manifest


def _load(batch: list[dict[str, Any]]) -> int:
    count = 0
    for item in serializers.deserialize(
        "python", batch, ignorenonexistent=True, handle_forward_references=True
    ):
        item.save()
        count += 1
    return count
