"""The API's downloads (PDF, originals, OCR text) ask the same rule as the portal and the back office:
``accounts.policy.can_download``, through ``documents.services``, with the client as an ``Actor``."""

from __future__ import annotations

import pytest

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.audit.models import AuditEvent
from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory, ServiceOfficeFactory

pytestmark = pytest.mark.django_db

PARTS = ("pdf/", "originals/1/", "text/")


def url(document, part: str) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/documents/{document.pk}/{part}"


def downloads() -> int:
    return AuditEvent.objects.filter(action="api.document_downloaded").count()


def test_a_quarantined_document_is_refused_by_the_policy_and_the_api(make_api_client, delivered_document):
    api_client, dms = make_api_client("dms", all_households=True)
    Document.objects.filter(pk=delivered_document.pk).update(status=Document.Status.QUARANTINED)
    delivered_document.refresh_from_db()
    assert not policy.can_download(Actor.for_client(api_client), delivered_document)
    for part in PARTS:
        assert dms.get(url(delivered_document, part)).status_code == 404
    assert downloads() == 0


def test_a_document_of_another_territory_is_refused_by_the_policy_and_the_api(
    make_api_client, delivered_document
):
    other = HouseholdFactory(service_office=ServiceOfficeFactory())
    foreign_client, foreign = make_api_client("foreign", offices=[other.service_office])
    assert other.service_office_id != delivered_document.household.service_office_id
    assert not policy.can_download(Actor.for_client(foreign_client), delivered_document)
    for part in PARTS:
        assert foreign.get(url(delivered_document, part)).status_code == 404
    own_client, own = make_api_client("own", teams=[delivered_document.household.responsible_team])
    assert policy.can_download(Actor.for_client(own_client), delivered_document)
    for part in PARTS:
        assert own.get(url(delivered_document, part)).status_code == 200
    assert downloads() == 2  # the PDF and the original; the text is "api.document_read"


def test_the_api_asks_policy_can_download_with_the_client_as_actor(
    make_api_client, delivered_document, monkeypatch
):
    api_client, dms = make_api_client("dms", all_households=True)
    asked: list[Actor] = []

    def refuse(who, document):  # type: ignore[no-untyped-def]
        asked.append(who)
        return False

    monkeypatch.setattr(policy, "can_download", refuse)
    for part in PARTS:
        assert dms.get(url(delivered_document, part)).status_code == 404
    assert len(asked) == len(PARTS)
    assert all(isinstance(who, Actor) and who.kind == "api" and who.client == api_client for who in asked)
    delivered_document.refresh_from_db()
    assert downloads() == 0 and delivered_document.exported_at is None

    monkeypatch.undo()
    assert dms.get(url(delivered_document, "pdf/")).status_code == 200


def test_a_download_is_audited_once_with_the_client_as_actor_and_not_when_not_modified(
    dms, delivered_document
):
    full = dms.get(url(delivered_document, "pdf/"), REMOTE_ADDR="10.0.0.7")
    assert full.status_code == 200
    event = AuditEvent.objects.get(action="api.document_downloaded")
    assert (event.actor_label, event.actor_role, event.object_id) == (
        "api:dms",
        "api",
        str(delivered_document.pk),
    )
    assert event.details["file"] == "pdf"
    assert dms.get(url(delivered_document, "pdf/"), HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
    assert downloads() == 1
    assert dms.get(url(delivered_document, "originals/1/"), HTTP_RANGE="bytes=0-9").status_code == 206
    original = AuditEvent.objects.filter(action="api.document_downloaded").order_by("sequence").last()
    assert original is not None and original.details == {"file": "original", "position": 1}
    assert downloads() == 2
