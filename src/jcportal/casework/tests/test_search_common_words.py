"""PostgreSQL: a word in most documents is searched by a plain scan that stops at the ranking limit, a
rare word through the GIN index (bench/search.py measures the difference at a million documents)."""

import pytest
from django.db import connection, transaction

from jcportal.accounts.tests.factories import StaffFactory
from jcportal.casework import search
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.inbox.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres_only():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the plain scan is the PostgreSQL implementation's")


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return str(cursor.fetchone()[0])


def test_a_common_word_is_told_from_a_rare_one_and_both_find_only_visible_documents(postgres_only):
    household = HouseholdFactory()
    caseworker = StaffFactory(team=household.responsible_team)
    for number in range(30):
        DocumentFactory(household=household, title=f"Kontoauszug {number}", ocr_text="Nebenkosten Saldo")
    rare = DocumentFactory(household=household, title="Mietvertrag", ocr_text="Nebenkosten Hausverwaltung")
    for _ in range(40):  # another team's case file: the words are there too, never shown
        DocumentFactory(household=HouseholdFactory(), title="Kontoauszug", ocr_text="Hausverwaltung Saldo")

    with connection.cursor() as cursor:
        assert search._pg_is_common(cursor, "nebenkost:*")  # 31 of 71 rows
        assert not search._pg_is_common(cursor, "mietvertrag:*")  # 1 of 71

    with transaction.atomic():  # as in a request: the planner settings end with the query
        common = search.global_search(caseworker, "Nebenkosten")
        assert _setting("enable_bitmapscan") == "on"
    assert len(common.documents) == search.RESULT_LIMIT and common.more
    assert {hit.document.household_id for hit in common.documents} == {household.pk}

    visible_both = search.global_search(caseworker, "Hausverwaltung")  # common overall, one visible match
    assert [hit.document for hit in visible_both.documents] == [rare] and not visible_both.more
    assert "<mark>" in visible_both.documents[0].snippet


def test_the_planner_settings_do_not_outlive_the_search(postgres_only):
    household = HouseholdFactory()
    caseworker = StaffFactory(team=household.responsible_team)
    for _ in range(5):
        DocumentFactory(household=household, title="Kontoauszug", ocr_text="Saldo")
    before = {name: _setting(name) for name, _ in search._PLAIN_SCAN}
    with transaction.atomic():
        assert search.global_search(caseworker, "Saldo").documents
        assert {name: _setting(name) for name, _ in search._PLAIN_SCAN} == before
