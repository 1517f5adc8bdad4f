"""The inbox page runs a constant number of SQL queries, whether it holds 10, 200 or 100,000 items."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jcportal.documents.models import Document
from jcportal.households.tests.factories import PersonFactory
from jcportal.inbox.models import InboxItem

pytestmark = pytest.mark.django_db

DOC_TYPES = ["kontoauszug", "mietvertrag", "lohnabrechnung", "au_bescheinigung"]


def seed(household, caseworker, count: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    documents = [
        Document(
            id=uuid.uuid4(),
            household=household,
            doc_type=DOC_TYPES[n % 4],
            title=f"Dokument {n}",
            status=Document.Status.DELIVERED,
            receipt_number=f"E-BENCH-{n:09d}",
            received_at=now - timezone.timedelta(minutes=n),
        )
        for n in range(start, start + count)
    ]
    Document.objects.bulk_create(documents, batch_size=5000)
    items = [
        InboxItem(
            document=d,
            household=household,
            doc_type=d.doc_type,
            received_at=d.received_at,
            assignee=caseworker,
            team_id=caseworker.team_id,
            state=InboxItem.State.NEW if n % 3 else InboxItem.State.OPEN,
            reason_steps=[
                {"code": "explicit_caseworker", "params": {"person": "X", "bg": household.bg_number}}
            ],
        )
        for n, d in enumerate(documents)
    ]
    InboxItem.objects.bulk_create(items, batch_size=5000)


def _clone(model, template_pk, count: int, overrides: dict[str, str], params: list) -> None:  # type: ignore[no-untyped-def]
    """Insert ``count`` copies of one row in a single SQL statement (fast on SQLite and PostgreSQL).

    ``overrides`` maps column names to SQL expressions over ``t`` (the template row) and ``seq.n``.
    Columns are read from the model, so fields added later are copied from the template row.
    """
    table = model._meta.db_table
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.column not in overrides) and not f.generated
    ]
    select = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    column_list = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "  # noqa: S608
            f'INSERT INTO "{table}" ({column_list}) SELECT {select} FROM seq, "{table}" t WHERE t.id = %s',
            [count - 1, *params, template_pk],
        )


def seed_fast(household, caseworker, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` documents with one inbox item each: one created through the ORM, the rest cloned in SQL."""
    seed(household, caseworker, 1, start=0)
    template = InboxItem.objects.select_related("document").get(document__receipt_number="E-BENCH-000000000")
    sqlite = connection.vendor == "sqlite"
    uuid_sql = "lower(hex(randomblob(16)))" if sqlite else "md5(random()::text || seq.n)::uuid"
    minus = (
        "datetime(t.received_at, '-' || seq.n || ' minutes')"
        if sqlite
        else "t.received_at - seq.n * interval '1 minute'"
    )
    concat_receipt = (
        "'E-BULK-' || printf('%%09d', seq.n)" if sqlite else "'E-BULK-' || lpad(seq.n::text, 9, '0')"
    )
    doc_type = "CASE seq.n %% 4 WHEN 0 THEN 'kontoauszug' WHEN 1 THEN 'mietvertrag' WHEN 2 THEN 'lohnabrechnung' ELSE 'au_bescheinigung' END"
    _clone(
        Document,
        template.document.pk.hex if sqlite else template.document.pk,
        count,
        {
            "id": uuid_sql,
            "receipt_number": concat_receipt,
            "received_at": minus,
            "title": "'Dokument ' || seq.n",
            "doc_type": doc_type,
        },
        [],
    )
    with connection.cursor() as cursor:
        columns = [f.column for f in InboxItem._meta.concrete_fields if not (f.primary_key or f.generated)]
        select = ", ".join(
            {
                "document_id": "d.id",
                "received_at": "d.received_at",
                "doc_type": "d.doc_type",
                "state": "CASE d.doc_type WHEN 'mietvertrag' THEN 'open' ELSE 'new' END",
            }.get(c, f't."{c}"')
            for c in columns
        )
        cursor.execute(
            f"INSERT INTO inbox_inboxitem ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            "FROM documents_document d, inbox_inboxitem t WHERE t.id = %s AND d.receipt_number LIKE %s",
            [template.pk, "E-BULK-%"],
        )


def count_queries(client, **params) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("backoffice:inbox"), params)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content


@pytest.mark.parametrize(
    "params", [{}, {"tab": "team", "sort": "deadline"}, {"doc_type": "mietvertrag", "sort": "household"}]
)
def test_constant_queries_for_10_and_200_items(
    caseworker_client, caseworker, household, params, django_assert_max_num_queries
):
    PersonFactory(household=household)
    seed(household, caseworker, 10)
    small, _ = count_queries(caseworker_client, **params)
    seed(household, caseworker, 190, start=10)
    with django_assert_max_num_queries(small):
        caseworker_client.get(reverse("backoffice:inbox"), params)
    large, content = count_queries(caseworker_client, **params, page=3)
    assert large == small
    assert small <= 12


def test_inbox_with_100000_items(caseworker_client, caseworker, household, django_assert_max_num_queries):
    PersonFactory(household=household, last_name="Massentest")
    seed(household, caseworker, 10, start=200_000)
    baseline, _ = count_queries(caseworker_client)
    seed_fast(household, caseworker, 99_990)
    assert InboxItem.objects.filter(assignee=caseworker).count() == 100_000
    for params in (
        {},
        {"page": 2000},
        {"sort": "deadline", "tab": "team"},
        {"doc_type": "kontoauszug", "page": 500},
    ):
        with django_assert_max_num_queries(baseline):
            response = caseworker_client.get(reverse("backoffice:inbox"), params)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Massentest" in body and "Dokument" in body
