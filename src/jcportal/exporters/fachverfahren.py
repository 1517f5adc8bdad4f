"""The Fachverfahren record: each online service's submission with its workflow result, versioned JSON.

``fachverfahren_record(submission)`` is a pure function of the submission's current state (the API
returns the same dict); ``schemas/fachverfahren-v1.json`` is its JSON Schema, published in
docs/integration/fachverfahren-v1.md. The exporter writes one file per event into its folder::

    <folder>/<Vorgangsnummer>_<event>.json     e.g. JC-2026-000123-7_sicknote.confirmed.json

written under a temporary name and renamed; a file that exists already is not written again.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from jcportal.audit.services import audit
from jcportal.events import catalogue

from .base import Exporter, Nothing, register, target_folder, write_atomically

FORMAT = "jcportal.fachverfahren/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "fachverfahren-v1.json"

# (form, status) -> result kind; any other decided status is its own kind
RESULT_KINDS = {
    ("krankmeldung", "confirmed"): "sick_note_confirmed",
    ("ortsabwesenheit", "approved"): "absence_approved",
}
OPEN_STATUSES = {"draft", "submitted", "query"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA_PATH.read_text()))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _person(submission: Any) -> dict[str, Any] | None:
    person = None
    user = submission.created_by
    if user is not None and user.person_id and user.person.household_id == submission.household_id:
        person = user.person
    elif submission.household is not None:
        person = submission.household.head
    if person is None:
        return None
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": _iso(person.date_of_birth),
    }


def _document(document: Any) -> dict[str, Any]:
    return {
        "receipt_number": document.receipt_number,
        "document_type": document.doc_type,
        "title": document.title,
        "received_at": document.received_at.isoformat(),
        "sha256": document.pdf_sha256 or "",
    }


def _result(submission: Any) -> dict[str, Any] | None:
    if submission.status in OPEN_STATUSES:
        return None
    staff = submission.decided_by
    result: dict[str, Any] = {
        "kind": RESULT_KINDS.get((submission.form_slug, submission.status), submission.status),
        "decided_at": _iso(submission.decided_at),
        "decided_by": {"username": staff.get_username(), "name": staff.get_full_name()} if staff else None,
        "note": submission.decision_note or "",
    }
    data = submission.data or {}
    if result["kind"] == "sick_note_confirmed":
        sickness = data.get("sickness") or {}
        result["sick_note"] = {
            "incapacity_from": sickness.get("sick_from") or None,
            "incapacity_until": sickness.get("sick_until") or None,
            "certificate_kind": sickness.get("certificate_kind") or None,
            "certified_on": sickness.get("certified_on") or None,
            "missed_appointment": (data.get("appointment") or {}).get("appointment_date") or None,
        }
    elif result["kind"] == "absence_approved":
        absence = data.get("absence") or {}
        result["absence"] = {
            "absent_from": absence.get("absent_from") or None,
            "absent_until": absence.get("absent_until") or None,
            "destination": absence.get("destination") or None,
        }
    return result


def fachverfahren_record(submission: Any) -> dict[str, Any]:
    """The documented record (``jcportal.fachverfahren/1``) of a filed online-service submission."""
    from jcportal.eforms.services import submission_json

    if not submission.reference:
        raise Nothing("the submission was not filed")
    definition = submission.definition
    with translation.override("de"):
        title = str(definition.title)
    evidence = [e.document for e in submission.evidence.select_related("document").order_by("pk")]
    return {
        "format": FORMAT,
        "reference": submission.reference,
        "service": {
            "form": submission.form_slug,
            "version": submission.form_version,
            "title": title,
            "answers_schema": settings.SITE_URL.rstrip("/")
            + reverse("eforms:schema", args=[submission.form_slug, submission.form_version]),
        },
        "status": submission.status,
        "submitted_at": _iso(submission.submitted_at),
        "application_date": _iso(submission.application_date),
        "language": submission.language,
        "household": {"bg_number": submission.household.bg_number if submission.household else None},
        "person": _person(submission),
        "filed_by_representative": bool(submission.by_representative),
        "answers": submission_json(submission)["data"],
        "documents": {
            "copy": _document(submission.document) if submission.document_id else None,
            "evidence": [_document(d) for d in evidence],
        },
        "result": _result(submission),
    }


def write_record(submission: Any, folder: Path, event_type: str = "") -> tuple[Path, bool]:
    """Write the record file once; returns (path, whether it was written now)."""
    suffix = event_type.removeprefix(catalogue.PREFIX) or "record"
    path = folder / f"{submission.reference}_{suffix}.json"
    if path.exists():
        return path, False
    body = json.dumps(fachverfahren_record(submission), ensure_ascii=False, indent=2, sort_keys=True).encode()
    write_atomically(path, body)
    return path, True


@register
class FachverfahrenExporter(Exporter):
    identifier = "fachverfahren"
    label = _("Fachverfahren data (JSON, jcportal.fachverfahren/1)")
    description = _("Each online service's submission and each workflow result as a JSON file.")
    kind = "submission"
    marks_exported = False
    default_event_types = (
        catalogue.SUBMISSION_RECEIVED.type,
        catalogue.SICKNOTE_CONFIRMED.type,
        catalogue.ABSENCE_APPROVED.type,
        catalogue.SUBMISSION_DECIDED.type,
    )

    def export(self, config: Any, obj: Any, event_type: str = "") -> str:
        from jcportal.eforms.models import Submission

        path, written = write_record(obj, target_folder(config.options.get("folder", "")), event_type)
        if written:
            Submission.objects.filter(pk=obj.pk, exported_at__isnull=True).update(exported_at=timezone.now())
            audit(
                "exporters.record.exported",
                obj=obj,
                household=obj.household,
                details={
                    "reference": obj.reference,
                    "event": event_type,
                    "format": FORMAT,
                    "to": config.name,
                },
            )
        return str(path)
