"""Households through the API as the Fachverfahren uses them: read, idempotent upsert by BG number,
the nightly bulk sync, scopes and territories."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from jcportal.accounts.models import Role, User
from jcportal.api import scopes
from jcportal.audit.models import AuditEvent
from jcportal.events.models import Event
from jcportal.households.models import Household, Person
from jcportal.households.tests.factories import HouseholdFactory, TeamFactory

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db


def put(client: ApiTestClient, bg_number: str, body: dict):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/households/{bg_number}/", json.dumps(body), content_type="application/json")


def payload(team, caseworker: str = "") -> dict:  # type: ignore[no-untyped-def]
    return {
        "street": "Hauptstraße 5",
        "postcode": "64646",
        "city": "Heppenheim",
        "active": True,
        "responsibilities": {
            "office": team.service_office_id,
            "team": team.pk,
            "caseworker": caseworker or None,
        },
        "members": [
            {
                "fachverfahren_id": "P-1",
                "first_name": "Aylin",
                "last_name": "Demir",
                "date_of_birth": "1985-04-02",
                "relation": "head",
            },
            {"first_name": "Emre", "last_name": "Demir", "date_of_birth": "2015-09-30", "relation": "child"},
        ],
    }


@pytest.fixture
def team():  # type: ignore[no-untyped-def]
    return TeamFactory()


@pytest.fixture
def caseworker(team):  # type: ignore[no-untyped-def]
    return User.objects.create_user("k.mueller", password="x", role=Role.CASEWORKER)


def test_put_creates_the_household_and_an_identical_second_put_changes_nothing(dms, team, caseworker):
    first = put(dms, "12345bg 0000001", payload(team, "k.mueller"))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] and body["changed"]
    household = body["household"]
    assert household["bg_number"] == "12345BG0000001"
    assert household["responsibilities"]["caseworker"] == "k.mueller"
    assert household["responsibilities"]["team"]["id"] == team.pk
    assert [m["fachverfahren_id"] for m in household["members"]] == ["P-1", None]
    assert Event.objects.filter(type="de.jcportal.household.upserted", subject="12345BG0000001").count() == 1
    events, audits = Event.objects.count(), AuditEvent.objects.count()

    second = put(dms, "12345BG0000001", payload(team, "k.mueller"))
    assert second.status_code == 200
    assert second.json()["changed"] is False and second.json()["changes"] == []
    assert Event.objects.count() == events
    assert AuditEvent.objects.count() == audits


def test_members_are_matched_by_fachverfahren_id_then_name_and_birth_date(dms, team):
    put(dms, "12345BG0000002", payload(team))
    stored = Household.objects.get(bg_number="12345BG0000002")
    head = stored.members.get(first_name="Aylin")
    child = stored.members.get(first_name="Emre")
    changed = payload(team)
    changed["members"][0]["last_name"] = "Yilmaz"  # married: same Fachverfahren id
    changed["members"].append(
        {
            "fachverfahren_id": "P-3",
            "first_name": "Deniz",
            "last_name": "Yilmaz",
            "date_of_birth": "1983-01-01",
            "relation": "partner",
        }
    )
    response = put(dms, "12345BG0000002", changed)
    assert response.status_code == 200
    assert set(response.json()["changes"]) == {"members.added", "members.changed"}
    assert stored.members.get(pk=head.pk).last_name == "Yilmaz"
    assert stored.members.filter(pk=child.pk).exists()
    assert stored.members.count() == 3
    changed["members"] = changed["members"][:1]
    assert set(put(dms, "12345BG0000002", changed).json()["changes"]) == {"members.removed"}
    assert list(stored.members.values_list("first_name", flat=True)) == ["Aylin"]


def test_a_member_with_a_portal_account_is_kept(dms, team):
    put(dms, "12345BG0000003", payload(team))
    child = Person.objects.get(first_name="Emre")
    User.objects.create_user("emre", password="x", role=Role.CITIZEN, person=child)
    body = payload(team)
    body["members"] = body["members"][:1]
    put(dms, "12345BG0000003", body)
    assert Person.objects.filter(pk=child.pk).exists()


def test_get_list_and_detail_are_audited_with_the_client_as_actor(dms, team):
    put(dms, "12345BG0000004", payload(team))
    listed = dms.get("/api/v1/households/")
    assert listed.status_code == 200
    assert [h["bg_number"] for h in listed.json()["results"]] == ["12345BG0000004"]
    detail = dms.get("/api/v1/households/12345bg0000004/")
    assert detail.status_code == 200
    assert detail.json()["members"][0]["first_name"] == "Aylin"
    event = AuditEvent.objects.filter(action="api.household_read").latest("sequence")
    assert (
        event.actor_label == "api:dms"
        and event.household_id == Household.objects.get(bg_number="12345BG0000004").pk
    )
    assert AuditEvent.objects.filter(action="api.households_listed", actor_label="api:dms").exists()


def test_unknown_username_or_team_is_400(dms, team):
    response = put(dms, "12345BG0000005", payload(team, "nobody"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert not Household.objects.filter(bg_number="12345BG0000005").exists()


def test_scopes_and_territory(make_api_client, team):
    household = HouseholdFactory()
    _, reader = make_api_client("reader", [scopes.HOUSEHOLDS_READ], all_households=True)
    assert ApiTestClient().get("/api/v1/households/").status_code == 401
    assert put(ApiTestClient(), household.bg_number, payload(team)).status_code == 401
    assert reader.get(f"/api/v1/households/{household.bg_number}/").status_code == 200
    assert put(reader, household.bg_number, payload(team)).status_code == 403
    assert reader.post("/api/v1/households/bulk/", {}, content_type="application/json").status_code == 403
    _, writer = make_api_client("writer", [scopes.HOUSEHOLDS_WRITE])
    assert writer.get("/api/v1/households/").status_code == 403

    # a client of one team: other households are 404 for reading and writing alike, and it cannot
    # create households outside its territory
    _, local = make_api_client("local", [scopes.HOUSEHOLDS_READ, scopes.HOUSEHOLDS_WRITE], teams=[team])
    assert local.get(f"/api/v1/households/{household.bg_number}/").status_code == 404
    assert local.get("/api/v1/households/NOPE/").status_code == 404
    assert put(local, household.bg_number, payload(team)).status_code == 404
    assert put(local, "12345BG0000006", payload(team)).status_code == 201
    elsewhere = payload(team)
    elsewhere["responsibilities"] = {
        "office": household.service_office_id,
        "team": household.responsible_team_id,
    }
    refused = put(local, "12345BG0000006", elsewhere)
    assert refused.status_code == 400 and refused.json()["error"] == "outside_territory"
    assert put(local, "12345BG0000007", elsewhere).json()["error"] == "outside_territory"


def test_bulk_sync_of_300_households_then_an_identical_run_changes_nothing(dms, team):
    households = []
    for n in range(300):
        body = payload(team)
        body["bg_number"] = f"64646BG{n:07d}"
        for member in body["members"]:
            member.pop("fachverfahren_id", None)
        body["members"][0]["fachverfahren_id"] = f"P{n}"
        households.append(body)
    start = time.perf_counter()
    first = dms.post("/api/v1/households/bulk/", {"households": households}, content_type="application/json")
    elapsed = time.perf_counter() - start
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 300 and first.json()["failed"] == 0
    assert Person.objects.filter(household__bg_number__startswith="64646BG").count() == 600
    assert elapsed < 10
    events, audits = Event.objects.count(), AuditEvent.objects.count()

    second = dms.post("/api/v1/households/bulk/", {"households": households}, content_type="application/json")
    assert second.json()["unchanged"] == 300 and second.json()["changed"] == 0
    assert Event.objects.count() == events and AuditEvent.objects.count() == audits

    from jcportal.audit.services import verify_chain

    assert list(verify_chain()) == [], "the bulk-written audit entries chain like single ones"
    synced = AuditEvent.objects.filter(action="household.synced", actor_label="api:dms")
    assert synced.count() == 300 and synced.filter(household_id__isnull=True).count() == 0

    households[7]["approval_until"] = dt.date(2027, 6, 30).isoformat()
    third = dms.post("/api/v1/households/bulk/", {"households": households}, content_type="application/json")
    assert third.json()["changed"] == 1
    assert [r["changes"] for r in third.json()["results"] if r["changed"]] == [["approval_until"]]


def test_bulk_reports_errors_per_household(make_api_client, team):
    foreign = HouseholdFactory()
    _, local = make_api_client("local", [scopes.HOUSEHOLDS_WRITE], teams=[team])
    ok = {**payload(team), "bg_number": "12345BG0000010"}
    other = {**payload(team), "bg_number": foreign.bg_number}
    response = local.post(
        "/api/v1/households/bulk/", {"households": [ok, other, ok]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert [r["error"] for r in response.json()["results"]] == [None, "not_found", "invalid"]
    assert Household.objects.filter(bg_number="12345BG0000010").exists()
