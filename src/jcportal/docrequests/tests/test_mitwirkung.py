"""The Mitwirkung procedure: each answer is received, to be checked, until staff accept or reject it (with
a reason the citizen sees); staff tick items by hand and extend deadlines; the request and its reminder
exist as a German letter with the Rechtsfolgenbelehrung, in the postbox or printed for the post."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jcportal.accounts.tests.factories import CitizenFactory
from jcportal.docrequests import selectors, services
from jcportal.docrequests.models import DocumentRequest, DocumentRequestItem, DocumentRequestLetter
from jcportal.documents.models import Document

from .factories import DocumentRequestFactory, DocumentRequestItemFactory
from .test_requests import create_via_form, png

State = DocumentRequestItem.State
pytestmark = pytest.mark.usefixtures("english")


def answer(citizen_client, item):
    url = reverse("portal:request", args=[item.request_id])
    response = citizen_client.post(url, {"item": item.pk, f"item{item.pk}-upload": [png()]})
    assert response.status_code == 302
    item.refresh_from_db()
    return item


def pdf_text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_answer_is_received_until_staff_accept_it_then_the_request_is_complete(
    citizen_client, caseworker_client, caseworker, household
):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    answer(citizen_client, item)
    assert item.state == State.RECEIVED
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None
    portal = citizen_client.get(reverse("portal:request", args=[doc_request.pk])).content.decode()
    assert "Received, being checked" in portal
    assert "checklist__item--done" not in portal

    url = reverse("backoffice:document-request-item-accept", args=[doc_request.pk])
    assert caseworker_client.post(url, {"item": item.pk}).status_code == 302
    item.refresh_from_db()
    doc_request.refresh_from_db()
    assert item.state == State.ACCEPTED and item.decided_by == caseworker
    assert doc_request.completed_at is not None
    portal = citizen_client.get(reverse("portal:request", args=[doc_request.pk])).content.decode()
    assert portal.count("checklist__item--done") == 1


@pytest.mark.django_db
def test_rejected_answer_shows_the_reason_and_the_item_can_be_answered_again(
    citizen_client, caseworker_client, household
):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    answer(citizen_client, item)
    first_document = item.document
    url = reverse("backoffice:document-request-item-reject", args=[doc_request.pk])
    # no reason: refused, nothing changes
    response = caseworker_client.post(url, {"item": item.pk, f"reject{item.pk}-reason": "  "})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.state == State.RECEIVED
    response = caseworker_client.post(
        url, {"item": item.pk, f"reject{item.pk}-reason": "Es fehlt die Seite 2 des Auszugs."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.REJECTED
    assert item.document == first_document  # the document still shows what it was sent for

    page = citizen_client.get(reverse("portal:request", args=[doc_request.pk]))
    html = page.content.decode()
    assert 'lang="de" dir="ltr"' in html and "Es fehlt die Seite 2 des Auszugs." in html
    assert "Rejected – please send again" in html
    assert page.context["missing"] == 1
    assert f'name="item" value="{item.pk}"' in html
    assert item in selectors.missing_items(household)

    answer(citizen_client, item)
    assert item.state == State.RECEIVED and item.document != first_document
    services.accept_answer(item=item, actor=None)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None


@pytest.mark.django_db
def test_tick_by_hand_and_extend_deadline(caseworker_client, citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    paper = DocumentRequestItemFactory(request=doc_request)
    online = DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    response = caseworker_client.post(
        reverse("backoffice:document-request-item-tick", args=[doc_request.pk]), {"item": paper.pk}
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.state == State.ACCEPTED and paper.received_on_paper
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None  # the second item is still missing

    old = doc_request.deadline
    new = old + dt.timedelta(days=14)
    extend = reverse("backoffice:document-request-extend", args=[doc_request.pk])
    assert caseworker_client.post(extend, {"deadline": old.isoformat()}).status_code == 200  # not later
    assert caseworker_client.post(extend, {"deadline": new.isoformat()}).status_code == 302
    doc_request.refresh_from_db()
    assert doc_request.deadline == new and doc_request.original_deadline == old
    portal = citizen_client.get(reverse("portal:request", args=[doc_request.pk])).content.decode()
    assert new.strftime("%d.%m.%Y") in portal
    assert old.strftime("%d.%m.%Y") in portal  # "extended (was …)"

    services.tick_item(item=online, actor=None)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None


@pytest.mark.django_db
def test_scanned_document_is_offered_as_answer_and_does_not_complete_the_request(household):
    from jcportal.scanning.services import link_to_open_request

    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request, doc_type="lohnabrechnung")
    scanned = Document.objects.create(
        household=household,
        doc_type="lohnabrechnung",
        title="Lohnabrechnung",
        channel=Document.Channel.SCAN,
        receipt_number="EB-TEST-SCAN-1",
        received_at=timezone.now(),
        status=Document.Status.PROCESSED,
    )
    link_to_open_request(scanned)
    item.refresh_from_db()
    doc_request.refresh_from_db()
    assert item.document == scanned and item.state == State.RECEIVED
    assert doc_request.completed_at is None
    assert selectors.answers_of(scanned) == [item]
    services.accept_answer(item=item, actor=None)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None


@pytest.mark.django_db
def test_letter_without_portal_account_is_printed_and_recorded_as_posted(caseworker_client, household):
    assert create_via_form(caseworker_client, household).status_code == 302
    doc_request = DocumentRequest.objects.get(household=household)
    letter = doc_request.letters.get()
    assert letter.kind == DocumentRequestLetter.Kind.REQUEST
    assert letter.channel == DocumentRequestLetter.Channel.POST and letter.awaits_post
    detail = caseworker_client.get(reverse("backoffice:document-request", args=[doc_request.pk]))
    pdf_url = (
        reverse("backoffice:document-request-letter-pdf", args=[doc_request.pk]) + f"?letter={letter.pk}"
    )
    assert pdf_url in detail.content.decode()

    response = caseworker_client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    normalised = " ".join(text.split())
    assert "Rechtsfolgenbelehrung" in normalised
    assert "§ 66 Absatz 1 und 3 SGB I" in normalised
    assert "versagt oder entzogen" in normalised
    assert household.bg_number in normalised
    assert services.reference(doc_request) in normalised
    assert "Alle Konten, März bis Mai" in normalised
    assert "Kontoauszug" in normalised and "Mietvertrag" in normalised
    assert doc_request.deadline.strftime("%d.%m.%Y") in normalised

    posted = reverse("backoffice:document-request-letter-posted", args=[doc_request.pk])
    assert caseworker_client.post(posted, {"letter": letter.pk}).status_code == 302
    letter.refresh_from_db()
    assert letter.sent_by_post_at is not None and not letter.awaits_post


@pytest.mark.django_db
def test_letter_goes_into_the_postbox_of_a_household_with_a_portal_account(household, caseworker):
    from jcportal.accounts.models import Consent

    citizen = CitizenFactory(person__household=household, email="kunde@example.org")
    Consent.objects.create(user=citizen, household=household, kind=Consent.Kind.DIGITAL_DELIVERY)
    doc_request = services.create_request(
        household=household,
        created_by=caseworker,
        explanation="Bitte senden Sie uns die Unterlagen.",
        deadline=timezone.localdate() + dt.timedelta(days=3),
        items=[{"doc_type": "kontoauszug", "explanation": "März bis Mai"}],
    )
    letter = doc_request.letters.get()
    assert letter.channel == DocumentRequestLetter.Channel.POSTBOX
    document = letter.document
    assert document.household == household
    assert document.direction == Document.Direction.OUTBOUND
    assert document.released_at is not None
    assert document.postbox_letter.notice_sent_at is not None  # the § 37 (2a) SGB X notice went out
    original = document.originals.first()
    with original.file.open("rb") as handle:
        assert "Rechtsfolgenbelehrung" in pdf_text(handle.read())

    # the reminder is a second letter in the postbox, listing what is still missing
    assert services.send_reminders() == 1
    reminder = doc_request.letters.get(kind=DocumentRequestLetter.Kind.REMINDER)
    assert reminder.channel == DocumentRequestLetter.Channel.POSTBOX
    assert reminder.document.released_at is not None
    assert "Erinnerung" in reminder.document.title


@pytest.mark.django_db
def test_reminder_without_portal_account_waits_to_be_printed(household):
    doc_request = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() + dt.timedelta(days=2)
    )
    DocumentRequestItemFactory(request=doc_request)
    assert services.send_reminders() == 1
    letter = doc_request.letters.get()
    assert letter.kind == DocumentRequestLetter.Kind.REMINDER and letter.awaits_post
    text = " ".join(pdf_text(services.render_letter(letter)).split())
    assert "Erinnerung" in text and "Rechtsfolgenbelehrung" in text


@pytest.mark.django_db
def test_overdue_requests_for_follow_ups(household):
    late = DocumentRequestFactory(household=household, deadline=timezone.localdate() - dt.timedelta(days=1))
    DocumentRequestItemFactory(request=late)
    DocumentRequestFactory(household=household)
    assert list(services.overdue_requests()) == [late]
    assert late.is_overdue


@pytest.mark.django_db
def test_document_page_shows_which_item_it_answers(citizen_client, caseworker_client, caseworker, household):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    answer(citizen_client, item)
    page = caseworker_client.get(reverse("backoffice:document", args=[item.document_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("backoffice:document-request", args=[doc_request.pk]) in html
    assert "Answers document request" in html

    from jcportal.inbox.tests.factories import InboxItemFactory

    inbox_item = InboxItemFactory(document=item.document, assignee=caseworker)
    html = caseworker_client.get(reverse("backoffice:item", args=[inbox_item.pk])).content.decode()
    assert "Answers document request" in html and "Received, to be checked" in html


@pytest.mark.django_db
def test_team_assistant_ticks_and_posts_but_does_not_decide_on_answers(citizen_client, household):
    from django.test import Client

    from jcportal.accounts import policy
    from jcportal.accounts.models import Role
    from jcportal.accounts.tests.factories import StaffFactory
    from jcportal.core.testing.fixtures import login_staff

    assistant = StaffFactory(role=Role.TEAM_ASSISTANT, team=household.responsible_team)
    client = login_staff(Client(), assistant)
    doc_request = DocumentRequestFactory(household=household)
    item = answer(citizen_client, DocumentRequestItemFactory(request=doc_request))
    assert not policy.can_decide_request_answers(assistant, doc_request)
    assert policy.can_handle_request_post(assistant, doc_request)
    accept = reverse("backoffice:document-request-item-accept", args=[doc_request.pk])
    assert client.post(accept, {"item": item.pk}).status_code == 403
    paper = DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    page = client.get(reverse("backoffice:document-request", args=[doc_request.pk])).content.decode()
    assert "accept-answer" not in page and "tick-item" in page
    tick = reverse("backoffice:document-request-item-tick", args=[doc_request.pk])
    # an answer waiting to be checked cannot be ticked away: that is a decision
    client.post(tick, {"item": item.pk})
    item.refresh_from_db()
    assert item.state == State.RECEIVED
    assert client.post(tick, {"item": paper.pk}).status_code == 302
    paper.refresh_from_db()
    assert paper.state == State.ACCEPTED and paper.received_on_paper
