"""Online-service submissions through the API: answers valid against the published schema of the
service and version, the Vorgangsnummer, the PDF copy, the evidence and the Fachverfahren record."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
from django.test import Client

from jcportal.api import scopes
from jcportal.audit.models import AuditEvent
from jcportal.eforms import registry
from jcportal.eforms.models import Submission
from jcportal.eforms.tests.helpers import fill, png, start, submission_id_from
from jcportal.households.tests.factories import HouseholdFactory

from .conftest import ApiTestClient

pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def sick_report(citizen, django_capture_on_commit_callbacks) -> Submission:  # type: ignore[no-untyped-def]
    """A Krankmeldung filed by the citizen through the portal, with the photo of the certificate."""
    portal = Client()
    portal.force_login(citizen)
    review = fill(
        portal,
        start(portal, "krankmeldung"),
        {
            "sickness": {
                "certificate_kind": "first",
                "sick_from": day(0),
                "sick_until": day(4),
                "certified_on": day(0),
                "doctor": "Praxis Dr. Hausarzt",
                "missed_appointment": "no",
            },
            "certificate": {"au_certificate": png("au.png")},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert portal.post(review).status_code == 302
    return Submission.objects.get(pk=submission_id_from(review))


def validator_for(client: ApiTestClient, schema_url: str) -> jsonschema.Draft202012Validator:
    response = client.get(schema_url)
    assert response.status_code == 200
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_list_and_detail_with_answers_valid_against_the_published_schema(dms, sick_report):  # type: ignore[no-untyped-def]
    listed = dms.get("/api/v1/submissions/?form=krankmeldung")
    assert listed.status_code == 200
    assert [s["vorgangsnummer"] for s in listed.json()["results"]] == [sick_report.reference]
    detail = dms.get(listed.json()["results"][0]["url"])
    assert detail.status_code == 200
    body = detail.json()
    assert body["vorgangsnummer"] == sick_report.reference and body["form_version"] == 1
    assert body["answers"]["data"]["sickness"]["doctor"] == "Praxis Dr. Hausarzt"
    validator_for(dms, body["answers_schema"]).validate(body["answers"])
    assert body["answers_schema"].endswith("/api/v1/submissions/schemas/krankmeldung/1/")

    [evidence] = body["evidence"]
    assert evidence["field"] == "au_certificate"
    assert dms.get(evidence["document"]).json()["document_type"] == "au_bescheinigung"
    pdf = dms.get(body["pdf"])
    assert pdf.status_code == 200 and pdf["ETag"] == f'"{sick_report.document.pdf_sha256}"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    record = dms.get(body["fachverfahren"])
    assert record.status_code == 200
    assert record.json()["format"] == "jcportal.fachverfahren/1"
    assert record.json()["reference"] == sick_report.reference

    read = AuditEvent.objects.filter(action="api.submission_read", actor_label="api:dms")
    assert read.count() == 3 and {e.household_id for e in read} == {sick_report.household_id}
    assert AuditEvent.objects.filter(action="api.submissions_listed", actor_label="api:dms").exists()


def test_every_service_and_version_publishes_a_valid_schema(dms):  # type: ignore[no-untyped-def]
    for slug in registry.slugs():
        for definition in registry.versions(slug):
            url = f"/api/v1/submissions/schemas/{slug}/{definition.version}/"
            schema = dms.get(url).json()
            jsonschema.Draft202012Validator.check_schema(schema)
            assert schema["properties"]["form"] == {"const": slug}
    assert dms.get("/api/v1/submissions/schemas/krankmeldung/99/").status_code == 404


def test_scope_and_territory(make_api_client, sick_report):  # type: ignore[no-untyped-def]
    detail = f"/api/v1/submissions/{sick_report.pk}/"
    assert ApiTestClient().get(detail).status_code == 401
    assert ApiTestClient().get("/api/v1/submissions/schemas/krankmeldung/1/").status_code == 401
    _, reader = make_api_client("documents-only", [scopes.DOCUMENTS_READ], all_households=True)
    for path in (detail, detail + "pdf/", detail + "fachverfahren/", "/api/v1/submissions/"):
        assert reader.get(path).status_code == 403
    other = HouseholdFactory()
    _, foreign = make_api_client("foreign", [scopes.SUBMISSIONS_READ], offices=[other.service_office])
    if other.service_office_id != sick_report.household.service_office_id:
        for path in (detail, detail + "pdf/", detail + "fachverfahren/"):
            assert foreign.get(path).status_code == 404
        assert foreign.get("/api/v1/submissions/").json()["results"] == []
