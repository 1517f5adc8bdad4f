"""The full-text index: one selector, SQLite FTS5 or PostgreSQL full-text search by ``connection.vendor``."""

import pytest
from django.db import connection

from jcportal.casework import search
from jcportal.documents.models import Document
from jcportal.inbox.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def found(query: str, household) -> set[str]:  # type: ignore[no-untyped-def]
    return set(
        search.matching_documents(Document.objects.filter(household=household), query).values_list(
            "title", flat=True
        )
    )


def test_every_word_must_match_prefixes_count_and_other_households_stay_out(household):
    DocumentFactory(household=household, title="Mietvertrag", ocr_text="Vermieter Hausverwaltung Lindenweg")
    DocumentFactory(household=household, title="Kontoauszug", ocr_text="Sparkasse Miete Lindenweg")
    DocumentFactory(title="Fremd", ocr_text="Lindenweg")
    assert found("lindenweg", household) == {"Mietvertrag", "Kontoauszug"}
    assert found("lindenweg hausverw", household) == {"Mietvertrag"}
    assert found("sparkasse", household) == {"Kontoauszug"}
    assert found('"); DROP TABLE x; --', household) == set()  # input is never SQL
    assert found("", household) == {"Mietvertrag", "Kontoauszug"}


def test_deleted_documents_leave_the_index(household):
    document = DocumentFactory(household=household, title="Alt", ocr_text="Einzigartigeswort")
    assert found("einzigartigeswort", household) == {"Alt"}
    Document.objects.filter(pk=document.pk).delete()
    DocumentFactory(household=household, title="Neu", ocr_text="anderes")
    assert found("einzigartigeswort", household) == set()


def test_documents_without_an_index_row_are_indexed_after_migrate(household):
    document = DocumentFactory(household=household, title="Nachzügler", ocr_text="Betriebskosten")
    with connection.cursor() as cursor:  # as after a restore, or a table rebuilt by a migration
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {search.PG_TABLE}")  # noqa: S608
    assert found("betriebskosten", household) == set()
    search.ensure_search_index(using="default")
    assert found("betriebskosten", household) == {"Nachzügler"}
    DocumentFactory(household=household, title="Danach", ocr_text="Betriebskosten")
    assert found("betriebskosten", household) == {"Nachzügler", "Danach"}
    document.ocr_text = "Heizkosten"
    document.save(update_fields=["ocr_text"])
    assert found("betriebskosten", household) == {"Danach"}
    assert found("heizkosten", household) == {"Nachzügler"}


def test_the_searched_columns_are_encrypted_only_the_index_is_searchable(household):
    DocumentFactory(household=household, title="Lohn", ocr_text="Bruttoverdienst", note="Nachreichung")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ocr_text, note FROM documents_document")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "Bruttoverdienst" not in stored and "Nachreichung" not in stored
    assert found("bruttoverdienst", household) == {"Lohn"}
    assert found("nachreichung", household) == {"Lohn"}
