"""Art. 15 DSGVO: a household's access log as PDF and CSV, in the citizen's language, for the citizen
and for the data-protection officer; the export itself is recorded."""

from __future__ import annotations

import csv
import io

import pikepdf
import pytest
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.audit.services import audit
from jcportal.core.testing.fixtures import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def accessed(household, citizen):  # type: ignore[no-untyped-def]
    caseworker = StaffFactory(team=household.responsible_team)
    audit("household.viewed", actor=caseworker, household=household)
    audit("document.downloaded", actor=caseworker, household=household)
    audit("login.success", actor=citizen, household=household)  # not shown to citizens
    return household


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_citizen_downloads_csv_and_pdf_in_their_language(accessed, citizen):
    client = Client()
    client.cookies["jcportal_language"] = "en"
    client.force_login(citizen)
    page = client.get(reverse("portal:transparency")).content.decode()
    assert reverse("portal:transparency-export", args=["pdf"]) in page

    response = client.get(reverse("portal:transparency-export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    table = rows(response.content)
    assert table[0][:3] == ["When", "What", "Who"]
    assert {r[1] for r in table[1:]} == {"Case file opened", "Document downloaded"}

    client.cookies["jcportal_language"] = "tr"
    pdf = client.get(reverse("portal:transparency-export", args=["pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(pdf.content)) as document:
        assert str(document.Root.Lang) == "tr"  # the PDF is in the language the portal is shown in
    exports = AuditEvent.objects.filter(action="audit.access_log_exported", household_id=accessed.pk)
    assert [e.details["language"] for e in exports.order_by("sequence")] == ["en", "tr"]


def test_the_dpo_exports_for_a_household_and_others_cannot(accessed, citizen):
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    dpo = login_staff(Client(), StaffFactory(role=Role.DPO, team=None))
    url = reverse("backoffice:access-log-export", args=["csv"])
    response = dpo.get(url, {"bg_number": accessed.bg_number.lower()})
    assert response.status_code == 200
    assert rows(response.content)[0][0] == "When"  # the citizen's language, not the officer's
    assert AuditEvent.objects.filter(action="audit.access_log_exported").get().details["language"] == "en"
    assert dpo.get(url, {"bg_number": "00000BG0000000"}).status_code == 404
    caseworker = login_staff(Client(), StaffFactory())
    assert caseworker.get(url, {"bg_number": accessed.bg_number}).status_code == 403
    page = dpo.get(reverse("backoffice:audit-log")).content.decode()
    assert reverse("backoffice:access-log-export", args=["pdf"]) in page
