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
    for _ in range(55):
        audit("document.viewed", household=household)
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
