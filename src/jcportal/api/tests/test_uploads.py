"""Large uploads in parts: announce, parts in any order (again is idempotent), complete into the intake."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from jcportal.api import scopes, uploads
from jcportal.api.models import PartUpload, UploadPart
from jcportal.audit.models import AuditEvent
from jcportal.documents.models import Document
from jcportal.documents.tests import samples
from jcportal.households.tests.factories import HouseholdFactory

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_parts(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(uploads, "PART_SIZE", 1000)


def announce(client: ApiTestClient, household, size: int, **extra):  # type: ignore[no-untyped-def]
    body = {
        "bg_number": household.bg_number,
        "document_type": "kontoauszug",
        "title": "Kontoauszüge 2026",
        "file_name": "auszug.jpg",
        "size": size,
        **extra,
    }
    return client.post("/api/v1/uploads/", body, content_type="application/json")


def put(client: ApiTestClient, url: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.put(url, data, content_type="application/octet-stream")


def test_parts_in_any_order_joined_into_the_intake(dms, household, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    content = samples.jpeg(size=(400, 300))
    assert len(content) > 2000
    response = announce(dms, household, len(content))
    assert response.status_code == 201, response.content
    upload = response.json()
    parts = upload["parts"]
    assert upload["part_size"] == 1000 and len(parts) == -(-len(content) // 1000)
    chunks = [content[i : i + 1000] for i in range(0, len(content), 1000)]
    for part in reversed(parts):
        answer = put(dms, part["url"], chunks[part["number"] - 1])
        assert answer.status_code == 200, answer.content
    # sending a part again is idempotent, a wrong size is refused
    assert put(dms, parts[0]["url"], chunks[0]).json()["sha256"] == hashlib.sha256(chunks[0]).hexdigest()
    assert put(dms, parts[0]["url"], chunks[0][:10]).status_code == 400
    assert UploadPart.objects.count() == len(parts)
    stored = list(UploadPart.objects.values_list("name", flat=True))
    assert all(name.startswith(f"api-uploads/{upload['id']}/") for name in stored)

    with django_capture_on_commit_callbacks(execute=True):
        completed = dms.post(upload["complete_url"])
    assert completed.status_code == 201, completed.content
    document = Document.objects.get(pk=completed.json()["document_id"])
    assert document.household == household and document.doc_type == "kontoauszug"
    original = document.originals.get()
    assert original.sha256 == hashlib.sha256(content).hexdigest() and original.size == len(content)
    assert original.original_name == "auszug.jpg"
    document.refresh_from_db()
    assert document.delivered_at and document.pdf, "the intake pipeline ran on the joined file"
    assert not UploadPart.objects.exists()
    assert not any(default_storage.exists(name) for name in stored)
    assert AuditEvent.objects.get(action="api.upload_completed").actor_label == "api:dms"
    again = dms.post(upload["complete_url"])
    assert again.status_code == 200 and again.json()["document_id"] == str(document.pk)
    assert Document.objects.count() == 1


def test_completing_with_missing_parts_is_409(dms, household):  # type: ignore[no-untyped-def]
    upload = announce(dms, household, 2500).json()
    put(dms, upload["parts"][0]["url"], b"x" * 1000)
    response = dms.post(upload["complete_url"])
    assert response.status_code == 409 and "2, 3" in response.json()["detail"]
    assert put(dms, upload["parts"][0]["url"].replace("/parts/1/", "/parts/4/"), b"x").status_code == 400
    assert not Document.objects.exists()


def test_incomplete_uploads_expire_with_their_parts(dms, household):  # type: ignore[no-untyped-def]
    upload = announce(dms, household, 1500).json()
    put(dms, upload["parts"][0]["url"], b"x" * 1000)
    name = UploadPart.objects.get().name
    assert uploads.expire_uploads(timezone.now()) == 0
    assert uploads.expire_uploads(timezone.now() + dt.timedelta(hours=25)) == 1
    assert not PartUpload.objects.exists() and not default_storage.exists(name)


def test_scope_ownership_and_territory(make_api_client, household):  # type: ignore[no-untyped-def]
    assert announce(ApiTestClient(), household, 10).status_code == 401
    _, reader = make_api_client("reader", [scopes.DOCUMENTS_READ], all_households=True)
    assert announce(reader, household, 10).status_code == 403
    _, owner = make_api_client("owner", [scopes.DOCUMENTS_WRITE], all_households=True)
    _, other = make_api_client("other", [scopes.DOCUMENTS_WRITE], all_households=True)
    upload = announce(owner, household, 10).json()
    assert other.get(f"/api/v1/uploads/{upload['id']}/").status_code == 404
    assert put(other, upload["parts"][0]["url"], b"x" * 10).status_code == 404
    assert other.post(upload["complete_url"]).status_code == 404
    assert (
        reader.put(upload["parts"][0]["url"], b"x" * 10, content_type="application/octet-stream").status_code
        == 403
    )
    foreign = HouseholdFactory()
    _, local = make_api_client("local", [scopes.DOCUMENTS_WRITE], offices=[foreign.service_office])
    if foreign.service_office_id != household.service_office_id:
        assert announce(local, household, 10).status_code == 404
    assert owner.delete(f"/api/v1/uploads/{upload['id']}/").status_code == 204
    assert not PartUpload.objects.exists()


def test_completion_streams_the_parts_instead_of_holding_the_file(dms, household, monkeypatch):  # type: ignore[no-untyped-def]
    import os
    import tracemalloc

    monkeypatch.setattr(uploads, "PART_SIZE", 1024 * 1024)
    content = os.urandom(6 * 1024 * 1024)
    upload = announce(dms, household, len(content), file_name="scan.tif").json()
    for part in upload["parts"]:
        start = (part["number"] - 1) * upload["part_size"]
        assert put(dms, part["url"], content[start : start + part["size"]]).status_code == 200
    tracemalloc.start()
    try:
        document, created = uploads.complete(PartUpload.objects.get(pk=upload["id"]), actor=_actor(dms))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert created and document.originals.get().sha256 == hashlib.sha256(content).hexdigest()
    assert peak < len(content) / 2, f"peak {peak} bytes while joining {len(content)}"


def _actor(client: ApiTestClient):  # type: ignore[no-untyped-def]
    from jcportal.accounts.actor import Actor
    from jcportal.api.services import authenticate

    return Actor.for_client(authenticate(client.token))
