# ruff: noqa: S608, S611  (SQL built only from module constants; user input is always a bound parameter)
"""Full-text search over the case file: OCR text and metadata of documents, plus tags.

- SQLite (the embedded default): an FTS5 table ``casework_document_fts`` kept in step with
  ``documents_document`` by triggers. FTS5 needs an integer rowid and documents have UUIDs, so
  ``casework_search_key`` maps each document to a stable integer.
- PostgreSQL: a GIN index over ``to_tsvector('german', …)`` of the same columns.

Both are (re)created idempotently after every ``migrate`` (``post_migrate``): a later migration of the
documents app that rebuilds the table (SQLite drops triggers then) cannot silently break search.
``matching_documents`` is the one selector; it picks the implementation by ``connection.vendor``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

FTS_TABLE = "casework_document_fts"
KEY_TABLE = "casework_search_key"
PG_INDEX = "casework_document_fulltext"
PG_DOCUMENT = (
    "to_tsvector('german'::regconfig, coalesce(title, '') || ' ' || coalesce(note, '') || ' ' || "
    "coalesce(ocr_text, '') || ' ' || coalesce(receipt_number, '') || ' ' || coalesce(doc_type, ''))"
)
_META = (
    "coalesce(new.note, '') || ' ' || coalesce(new.receipt_number, '') || ' ' || coalesce(new.doc_type, '')"
)
_KEY_OF_NEW = f"(SELECT id FROM {KEY_TABLE} WHERE document_id = new.id)"
_KEY_OF_OLD = f"(SELECT id FROM {KEY_TABLE} WHERE document_id = old.id)"

SQLITE_SETUP = [
    f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, document_id TEXT NOT NULL UNIQUE)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, meta, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER IF NOT EXISTS casework_fts_insert AFTER INSERT ON documents_document BEGIN
        INSERT OR IGNORE INTO {KEY_TABLE}(document_id) VALUES (new.id);
        INSERT INTO {FTS_TABLE}(rowid, title, body, meta)
            VALUES ({_KEY_OF_NEW}, new.title, coalesce(new.ocr_text, ''), {_META});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS casework_fts_update
        AFTER UPDATE OF title, note, ocr_text, receipt_number, doc_type ON documents_document BEGIN
        INSERT OR IGNORE INTO {KEY_TABLE}(document_id) VALUES (new.id);
        DELETE FROM {FTS_TABLE} WHERE rowid = {_KEY_OF_NEW};
        INSERT INTO {FTS_TABLE}(rowid, title, body, meta)
            VALUES ({_KEY_OF_NEW}, new.title, coalesce(new.ocr_text, ''), {_META});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS casework_fts_delete AFTER DELETE ON documents_document BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = {_KEY_OF_OLD};
        DELETE FROM {KEY_TABLE} WHERE document_id = old.id;
    END""",
    # documents added while the triggers were missing (first install, table rebuilt by a migration)
    f"INSERT OR IGNORE INTO {KEY_TABLE}(document_id) SELECT id FROM documents_document",
    f"""INSERT INTO {FTS_TABLE}(rowid, title, body, meta)
        SELECT k.id, d.title, coalesce(d.ocr_text, ''),
               coalesce(d.note, '') || ' ' || coalesce(d.receipt_number, '') || ' ' || coalesce(d.doc_type, '')
        FROM documents_document d JOIN {KEY_TABLE} k ON k.document_id = d.id
        WHERE k.id NOT IN (SELECT rowid FROM {FTS_TABLE})""",
]
POSTGRES_SETUP = [f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON documents_document USING GIN ({PG_DOCUMENT})"]


def ensure_search_index(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Create the full-text index if it is missing (idempotent; connected to ``post_migrate``)."""
    conn = connections[using]
    if "documents_document" not in conn.introspection.table_names():
        return
    statements = {"sqlite": SQLITE_SETUP, "postgresql": POSTGRES_SETUP}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


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
            f"SELECT id FROM documents_document WHERE {PG_DOCUMENT} @@ to_tsquery('german'::regconfig, %s)",
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
