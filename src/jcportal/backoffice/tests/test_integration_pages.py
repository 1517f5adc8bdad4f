"""Administrators manage API clients (token shown once, rotate, revoke) and resend failed webhooks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.api.models import ApiClient
from jcportal.api.testing import ApiTestClient
from jcportal.audit.models import AuditEvent
from jcportal.core.testing.fixtures import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = login_staff(Client(), StaffFactory(role=Role.ADMIN, team=None))
    client.cookies["jcportal_language"] = "en"
    return client


def test_an_administrator_creates_a_client_sees_its_token_once_and_the_token_works(admin_client):
    page = admin_client.get(reverse("backoffice:api-client-new"))
    assert page.status_code == 200 and "documents:read" in page.content.decode()
    response = admin_client.post(
        reverse("backoffice:api-client-new"),
        {
            "name": "dms-ots",
            "description": "OTS",
            "scopes": ["documents:read", "events:read"],
            "all_households": "on",
            "rate_limit_per_minute": "600",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "shown only this once" in html
    token = html.split('id="token"')[1].split('value="')[1].split('"')[0]
    client = ApiClient.objects.get(name="dms-ots")
    assert token not in (client.token_sha256, client.token_prefix) and token.startswith("jcp_")
    assert ApiTestClient(token).get("/api/v1/events/").status_code == 200
    assert ApiTestClient(token).get("/api/v1/households/").status_code in (403, 404)  # no such scope granted
    listing = admin_client.get(reverse("backoffice:api-clients")).content.decode()
    assert "dms-ots" in listing and token not in listing
    assert AuditEvent.objects.filter(action="api_client.created").exists()


def test_a_client_must_say_which_households_it_sees(admin_client):
    response = admin_client.post(
        reverse("backoffice:api-client-new"),
        {"name": "blind", "scopes": ["documents:read"], "rate_limit_per_minute": "600"},
    )
    assert "Choose which households the client may see" in response.content.decode()
    assert not ApiClient.objects.filter(name="blind").exists()


def test_rotating_and_revoking_stop_the_old_token(admin_client, make_api_client):
    api_client, old = make_api_client("dms", ["events:read"], all_households=True)
    assert old.get("/api/v1/events/").status_code == 200
    html = admin_client.post(reverse("backoffice:api-client-rotate", args=[api_client.pk])).content.decode()
    new_token = html.split('id="token"')[1].split('value="')[1].split('"')[0]
    assert old.get("/api/v1/events/").status_code == 401
    assert ApiTestClient(new_token).get("/api/v1/events/").status_code == 200
    admin_client.post(reverse("backoffice:api-client-revoke", args=[api_client.pk]))
    assert ApiTestClient(new_token).get("/api/v1/events/").status_code == 401
    assert "revoked on" in admin_client.get(reverse("backoffice:api-clients")).content.decode()


def test_editing_changes_scopes(admin_client, make_api_client):
    api_client, token_client = make_api_client("dms", ["events:read"], all_households=True)
    admin_client.post(
        reverse("backoffice:api-client-edit", args=[api_client.pk]),
        {"scopes": ["documents:read"], "all_households": "on", "rate_limit_per_minute": "60"},
    )
    api_client.refresh_from_db()
    assert api_client.scopes == ["documents:read"] and api_client.rate_limit_per_minute == 60
    assert token_client.get("/api/v1/events/").status_code == 403


def test_only_administrators_reach_the_integration_pages(caseworker_client):
    for name in ("backoffice:api-clients", "backoffice:api-client-new", "backoffice:webhooks"):
        assert caseworker_client.get(reverse(name)).status_code == 403


def test_a_dead_letter_is_listed_and_sent_again(admin_client, settings):
    from jcportal.events import services
    from jcportal.events.models import Delivery
    from jcportal.households.tests.factories import HouseholdFactory

    subscription, _secret = services.create_subscription(
        client=None, name="DMS", url="http://127.0.0.1:9/hook"
    )
    household = HouseholdFactory()
    services.emit("de.jcportal.household.upserted", household, household=household)
    services.sequence_pending()
    delivery = Delivery.objects.get(subscription=subscription)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.DEAD, attempts=8, last_error="refused"
    )
    page = admin_client.get(reverse("backoffice:webhooks")).content.decode()
    assert "de.jcportal.household.upserted" in page and "refused" in page
    admin_client.post(reverse("backoffice:webhook-redeliver", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
    assert "No failed deliveries." in admin_client.get(reverse("backoffice:webhooks")).content.decode()
