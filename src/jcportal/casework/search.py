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
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction
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


# --- the global search of the back office ---------------------------------------------------------

RESULT_LIMIT = 20
RANK_LIMIT = 1000  # PostgreSQL: matches ranked at most
COMMON_SAMPLE = 2000  # PostgreSQL: index rows sampled to tell a common word from a rare one
COMMON_SHARE = 0.02  # ... a word in at least this share of them is "common"
_PLAIN_SCAN = (("enable_bitmapscan", "off"), ("max_parallel_workers_per_gather", "0"), ("jit", "off"))
_MARK_START, _MARK_END = "\x02", "\x03"  # around matched words in a snippet; never in user text
_BG_NUMBER = re.compile(r"\d{3,5}BG\d*|\d{5}B?G?")
_RECEIPT = re.compile(r"E-[0-9A-Z-]{3,}")
_REFERENCE = re.compile(r"JC-[0-9-]{4,}")


@dataclass(frozen=True)
class HouseholdHit:
    household: Any
    matched: str  # "bg_number", "name" or "date_of_birth"


@dataclass(frozen=True)
class DocumentHit:
    document: Any
    matched: str  # "receipt_number" or "text"
    snippet: str = ""  # HTML-safe, matched words in <mark>
    item_id: int | None = None  # a document without case file: the inbox item the user may work on


@dataclass(frozen=True)
class SubmissionHit:
    submission: Any


@dataclass
class GlobalResults:
    query: str
    kind: str  # what the query looked like: bg_number, receipt_number, reference, date, text
    households: list[HouseholdHit] = field(default_factory=list)
    documents: list[DocumentHit] = field(default_factory=list)
    submissions: list[SubmissionHit] = field(default_factory=list)
    more: bool = False  # more full-text matches than shown

    @property
    def count(self) -> int:
        return len(self.households) + len(self.documents) + len(self.submissions)


def query_kind(query: str) -> str:
    """What a query typed into the search box looks like (decides which lookups run first)."""
    from jcportal.casework.selectors import _parse_date

    compact = "".join(query.split()).upper()
    if _RECEIPT.fullmatch(compact):
        return "receipt_number"
    if _REFERENCE.fullmatch(compact):
        return "reference"
    if _parse_date(query) is not None:
        return "date"
    if _BG_NUMBER.fullmatch(compact):
        return "bg_number"
    return "text"


def global_search(user: Any, query: str) -> GlobalResults:
    """One search over everything the staff member may see: households by BG number, name or date of
    birth, documents by receipt number or full text (ranked, with a highlighted snippet), online-service
    submissions by Vorgangsnummer. Every result comes from ``accounts.policy``'s visible sets."""
    from jcportal.accounts import policy

    query = " ".join((query or "").split())[:100]
    results = GlobalResults(query=query, kind=query_kind(query) if query else "")
    if not query or not policy.is_case_staff(user):
        return results
    compact = "".join(query.split()).upper()
    if results.kind == "receipt_number":
        results.documents = _documents_by_receipt_number(user, compact)
    elif results.kind == "reference":
        results.submissions = _submissions_by_reference(user, compact)
    elif results.kind == "date":
        results.households = _households(user, query, results.kind)
    else:
        results.households = _households(user, query, results.kind)
        if results.kind == "text":
            results.documents, results.more = _documents_by_text(user, query)
    return results


def _households(user: Any, query: str, kind: str) -> list[HouseholdHit]:
    from django.db.models import OuterRef, Subquery

    from jcportal.accounts import policy
    from jcportal.casework.selectors import _parse_date
    from jcportal.households.models import Person

    head = Person.objects.filter(household=OuterRef("pk"), is_head=True)
    visible = policy.visible_households(user).annotate(
        head_first_name=Subquery(head.values("first_name")[:1]),
        head_last_name=Subquery(head.values("last_name")[:1]),
        head_date_of_birth=Subquery(head.values("date_of_birth")[:1]),
    )
    if kind == "date":
        people = Person.objects.filter(date_of_birth=_parse_date(query) or "").values("household_id")
        by_birth = visible.filter(pk__in=people).order_by("bg_number")[:RESULT_LIMIT]
        return [HouseholdHit(h, "date_of_birth") for h in by_birth]
    compact = "".join(query.split()).upper()
    if kind == "bg_number":
        by_number = visible.filter(bg_number__startswith=compact).order_by("bg_number")[:RESULT_LIMIT]
        return [HouseholdHit(h, "bg_number") for h in by_number]
    words = terms(query)[:4]
    if not words:
        return []
    condition = Q()
    for word in words:  # every word names somebody of the household ("Anna Müller")
        condition &= Q(
            pk__in=Person.objects.filter(
                Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(birth_name__icontains=word)
            ).values("household_id")
        )
    found = list(visible.filter(condition).order_by("bg_number")[: RESULT_LIMIT * 3])
    lowered = [w.lower() for w in words]

    def rank(household: Any) -> tuple[int, str]:  # the head's own name first, exact before partial
        last = (household.head_last_name or "").lower()
        first = (household.head_first_name or "").lower()
        if last in lowered:
            return (0, household.bg_number)
        if first in lowered or any(last.startswith(w) for w in lowered):
            return (1, household.bg_number)
        return (2, household.bg_number)

    return [HouseholdHit(h, "name") for h in sorted(found, key=rank)[:RESULT_LIMIT]]


def _documents_by_receipt_number(user: Any, number: str) -> list[DocumentHit]:
    from jcportal.accounts import policy
    from jcportal.documents.models import Document
    from jcportal.inbox.models import InboxItem

    document = (
        policy.visible_documents(user)
        .filter(receipt_number=number)
        .select_related("household")
        .defer("ocr_text", "note")
        .first()
    )
    if document is not None:
        return [DocumentHit(document, "receipt_number")]
    # not in a visible case file (yet): an inbox item of it the user works on (clearing, forwarding)
    items = InboxItem.objects.filter(document__receipt_number=number).select_related("document", "household")
    for item in items[:20]:
        if policy.can_work_on_item(user, item) and item.document.status != Document.Status.QUARANTINED:
            return [DocumentHit(item.document, "receipt_number", item_id=item.pk)]
    return []


def _submissions_by_reference(user: Any, reference: str) -> list[SubmissionHit]:
    from jcportal.accounts import policy

    found = (
        policy.visible_submissions(user)
        .filter(reference=reference)
        .exclude(status="draft", application_date__isnull=True)
        .select_related("household")
    )
    return [SubmissionHit(s) for s in found[:1]]


def _documents_by_text(user: Any, query: str) -> tuple[list[DocumentHit], bool]:
    """The best full-text matches among the documents the user may see, ranked by the index
    (FTS5 bm25 / PostgreSQL ts_rank_cd), each with a snippet around the matched words."""
    from jcportal.accounts import policy
    from jcportal.documents.models import Document

    words = terms(query)
    if not words:
        return [], False
    # staff see the documents of their visible households (``policy.visible_documents``); the matches are
    # joined to their documents by key, not the other way round (that would read every visible document)
    households_sql, households_params = (
        policy.visible_households(user).order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " ".join('"{}"*'.format(word.replace('"', "")) for word in words)
            cursor.execute(
                f"SELECT k.document_id, snippet({FTS_TABLE}, -1, char(2), char(3), '…', 16) "
                f"FROM {FTS_TABLE} f JOIN {KEY_TABLE} k ON k.id = f.rowid "
                "JOIN documents_document d ON d.id = k.document_id "
                f"WHERE {FTS_TABLE} MATCH %s AND d.household_id IN ({households_sql}) "
                f"ORDER BY bm25({FTS_TABLE}, 10.0, 1.0, 5.0) LIMIT %s",
                [match, *households_params, RESULT_LIMIT + 1],
            )
            rows = cursor.fetchall()
        elif connection.vendor == "postgresql":
            # ranking reads every matched vector: rank at most RANK_LIMIT matches, so a word in every
            # document costs no more than a page (bench/search.py)
            tsquery = " & ".join(f"{word}:*" for word in words)
            candidates = _pg_candidates(cursor, tsquery, households_sql, households_params)
            cursor.execute(
                f"SELECT e.document_id, NULL FROM {PG_TABLE} e, to_tsquery('german'::regconfig, %s) q "
                "WHERE e.document_id = ANY(%s) "
                "ORDER BY ts_rank_cd(e.vector, q) DESC, e.document_id LIMIT %s",
                [tsquery, candidates[:RANK_LIMIT], RESULT_LIMIT + 1],
            )
            rows = cursor.fetchall()
            if len(candidates) > RANK_LIMIT:
                rows.append((None, None))  # "more" than shown
        else:
            raise NotImplementedError(connection.vendor)
    more = len(rows) > RESULT_LIMIT or any(row[0] is None for row in rows)
    rows = [row for row in rows if row[0] is not None][:RESULT_LIMIT]
    pk_field = Document._meta.pk
    ids = [pk_field.to_python(row[0]) for row in rows]
    documents = Document.objects.filter(pk__in=ids).select_related("household").in_bulk()
    ordered = [documents[pk] for pk in ids if pk in documents]
    if connection.vendor == "sqlite":
        snippets = [row[1] or "" for row in rows if pk_field.to_python(row[0]) in documents]
    else:
        snippets = _pg_headlines(ordered, " & ".join(f"{word}:*" for word in words))
    return [
        DocumentHit(document, "text", snippet=_marked(text))
        for document, text in zip(ordered, snippets, strict=True)
    ], more


def _pg_is_common(cursor: Any, tsquery: str) -> bool:
    """Whether the query matches at least ``COMMON_SHARE`` of a sample of the index's rows.

    The planner cannot estimate prefix queries (``lohnabrechn:*``) and takes the GIN index for every word;
    for a word in most documents that reads the whole posting list (a quarter or all of a million
    entries) before the first match is returned. A sample of the first rows on disk costs a few
    milliseconds and tells the two cases apart."""
    cursor.execute(
        "SELECT count(*) FILTER (WHERE s.vector @@ to_tsquery('german'::regconfig, %s)), count(*) "
        f"FROM (SELECT vector FROM {PG_TABLE} LIMIT %s) s",
        [tsquery, COMMON_SAMPLE],
    )
    matched, sampled = cursor.fetchone()
    return bool(sampled) and matched >= sampled * COMMON_SHARE


def _pg_candidates(cursor: Any, tsquery: str, households_sql: str, households_params: Any) -> list[Any]:
    """Up to RANK_LIMIT + 1 ids of visible matching documents: from the GIN index for rare words, from
    a plain scan that stops at the limit for words in many documents (no bitmap, no parallel workers,
    no JIT: each would cost more than the few thousand rows such a scan reads)."""
    sql = (
        f"SELECT e.document_id FROM {PG_TABLE} e JOIN documents_document d ON d.id = e.document_id "
        "WHERE e.vector @@ to_tsquery('german'::regconfig, %s) "
        f"AND d.household_id IN ({households_sql}) LIMIT %s"
    )
    params = [tsquery, *households_params, RANK_LIMIT + 1]
    if not _pg_is_common(cursor, tsquery):
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
    with transaction.atomic(using=cursor.db.alias):
        for name, value in _PLAIN_SCAN:
            cursor.execute(f"SET LOCAL {name} = {value}")
        try:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
        finally:  # inside a caller's transaction the settings would outlive this query
            for name, _ in _PLAIN_SCAN:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def _pg_headlines(documents: list[Any], tsquery: str) -> list[str]:
    """ts_headline over the decrypted text of the shown documents (the index keeps only lexemes)."""
    if not documents:
        return []
    texts = [f"{d.title}. {d.ocr_text or ''} {d.note or ''}" for d in documents]
    options = f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=24, MinWords=8, MaxFragments=2"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline('german'::regconfig, u.t, to_tsquery('german'::regconfig, %s), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n) ORDER BY u.n",
            [tsquery, options, texts],
        )
        return [row[0] for row in cursor.fetchall()]


def _marked(text: str) -> str:
    """The snippet as safe HTML: everything escaped, the index's markers turned into <mark>."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    html = escape(" ".join(text.split()))
    return mark_safe(html.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))  # noqa: S308
