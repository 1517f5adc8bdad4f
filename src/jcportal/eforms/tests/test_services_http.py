"""Every online service filled through the HTTP layer as the demo citizen (the Erstantrag without an
account), with evidence upload, submission, PDF copy, JSON against the published schema, and the
caseworker's workflow action in the back office."""

from __future__ import annotations

import datetime as dt
import io

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from jcportal.audit.models import AuditEvent
from jcportal.eforms import services
from jcportal.eforms.models import Submission
from jcportal.households.models import Household
from jcportal.inbox.models import InboxItem

from .helpers import fill, png, start, submission_id_from

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
NEXT_YEAR = TODAY.year + 1


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def send(client: Client, review_url: str) -> Submission:
    response = client.post(review_url)
    assert response.status_code == 302 and "/gesendet/" in response["Location"]
    submission = Submission.objects.get(pk=submission_id_from(review_url))
    assert submission.status == Submission.Status.SUBMITTED
    assert services.is_valid_reference(submission.reference)
    return submission


def pdf_text(client: Client, submission: Submission, query: str = "") -> str:
    response = client.get(reverse("eforms:pdf", args=[submission.pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def assert_schema_valid(client: Client, submission: Submission) -> None:
    schema = client.get(reverse("eforms:schema", args=[submission.form_slug, submission.form_version])).json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(services.submission_json(submission))


def assert_filed(client: Client, submission: Submission, *texts: str) -> None:
    """Copy in the E-Akte, routed, protocol with checksums, PDF copy with the data, valid JSON."""
    assert submission.document is not None
    assert submission.document.doc_type == submission.form_slug
    assert submission.document.pdf_sha256
    assert InboxItem.objects.filter(document=submission.document).exists()
    event = AuditEvent.objects.get(action="eforms.submission.submitted", object_id=str(submission.pk))
    assert event.details["version"] == submission.form_version
    assert event.details["json_sha256"] == submission.json_sha256
    assert event.details["pdf_sha256"] == submission.document.pdf_sha256
    text = pdf_text(client, submission)
    assert submission.reference in text
    for expected in texts:
        assert expected in text, expected
    assert_schema_valid(client, submission)
    services_page = client.get(reverse("portal:services")) if submission.household_id else None
    if services_page is not None:
        assert submission.reference in services_page.content.decode()


def test_krankmeldung_confirmed_and_exported(demo_citizen_client, demo_staff_client):
    client = demo_citizen_client
    review = fill(
        client,
        start(client, "krankmeldung"),
        {
            "sickness": {
                "certificate_kind": "first",
                "sick_from": day(0),
                "sick_until": day(4),
                "certified_on": day(0),
                "doctor": "Praxis Dr. Hausarzt",
                "missed_appointment": "yes",
            },
            "appointment": {"appointment_date": day(1)},
            "certificate": {"au_certificate": png("au-front.png")},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    submission = send(client, review)
    assert submission.evidence.get().document.doc_type == "au_bescheinigung"
    assert_filed(client, submission, "Praxis Dr. Hausarzt", "Erstbescheinigung")
    # routed to the integration specialist
    assert InboxItem.objects.filter(
        document=submission.document, assignee__username="demo-fallmanagement"
    ).exists()

    staff = demo_staff_client("demo-fallmanagement")
    detail = staff.get(reverse("backoffice:submission", args=[submission.pk]))
    assert "Praxis Dr. Hausarzt" in detail.content.decode()
    # ask back first, then confirm
    url = reverse("backoffice:submission-action", args=[submission.pk])
    staff.post(url, {"action": "ask_back", "ask_back-note": ""})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED  # a question needs a text
    staff.post(url, {"action": "ask_back", "ask_back-note": "Bitte die Rückseite senden."})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUERY
    services_page = client.get(reverse("portal:services")).content.decode()
    assert "Bitte die Rückseite senden." in services_page
    assert "notification--warning" in services_page  # the open question is shown on top
    detail_url = reverse("eforms:detail", args=[submission.pk])
    assert client.post(detail_url, {"text": ""}).status_code == 400
    client.post(detail_url, {"text": "Hier ist die Rückseite.", "documents": [png("au-back.png")]})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.replies[0]["text"] == "Hier ist die Rückseite."
    assert submission.evidence.count() == 2
    assert (
        "Hier ist die Rückseite."
        in staff.get(reverse("backoffice:submission", args=[submission.pk])).content.decode()
    )
    staff.post(url, {"action": "confirm", "confirm-note": ""})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CONFIRMED
    # the workflow result is an event: the Fachverfahren exporter (exporters/) writes the record from it
    from jcportal.events.models import Event

    assert (
        Event.objects.filter(type="de.jcportal.sicknote.confirmed", subject=str(submission.pk)).count() == 1
    )


def test_wba_prefilled_only_changes(demo_citizen_client, demo_staff_client):
    client = demo_citizen_client
    first = start(client, "wba")
    page = client.get(first).content.decode()
    household = Household.objects.get(bg_number="12345BG0000001")
    assert f'value="{household.head.first_name}"' in page
    assert f'value="{household.approval_until.isoformat()}"' in page
    submission = Submission.objects.get(pk=submission_id_from(first))
    assert submission.form_version == 2  # the Grundsicherung version applies since 2026-07-01
    steps = {
        "personal": {
            "first_name": household.head.first_name,
            "last_name": household.head.last_name,
            "date_of_birth": household.head.date_of_birth.isoformat(),
            "approval_until": household.approval_until.isoformat(),
            "phone": "0151 2345678",
            "email": "",
        },
        "changes": {"sections": ["household", "income", "bank"]},
        "household": {"count": "1"},
        "persons": {
            "p0-first_name": "Lina",
            "p0-last_name": "Neuzugang",
            "p0-date_of_birth": "2001-04-05",
            "p0-direction": "in",
            "p0-on": day(-10),
        },
        "income": {
            "kinds": ["employment"],
            "employer": "Bäckerei Korn",
            "gross": "1.234,56",
            "net": "987,65",
            "since": day(-30),
        },
        "bank": {"iban": "DE02 1203 0000 0000 2020 51", "account_holder": "Anna Muster"},
        "statements": {"bank_statements": png("kontoauszug.png")},
        "declaration": {"truthful": "on", "privacy": "on"},
    }
    review = fill(client, first, steps)
    review_page = client.get(review).content.decode()
    assert "Lina" in review_page and "1.234,56" in review_page
    submission = send(client, review)
    assert submission.data["income"]["gross"] == "1234.56"
    assert submission.data["bank"]["iban"] == "DE02120300000000202051"
    assert "address" not in submission.data and "assets" not in submission.data
    assert_filed(client, submission, "Bäckerei Korn", "Lina", "1.234,56", "DE02 1203 0000 0000 2020 51")
    with submission.document.pdf.open("rb") as handle:
        filed_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Standort Musterstadt" in filed_text and "Leistung Musterstadt" in filed_text  # office block
    assert "Standort Musterstadt" not in pdf_text(client, submission)  # the applicant's own copy
    staff = demo_staff_client("demo-sachbearbeitung")
    staff.post(reverse("backoffice:submission-action", args=[submission.pk]), {"action": "done"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DONE
    assert not InboxItem.objects.filter(document=submission.document).exclude(state="done").exists()


def test_vaem_move_and_new_job(demo_citizen_client, demo_staff_client):
    client = demo_citizen_client
    review = fill(
        client,
        start(client, "vaem"),
        {
            "changes": {"kinds": ["address", "job_start"], "since": day(-3), "person": "Anna Muster"},
            "address": {
                "street": "Neue Straße 7",
                "postcode": "12346",
                "city": "Musterstadt",
                "moved_on": day(-3),
                "whole_household": "yes",
                "rent_basic": "450",
                "service_charges": "120,50",
                "heating_costs": "80",
                "rental_contract": png("mietvertrag.png"),
            },
            "job_start": {
                "employer": "Stadtwerke Musterstadt",
                "employer_address": "Werkstraße 1, 12345 Musterstadt",
                "starts_on": day(5),
                "hours": "30",
                "gross": "2100",
            },
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    submission = send(client, review)
    assert_filed(client, submission, "Neue Straße 7", "Stadtwerke Musterstadt", "120,50")
    staff = demo_staff_client("demo-sachbearbeitung")
    page = staff.get(reverse("backoffice:submission", args=[submission.pk])).content.decode()
    assert "Neue Straße 7" in page and "mietvertrag" not in page.lower() or "Mietvertrag" in page


def test_ortsabwesenheit_approved_and_seen_by_citizen(demo_citizen_client, demo_staff_client):
    client = demo_citizen_client
    review = fill(
        client,
        start(client, "ortsabwesenheit"),
        {
            "absence": {
                "absent_from": f"{NEXT_YEAR}-03-01",
                "absent_until": f"{NEXT_YEAR}-03-11",
                "destination": "Hamburg",
                "reason": "family",
                "reason_details": "Hochzeit der Schwester",
            },
            "reachability": {"phone": "0151 2345678", "email": "", "address": "", "check_in": "on"},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    submission = send(client, review)
    assert_filed(client, submission, "Hamburg", "Hochzeit der Schwester")
    staff = demo_staff_client("demo-fallmanagement")
    url = reverse("backoffice:submission-action", args=[submission.pk])
    staff.post(url, {"action": "approve", "approve-note": "Gute Reise."})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    page = client.get(reverse("eforms:detail", args=[submission.pk])).content.decode()
    assert "Gute Reise." in page and str(Submission.Status.APPROVED.label) in page or "Genehmigt" in page

    # a second absence beyond 21 days a year gets a warning (the decision stays with the caseworker)
    second = start(client, "ortsabwesenheit")
    review2 = fill(
        client,
        second,
        {
            "absence": {
                "absent_from": f"{NEXT_YEAR}-04-01",
                "absent_until": f"{NEXT_YEAR}-04-13",
                "destination": "Köln",
                "reason": "holiday",
            },
            "reachability": {"phone": "0151 2345678", "check_in": "on"},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    html = client.get(review2).content.decode()
    assert "24" in html and "21" in html  # 11 + 13 days, more than 21
    second_submission = send(client, review2)
    staff.post(
        reverse("backoffice:submission-action", args=[second_submission.pk]),
        {"action": "reject", "reject-note": "Mehr als 21 Tage im Jahr."},
    )
    second_submission.refresh_from_db()
    assert second_submission.status == Submission.Status.REJECTED


def test_kontakt_appointment_with_upload(demo_citizen_client, demo_staff_client):
    client = demo_citizen_client
    review = fill(
        client,
        start(client, "kontakt"),
        {
            "contact": {
                "kind": "appointment",
                "topic": "work",
                "message": "Ich möchte über eine Weiterbildung sprechen.",
            },
            "appointment": {
                "slot1_date": day(3),
                "slot1_time": "morning",
                "slot2_date": day(4),
                "slot2_time": "afternoon",
            },
            "attachment": {"attachment": png("brief.png")},
        },
    )
    submission = send(client, review)
    assert_filed(client, submission, "Weiterbildung")
    staff = demo_staff_client("demo-sachbearbeitung")
    open_list = reverse("backoffice:submissions") + "?service=kontakt&status=open"
    assert submission.reference in staff.get(open_list).content.decode()
    staff.post(
        reverse("backoffice:submission-action", args=[submission.pk]),
        {"action": "done", "done-note": "Termin am Dienstag um 9 Uhr."},
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DONE
    assert submission.reference not in staff.get(open_list).content.decode()
    assert (
        submission.reference
        not in staff.get(reverse("backoffice:submissions") + "?service=wba").content.decode()
    )


ERSTANTRAG_STEPS = {
    "personal": {
        "last_name": "Neumann",
        "first_name": "Petra",
        "birth_name": "",
        "date_of_birth": "1988-02-29",
        "place_of_birth": "Leipzig",
        "country_of_birth": "Deutschland",
        "sex": "female",
        "nationality": "deutsch",
        "street": "Ahornweg 3",
        "postcode": "12345",
        "city": "Musterstadt",
        "phone": "0176 5550001",
        "email": "petra@example.org",
    },
    "identity": {
        "id_kind": "id_card",
        "id_valid_until": "2031-05-31",
        "pension_number": "",
        "health_insurer": "AOK",
    },
    "situation": {
        "marital_status": "partnership",
        "able_to_work": "yes",
        "student": "no",
        "institution": "no",
        "asylum_benefits": "no",
    },
    "bank": {"iban": "DE89370400440532013000", "account_holder": "Petra Neumann"},
    "household": {"adults_count": "1", "children_count": "1"},
    "persons": {
        "p0-first_name": "Karl",
        "p0-last_name": "Neumann",
        "p0-date_of_birth": "1985-07-01",
        "p0-relation": "partner",
        "p0-able_to_work": "yes",
        "p0-has_income": "no",
    },
    "children": {
        "p0-first_name": "Mia",
        "p0-last_name": "Neumann",
        "p0-date_of_birth": "2019-09-09",
        "p0-child_benefit": "yes",
        "p0-maintenance": "no",
    },
    "income": {"has_income": "no"},
    "assets": {
        "total_value": "1.500",
        "savings": "1500",
        "vehicles": "0",
        "owns_home": "no",
        "description": "Girokonto",
    },
    "housing": {
        "housing_kind": "rent",
        "tenant_kind": "main",
        "size_m2": "62",
        "rooms": "3",
        "persons_in_dwelling": "3",
        "rent_basic": "520",
        "service_charges": "130",
        "heating_costs": "95",
        "heating_kind": "gas",
        "central_heating": "yes",
        "hot_water": "heating",
        "rental_contract": None,
    },
    "needs": {},
    "evidence": {},
    "declaration": {"truthful": "on", "privacy": "on"},
}


def test_erstantrag_without_account_converted_to_household(demo_data, demo_staff_client):
    client = Client()
    steps = {**ERSTANTRAG_STEPS, "evidence": {"id_document": png("ausweis.png")}}
    steps["housing"] = {k: v for k, v in steps["housing"].items() if v is not None}
    review = fill(client, start(client, "erstantrag"), steps)
    submission = Submission.objects.get(pk=submission_id_from(review))
    assert submission.application_date == dt.date.today()
    assert submission.service_office.name == "Standort Musterstadt"
    submission = send(client, review)
    assert submission.household is None
    assert_filed(client, submission, "Petra", "Neumann", "Mia", "Ahornweg 3")
    # German copy for the file is the Document; the evidence is linked
    assert submission.evidence.get().document.doc_type == "ausweis"

    other_office = demo_staff_client("demo-sachbearbeitung2")
    assert other_office.get(reverse("backoffice:submission", args=[submission.pk])).status_code == 404
    staff = demo_staff_client("demo-sachbearbeitung")
    assert submission.reference in staff.get(reverse("backoffice:submissions")).content.decode()
    detail_url = reverse("backoffice:submission", args=[submission.pk])
    assert "12345BG0000002" not in staff.get(detail_url).content.decode()
    known = Household.objects.get(bg_number="12345BG0000002")
    known.members.create(first_name="Petra", last_name="NEUMANN", date_of_birth=dt.date(1988, 2, 29))
    assert "12345BG0000002" in staff.get(detail_url).content.decode()  # possible duplicate shown
    response = staff.post(reverse("backoffice:submission-convert", args=[submission.pk]))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CONVERTED
    household = submission.household
    assert household.service_office.name == "Standort Musterstadt"
    assert sorted(p.first_name for p in household.members.all()) == ["Karl", "Mia", "Petra"]
    assert household.head.first_name == "Petra"
    submission.document.refresh_from_db()
    assert submission.document.household == household
    assert submission.evidence.get().document.household_id == household.pk
    # converting twice is refused
    staff.post(reverse("backoffice:submission-convert", args=[submission.pk]))
    assert Household.objects.filter(members__first_name="Mia", members__last_name="Neumann").count() == 1


def test_partial_erstantrag_keeps_application_date_and_is_followed_up(demo_data, demo_staff_client):
    client = Client()
    first = start(client, "erstantrag")
    saved = client.post(first, ERSTANTRAG_STEPS["personal"])
    assert "/gespeichert/" in saved["Location"]
    page = client.get(saved["Location"]).content.decode()
    import re

    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page).group(1)
    assert len(code) == 14
    submission = Submission.objects.get(pk=submission_id_from(first))
    assert submission.application_date == dt.date.today()
    assert AuditEvent.objects.filter(
        action="eforms.application_date.recorded", object_id=str(submission.pk)
    ).exists()
    staff = demo_staff_client("demo-sachbearbeitung")
    followups = staff.get(reverse("backoffice:submission-followups")).content.decode()
    assert "Neumann" in followups and "0176 5550001" in followups
    staff.post(reverse("backoffice:submission-followup", args=[submission.pk]), {"note": "Angerufen"})
    submission.refresh_from_db()
    assert submission.followup_note == "Angerufen"
    # deleting the draft is refused once the date of application counts
    client.post(reverse("eforms:discard", args=[submission.pk]))
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_invalid_input_is_explained_and_nothing_lost(demo_citizen_client):
    client = demo_citizen_client
    first = start(client, "vaem")
    client.post(first, {"kinds": ["bank"], "since": day(-1), "person": "Anna Muster"})
    bank_url = first.replace("/changes/", "/bank/")
    response = client.post(bank_url, {"iban": "DE89 3704 0044 0532 0130 01", "account_holder": "Anna"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_iban"' in html  # the error summary links to the field
    assert 'value="Anna"' in html  # what was accepted stays
    response = client.post(
        first.replace("/changes/", "/bank/"),
        {"iban": "DE89 3704 0044 0532 0130 00", "account_holder": "Anna"},
    )
    assert response.status_code == 302


def test_foreign_household_cannot_open_a_submission(demo_citizen_client, demo_data):
    from jcportal.accounts.models import User

    first = start(demo_citizen_client, "kontakt")
    other = Client()
    other.force_login(User.objects.get(username="demo-kunde2"))
    assert other.get(first).status_code == 404
    sid = submission_id_from(first)
    assert other.get(reverse("eforms:review", args=[sid])).status_code == 404
    assert Client().get(first).status_code == 404


def test_back_office_shows_evidence_inline_and_only_for_visible_submissions(
    demo_citizen_client, demo_staff_client
):
    client = demo_citizen_client
    review = fill(
        client,
        start(client, "kontakt"),
        {
            "contact": {"kind": "message", "topic": "documents", "message": "Anbei ein Brief."},
            "attachment": {"attachment": png("brief.png")},
        },
    )
    submission = send(client, review)
    evidence = submission.evidence.get().document
    url = reverse("backoffice:submission-file", args=[submission.pk, evidence.pk])
    staff = demo_staff_client("demo-sachbearbeitung")
    response = staff.get(url + "?ansehen=1")
    assert response.status_code == 200
    assert "attachment" not in response.get("Content-Disposition", "")
    assert AuditEvent.objects.filter(action="document.downloaded", object_id=str(evidence.pk)).exists()
    # a document that does not belong to the submission is not served through it
    other_url = reverse("backoffice:submission-file", args=[submission.pk, submission.document.pk])
    assert staff.get(other_url).status_code == 200
    foreign = demo_staff_client("demo-sachbearbeitung2")
    assert foreign.get(url).status_code == 404
    assert foreign.get(reverse("backoffice:submission", args=[submission.pk])).status_code == 404
    assert foreign.get(reverse("backoffice:submission-json", args=[submission.pk])).status_code == 404
    export = staff.get(reverse("backoffice:submissions-export") + "?service=kontakt").content.decode(
        "utf-8-sig"
    )
    assert submission.reference in export
    assert submission.reference not in foreign.get(reverse("backoffice:submissions-export")).content.decode(
        "utf-8-sig"
    )
    # the citizen's review showed the file name
    assert "brief.png" in client.get(reverse("eforms:detail", args=[submission.pk])).content.decode()


def test_copy_in_the_applicants_language_and_german_for_the_file(demo_citizen_client):
    client = demo_citizen_client
    client.cookies["jcportal_language"] = "en"
    review = fill(
        client,
        start(client, "krankmeldung"),
        {
            "sickness": {
                "certificate_kind": "follow_up",
                "sick_from": day(0),
                "sick_until": day(2),
                "certified_on": day(0),
                "missed_appointment": "no",
            },
            "certificate": {"au_certificate": png()},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    submission = send(client, review)
    assert submission.language == "en"
    english = pdf_text(client, submission)
    assert "Yes" in english and "Ja" not in english
    german = pdf_text(client, submission, "?sprache=de")
    assert "Ja" in german
    with submission.document.pdf.open("rb") as handle:
        filed = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Ja" in filed and submission.reference in filed


def test_document_link_include_points_from_a_document_to_its_submission(demo_citizen_client):
    from django.template.loader import render_to_string

    client = demo_citizen_client
    review = fill(
        client,
        start(client, "kontakt"),
        {
            "contact": {"kind": "message", "topic": "other", "message": "Hallo"},
            "attachment": {"attachment": png()},
        },
    )
    submission = send(client, review)
    url = reverse("backoffice:submission", args=[submission.pk])
    for document in (submission.document, submission.evidence.get().document):
        html = render_to_string("backoffice/services/document_link.html", {"document": document})
        assert url in html and submission.reference in html
    from jcportal.documents.services import accept_upload

    unrelated = accept_upload(
        household=submission.household, uploaded_by=None, doc_type="sonstiges", title="Brief", files=[png()]
    )
    assert "notification" not in render_to_string(
        "backoffice/services/document_link.html", {"document": unrelated}
    )
