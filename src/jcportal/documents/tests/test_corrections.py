"""Corrections of documents: type and title, move, split, merge, rotate, deletion with four-eyes."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents import corrections, selectors, services
from jcportal.documents.models import Correction, DeletionRequest, Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.inbox.models import InboxItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pdf_with(pages: int) -> bytes:
    pdf = pikepdf.new()
    for number in range(pages):
        pdf.add_blank_page(page_size=(200 + number, 300))  # each page recognisable by its width
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def widths(document: Document) -> list[int]:
    with document.pdf.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
        return [int(page.mediabox[2]) for page in pdf.pages]


def make_document(
    household, sender, pages: int = 1, doc_type: str = "sonstiges", title: str = "Scan"
) -> Document:  # type: ignore[no-untyped-def]
    document = services.store_generated_pdf(
        household=household,
        doc_type=doc_type,
        title=title,
        pdf_bytes=pdf_with(pages),
        channel=Document.Channel.PORTAL,
        created_by=sender,
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def colleague(household, caseworker):  # type: ignore[no-untyped-def]
    return StaffFactory(team=household.responsible_team)


@pytest.fixture
def other_household():  # type: ignore[no-untyped-def]
    household = HouseholdFactory()
    household.responsible_caseworker = StaffFactory(team=household.responsible_team)
    household.save(update_fields=["responsible_caseworker"])
    return household


def test_retype_changes_type_and_title_and_shows_in_the_history(household, caseworker, citizen):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen)
    assert corrections.retype(caseworker, document, doc_type="kontoauszug", title="Kontoauszug März")
    document.refresh_from_db()
    assert (document.doc_type, document.title) == ("kontoauszug", "Kontoauszug März")
    assert set(InboxItem.objects.filter(document=document).values_list("doc_type", flat=True)) == {
        "kontoauszug"
    }
    assert AuditEvent.objects.filter(action="document.corrected", object_id=str(document.pk)).exists()
    page = login_staff(Client(), caseworker).get(reverse("backoffice:document", args=[document.pk]))
    assert "Type or title corrected" in page.content.decode()
    assert "Correct the document" in page.content.decode()
    assert not corrections.retype(caseworker, document, doc_type="kontoauszug", title="Kontoauszug März")


def test_read_only_roles_and_other_teams_may_not_correct(household, caseworker, citizen, other_household):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen)
    admin = StaffFactory(role=Role.ADMIN)
    scan = StaffFactory(role=Role.SCAN_STATION, team=household.responsible_team)
    dpo = StaffFactory(role=Role.DPO)
    stranger = other_household.responsible_caseworker
    lead = StaffFactory(role=Role.TEAM_LEAD, team=household.responsible_team)
    for who in (citizen, admin, scan, dpo, stranger):
        with pytest.raises(PermissionDenied):
            corrections.retype(who, document, doc_type="kontoauszug")
    assert corrections.retype(lead, document, doc_type="kontoauszug")
    response = login_staff(Client(), stranger).get(reverse("backoffice:correct-move", args=[document.pk]))
    assert response.status_code == 404


def test_move_reroutes_and_each_citizen_sees_the_right_thing(household, caseworker, citizen, other_household):  # type: ignore[no-untyped-def]
    other_citizen = CitizenFactory(person__household=other_household)
    misfiled = make_document(household, other_citizen, doc_type="sonstiges", title="Kontoauszug")
    own = make_document(household, citizen, title="Mein Schreiben")
    assert misfiled in selectors.sent_by_household(household)

    corrections.move(caseworker, misfiled, household=other_household, note="falsch zugeordnet")
    corrections.move(caseworker, own, household=other_household)

    assert misfiled not in selectors.sent_by_household(household)
    assert misfiled in selectors.sent_by_household(other_household)  # the sender belongs there
    assert own not in selectors.sent_by_household(household)
    assert own not in selectors.sent_by_household(other_household)  # not theirs
    items = InboxItem.objects.filter(document=misfiled)
    open_items = items.exclude(state=InboxItem.State.DONE)
    assert [i.assignee_id for i in open_items] == [other_household.responsible_caseworker_id]
    assert set(items.values_list("household_id", flat=True)) == {other_household.pk}
    assert misfiled.corrections.filter(kind=Correction.Kind.MOVED, target=other_household.bg_number).exists()

    old_portal = Client()
    old_portal.force_login(citizen)
    assert misfiled.receipt_number not in old_portal.get(reverse("portal:documents")).content.decode()
    new_portal = Client()
    new_portal.force_login(other_citizen)
    assert misfiled.receipt_number in new_portal.get(reverse("portal:documents")).content.decode()
    assert new_portal.get(reverse("portal:document", args=[misfiled.pk])).status_code == 200
    # a document moved in that was not theirs is not reachable by its address either
    assert new_portal.get(reverse("portal:document", args=[own.pk])).status_code == 404
    assert new_portal.get(reverse("portal:document-pdf", args=[own.pk])).status_code == 404
    # the caseworker of the old household no longer reaches it
    assert corrections.policy.can_correct_document(caseworker, misfiled) is False


def test_split_pages_into_a_new_document_with_its_own_item(household, caseworker, citizen):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen, pages=5)
    pages = corrections.parse_pages("3–5", document.page_count)
    new = corrections.split(caseworker, document, pages=pages, doc_type="kontoauszug", title="Kontoauszug")
    document.refresh_from_db()
    assert widths(document) == [200, 201]
    assert widths(new) == [202, 203, 204]
    assert (new.page_count, document.page_count) == (3, 2)
    assert new.receipt_number != document.receipt_number
    assert new.uploaded_by == citizen and new.received_at == document.received_at
    assert InboxItem.objects.filter(document=new).exists()
    assert new in selectors.sent_by_household(household)
    with pytest.raises(corrections.CorrectionError):
        corrections.parse_pages("7", 5)
    with pytest.raises(corrections.CorrectionError):
        corrections.split(caseworker, document, pages=[1, 2], doc_type="sonstiges")


def test_merge_appends_and_keeps_the_other_document_marked(household, caseworker, citizen, other_household):  # type: ignore[no-untyped-def]
    first = make_document(household, citizen, pages=2)
    second = make_document(household, citizen, pages=1)
    corrections.merge(caseworker, first, other=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.page_count == 3 and widths(first) == [200, 201, 200]
    assert second.merged_into == first
    assert not InboxItem.objects.filter(document=second).exclude(state=InboxItem.State.DONE).exists()
    assert second.corrections.filter(kind=Correction.Kind.MERGED_INTO).exists()
    foreign = make_document(other_household, None)
    with pytest.raises(PermissionDenied):
        corrections.merge(caseworker, first, other=foreign)


def test_rotate_single_pages_and_all_pages(household, caseworker, citizen):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen, pages=2)
    old_pdf = document.pdf.name
    assert corrections.rotate(caseworker, document, angles={2: 90})
    document.refresh_from_db()
    with document.pdf.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [0, 90]
    assert document.pdf.name != old_pdf
    with pytest.raises(corrections.CorrectionError):
        corrections.rotate(caseworker, document, angles={1: 45})


def test_deletion_needs_a_second_person_and_tells_the_citizen(  # type: ignore[no-untyped-def]
    household, caseworker, colleague, citizen, django_capture_on_commit_callbacks, mailoutbox
):
    citizen.email, citizen.notify_by_email, citizen.preferred_language = "c@example.org", True, "de"
    citizen.save()
    document = make_document(household, citizen, title="Kontoauszug")
    names = [document.pdf.name, document.thumbnail.name]
    request = corrections.request_deletion(caseworker, document, reason="duplicate", explanation="doppelt")
    assert Document.objects.filter(pk=document.pk).exists()
    with pytest.raises(corrections.CorrectionError):
        corrections.approve_deletion(caseworker, request)  # the same person cannot approve
    with pytest.raises(corrections.CorrectionError):
        corrections.request_deletion(colleague, document, reason="duplicate")  # one request at a time
    with django_capture_on_commit_callbacks(execute=True):
        corrections.approve_deletion(colleague, request)
    request.refresh_from_db()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not any(default_storage.exists(n) for n in names)
    assert request.state == DeletionRequest.State.DELETED and request.decided_by == colleague
    assert (request.receipt_number, request.reason) == (document.receipt_number, "duplicate")
    assert AuditEvent.objects.filter(action="document.deleted").exists()
    [mail] = [m for m in mailoutbox if m.to == ["c@example.org"]]
    with translation.override("de"):  # the citizen's language
        assert mail.subject == _("A document you sent was removed")
        notice = _(
            "You do not need to do anything. If the Jobcenter still needs a document, it will ask you for it. If you have questions, please contact your Jobcenter."
        )
    assert "Kontoauszug" not in mail.body and document.receipt_number not in mail.body

    portal = Client()
    portal.force_login(citizen)
    page = portal.get(reverse("portal:dashboard")).content.decode()
    assert document.receipt_number in page and escape(notice) in page
    assert document.receipt_number not in portal.get(reverse("portal:documents")).content.decode()


def test_a_refused_deletion_keeps_the_document(household, caseworker, colleague, citizen):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen)
    request = corrections.request_deletion(caseworker, document, reason="other", explanation="Test")
    client = login_staff(Client(), colleague)
    listing = client.get(reverse("backoffice:deletion-requests")).content.decode()
    assert document.receipt_number in listing
    response = client.post(reverse("backoffice:deletion-decide", args=[request.pk]), {"decision": "refuse"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == DeletionRequest.State.REFUSED
    assert Document.objects.filter(pk=document.pk).exists()
    assert document.corrections.filter(kind=Correction.Kind.DELETION_REFUSED).exists()
    with pytest.raises(corrections.CorrectionError):
        corrections.request_deletion(caseworker, document, reason="other")  # "other" needs an explanation


def test_a_released_letter_is_not_moved_before_its_release_is_revoked(household, caseworker, other_household):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    letter = make_document(household, caseworker, title="Bescheid")
    Document.objects.filter(pk=letter.pk).update(released_at=timezone.now())
    letter.refresh_from_db()
    with pytest.raises(corrections.CorrectionError):
        corrections.move(caseworker, letter, household=other_household)


def test_colleagues_see_how_many_deletions_wait_for_them(household, caseworker, colleague, citizen):  # type: ignore[no-untyped-def]
    document = make_document(household, citizen)
    other = make_document(household, citizen)
    corrections.request_deletion(caseworker, document, reason="duplicate")
    page = (
        login_staff(Client(), colleague).get(reverse("backoffice:document", args=[other.pk])).content.decode()
    )
    assert "1 deletion waits for your approval" in page
    own = (
        login_staff(Client(), caseworker)
        .get(reverse("backoffice:document", args=[document.pk]))
        .content.decode()
    )
    assert "Withdraw the request" in own and "Approve deletion" not in own


def test_the_correction_forms_work_without_javascript(household, caseworker, citizen, other_household):  # type: ignore[no-untyped-def]
    client = login_staff(Client(), caseworker)
    document = make_document(household, citizen, pages=4)
    other = make_document(household, citizen, pages=1)
    back = reverse("backoffice:document", args=[document.pk])

    def url(name: str) -> str:
        return reverse(f"backoffice:{name}", args=[document.pk])

    assert client.get(url("correct-split")).status_code == 200
    response = client.post(url("correct-split"), {"pages": "9", "doc_type": "kontoauszug", "next": back})
    assert response.status_code == 200 and "The document has 4 pages." in response.content.decode()
    response = client.post(url("correct-split"), {"pages": "3-4", "doc_type": "kontoauszug", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(url("correct-rotate"), {"all_pages": "180", "page_2": "90", "next": back})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.corrections.get(kind=Correction.Kind.ROTATED).details["angles"] == {"1": 180, "2": 90}
    response = client.post(url("correct-merge"), {"other": str(other.pk), "next": back})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.page_count == 3
    found = client.get(url("correct-move"), {"q": other_household.bg_number}).content.decode()
    assert f"Move to {other_household.bg_number}" in found
    response = client.post(url("correct-move"), {"household": other_household.pk})
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:inbox")
    document.refresh_from_db()
    assert document.household == other_household
