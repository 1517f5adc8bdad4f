"""Back-office pages of the exporters, the acknowledgement loop as staff and citizens see it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.casework import statistics
from jcportal.core import xdomea as schemas
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents import services as document_services
from jcportal.documents.models import Document
from jcportal.exporters.models import ExporterConfig
from jcportal.households.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    return login_staff(Client(), StaffFactory(role=Role.ADMIN))


def sent(household, hours_ago: float, **kwargs) -> Document:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Document.objects.create(
        household=household,
        title=kwargs.pop("title", "Kontoauszug"),
        doc_type="kontoauszug",
        receipt_number=document_services.new_receipt_number(),
        received_at=now - dt.timedelta(hours=hours_ago + 1),
        delivered_at=now - dt.timedelta(hours=hours_ago + 1),
        status=Document.Status.DELIVERED,
        exported_at=now - dt.timedelta(hours=hours_ago),
        exported_to="hotfolder:DMS",
        **kwargs,
    )


def test_administrator_configures_a_hot_folder(household, export_root):
    client = admin_client()
    jobcenter = household.service_office.jobcenter
    url = reverse("backoffice:exporter-new", args=["hotfolder"])
    page = client.get(url).content.decode()
    assert "de.jcportal.document.delivered" in page

    refused = client.post(
        url, {"name": "DMS", "jobcenter": jobcenter.pk, "option_folder": "../etc", "active": "on"}
    )
    assert refused.status_code == 200 and not ExporterConfig.objects.exists()

    response = client.post(
        url,
        {
            "name": "DMS OTS",
            "jobcenter": jobcenter.pk,
            "event_types": ["de.jcportal.document.delivered"],
            "option_folder": "/dms/eingang/",
            "active": "on",
        },
    )
    assert response.status_code == 302
    config = ExporterConfig.objects.get()
    assert (config.exporter, config.options, config.active) == ("hotfolder", {"folder": "dms/eingang"}, True)
    assert config.event_types == ["de.jcportal.document.delivered"]
    assert AuditEvent.objects.filter(action="exporters.config.changed", object_id=str(config.pk)).exists()
    listing = client.get(reverse("backoffice:exporters")).content.decode()
    assert "DMS OTS" in listing and "dms/eingang" in listing

    edit = reverse("backoffice:exporter-edit", args=[config.pk])
    assert 'value="dms/eingang"' in client.get(edit).content.decode()
    client.post(edit, {"name": "DMS OTS", "jobcenter": jobcenter.pk, "option_folder": "dms/eingang"})
    config.refresh_from_db()
    assert config.active is False and config.event_types == []


def test_only_administrators_configure_exporters(caseworker_client):
    assert caseworker_client.get(reverse("backoffice:exporters")).status_code == 403
    assert caseworker_client.get(reverse("backoffice:exporter-new", args=["xdomea"])).status_code == 403


def test_unacknowledged_documents_show_for_staff_and_in_the_statistics(
    household, caseworker_client, settings
):
    settings.DMS_ACK_OVERDUE_HOURS = 24
    overdue = sent(household, 30, title="Überfälliger Auszug")
    sent(household, 2, title="Frisch gesendet")
    filed = sent(household, 50, title="Schon abgelegt")
    document_services.acknowledge_filed(filed, dms_reference="DMS-4711")
    sent(HouseholdFactory(), 40, title="Fremder Haushalt")

    page = caseworker_client.get(reverse("backoffice:dms-unacknowledged")).content.decode()

    assert "Überfälliger Auszug" in page and overdue.receipt_number in page
    assert "Frisch gesendet" not in page and "Schon abgelegt" not in page and "Fremder Haushalt" not in page
    assert statistics.compute().dms_unacknowledged == 2  # both households (team leads see all offices)
    assert statistics.compute(household.service_office).dms_unacknowledged == 1


def test_statistics_page_shows_the_figure(household, settings):
    settings.DMS_ACK_OVERDUE_HOURS = 24
    sent(household, 30)
    client = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD))
    client.cookies["jcportal_language"] = "en"
    page = client.get(reverse("backoffice:statistics")).content.decode()
    assert "Documents not acknowledged by the DMS" in page


def test_citizen_sees_filed_in_the_electronic_case_file(household, citizen):
    document = sent(household, 1, uploaded_by=citizen)
    client = Client()
    client.cookies["jcportal_language"] = "en"
    client.force_login(citizen)
    assert (
        "Filed in the electronic case file"
        not in client.get(reverse("portal:document", args=[document.pk])).content.decode()
    )
    document_services.acknowledge_filed(document, dms_reference="DMS-1")

    listing = client.get(reverse("portal:documents")).content.decode()
    detail = client.get(reverse("portal:document", args=[document.pk])).content.decode()
    assert listing.count("Filed in the electronic case file") >= 2  # the tag and the explanation
    assert "Filed in the electronic case file" in detail


def test_case_file_downloads_as_xdomea(deliver, household, caseworker_client):
    document = deliver()
    url = reverse("backoffice:household-xdomea-download", args=[household.pk])

    response = caseworker_client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        [message] = [n for n in archive.namelist() if n.endswith(".xml")]
        assert schemas.errors(archive.read(message)) == []
        assert f"{document.pk}_document.pdf" in archive.namelist()
    assert AuditEvent.objects.filter(
        action="exporters.xdomea.downloaded", object_id=str(household.pk)
    ).exists()
    selection = caseworker_client.get(url, {"dokument": str(document.pk)})
    assert selection.status_code == 200
    other = HouseholdFactory()
    assert (
        caseworker_client.get(reverse("backoffice:household-xdomea-download", args=[other.pk])).status_code
        == 404
    )
