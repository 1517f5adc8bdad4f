"""Letters through the API: the Fachverfahren posts a Bescheid PDF, the citizen downloads it."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

from jcportal.api import scopes
from jcportal.audit.models import AuditEvent
from jcportal.casework.tests.helpers import pdf_bytes
from jcportal.documents.models import Document
from jcportal.events.models import Event
from jcportal.households.tests.factories import HouseholdFactory

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db


def post_json(client: ApiTestClient, bg_number: str, content: bytes, title: str = "Bewilligungsbescheid"):  # type: ignore[no-untyped-def]
    body = {"title": title, "document_type": "bescheid", "content_base64": base64.b64encode(content).decode()}
    return client.post(f"/api/v1/households/{bg_number}/letters/", body, content_type="application/json")


def test_a_posted_bescheid_reaches_the_citizen_s_postbox(
    dms, household, citizen, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(dms, household.bg_number, pdf_bytes(1))
    assert response.status_code == 201, response.content
    letter = response.json()
    assert letter["bg_number"] == household.bg_number and letter["document_type"] == "bescheid"
    document = Document.objects.get(pk=letter["id"])
    assert document.direction == Document.Direction.OUTBOUND and document.released_at
    assert Event.objects.filter(type="de.jcportal.letter.released", subject=str(document.pk)).exists()
    released = AuditEvent.objects.get(action="document.released", object_id=str(document.pk))
    assert released.actor_label == "api:dms"

    detail = dms.get(f"/api/v1/letters/{document.pk}/")
    assert detail.status_code == 200 and detail.json()["visible_in_portal"] is True
    assert AuditEvent.objects.filter(action="api.letter_read", actor_label="api:dms").exists()

    portal = Client()
    portal.force_login(citizen)
    assert "Bewilligungsbescheid" in portal.get(reverse("portal:releases")).content.decode()
    download = portal.get(reverse("portal:release-download", kwargs={"document_id": document.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_multipart_works_too(dms, household, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bescheid.pdf", pdf_bytes(1), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = dms.post(
            f"/api/v1/households/{household.bg_number}/letters/",
            {"title": "Änderungsbescheid", "document_type": "bescheid", "file": upload},
        )
    assert response.status_code == 201, response.content
    assert Document.objects.get(pk=response.json()["id"]).title == "Änderungsbescheid"


def test_not_a_pdf_is_refused(dms, household):  # type: ignore[no-untyped-def]
    assert post_json(dms, household.bg_number, b"GIF89a...").status_code == 400
    body = {"title": "X", "content_base64": "not base64!"}
    response = dms.post(
        f"/api/v1/households/{household.bg_number}/letters/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_scope_and_territory(make_api_client, household):  # type: ignore[no-untyped-def]
    assert post_json(ApiTestClient(), household.bg_number, pdf_bytes(1)).status_code == 401
    _, reader = make_api_client("reader", [scopes.DOCUMENTS_READ], all_households=True)
    assert post_json(reader, household.bg_number, pdf_bytes(1)).status_code == 403
    other = HouseholdFactory()
    _, local = make_api_client("local", [scopes.LETTERS_WRITE], offices=[other.service_office])
    if other.service_office_id != household.service_office_id:
        assert post_json(local, household.bg_number, pdf_bytes(1)).status_code == 404
    assert post_json(local, "00000BG0000000", pdf_bytes(1)).status_code == 404
    assert not Document.objects.exists()
