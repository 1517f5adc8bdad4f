import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jcportal.accounts.tests.factories import CitizenFactory
from jcportal.docrequests import services
from jcportal.docrequests.models import DocumentRequest
from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory

from .factories import DocumentRequestFactory, DocumentRequestItemFactory


def png(name="seite.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def create_via_form(client, household, **overrides):
    data = {
        "explanation": "Wir benötigen Ihre Unterlagen.",
        "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "item_1_type": "kontoauszug",
        "item_1_explanation": "Alle Konten, März bis Mai",
        "item_2_type": "mietvertrag",
        "item_2_explanation": "",
        **overrides,
    }
    return client.post(reverse("backoffice:document-request-create", args=[household.pk]), data)


@pytest.mark.django_db
def test_request_with_two_items_fulfilled_by_two_citizen_uploads_is_complete(
    caseworker_client, citizen_client, household
):
    response = create_via_form(caseworker_client, household)
    assert response.status_code == 302
    doc_request = DocumentRequest.objects.get(household=household)
    items = list(doc_request.items.order_by("position"))
    assert [i.doc_type for i in items] == ["kontoauszug", "mietvertrag"]

    listing = citizen_client.get(reverse("portal:requests"))
    assert listing.status_code == 200
    assert reverse("portal:request", args=[doc_request.pk]) in listing.content.decode()

    detail_url = reverse("portal:request", args=[doc_request.pk])
    page = citizen_client.get(detail_url)
    assert page.context["missing"] == 2
    for number, item in enumerate(items, start=1):
        response = citizen_client.post(
            detail_url, {"item": item.pk, f"item{item.pk}-upload": [png(f"seite{number}.png")]}
        )
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        item.refresh_from_db()
        assert item.document is not None
        assert item.document.doc_type == item.doc_type
        assert item.document.household == household
        assert item.document.channel == Document.Channel.PORTAL

    # received, being checked: nothing missing, but not complete until the caseworker accepts
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None
    page = citizen_client.get(detail_url)
    assert page.context["missing"] == 0
    assert page.context["checking"] == 2
    assert page.content.decode().count("checklist__item--received") == 2
    assert "checklist__form" not in page.content.decode()

    staff_view = caseworker_client.get(reverse("backoffice:document-request", args=[doc_request.pk]))
    assert staff_view.status_code == 200
    assert all(row["arrived"] and row["can_accept"] for row in staff_view.context["items"])
    for item in items:
        accept = reverse("backoffice:document-request-item-accept", args=[doc_request.pk])
        assert caseworker_client.post(accept, {"item": item.pk}).status_code == 302
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None
    page = citizen_client.get(detail_url)
    assert page.content.decode().count("checklist__item--done") == 2
    staff_view = caseworker_client.get(reverse("backoffice:document-request", args=[doc_request.pk]))
    assert all(row["done"] for row in staff_view.context["items"])
    for item in items:
        item.refresh_from_db()
        assert item.document.receipt_number in staff_view.content.decode()
    complete = caseworker_client.get(reverse("backoffice:document-requests") + "?state=complete")
    assert doc_request in complete.context["doc_requests"]


@pytest.mark.django_db
def test_one_upload_leaves_the_request_open(citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    first = DocumentRequestItemFactory(request=doc_request, doc_type="kontoauszug")
    DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    url = reverse("portal:request", args=[doc_request.pk])
    citizen_client.post(url, {"item": first.pk, f"item{first.pk}-upload": [png()]})
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None
    assert citizen_client.get(url).context["missing"] == 1


@pytest.mark.django_db
def test_optional_item_does_not_block_completion(citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    required = DocumentRequestItemFactory(request=doc_request, doc_type="kontoauszug")
    DocumentRequestItemFactory(request=doc_request, doc_type="kindergeld", optional=True)
    url = reverse("portal:request", args=[doc_request.pk])
    citizen_client.post(url, {"item": required.pk, f"item{required.pk}-upload": [png()]})
    required.refresh_from_db()
    services.accept_answer(item=required, actor=None)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None


@pytest.mark.django_db
def test_empty_file_is_refused_with_a_message_and_nothing_is_lost(citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    url = reverse("portal:request", args=[doc_request.pk])
    empty = SimpleUploadedFile("leer.pdf", b"", content_type="application/pdf")
    response = citizen_client.post(url, {"item": item.pk, f"item{item.pk}-upload": [empty]})
    assert response.status_code == 200
    assert response.context["form"].errors["upload"]
    assert 'class="error-summary"' in response.content.decode()
    item.refresh_from_db()
    assert item.document is None
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_rejected_document_counts_as_missing_again(citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    url = reverse("portal:request", args=[doc_request.pk])
    citizen_client.post(url, {"item": item.pk, f"item{item.pk}-upload": [png()]})
    item.refresh_from_db()
    Document.objects.filter(pk=item.document_id).update(
        status=Document.Status.REJECTED, rejection_code="corrupt_image"
    )
    page = citizen_client.get(url)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None
    assert page.context["missing"] == 1
    assert "checklist__form" in page.content.decode()


@pytest.mark.django_db
def test_foreign_households_request_is_404(citizen_client, caseworker_client):
    foreign = DocumentRequestFactory(household=HouseholdFactory())
    item = DocumentRequestItemFactory(request=foreign)
    url = reverse("portal:request", args=[foreign.pk])
    assert citizen_client.get(url).status_code == 404
    assert citizen_client.post(url, {"item": item.pk, f"item{item.pk}-upload": [png()]}).status_code == 404
    assert caseworker_client.get(reverse("backoffice:document-request", args=[foreign.pk])).status_code == 404
    other = HouseholdFactory()
    assert (
        caseworker_client.get(reverse("backoffice:document-request-create", args=[other.pk])).status_code
        == 404
    )
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_deadline_in_the_past_is_refused(caseworker_client, household):
    response = create_via_form(
        caseworker_client, household, deadline=(timezone.localdate() - dt.timedelta(days=1)).isoformat()
    )
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    assert response.context["form"]["item_1_explanation"].value() == "Alle Konten, März bis Mai"
    assert not DocumentRequest.objects.exists()


@pytest.mark.django_db
def test_overdue_list(caseworker_client, household):
    overdue = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    DocumentRequestItemFactory(request=overdue)
    current = DocumentRequestFactory(household=household)
    DocumentRequestItemFactory(request=current)
    foreign = DocumentRequestFactory(deadline=timezone.localdate() - dt.timedelta(days=2))
    DocumentRequestItemFactory(request=foreign)
    response = caseworker_client.get(reverse("backoffice:document-requests") + "?state=overdue")
    assert list(response.context["doc_requests"]) == [overdue]
    assert response.context["overdue_count"] == 1
    open_list = caseworker_client.get(reverse("backoffice:document-requests"))
    assert set(open_list.context["doc_requests"]) == {overdue, current}


@pytest.mark.django_db
def test_reminders_are_sent_once_and_carry_no_social_data(household, settings):
    settings.DOCUMENT_REQUEST_REMINDER_DAYS = 3
    citizen = CitizenFactory(person__household=household, email="kunde@example.org", notify_by_email=True)
    CitizenFactory(person__household=household, email="partner@example.org", notify_by_email=False)
    due_soon = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() + dt.timedelta(days=2)
    )
    DocumentRequestItemFactory(request=due_soon, doc_type="kontoauszug")
    later = DocumentRequestFactory(household=household, deadline=timezone.localdate() + dt.timedelta(days=20))
    DocumentRequestItemFactory(request=later)

    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    from jcportal.docrequests.tasks import send_reminders

    assert send_reminders.delay().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    text = message.subject + message.body
    for secret in (household.bg_number, citizen.person.last_name, "Kontoauszug", "Bank statement"):
        assert secret not in text
    due_soon.refresh_from_db()
    later.refresh_from_db()
    assert due_soon.reminder_sent_at is not None
    assert later.reminder_sent_at is None


@pytest.mark.django_db
def test_complete_request_is_not_reminded(household, settings):
    CitizenFactory(person__household=household, email="kunde@example.org", notify_by_email=True)
    doc_request = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() + dt.timedelta(days=1)
    )
    DocumentRequestItemFactory(request=doc_request, optional=True)
    doc_request.completed_at = timezone.now()
    doc_request.save()
    assert services.send_reminders() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_withdrawn_request_disappears_from_the_portal(caseworker_client, citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    DocumentRequestItemFactory(request=doc_request)
    response = caseworker_client.post(reverse("backoffice:document-request-withdraw", args=[doc_request.pk]))
    assert response.status_code == 302
    assert citizen_client.get(reverse("portal:request", args=[doc_request.pk])).status_code == 404
    assert citizen_client.get(reverse("portal:requests")).context["open_requests"] == []


@pytest.mark.django_db
def test_new_request_notifies_opted_in_citizens_and_representatives(
    caseworker_client, household, django_capture_on_commit_callbacks
):
    from jcportal.accounts.models import Representation
    from jcportal.accounts.tests.factories import RepresentativeFactory

    citizen = CitizenFactory(person__household=household, email="kunde@example.org", notify_by_email=True)
    CitizenFactory(person__household=household, email="still@example.org", notify_by_email=False)
    representative = RepresentativeFactory(email="betreuer@example.org", notify_by_email=True)
    Representation.objects.create(representative=representative, household=household, scope_upload=True)
    with django_capture_on_commit_callbacks(execute=True):
        create_via_form(caseworker_client, household)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([citizen.email, representative.email])
    assert all(household.bg_number not in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_daily_run_reopens_a_request_whose_document_was_rejected(citizen_client, household):
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request)
    citizen_client.post(
        reverse("portal:request", args=[doc_request.pk]), {"item": item.pk, f"item{item.pk}-upload": [png()]}
    )
    item.refresh_from_db()
    services.accept_answer(item=item, actor=None)
    doc_request.refresh_from_db()
    assert doc_request.completed_at is not None
    Document.objects.filter(pk=item.document_id).update(status=Document.Status.QUARANTINED)
    services.send_reminders()
    doc_request.refresh_from_db()
    assert doc_request.completed_at is None
