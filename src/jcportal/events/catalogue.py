"""Every event type jcportal emits, declared in one place with what it means and where its data lives.

``emit()`` refuses a type that is not declared here, and ``events/tests/test_catalogue.py`` scans the
code for emitted types, so the catalogue, the code and ``docs/integration/events.md`` stay in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from jcportal.core.registry import Registry

PREFIX = "de.jcportal."


@dataclass(frozen=True)
class EventType:
    type: str
    description: str
    # the object's API URL below SITE_URL; ``{subject}`` is replaced by the subject (the object's id)
    dataref: str


event_types: Registry[EventType] = Registry("event types")


def declare(type_: str, description: str, dataref: str) -> EventType:
    if not type_.startswith(PREFIX):
        raise ValueError(f"event types start with {PREFIX!r}: {type_!r}")
    return event_types.add(type_, EventType(type_, description, dataref))


DOCUMENT = "/api/v1/documents/{subject}/"
SUBMISSION = "/api/v1/submissions/{subject}/"
LETTER = "/api/v1/letters/{subject}/"
DOCREQUEST = "/api/v1/document-requests/{subject}/"
HOUSEHOLD = "/api/v1/households/{subject}/"

DOCUMENT_RECEIVED = declare(
    "de.jcportal.document.received",
    "A document arrived (portal upload, online-service evidence, scan, staff); its originals are stored, "
    "the intake pipeline has not run yet.",
    DOCUMENT,
)
DOCUMENT_DELIVERED = declare(
    "de.jcportal.document.delivered",
    "The intake finished: the PDF (PDF/A-2b) is ready and the document is in the responsible inbox. "
    "A DMS fetches it now.",
    DOCUMENT,
)
DOCUMENT_EXPORTED = declare(
    "de.jcportal.document.exported",
    "The document was handed to the DMS (hot folder, xdomea or API fetch) and waits for its acknowledgement.",
    DOCUMENT,
)
DOCUMENT_FILED = declare(
    "de.jcportal.document.filed",
    "The DMS acknowledged the document: it is filed in the E-Akte (the citizen sees this).",
    DOCUMENT,
)
SUBMISSION_RECEIVED = declare(
    "de.jcportal.submission.received",
    "An online service was filed: the Vorgangsnummer is issued and the PDF copy is in the case file.",
    SUBMISSION,
)
SICKNOTE_CONFIRMED = declare(
    "de.jcportal.sicknote.confirmed",
    "Staff confirmed a Krankmeldung (sick note); the Fachverfahren export carries person and period.",
    SUBMISSION,
)
ABSENCE_APPROVED = declare(
    "de.jcportal.absence.approved",
    "Staff approved an Ortsabwesenheit (absence from the place of residence).",
    SUBMISSION,
)
SUBMISSION_DECIDED = declare(
    "de.jcportal.submission.decided",
    "Staff decided another online-service submission (approved, rejected, processed).",
    SUBMISSION,
)
LETTER_RELEASED = declare(
    "de.jcportal.letter.released",
    "A letter (e.g. a Bescheid) was released to the household's postbox in the portal.",
    LETTER,
)
DOCREQUEST_CREATED = declare(
    "de.jcportal.docrequest.created",
    "A document request (Mitwirkungsaufforderung) with deadline and items was created.",
    DOCREQUEST,
)
DOCREQUEST_ANSWERED = declare(
    "de.jcportal.docrequest.answered",
    "A document arrived for an item of a document request (data.complete says whether all have).",
    DOCREQUEST,
)
HOUSEHOLD_UPSERTED = declare(
    "de.jcportal.household.upserted",
    "A household (Bedarfsgemeinschaft), its members or responsibilities were created or changed.",
    HOUSEHOLD,
)

# Workflow results of online services: (form slug, action) -> event type. Anything not listed is
# ``submission.decided``. Data, not ``if form_slug == ...`` in the engine.
WORKFLOW_RESULTS: dict[tuple[str, str], str] = {
    ("krankmeldung", "confirm"): SICKNOTE_CONFIRMED.type,
    ("ortsabwesenheit", "approve"): ABSENCE_APPROVED.type,
}
DECIDING_ACTIONS = {"confirm", "approve", "reject", "done"}


def workflow_result_type(form_slug: str, action: str) -> str | None:
    if action not in DECIDING_ACTIONS:
        return None
    return WORKFLOW_RESULTS.get((form_slug, action), SUBMISSION_DECIDED.type)
