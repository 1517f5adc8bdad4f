"""The documents API as a DMS uses it: tokens and scopes, metadata, PDF with ETag and Range, the
acknowledgement that the citizen then sees, and the events feed."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from jcportal.api import scopes
from jcportal.api.testing import ApiTestClient
from jcportal.audit.models import AuditEvent
from jcportal.households.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def url(document, part: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/documents/{document.pk}/{part}"


def test_without_or_with_a_wrong_token_it_is_401_and_says_nothing_about_the_document(delivered_document):
    for client in (ApiTestClient(), ApiTestClient("jcp_abc_wrong"), ApiTestClient("nonsense")):
        for path in (url(delivered_document), "/api/v1/documents/00000000-0000-0000-0000-000000000000/"):
            response = client.get(path)
            assert response.status_code == 401
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert "Kontoauszug" not in response.content.decode()


def test_a_token_without_the_scope_gets_403_for_existing_and_missing_documents(
    make_api_client, delivered_document
):
    _, client = make_api_client("events-only", [scopes.EVENTS_READ], all_households=True)
    assert client.get(url(delivered_document)).status_code == 403
    assert client.get("/api/v1/documents/00000000-0000-0000-0000-000000000000/").status_code == 403
    assert client.post(url(delivered_document, "acknowledgement/"), {"dms_reference": "X"}).status_code == 403


def test_a_revoked_or_rotated_token_stops_working(make_api_client, delivered_document):
    from jcportal.api import services

    api_client, client = make_api_client("dms")
    api_client.all_households = True
    api_client.save()
    assert client.get(url(delivered_document)).status_code == 200
    new_token = services.rotate_secret(api_client, by=None)
    assert client.get(url(delivered_document)).status_code == 401
    assert ApiTestClient(new_token).get(url(delivered_document)).status_code == 200
    services.revoke(api_client, by=None)
    assert ApiTestClient(new_token).get(url(delivered_document)).status_code == 401


def test_a_client_sees_only_the_households_of_its_offices_and_teams(make_api_client, delivered_document):
    other = HouseholdFactory()
    _, foreign = make_api_client("foreign", offices=[other.service_office])
    if other.service_office_id == delivered_document.household.service_office_id:
        pytest.skip("factories put both households in one office")
    assert foreign.get(url(delivered_document)).status_code == 404
    assert foreign.get(url(delivered_document, "pdf/")).status_code == 404
    assert foreign.get("/api/v1/documents/").json()["results"] == []
    _, own = make_api_client("own", teams=[delivered_document.household.responsible_team])
    assert own.get(url(delivered_document)).status_code == 200


def test_metadata_names_household_member_type_checksums_and_links(dms, delivered_document, citizen):
    response = dms.get(url(delivered_document))
    assert response.status_code == 200
    body = response.json()
    assert body["eingangsnummer"] == delivered_document.receipt_number
    assert body["bg_number"] == delivered_document.household.bg_number
    assert body["member"]["id"] == citizen.person_id
    assert body["document_type"] == "kontoauszug" and body["status"] == "delivered"
    assert body["pdf_sha256"] == delivered_document.pdf_sha256
    assert [original["position"] for original in body["originals"]] == [0, 1]
    assert body["pdf"].endswith(f"/api/v1/documents/{delivered_document.pk}/pdf/")
    assert body["filed_at"] is None
    event = AuditEvent.objects.filter(action="api.document_read").latest("sequence")
    assert event.actor_label == "api:dms" and event.actor_role == "api"
    assert event.household_id == delivered_document.household_id


def test_the_pdf_streams_with_etag_range_and_not_modified(dms, delivered_document):
    full = dms.get(url(delivered_document, "pdf/"))
    assert full.status_code == 200 and full["Content-Type"] == "application/pdf"
    content = b"".join(full.streaming_content)
    assert (
        content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == delivered_document.pdf_sha256
    )
    assert full["ETag"] == f'"{delivered_document.pdf_sha256}"'
    assert int(full["Content-Length"]) == len(content)

    part = dms.get(url(delivered_document, "pdf/"), HTTP_RANGE="bytes=10-99")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == content[10:100]
    assert part["Content-Range"] == f"bytes 10-99/{len(content)}"
    tail = dms.get(url(delivered_document, "pdf/"), HTTP_RANGE="bytes=-16")
    assert b"".join(tail.streaming_content) == content[-16:]
    assert (
        dms.get(url(delivered_document, "pdf/"), HTTP_RANGE=f"bytes={len(content) + 5}-").status_code == 416
    )
    cached = dms.get(url(delivered_document, "pdf/"), HTTP_IF_NONE_MATCH=full["ETag"])
    assert cached.status_code == 304


def test_originals_are_byte_identical(dms, delivered_document):
    from jcportal.documents.tests import samples

    response = dms.get(url(delivered_document, "originals/1/"))
    assert b"".join(response.streaming_content) == samples.jpeg("blue")
    assert dms.get(url(delivered_document, "originals/7/")).status_code == 404


def test_fetching_the_pdf_hands_it_off_and_the_acknowledgement_files_it_for_the_citizen(
    dms, delivered_document, citizen_client
):
    b"".join(dms.get(url(delivered_document, "pdf/")).streaming_content)
    delivered_document.refresh_from_db()
    assert delivered_document.exported_at is not None and delivered_document.exported_to == "api:dms"
    assert dms.get("/api/v1/documents/?filed=false").json()["results"][0]["id"] == str(delivered_document.pk)

    response = dms.post(
        url(delivered_document, "acknowledgement/"), {"dms_reference": "DMS-4711"}, "application/json"
    )
    assert response.status_code == 200 and response.json()["recorded"] is True
    again = dms.post(
        url(delivered_document, "acknowledgement/"), {"dms_reference": "DMS-4711"}, "application/json"
    )
    assert again.status_code == 200 and again.json()["recorded"] is False
    other = dms.post(
        url(delivered_document, "acknowledgement/"), {"dms_reference": "DMS-9"}, "application/json"
    )
    assert other.status_code == 409
    assert dms.post(url(delivered_document, "acknowledgement/"), {}, "application/json").status_code == 400
    delivered_document.refresh_from_db()
    assert delivered_document.filed_at <= timezone.now() and delivered_document.dms_reference == "DMS-4711"
    assert dms.get("/api/v1/documents/?filed=false").json()["results"] == []

    from jcportal.events.models import Event

    types = list(Event.objects.filter(subject=str(delivered_document.pk)).values_list("type", flat=True))
    assert (
        types.count("de.jcportal.document.filed") == 1 and types.count("de.jcportal.document.exported") == 1
    )


def test_the_feed_pages_with_a_stable_cursor(dms, delivered_document):
    from jcportal.events.services import sequence_pending

    sequence_pending()
    first = dms.get("/api/v1/events/?limit=1").json()
    assert len(first["events"]) == 1 and first["events"][0]["specversion"] == "1.0"
    rest = dms.get(f"/api/v1/events/?after={first['cursor']}&limit=500").json()
    ids = [event["id"] for event in first["events"] + rest["events"]]
    assert len(ids) == len(set(ids))
    assert "de.jcportal.document.delivered" in [event["type"] for event in first["events"] + rest["events"]]
    assert dms.get(f"/api/v1/events/?after={rest['cursor']}").json() == {
        "events": [],
        "cursor": rest["cursor"],
    }
    assert dms.get("/api/v1/events/?after=abc").status_code == 400


def test_the_schema_and_the_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/documents/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # the page's own script is a separate file, as the CSP demands
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_each_client_has_its_own_rate_limit(make_api_client):
    from django.core.cache import cache

    cache.clear()
    _, slow = make_api_client("slow", [scopes.EVENTS_READ], all_households=True, rate_limit_per_minute=3)
    _, other = make_api_client("other", [scopes.EVENTS_READ], all_households=True)
    assert [slow.get("/api/v1/events/").status_code for _ in range(3)] == [200, 200, 200]
    limited = slow.get("/api/v1/events/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert other.get("/api/v1/events/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/documents/", "/api/v1/households/", "/api/v1/submissions/"])
def test_a_cursor_that_does_not_decode_is_a_400_on_every_list(dms, path):
    response = dms.get(path, {"cursor": "not-a-cursor"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"detail": "The cursor is not valid."}
