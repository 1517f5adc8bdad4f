"""Document requests through the API: created by the Fachverfahren, answered by the citizen."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.api import scopes
from jcportal.audit.models import AuditEvent
from jcportal.docrequests import services
from jcportal.docrequests.models import DocumentRequest
from jcportal.documents.tests import samples
from jcportal.events.models import Event

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db


def body(days: int = 14) -> dict:
    return {
        "explanation": "Für die Weiterbewilligung brauchen wir:",
        "deadline": (timezone.localdate() + dt.timedelta(days=days)).isoformat(),
        "items": [
            {"document_type": "kontoauszug", "explanation": "Die letzten drei Monate"},
            {"document_type": "lohnabrechnung", "optional": True},
        ],
    }


def create(client: ApiTestClient, bg_number: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/households/{bg_number}/document-requests/", data, content_type="application/json"
    )


def test_created_request_shows_in_the_portal_and_its_status_follows_the_uploads(
    dms, household, citizen, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    response = create(dms, household.bg_number, body())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "open"
    assert [i["document_type"] for i in created["items"]] == ["kontoauszug", "lohnabrechnung"]
    doc_request = DocumentRequest.objects.get(pk=created["id"])
    assert Event.objects.filter(type="de.jcportal.docrequest.created", subject=str(doc_request.pk)).exists()
    assert AuditEvent.objects.get(action="docrequest.created").actor_label == "api:dms"

    portal = Client()
    portal.force_login(citizen)
    assert (
        reverse("portal:request", args=[doc_request.pk])
        in portal.get(reverse("portal:requests")).content.decode()
    )
    page = portal.get(reverse("portal:request", args=[doc_request.pk])).content.decode()
    assert "Die letzten drei Monate" in page

    with django_capture_on_commit_callbacks(execute=True):
        services.upload_for_item(
            item=doc_request.items.get(position=1),
            uploaded_by=citizen,
            files=[("auszug.jpg", io.BytesIO(samples.jpeg()))],
        )
    status = dms.get(f"/api/v1/document-requests/{doc_request.pk}/")
    assert status.status_code == 200
    assert status.json()["status"] == "open"  # received, to be checked by staff
    first = status.json()["items"][0]
    assert first["arrived"] is True and first["document"].endswith("/")
    assert first["state"] == "received"
    services.accept_answer(item=doc_request.items.get(position=1), actor=None)
    status = dms.get(f"/api/v1/document-requests/{doc_request.pk}/")
    assert status.json()["status"] == "complete"
    assert status.json()["items"][0]["state"] == "accepted"
    assert AuditEvent.objects.filter(action="api.docrequest_read", actor_label="api:dms").exists()


def test_invalid_requests_are_400(dms, household):  # type: ignore[no-untyped-def]
    assert create(dms, household.bg_number, body(days=0)).status_code == 400
    assert create(dms, household.bg_number, {**body(), "items": []}).status_code == 400
    wrong_type = {**body(), "items": [{"document_type": "nonsense"}]}
    assert create(dms, household.bg_number, wrong_type).status_code == 400
    assert not DocumentRequest.objects.exists()


def test_scope_and_territory(make_api_client, household):  # type: ignore[no-untyped-def]
    assert create(ApiTestClient(), household.bg_number, body()).status_code == 401
    _, reader = make_api_client("reader", [scopes.DOCUMENTS_READ], all_households=True)
    assert create(reader, household.bg_number, body()).status_code == 403
    _, nowhere = make_api_client("nowhere", [scopes.REQUESTS_WRITE])
    assert create(nowhere, household.bg_number, body()).status_code == 404
    _, dms = make_api_client("dms", [scopes.REQUESTS_WRITE], all_households=True)
    created = create(dms, household.bg_number, body()).json()
    assert nowhere.get(f"/api/v1/document-requests/{created['id']}/").status_code == 404
    assert reader.get(f"/api/v1/document-requests/{created['id']}/").status_code == 403
    assert nowhere.get("/api/v1/document-requests/999999/").status_code == 404
