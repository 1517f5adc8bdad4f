"""The Fachverfahren record: written by the exporter on the workflow result, valid against its schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.utils import timezone

from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.eforms import services as eform_services
from jcportal.eforms.models import Submission
from jcportal.eforms.selectors import sick_report_statistics
from jcportal.events.services import emit_for
from jcportal.exporters import fachverfahren

pytestmark = pytest.mark.django_db


def validate(record: dict) -> None:
    validator = jsonschema.Draft202012Validator(
        fachverfahren.schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(record)]
    assert errors == []


def filed(household, citizen, form: str, data: dict) -> Submission:  # type: ignore[no-untyped-def]
    return Submission.objects.create(
        form_slug=form,
        form_version=1,
        status=Submission.Status.SUBMITTED,
        data=data,
        household=household,
        created_by=citizen,
        reference=eform_services.new_reference(),
        submitted_at=timezone.now(),
    )


SICK = {
    "sickness": {
        "certificate_kind": "first",
        "sick_from": "2026-11-23",
        "sick_until": "2026-11-27",
        "certified_on": "2026-11-23",
        "doctor": "Praxis Dr. Hausarzt",
        "missed_appointment": "yes",
    },
    "appointment": {"appointment_date": "2026-11-24"},
    "declaration": {"truthful": True, "privacy": True},
}


def test_confirmed_sick_note_is_written_for_the_fachverfahren(
    configure, household, citizen, export_root, django_capture_on_commit_callbacks
):
    configure("fachverfahren", folder="fachverfahren")
    submission = filed(household, citizen, "krankmeldung", SICK)
    staff = StaffFactory(first_name="Fiona", last_name="Fallmanagerin")

    with django_capture_on_commit_callbacks(execute=True):
        emit_for("de.jcportal.submission.received", submission)
    with django_capture_on_commit_callbacks(execute=True):
        eform_services.apply_action(submission, "confirm", staff)

    folder = export_root / "fachverfahren"
    received = json.loads((folder / f"{submission.reference}_submission.received.json").read_text())
    confirmed = json.loads((folder / f"{submission.reference}_sicknote.confirmed.json").read_text())
    validate(received)
    validate(confirmed)
    assert confirmed["format"] == "jcportal.fachverfahren/1"
    assert confirmed["household"] == {"bg_number": household.bg_number}
    assert confirmed["person"]["last_name"] == citizen.person.last_name
    result = confirmed["result"]
    assert result["kind"] == "sick_note_confirmed"
    assert result["decided_by"] == {"username": staff.username, "name": "Fiona Fallmanagerin"}
    assert result["sick_note"] == {
        "incapacity_from": "2026-11-23",
        "incapacity_until": "2026-11-27",
        "certificate_kind": "first",
        "certified_on": "2026-11-23",
        "missed_appointment": "2026-11-24",
    }
    assert confirmed["service"]["answers_schema"].endswith("/antrag/schema/krankmeldung/1.json")
    # the statistics count it as exported; the protocol names the record
    assert sick_report_statistics()["exported"] == 1
    assert (
        AuditEvent.objects.filter(action="exporters.record.exported", object_id=str(submission.pk)).count()
        == 2
    )

    # written once: the same event again changes nothing
    mtime = (folder / f"{submission.reference}_sicknote.confirmed.json").stat().st_mtime_ns
    path, written = fachverfahren.write_record(submission, folder, "de.jcportal.sicknote.confirmed")
    assert not written and path.stat().st_mtime_ns == mtime


def test_approved_absence_record(household, citizen):
    submission = filed(
        household,
        citizen,
        "ortsabwesenheit",
        {"absence": {"absent_from": "2026-12-20", "absent_until": "2026-12-27", "destination": "Köln"}},
    )
    eform_services.apply_action(submission, "approve", StaffFactory())
    submission.refresh_from_db()

    record = fachverfahren.fachverfahren_record(submission)

    validate(record)
    assert record["result"]["kind"] == "absence_approved"
    assert record["result"]["absence"] == {
        "absent_from": "2026-12-20",
        "absent_until": "2026-12-27",
        "destination": "Köln",
    }


def test_open_submission_has_no_result_and_the_schema_is_published_in_the_docs(household, citizen):
    from pathlib import Path

    record = fachverfahren.fachverfahren_record(filed(household, citizen, "krankmeldung", SICK))
    validate(record)
    assert record["result"] is None and record["status"] == "submitted"
    docs = (Path(__file__).resolve().parents[4] / "docs" / "integration" / "fachverfahren-v1.md").read_text()
    published = docs.split("## JSON Schema", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    assert json.loads(published) == fachverfahren.schema()


def test_an_application_without_a_household_reaches_the_fachverfahren(
    configure, export_root, django_capture_on_commit_callbacks
):
    configure("fachverfahren", folder="fachverfahren")
    submission = Submission.objects.create(
        form_slug="erstantrag",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        data={},
        reference=eform_services.new_reference(),
        submitted_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        emit_for("de.jcportal.submission.received", submission)

    record = json.loads(
        (export_root / "fachverfahren" / f"{submission.reference}_submission.received.json").read_text()
    )
    validate(record)
    assert record["household"] == {"bg_number": None} and record["person"] is None
