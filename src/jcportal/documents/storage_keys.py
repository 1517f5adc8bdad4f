"""Which household's data key protects a document's stored objects (``core.storage`` asks).

Every object of a document lives under ``<folder>/<document id>/…``; the document's household decides
(``None``, the system key, while the document waits in clearing)."""

from __future__ import annotations

import uuid

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
