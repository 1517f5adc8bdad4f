"""Back-office case work through the browser's eyes (Django test client): inbox, item, case file,
releases, absences, routing test, notifications, statistics, and the citizen's "From the Jobcenter"."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.models import Absence, Role
from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.casework.models import Notification
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.inbox.models import InboxEvent, InboxItem
from jcportal.inbox.services import route_document

from .helpers import document_with_pdf, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(household, caseworker):
    document = document_with_pdf(household=household, title="Kontoauszug März", doc_type="kontoauszug")
    (item,) = route_document(document)
    return item


def test_inbox_lists_own_items_and_filters(caseworker_client, routed, household):
    response = caseworker_client.get(reverse("backoffice:inbox"))
    assert response.status_code == 200
    assert "Kontoauszug März" in response.content.decode()
    response = caseworker_client.get(reverse("backoffice:inbox"), {"doc_type": "mietvertrag"})
    assert "Kontoauszug März" not in response.content.decode()
    response = caseworker_client.get(reverse("backoffice:inbox"), {"household": household.bg_number[:7]})
    assert "Kontoauszug März" in response.content.decode()
    response = caseworker_client.get(
        reverse("backoffice:inbox"), {"tab": "team", "state": "done", "sort": "bogus"}
    )
    assert response.status_code == 200 and "Kontoauszug März" not in response.content.decode()
    today = timezone.localdate()
    response = caseworker_client.get(
        reverse("backoffice:inbox"), {"received_from": today, "received_to": today}
    )
    assert "Kontoauszug März" in response.content.decode()
    response = caseworker_client.get(
        reverse("backoffice:inbox"), {"received_to": today - dt.timedelta(days=1)}
    )
    assert "Kontoauszug März" not in response.content.decode()
    response = caseworker_client.get(reverse("backoffice:inbox"), {"due_by": today})
    assert "Kontoauszug März" not in response.content.decode()  # it has no deadline
    InboxItem.objects.filter(pk=routed.pk).update(deadline=today)
    response = caseworker_client.get(reverse("backoffice:inbox"), {"due_by": today, "sort": "deadline"})
    assert "Kontoauszug März" in response.content.decode()


def test_item_view_marks_opened_audits_and_shows_reason(caseworker_client, routed):
    response = caseworker_client.get(reverse("backoffice:item", kwargs={"item_id": routed.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("backoffice:item-pdf", kwargs={"item_id": routed.pk}) in body
    routed.refresh_from_db()
    routed.document.refresh_from_db()
    assert routed.state == InboxItem.State.OPEN
    assert routed.document.status == Document.Status.OPENED and routed.document.opened_at
    assert AuditEvent.objects.filter(action="document.viewed", object_id=str(routed.document_id)).exists()


def test_inline_pdf_and_thumbnail(caseworker_client, routed):
    response = caseworker_client.get(reverse("backoffice:item-pdf", kwargs={"item_id": routed.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    url = reverse("backoffice:document-page", kwargs={"document_id": routed.document_id}) + "?seite=2"
    first = caseworker_client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    assert caseworker_client.get(url).content == first.content  # served from the storage cache
    assert AuditEvent.objects.filter(action="document.viewed", details__via="thumbnail").count() == 1
    caseworker_client.get(reverse("backoffice:item", kwargs={"item_id": routed.pk}))
    caseworker_client.get(url)
    assert AuditEvent.objects.filter(action="document.viewed", details__via="thumbnail").count() == 1
    bad = reverse("backoffice:document-page", kwargs={"document_id": routed.document_id}) + "?seite=9"
    assert caseworker_client.get(bad).status_code == 404


def test_process_closes_all_copies_and_sets_citizen_status(caseworker_client, routed, caseworker):
    deputy_item = InboxItem.objects.create(
        document=routed.document, household=routed.household, assignee=StaffFactory(), deputy_for=caseworker
    )
    response = caseworker_client.post(reverse("backoffice:item-process", kwargs={"item_id": routed.pk}))
    assert response.status_code == 302
    deputy_item.refresh_from_db()
    routed.document.refresh_from_db()
    assert deputy_item.state == InboxItem.State.DONE
    assert routed.document.status == Document.Status.PROCESSED and routed.document.processed_at
    assert AuditEvent.objects.filter(action="document.processed").exists()


def test_deputy_actions_show_in_history_for_owner(client, routed, caseworker, household):
    deputy = StaffFactory(team=caseworker.team)
    today = timezone.localdate()
    Absence.objects.create(staff=caseworker, deputy=deputy, starts_on=today, ends_on=today)
    document = document_with_pdf(household=household, title="Mietvertrag neu", doc_type="mietvertrag")
    items = route_document(document)
    deputy_item = next(i for i in items if i.assignee == deputy)
    deputy_client = login_staff(Client(), deputy)
    assert deputy_client.get(reverse("backoffice:notifications")).status_code == 200
    assert deputy_client.get(reverse("backoffice:home")).context["unread_notifications"] == 1
    deputy_client.get(reverse("backoffice:item", kwargs={"item_id": deputy_item.pk}))
    assert deputy_client.get(reverse("backoffice:home")).context["unread_notifications"] == 0
    deputy_client.post(reverse("backoffice:item-process", kwargs={"item_id": deputy_item.pk}))
    event = InboxEvent.objects.get(document=document, action=InboxEvent.Action.PROCESSED)
    assert event.actor == deputy and event.on_behalf_of == caseworker
    own_item = next(i for i in items if i.assignee == caseworker)
    owner = login_staff(Client(), caseworker)
    response = owner.get(reverse("backoffice:item", kwargs={"item_id": own_item.pk}))
    history = list(response.context["history"])
    assert [(e.action, e.actor, e.on_behalf_of) for e in history][-1] == ("processed", deputy, caseworker)
    assert deputy.get_full_name() in response.content.decode()


def test_forward_to_colleague_with_note(caseworker_client, routed):
    colleague = StaffFactory()
    url = reverse("backoffice:item-forward", kwargs={"item_id": routed.pk})
    response = caseworker_client.post(url, {"note": "Bitte prüfen"})
    assert response.status_code == 200  # neither colleague nor team chosen: error, nothing lost
    assert "Bitte prüfen" in response.content.decode()
    response = caseworker_client.post(url, {"to_user": colleague.pk, "note": "Bitte prüfen"})
    assert response.status_code == 302
    new = InboxItem.objects.get(document=routed.document, assignee=colleague)
    assert new.note == "Bitte prüfen" and new.forwarded_by_id == routed.assignee_id
    assert Notification.objects.filter(recipient=colleague, kind=Notification.Kind.FORWARDED).exists()
    routed.refresh_from_db()
    assert routed.state == InboxItem.State.DONE


def test_assign_household_is_audited(caseworker_client, routed, household):
    other = StaffFactory()
    url = reverse("backoffice:item-assign", kwargs={"item_id": routed.pk})
    response = caseworker_client.post(url, {"person": other.pk, "function": "benefits"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.responsible_caseworker == other
    event = AuditEvent.objects.get(action="household.responsibility_changed")
    assert event.details["to"] == other.pk
    assert InboxItem.objects.filter(document=routed.document, assignee=other).exists()


def test_assign_from_the_case_file(caseworker_client, household):
    other = StaffFactory(role=Role.CASE_MANAGER)
    url = reverse("backoffice:household-assign", kwargs={"household_id": household.pk})
    assert caseworker_client.get(url).status_code == 200
    assert caseworker_client.post(url, {"function": "integration"}).status_code == 200  # person missing
    response = caseworker_client.post(url, {"person": other.pk, "function": "integration"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.responsible_integration_specialist == other
    assert AuditEvent.objects.filter(
        action="household.responsibility_changed", household_id=household.pk
    ).exists()
    stranger = login_staff(Client(), StaffFactory())
    assert stranger.get(url).status_code == 404


def test_foreign_items_and_documents_are_404(routed):
    stranger = login_staff(Client(), StaffFactory())
    assert stranger.get(reverse("backoffice:item", kwargs={"item_id": routed.pk})).status_code == 404
    assert stranger.get(reverse("backoffice:item-pdf", kwargs={"item_id": routed.pk})).status_code == 404
    for name in ("backoffice:item-process", "backoffice:item-reopen", "backoffice:item-forward"):
        assert stranger.get(reverse(name, kwargs={"item_id": routed.pk})).status_code == 404
        assert stranger.post(reverse(name, kwargs={"item_id": routed.pk})).status_code == 404
    doc_kwargs = {"document_id": routed.document_id}
    for name in (
        "backoffice:document",
        "backoffice:document-view",
        "backoffice:document-download",
        "backoffice:document-page",
        "backoffice:document-tag",
        "backoffice:document-untag",
        "backoffice:document-release",
        "backoffice:document-revoke",
    ):
        assert stranger.get(reverse(name, kwargs=doc_kwargs)).status_code == 404, name
        assert stranger.post(reverse(name, kwargs=doc_kwargs), {"tag": 1}).status_code == 404, name
    assert (
        stranger.get(
            reverse("backoffice:household", kwargs={"household_id": routed.household_id})
        ).status_code
        == 404
    )
    citizen = CitizenFactory()
    c = Client()
    c.force_login(citizen)
    assert c.get(reverse("backoffice:inbox")).status_code == 403


def test_case_file_register_and_fulltext_search(caseworker_client, household, caseworker):
    a = document_with_pdf(
        household=household, title="Kontoauszug", ocr_text="Miete Überweisung Vermieter Schulz"
    )
    b = document_with_pdf(household=household, title="Lohn", ocr_text="Arbeitgeber Bäckerei Gehalt")
    route_document(a)
    url = reverse("backoffice:household", kwargs={"household_id": household.pk})
    body = caseworker_client.get(url).content.decode()
    assert "Kontoauszug" in body and "Lohn" in body
    # the case file leads to the household's portal accounts and access letters
    accounts_url = reverse("backoffice:household-accounts", kwargs={"household_id": household.pk})
    assert f'href="{accounts_url}"' in body
    assert caseworker_client.get(accounts_url).status_code == 200
    body = caseworker_client.get(url, {"q": "vermiet"}).content.decode()
    assert "Kontoauszug" in body and ">Lohn<" not in body
    body = caseworker_client.get(url, {"q": "backerei"}).content.decode()  # diacritics-insensitive on SQLite
    if "Lohn" not in body:  # PostgreSQL's german config keeps the umlaut
        body = caseworker_client.get(url, {"q": "bäckerei"}).content.decode()
    assert ">Lohn<" in body
    b.ocr_text = "neuer Text Jobcenter"
    b.save()
    assert ">Lohn<" in caseworker_client.get(url, {"q": "jobcenter"}).content.decode()
    # tags are searchable and filterable
    caseworker_client.post(
        reverse("backoffice:document-tag", kwargs={"document_id": a.pk}), {"name": "Mietsache"}
    )
    body = caseworker_client.get(url, {"q": "mietsache"}).content.decode()
    assert "Kontoauszug" in body and ">Lohn<" not in body
    tag = a.casework_tags.get().tag
    assert ">Lohn<" not in caseworker_client.get(url, {"tag": tag.pk}).content.decode()
    caseworker_client.post(
        reverse("backoffice:document-untag", kwargs={"document_id": a.pk}), {"tag": tag.pk}
    )
    assert not a.casework_tags.exists()


def test_household_search(caseworker_client, household):
    from jcportal.households.tests.factories import PersonFactory

    PersonFactory(household=household, last_name="Zimmermann", date_of_birth=dt.date(1980, 2, 3))
    url = reverse("backoffice:households")
    assert household.bg_number in caseworker_client.get(url, {"q": "zimmer"}).content.decode()
    assert household.bg_number in caseworker_client.get(url, {"q": "03.02.1980"}).content.decode()
    assert household.bg_number not in caseworker_client.get(url, {"q": "Nobody"}).content.decode()
    foreign = HouseholdFactory()
    assert foreign.bg_number not in caseworker_client.get(url).content.decode()


def test_release_upload_notifies_by_email_and_citizen_downloads(caseworker_client, household, citizen):
    citizen.email = "kunde@example.org"
    citizen.notify_by_email = True
    citizen.save()
    url = reverse("backoffice:household-release-upload", kwargs={"household_id": household.pk})
    bad = caseworker_client.post(url, {"doc_type": "bescheid", "title": "X", "file": _upload(b"not a pdf")})
    assert bad.status_code == 200 and Document.objects.count() == 0
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = caseworker_client.post(
            url, {"doc_type": "bescheid", "title": "Bewilligungsbescheid", "file": _upload(pdf_bytes(1))}
        )
    assert response.status_code == 302
    document = Document.objects.get(title="Bewilligungsbescheid")
    assert document.direction == Document.Direction.OUTBOUND and document.released_at
    assert not InboxItem.objects.filter(document=document).exists()
    assert len(mail.outbox) == 1
    assert (
        "Bewilligungsbescheid" not in mail.outbox[0].body and household.bg_number not in mail.outbox[0].body
    )
    citizen_client = Client()
    citizen_client.force_login(citizen)
    page = citizen_client.get(reverse("portal:releases")).content.decode()
    assert "Bewilligungsbescheid" in page
    document.refresh_from_db()
    assert document.pdf, "the intake pipeline produced the PDF"
    download = citizen_client.get(reverse("portal:release-download", kwargs={"document_id": document.pk}))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="document.downloaded", actor=citizen).exists()
    # revoke: gone for the citizen
    caseworker_client.post(reverse("backoffice:document-revoke", kwargs={"document_id": document.pk}))
    assert "Bewilligungsbescheid" not in citizen_client.get(reverse("portal:releases")).content.decode()
    assert (
        citizen_client.get(
            reverse("portal:release-download", kwargs={"document_id": document.pk})
        ).status_code
        == 404
    )


def test_release_existing_document_and_foreign_household_cannot_download(
    caseworker_client, household, citizen
):
    document = document_with_pdf(
        household=household, title="Schreiben Termin", doc_type="schreiben", direction="outbound"
    )
    caseworker_client.post(reverse("backoffice:document-release", kwargs={"document_id": document.pk}))
    document.refresh_from_db()
    assert document.released_at and document.released_by
    assert AuditEvent.objects.filter(action="document.released").exists()
    assert Notification.objects.filter(recipient=citizen, kind="release").exists()
    other = CitizenFactory()
    c = Client()
    c.force_login(other)
    assert c.get(reverse("portal:release-download", kwargs={"document_id": document.pk})).status_code == 404
    assert "Schreiben Termin" not in c.get(reverse("portal:releases")).content.decode()


def test_absences_own_and_validation(caseworker_client, caseworker):
    deputy = StaffFactory(team=caseworker.team)
    url = reverse("backoffice:absences")
    today = timezone.localdate()
    bad = caseworker_client.post(
        url, {"deputy": caseworker.pk, "starts_on": today, "ends_on": today - dt.timedelta(days=1)}
    )
    assert bad.status_code == 200 and not Absence.objects.exists()
    ok = caseworker_client.post(
        url, {"deputy": deputy.pk, "starts_on": today, "ends_on": today, "note": "Urlaub"}
    )
    assert ok.status_code == 302
    absence = Absence.objects.get()
    assert absence.staff == caseworker and absence.deputy == deputy
    other = login_staff(Client(), StaffFactory())
    assert other.post(reverse("backoffice:absence-delete"), {"absence": absence.pk}).status_code == 404
    caseworker_client.post(reverse("backoffice:absence-delete"), {"absence": absence.pk})
    assert not Absence.objects.exists()


def test_routing_test_page_for_team_leads_only(household, caseworker, caseworker_client):
    lead = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD))
    url = reverse("backoffice:routing-test")
    assert caseworker_client.get(url).status_code == 403
    response = lead.get(url, {"household": household.bg_number, "doc_type": "kontoauszug"})
    assert response.status_code == 200
    assert caseworker.get_full_name() in response.content.decode()
    assert not InboxItem.objects.exists()
    response = lead.get(url, {"household": "00000BG0000000", "doc_type": "kontoauszug"})
    assert "household" in response.context["form"].errors
    response = lead.get(url, {"household": "", "doc_type": "kontoauszug"})
    assert response.context["decision"].clearing is True


def test_statistics_page(household, caseworker, citizen):
    lead = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD))
    document = document_with_pdf(household=household)
    Document.objects.filter(pk=document.pk).update(
        opened_at=document.received_at + dt.timedelta(hours=2),
        processed_at=document.received_at + dt.timedelta(hours=5),
    )
    from jcportal.docrequests.models import DocumentRequest
    from jcportal.documents.services import record_rating

    record_rating(household=household, user=citizen, stars=5)
    record_rating(household=household, user=citizen, stars=4)
    DocumentRequest.objects.create(
        household=household, explanation="Kontoauszüge", deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    response = lead.get(reverse("backoffice:statistics"))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.ratings["count"] == 2 and stats.ratings["average"] == 4.5
    assert [row["count"] for row in stats.ratings["distribution"]] == [1, 1, 0, 0, 0]
    assert (stats.open_requests, stats.overdue_requests) == (1, 1)
    assert stats.offices[0].open_requests == 1
    assert stats.households == 1 and stats.portal_households == 1 and stats.portal_percent == 100
    assert stats.median_opened_hours == 2.0 and stats.median_processed_hours == 5.0
    assert sum(row.total for row in stats.weeks) == 1
    assert login_staff(Client(), caseworker).get(reverse("backoffice:statistics")).status_code == 403


def test_statistics_count_online_services_and_confirmed_sick_reports(household):
    from jcportal.eforms.models import Submission

    now = timezone.now()
    for status in (Submission.Status.CONFIRMED, Submission.Status.SUBMITTED):
        Submission.objects.create(
            form_slug="krankmeldung", form_version=1, status=status, household=household, submitted_at=now
        )
    Submission.objects.create(
        form_slug="wba", form_version=1, status=Submission.Status.DRAFT, household=household
    )
    lead = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD))
    response = lead.get(reverse("backoffice:statistics"))
    assert response.context["sick_reports"]["received"] == 2
    assert response.context["sick_reports"]["confirmed"] == 1
    assert [row["count"] for row in response.context["services"]] == [2]  # the draft is not filed


def test_daily_digest_is_idempotent(household, caseworker, citizen):
    from jcportal.casework.tasks import send_daily_digests

    citizen.email = "kunde@example.org"
    citizen.notify_by_email = True
    citizen.notify_daily_digest = True
    citizen.save()
    document = document_with_pdf(household=household, direction="outbound", doc_type="bescheid")
    from jcportal.casework.services import release_document

    release_document(document, by=caseworker)
    assert len(mail.outbox) == 0  # digest users get no single mail
    assert send_daily_digests() == 1
    assert send_daily_digests.delay().get() == 0
    assert len(mail.outbox) == 1


def _upload(content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("brief.pdf", content, content_type="application/pdf")
