"""Which household's data key protects a document's stored objects (``core.storage`` asks).

Every object of a document lives under ``<folder>/<document id>/…``; the document's household decides
(``None``, the system key, while the document waits in clearing)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from jcportal.core import fields, storage
from jcportal.core.storage import household_resolvers

DOCUMENT_FOLDERS = ("originals", "documents", "thumbnails", "work", "previews")


def household_of_object(name: str) -> int | None:
    from .models import Document

    parts = name.split("/")
    if len(parts) < 3:
        return None
    try:
        document_id = uuid.UUID(parts[1])
    except ValueError:
        return None
    found = Document.objects.filter(pk=document_id).values_list("household_id", flat=True).first()
    return int(found) if found is not None else None


for _folder in DOCUMENT_FOLDERS:
    household_resolvers.add(_folder, household_of_object, replace=True)


def rekey_document(document_id: uuid.UUID | str) -> int:
    """After a document moved into a household (from clearing, or with a converted application):
    encrypt its stored objects and columns again with that household's data key, so that destroying
    the household's key shreds them too. Call it after the commit (``transaction.on_commit``); whatever
    it did not reach, ``manage.py encrypt_existing`` does later. Returns the number of objects changed."""
    from .models import Document

    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return 0
    changed = 0
    for folder in DOCUMENT_FOLDERS:
        for name in list(storage.iter_names(f"{folder}/{document.pk}")):
            changed += storage.rekey(name)
    fields.reseal(document)
    return changed


def rekey_after_commit(document_ids: list[Any], *rows: Any) -> None:
    """``rekey_document`` for each document and ``core.fields.reseal`` for each row, once the current
    transaction (which may have created the household and its key) has committed."""

    def run() -> None:
        for document_id in document_ids:
            rekey_document(document_id)
        for row in rows:
            fields.reseal(row)

    transaction.on_commit(run)
