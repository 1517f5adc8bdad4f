"""Encrypted model fields for social data (OCR text, notes, IBAN, form answers).

A value is stored as ``jce1:`` + base64(data key id | nonce | AES-256-GCM ciphertext), with the
column (``app_label.model.field``) as associated data, so a value cannot be copied into another
column. The key is the data key of the row's household (``household_attr`` names the attribute that
holds the household id, e.g. ``"household_id"``, or ``"pk"`` on the household itself); rows without a
household use the system key and are re-encrypted with the household's key when they are saved
with one (and right after the first save of a household). Destroying the household's key
(``core.crypto.destroy_household_key``) makes these values unreadable: they read as the empty value.

Reading needs no context (the value names its key). Values written before encryption are read as
they are (``manage.py encrypt_existing`` encrypts them). Encrypted columns cannot be filtered or
searched in the database; the full-text index (``casework.search``) is the one searchable form.
``QuerySet.update()`` has no row to look at: it uses ``crypto.household_scope`` if one is set, else
the system key – write such columns with ``save()`` or inside a scope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import connections, models
from django.db.models.signals import post_save

from jcportal.core import crypto

logger = logging.getLogger(__name__)


class _Scoped:
    """A value on its way to the database with the household whose key encrypts it."""

    __slots__ = ("household_id", "value")

    def __init__(self, value: Any, household_id: int | None) -> None:
        self.value = value
        self.household_id = household_id


class EncryptedMixin:
    empty: Any = ""

    def __init__(self, *args: Any, household_attr: str = "household_id", **kwargs: Any) -> None:
        self.household_attr = household_attr
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self.household_attr != "household_id":
            kwargs["household_attr"] = self.household_attr
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)  # type: ignore[misc]
        if not cls._meta.abstract:
            post_save.connect(
                _rekey_after_create, sender=cls, weak=False, dispatch_uid=f"jce-{cls._meta.label}"
            )

    @property
    def aad(self) -> str:
        model = self.model  # type: ignore[attr-defined]
        return f"{model._meta.label_lower}.{self.name}"  # type: ignore[attr-defined]

    def household_of(self, instance: Any) -> int | None:
        value = instance
        for part in self.household_attr.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return int(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        return _Scoped(value, self.household_of(model_instance))

    def _seal(self, text: str, value: Any) -> str:
        household_id = None
        if isinstance(value, _Scoped):
            household_id = value.household_id
        else:
            explicit, scoped = crypto.scoped_household()
            household_id = scoped if explicit else None
        return crypto.encrypt_text(text, household_id, self.aad)

    def _open(self, stored: str) -> str | None:
        try:
            return crypto.decrypt_text(stored, self.aad)
        except crypto.KeyDestroyed:
            return None


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A TextField stored encrypted; empty strings stay empty (no key needed)."""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        raw = value.value if isinstance(value, _Scoped) else value
        if raw is None or raw == "" or not crypto.enabled() or crypto.is_encrypted_text(raw):
            return raw
        return self._seal(str(raw), value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not crypto.is_encrypted_text(value) or crypto.reading_sealed():
            return value
        opened = self._open(value)
        return "" if opened is None else opened


class EncryptedCharField(EncryptedTextField):
    """Short secrets such as an IBAN: a text column (the ciphertext is longer than the value); the
    form field keeps ``max_length``."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.value_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.value_max_length is not None:
            kwargs["max_length"] = self.value_max_length
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        defaults = {"max_length": self.value_max_length, "widget": forms.TextInput}
        defaults.update(kwargs)
        return super().formfield(**defaults)  # type: ignore[misc,arg-type,index,return-value,assignment]


class EncryptedJSONField(EncryptedMixin, models.JSONField):
    """A JSONField whose whole value is stored encrypted, as one JSON string (same column type)."""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        raw = value.value if isinstance(value, _Scoped) else value
        if raw is None or not crypto.enabled() or crypto.is_encrypted_text(raw):
            return super().get_db_prep_value(raw, connection, prepared)
        if hasattr(raw, "resolve_expression"):
            return super().get_db_prep_value(raw, connection, prepared)
        sealed = self._seal(json.dumps(raw, cls=self.encoder, separators=(",", ":")), value)
        return connection.ops.adapt_json_value(sealed, None)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.get_db_prep_value(value, connection, prepared=False)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        decoded = super().from_db_value(value, expression, connection)
        if not crypto.is_encrypted_text(decoded) or crypto.reading_sealed():
            return decoded
        opened = self._open(decoded)
        if opened is None:
            return self.get_default()
        return json.loads(opened, cls=self.decoder)


def _rekey_after_create(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A row whose household was only known after the insert (the household row itself): encrypt its
    columns once more with the household's key instead of the system key."""
    if not created or raw or not crypto.enabled():
        return
    changes = {}
    for field in sender._meta.concrete_fields:
        if not isinstance(field, EncryptedMixin) or field.household_attr != "pk":
            continue
        value = getattr(instance, field.attname)
        if value in (None, "", {}, []):
            continue
        changes[field.attname] = _Scoped(value, field.household_of(instance))
    if changes:
        sender._base_manager.filter(pk=instance.pk).update(**changes)


def encrypted_fields(model: Any) -> list[EncryptedMixin]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]


def _stored_text(raw: Any) -> str:
    """A column's stored value as text (a JSON column holds the ciphertext as a JSON string)."""
    if raw is None:
        return ""
    if isinstance(raw, bytes | memoryview):
        raw = bytes(raw).decode()
    text = raw if isinstance(raw, str) else json.dumps(raw)
    return text[1:] if text.startswith('"') else text


def _needs_sealing(stored: str, household_id: int | None) -> bool:
    """Plaintext, or ciphertext under another live key than the row's household's (the row moved from
    clearing into a household after its columns were written)."""
    if not crypto.is_encrypted_text(stored):
        return stored not in ("", "null")
    key_id = crypto.text_key_id(stored.rstrip('"'))
    try:
        crypto.raw_key(key_id)  # type: ignore[arg-type]
    except crypto.KeyDestroyed:
        return False  # shredded: nothing to re-seal, ever
    return key_id != crypto.key_for_scope(household_id)[0]


def seal_rows(
    model: Any, using: str = "default", batch: int = 200, progress: Callable[[int], None] | None = None
) -> int:
    """Encrypt every plaintext value of ``model``'s encrypted columns with its row's household key.

    Resumable and idempotent: values already encrypted with the right key are left alone (never
    encrypted twice), so an interrupted run simply continues where it stopped. Used by the
    migrations that introduced the encrypted columns and by ``manage.py encrypt_existing``.
    Returns the number of rows changed."""
    fields = encrypted_fields(model)
    if not fields or not crypto.enabled():
        return 0
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk_column = model._meta.db_table, model._meta.pk.column
    columns = ", ".join(quote(field.column) for field in fields)
    changed, last = 0, None
    manager = model._base_manager.db_manager(using)
    while True:
        where = f"WHERE {quote(pk_column)} > %s " if last is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(pk_column)}, {columns} FROM {quote(table)} {where}"  # noqa: S608
                f"ORDER BY {quote(pk_column)} LIMIT {int(batch)}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return changed
        last = rows[-1][0]
        for row in rows:
            changed += _seal_row(model, fields, manager, row)
        if progress is not None:
            progress(changed)


def _seal_row(model: Any, fields: list[EncryptedMixin], manager: Any, row: Any) -> int:
    stored = [_stored_text(value) for value in row[1:]]
    if not any(stored):
        return 0
    pk = model._meta.pk.to_python(row[0])
    instance = manager.get(pk=pk)
    updates = {}
    for field, text in zip(fields, stored, strict=True):
        household_id = field.household_of(instance)
        if _needs_sealing(text, household_id):
            updates[field.attname] = _Scoped(getattr(instance, field.attname), household_id)
    if updates:
        manager.filter(pk=pk).update(**updates)
    return 1 if updates else 0


def reseal(instance: Any) -> bool:
    """Encrypt a saved row's columns again where they are plaintext or under another key than its
    household's (it moved into a household with ``update()`` or ``save(update_fields=…)``). Run it after
    the commit that created the household's key. Returns whether the row changed."""
    model = type(instance)
    fields = encrypted_fields(model)
    if not fields or not crypto.enabled():
        return False
    using = instance._state.db or "default"
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(model._meta.pk.column)}, {columns} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [model._meta.pk.get_db_prep_value(instance.pk, connection)],
        )
        row = cursor.fetchone()
    return bool(row) and bool(_seal_row(model, fields, model._base_manager.db_manager(using), row))


def seal_rows_migration(app_label: str, model_name: str) -> Callable[[Any, Any], None]:
    """A ``RunPython`` operation's function: encrypt the existing rows of one model."""

    def run(apps: Any, schema_editor: Any) -> None:
        seal_rows(apps.get_model(app_label, model_name), using=schema_editor.connection.alias)

    return run
