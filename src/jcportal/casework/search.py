# ruff: noqa: S608, S611  (SQL built only from module constants; user input is always a bound parameter)
"""Full-text search over the case file: OCR text and metadata of documents, plus tags.

The searched columns (OCR text, the note to the caseworker) are encrypted at rest (``core.fields``,
docs/security.md), so the database cannot index them itself: the application writes the index, on
every save of a document (``index_document``, connected to ``post_save``), from the decrypted values.
This index is the one derived form of social data that stays searchable in the database.

- SQLite (the embedded default): an FTS5 table ``casework_document_fts``. FTS5 needs an integer rowid
  and documents have UUIDs, so ``casework_search_key`` maps each document to a stable integer; a
  trigger removes a deleted document's row.
- PostgreSQL: a table ``casework_search_entry`` of one ``tsvector`` (German) per document with a GIN
  index; only the lexemes are stored, not the text.

Both are (re)created idempotently after every ``migrate`` (``post_migrate``), and documents that have
no index row yet (first install, restore, documents written while the index was missing) are indexed
then. ``matching_documents`` is the one selector; it picks the implementation by ``connection.vendor``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)

FTS_TABLE = "casework_document_fts"
KEY_TABLE = "casework_search_key"
PG_TABLE = "casework_search_entry"
INDEXED_FIELDS = {"title", "note", "ocr_text", "receipt_number", "doc_type"}
_KEY_OF_OLD = f"(SELECT id FROM {KEY_TABLE} WHERE document_id = old.id)"

SQLITE_SETUP = [
    f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, document_id TEXT NOT NULL UNIQUE)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, meta, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    # the triggers of installations before encryption read the columns themselves
    "DROP TRIGGER IF EXISTS casework_fts_insert",
    "DROP TRIGGER IF EXISTS casework_fts_update",
    f"""CREATE TRIGGER IF NOT EXISTS casework_fts_delete AFTER DELETE ON documents_document BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = {_KEY_OF_OLD};
        DELETE FROM {KEY_TABLE} WHERE document_id = old.id;
    END""",
]
POSTGRES_SETUP = [
    "DROP INDEX IF EXISTS casework_document_fulltext",  # over the columns, before encryption
    f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (document_id uuid PRIMARY KEY, vector tsvector NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_vector ON {PG_TABLE} USING GIN (vector)",
]
_UNINDEXED = {
    "sqlite": f"SELECT id FROM documents_document WHERE id NOT IN (SELECT k.document_id FROM {KEY_TABLE} k "
    f"JOIN {FTS_TABLE} f ON f.rowid = k.id)",
    "postgresql": f"SELECT id FROM documents_document WHERE id NOT IN (SELECT document_id FROM {PG_TABLE})",
}


def ensure_search_index(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Create the full-text index if it is missing and index documents that have no row yet
    (idempotent; connected to ``post_migrate``)."""
    conn = connections[using]
    if "documents_document" not in conn.introspection.table_names():
        return
    statements = {"sqlite": SQLITE_SETUP, "postgresql": POSTGRES_SETUP}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    if conn.vendor in _UNINDEXED:
        index_missing(using)


def index_missing(using: str = "default") -> int:
    """Index every document without an index row; returns how many (needs the data keys)."""
    from jcportal.core.crypto import KeyUnavailable
    from jcportal.documents.models import Document

    conn = connections[using]
    with conn.cursor() as cursor:
        cursor.execute(_UNINDEXED[conn.vendor])
        ids = [row[0] for row in cursor.fetchall()]
    count = 0
    fields = ("id", *sorted(INDEXED_FIELDS))
    try:
        for start in range(0, len(ids), 200):
            for document in (
                Document.objects.using(using).filter(pk__in=ids[start : start + 200]).only(*fields)
            ):
                index_document(document, using=using)
                count += 1
    except KeyUnavailable as error:  # the master key is missing: indexed once it is back (next migrate)
        logger.warning("full-text index incomplete: %s", error)
    return count


def index_document(document: Any, using: str | None = None) -> None:
    """Write the document's row of the full-text index from its (decrypted) text and metadata."""
    conn = connections[using or document._state.db or "default"]
    document_id = type(document)._meta.pk.get_db_prep_value(document.pk, conn)
    title = document.title or ""
    body = document.ocr_text or ""
    meta = " ".join(str(part or "") for part in (document.note, document.receipt_number, document.doc_type))
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"INSERT OR IGNORE INTO {KEY_TABLE}(document_id) VALUES (%s)", [document_id])
            cursor.execute(f"SELECT id FROM {KEY_TABLE} WHERE document_id = %s", [document_id])
            rowid = cursor.fetchone()[0]
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [rowid])
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, title, body, meta) VALUES (%s, %s, %s, %s)",
                [rowid, title, body, meta],
            )
        elif conn.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {PG_TABLE}(document_id, vector) "
                "VALUES (%s, to_tsvector('german'::regconfig, %s)) "
                "ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector",
                [document_id, f"{title} {meta} {body}"],
            )


def unindex_document(document: Any, using: str | None = None) -> None:
    conn = connections[using or document._state.db or "default"]
    if conn.vendor == "postgresql":  # SQLite: the delete trigger
        with conn.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PG_TABLE} WHERE document_id = %s", [document.pk])


def on_document_saved(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw:  # loaddata / restore: the values are still sealed; restore indexes afterwards
        return
    if update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    index_document(instance, using=kwargs.get("using"))


def on_document_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    unindex_document(instance, using=kwargs.get("using"))


def terms(query: str) -> list[str]:
    return re.findall(r"\w+", query or "")[:10]


def _fts_subquery(words: list[str]) -> RawSQL:
    if connection.vendor == "sqlite":
        match = " ".join('"{}"*'.format(word.replace('"', "")) for word in words)
        return RawSQL(
            f"SELECT k.document_id FROM {KEY_TABLE} k JOIN {FTS_TABLE} f ON f.rowid = k.id "
            f"WHERE {FTS_TABLE} MATCH %s",
            [match],
        )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        return RawSQL(
            f"SELECT document_id FROM {PG_TABLE} WHERE vector @@ to_tsquery('german'::regconfig, %s)",
            [tsquery],
        )
    raise NotImplementedError(connection.vendor)


def matching_documents(documents: QuerySet, query: str) -> QuerySet:
    """Narrow ``documents`` to those whose text, metadata or tags match every word of ``query``."""
    words = terms(query)
    if not words:
        return documents
    condition = Q(pk__in=_fts_subquery(words))
    tag_condition = Q()
    for word in words:
        tag_condition &= Q(casework_tags__tag__name__icontains=word)
    return documents.filter(condition | Q(pk__in=documents.filter(tag_condition).values("pk")))
