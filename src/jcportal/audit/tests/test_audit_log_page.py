"""The data-protection officer's audit log page: filters, pagination, and nothing else for the DPO."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.audit.services import audit
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client():  # type: ignore[no-untyped-def]
    return login_staff(Client(), StaffFactory(role=Role.DPO, team=None))


def test_dpo_filters_by_household_action_actor_and_date(dpo_client, household, caseworker):  # type: ignore[no-untyped-def]
    other = HouseholdFactory()
    audit("document.viewed", actor=caseworker, household=household)
    audit("document.downloaded", actor=caseworker, household=other)
    old = audit("document.viewed", actor=caseworker, household=other)
    AuditEvent.objects.filter(pk=old.pk).update(
        at=timezone.now() - dt.timedelta(days=40)
    )  # breaks the chain; fine here
    url = reverse("backoffice:audit-log")
    body = dpo_client.get(url, {"bg_number": household.bg_number}).content.decode()
    assert household.bg_number in body and other.bg_number not in body
    body = dpo_client.get(url, {"action": "document.downloaded"}).content.decode()
    assert other.bg_number in body and household.bg_number not in body
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    rows = (
        dpo_client.get(url, {"date_from": since, "actor": caseworker.username}).content.decode().count("<tr>")
    )
    assert rows == 1 + 2  # header + two recent events
    bad = dpo_client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert b"error-summary" in bad.content
    # Searching the log is itself logged.
    assert AuditEvent.objects.filter(action="audit_log.viewed").exists()


def test_audit_log_is_paginated(dpo_client, household):  # type: ignore[no-untyped-def]
    # 200 stored entries a page; alternating actions are not one visit, so each is its own line
    for i in range(205):
        audit("document.viewed" if i % 2 else "document.downloaded", household=household)
    url = reverse("backoffice:audit-log")
    first = dpo_client.get(url).content.decode()
    assert "page=2" in first
    second = dpo_client.get(url, {"page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 5


def test_only_dpo_and_admin_read_the_log_and_the_dpo_reads_no_documents(household, caseworker):  # type: ignore[no-untyped-def]
    url = reverse("backoffice:audit-log")
    assert login_staff(Client(), caseworker).get(url).status_code == 403
    citizen_or_anon = Client().get(url)
    assert citizen_or_anon.status_code == 302
    dpo = StaffFactory(role=Role.DPO, team=household.responsible_team)
    assert policy.can_read_audit_log(dpo)
    assert not policy.can_read_documents_of(dpo, household)
    assert not policy.visible_households(dpo).exists()


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and attributes."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.usefixtures("english")
def test_a_visit_of_six_entries_is_one_readable_line(dpo_client, household, caseworker):  # type: ignore[no-untyped-def]
    from jcportal.inbox.tests.factories import DocumentFactory

    document = DocumentFactory(household=household, title="Kontoauszug Mai", receipt_number="E-2026-000123")
    caseworker.first_name, caseworker.last_name = "Berta", "Beispiel"
    caseworker.save(update_fields=["first_name", "last_name"])
    for _ in range(6):  # the viewer, its pages and the download of one visit
        audit("document.viewed", actor=caseworker, obj=document, household=household)
    audit("household.viewed", actor=caseworker, obj=household, household=household)
    stored = AuditEvent.objects.count()
    body = dpo_client.get(
        reverse("backoffice:audit-log"), {"bg_number": household.bg_number}
    ).content.decode()
    text = _text(body)
    assert body.count("<tr>") == 1 + 2  # header, the six views as one line, the case file
    assert "6 times" in text and "Document opened" in text and "Case file opened" in text
    assert "Berta Beispiel" in text
    assert "Kontoauszug Mai (receipt number E-2026-000123)" in text
    assert f"Household {household.bg_number}" in text
    for code in ("document.viewed", "household.viewed", "documents.document", str(document.pk)):
        assert code not in text
    assert AuditEvent.objects.count() == stored + 1  # only the search itself was added, nothing merged
    # the actor filter finds the name
    by_name = dpo_client.get(reverse("backoffice:audit-log"), {"actor": "berta beispiel"}).content.decode()
    assert "6 times" in _text(by_name)


def test_entries_further_apart_than_the_window_are_separate_visits(household, caseworker):  # type: ignore[no-untyped-def]
    from jcportal.audit.readable import group_events

    first = audit("household.viewed", actor=caseworker, household=household)
    second = audit("household.viewed", actor=caseworker, household=household)
    third = audit("household.viewed", actor=caseworker, household=household)
    AuditEvent.objects.filter(pk=first.pk).update(at=timezone.now() - dt.timedelta(minutes=30))
    groups = group_events(AuditEvent.objects.order_by("-sequence"))
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].last.pk == third.pk and groups[0].first.pk == second.pk
