"""A client manages its own webhooks through the API; the secret is shown once."""

from __future__ import annotations

import json

import pytest

from jcportal.api import scopes
from jcportal.audit.models import AuditEvent
from jcportal.events import services
from jcportal.events.models import Event, Subscription
from jcportal.households.tests.factories import HouseholdFactory

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db

HOOK = {
    "name": "DMS",
    "url": "https://dms.example.org/hook",
    "event_types": ["de.jcportal.document.delivered"],
}


def test_create_list_change_rotate_delete(make_api_client):  # type: ignore[no-untyped-def]
    _, dms = make_api_client("dms", [scopes.WEBHOOKS_MANAGE], all_households=True)
    created = dms.post("/api/v1/webhooks/", HOOK, content_type="application/json")
    assert created.status_code == 201, created.content
    hook = created.json()
    secret = hook["secret"]
    assert secret and Subscription.objects.get(pk=hook["id"]).client.name == "dms"
    assert AuditEvent.objects.get(action="events.webhook.created").actor_label == "api:dms"

    listed = dms.get("/api/v1/webhooks/").json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert "secret" not in dms.get(f"/api/v1/webhooks/{hook['id']}/").json()

    changed = dms.patch(
        f"/api/v1/webhooks/{hook['id']}/",
        json.dumps({"active": False, "event_types": []}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["url"] == HOOK["url"]

    rotated = dms.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in ("", secret)

    assert dms.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 204
    assert not Subscription.objects.exists()


def test_a_client_sees_only_its_own_webhooks(make_api_client):  # type: ignore[no-untyped-def]
    _, first = make_api_client("first", [scopes.WEBHOOKS_MANAGE])
    _, second = make_api_client("second", [scopes.WEBHOOKS_MANAGE])
    hook = first.post("/api/v1/webhooks/", HOOK, content_type="application/json").json()
    admin_hook, _secret = services.create_subscription(
        client=None, name="admin", url="https://a.example.org/"
    )
    assert second.get("/api/v1/webhooks/").json() == []
    assert [h["id"] for h in first.get("/api/v1/webhooks/").json()] == [hook["id"]]
    for path in (f"/api/v1/webhooks/{hook['id']}/", f"/api/v1/webhooks/{admin_hook.pk}/"):
        assert second.get(path).status_code == 404
        assert second.delete(path).status_code == 404
        assert second.post(path + "rotate-secret/").status_code == 404
    assert Subscription.objects.count() == 2


def test_invalid_address_or_type_is_400(make_api_client):  # type: ignore[no-untyped-def]
    _, dms = make_api_client("dms", [scopes.WEBHOOKS_MANAGE])
    assert (
        dms.post("/api/v1/webhooks/", {**HOOK, "url": "ftp://x"}, content_type="application/json").status_code
        == 400
    )
    wrong = {**HOOK, "event_types": ["de.jcportal.nonsense"]}
    assert dms.post("/api/v1/webhooks/", wrong, content_type="application/json").status_code == 400
    assert not Subscription.objects.exists()


def test_token_and_scope(make_api_client):  # type: ignore[no-untyped-def]
    assert ApiTestClient().get("/api/v1/webhooks/").status_code == 401
    _, reader = make_api_client("reader", [scopes.EVENTS_READ])
    assert reader.get("/api/v1/webhooks/").status_code == 403
    assert reader.post("/api/v1/webhooks/", HOOK, content_type="application/json").status_code == 403
    assert reader.delete("/api/v1/webhooks/1/").status_code == 403


def test_a_client_s_webhook_gets_only_events_of_its_territory(make_api_client):  # type: ignore[no-untyped-def]
    mine, other = HouseholdFactory(), HouseholdFactory()
    api_client, dms = make_api_client("local", [scopes.WEBHOOKS_MANAGE], offices=[mine.service_office])
    dms.post("/api/v1/webhooks/", {**HOOK, "event_types": []}, content_type="application/json")
    subscription = Subscription.objects.get(client=api_client)
    seen = Event(type="de.jcportal.household.upserted", subject="1", household=mine)
    unseen = Event(type="de.jcportal.household.upserted", subject="2", household=other)
    assert services.subscriptions_for(seen, [subscription]) == [subscription]
    if other.service_office_id != mine.service_office_id:
        assert services.subscriptions_for(unseen, [subscription]) == []
