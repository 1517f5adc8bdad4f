"""bench/seed_bulk.py (the load benchmark's COPY seeder) writes rows the application reads like its own:
encrypted columns decrypt, the audit chain still verifies, seeded citizens log in and see their documents,
caseworkers find the inbox items. A smoke test with 100 documents; PostgreSQL only (COPY)."""

from __future__ import annotations

import sys

import pytest
from django.db import connection

from jcportal.audit.services import verify_chain
from jcportal.core.testing.processes import ROOT
from jcportal.documents.models import Document
from jcportal.households.models import Household, Person
from jcportal.inbox.models import InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_bulk():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the seeder writes with PostgreSQL's COPY")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import seed_bulk

        yield seed_bulk
    finally:
        sys.path.remove(str(ROOT / "bench"))


def test_seeded_rows_are_readable_and_the_audit_chain_holds(demo_data, seed_bulk, client):  # type: ignore[no-untyped-def]
    staff = seed_bulk.bench_staff(2)
    seeded = seed_bulk.seed_households(50, 2, staff)
    seed_bulk.seed_documents(100, 0, seeded["household_ids"], staff)

    households = Household.objects.filter(bg_number__startswith=seed_bulk.BG_PREFIX)
    assert households.count() == 50
    assert households.first().iban == "DE02120300000000202051"  # decrypted
    assert Person.objects.filter(household__in=households).count() == 100
    documents = Document.objects.filter(receipt_number__startswith="E-LOAD-")
    assert documents.count() == 100
    assert documents.get(receipt_number="E-LOAD-000000007").note == "Bitte um kurze Rückmeldung."
    assert documents.first().ocr_text == seed_bulk.OCR_TEXT
    items = InboxItem.objects.filter(document__in=documents)
    assert items.count() == 95  # every 20th document is a letter from the Jobcenter
    assert items.filter(state__in=["new", "open"], assignee__in=staff).count() == 10
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM casework_search_entry WHERE vector @@ to_tsquery('german', 'stadtwerke')"
        )
        assert cursor.fetchone()[0] == 100
    assert list(verify_chain()) == []

    response = client.post(
        "/konto/anmelden/", {"username": seeded["citizens"][0], "password": seed_bulk.CITIZEN_PASSWORD}
    )
    assert response.status_code == 302
    assert "Dokument 0" in client.get("/portal/dokumente/").content.decode()
