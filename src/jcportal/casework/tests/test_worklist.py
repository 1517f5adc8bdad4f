"""Work lists: bulk actions, take over, forward as copy, saved filters, "next" in the list's order, notes,
Aktenvermerke and Wiedervorlagen (by hand, after an approved absence, for overdue document requests)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.casework import bulk, followups, notes, worklist
from jcportal.casework.models import FollowUp, Notification, SavedFilter
from jcportal.core.testing.fixtures import login_staff
from jcportal.docrequests.tests.factories import DocumentRequestFactory
from jcportal.documents.models import Document
from jcportal.inbox import services as inbox_services
from jcportal.inbox.models import InboxItem
from jcportal.inbox.services import route_document

from .helpers import document_with_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _items(household, n, prefix="Kontoauszug"):  # type: ignore[no-untyped-def]
    items = []
    base = timezone.now() - dt.timedelta(days=n)
    for i in range(n):
        document = document_with_pdf(household=household, title=f"{prefix} {i}", doc_type="kontoauszug")
        Document.objects.filter(pk=document.pk).update(received_at=base + dt.timedelta(hours=i))
        document.refresh_from_db()
        (item, *_rest) = route_document(document)
        items.append(item)
    return items


def test_bulk_done_closes_every_selected_item_and_says_how_many(caseworker, caseworker_client, household):
    items = _items(household, 3)
    response = caseworker_client.post(
        reverse("backoffice:inbox-bulk"),
        {"items": [i.pk for i in items], "action": "done", "list_query": "state=active"},
        follow=True,
    )
    assert "3 items marked as done" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("backoffice:inbox") + "?state=active"
    assert set(InboxItem.objects.filter(pk__in=[i.pk for i in items]).values_list("state", flat=True)) == {
        "done"
    }
    event = AuditEvent.objects.get(action="inbox.bulk_action")
    assert event.details["changed"] == 3 and event.details["action"] == "done"
    assert AuditEvent.objects.filter(action="document.processed").count() == 3


def test_bulk_all_on_page_without_ticking_rows(caseworker, caseworker_client, household):
    items = _items(household, 2)
    response = caseworker_client.post(
        reverse("backoffice:inbox-bulk"),
        {"all_on_page": "1", "page_items": [i.pk for i in items], "action": "done"},
        follow=True,
    )
    assert "2 items marked as done" in response.content.decode()


def test_bulk_skips_items_of_others_and_tags_and_assigns(caseworker, household):
    items = _items(household, 2)
    stranger = StaffFactory()
    assert bulk.apply(stranger, [i.pk for i in items], "done").changed == 0
    result = bulk.apply(caseworker, [i.pk for i in items], "tag", tag="Prüfen")
    assert result.changed == 2
    assert all(i.document.casework_tags.filter(tag__name="Prüfen").exists() for i in items)
    colleague = StaffFactory(team=caseworker.team)
    assert bulk.apply(caseworker, [items[0].pk], "assign", to_user=colleague).changed == 1
    assert InboxItem.objects.get(document=items[0].document, assignee=colleague).state == "new"
    assert InboxItem.objects.get(pk=items[0].pk).state == "done"  # assign moves it


def test_bulk_forward_as_copy_through_the_selection_page(caseworker, caseworker_client, household):
    items = _items(household, 2)
    colleague = StaffFactory(team=caseworker.team)
    page = caseworker_client.post(
        reverse("backoffice:inbox-bulk"), {"items": [i.pk for i in items], "action": "more"}
    ).content.decode()
    assert "Kontoauszug 0" in page and "Kontoauszug 1" in page and 'value="copy"' in page
    response = caseworker_client.post(
        reverse("backoffice:inbox-bulk"),
        {"items": [i.pk for i in items], "action": "forward", "to_user": colleague.pk, "mode": "copy"},
        follow=True,
    )
    assert "2 items forwarded" in response.content.decode()
    assert InboxItem.objects.filter(assignee=colleague).count() == 2
    assert InboxItem.objects.filter(pk__in=[i.pk for i in items], state="done").count() == 0


def test_forward_as_copy_keeps_the_own_item(caseworker, household):
    (item,) = _items(household, 1)
    colleague = StaffFactory(team=caseworker.team)
    copy = inbox_services.forward(item, caseworker, to_user=colleague, copy=True)
    assert copy.pk != item.pk and copy.assignee == colleague
    item.refresh_from_db()
    assert item.state != InboxItem.State.DONE
    assert AuditEvent.objects.get(action="inbox.forwarded").details["copy"] is True


def test_take_over_a_team_item_from_the_list_and_the_item_page(caseworker, caseworker_client, household):
    (item,) = _items(household, 1)
    InboxItem.objects.filter(pk=item.pk).update(assignee=None, team=caseworker.team)
    page = caseworker_client.get(reverse("backoffice:inbox"), {"tab": "team"}).content.decode()
    assert f'name="take" value="{item.pk}"' in page
    caseworker_client.post(reverse("backoffice:inbox-bulk"), {"take": item.pk, "list_query": "tab=team"})
    item.refresh_from_db()
    assert item.assignee == caseworker
    assert AuditEvent.objects.filter(action="inbox.taken_over").count() == 1
    colleague = StaffFactory(team=caseworker.team)
    client = login_staff(Client(), colleague)
    response = client.post(reverse("backoffice:item-take", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assignee == colleague


def test_saved_filters_listed_above_the_inbox_and_deleted(caseworker, caseworker_client, household):
    _items(household, 1)
    caseworker_client.post(
        reverse("backoffice:inbox-filter-save"),
        {"name": "Kontoauszüge", "query": "tab=mine&doc_type=kontoauszug&page=3&bogus=1"},
    )
    saved = SavedFilter.objects.get(user=caseworker)
    assert saved.query == "tab=mine&doc_type=kontoauszug"
    page = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert "Kontoauszüge" in page and "?tab=mine&amp;doc_type=kontoauszug" in page
    other = login_staff(Client(), StaffFactory())
    assert other.post(reverse("backoffice:inbox-filter-delete", args=[saved.pk])).status_code == 404
    caseworker_client.post(reverse("backoffice:inbox-filter-delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_next_follows_the_filter_and_order_of_the_list(caseworker, caseworker_client, household):
    items = _items(household, 3)  # received 0 < 1 < 2
    query = "sort=received_asc"
    page = caseworker_client.get(reverse("backoffice:inbox"), {"sort": "received_asc"}).content.decode()
    assert f'href="/verwaltung/postfach/{items[0].pk}/?sort=received_asc"' in page
    page = caseworker_client.get(reverse("backoffice:item", args=[items[0].pk]) + "?" + query)
    assert page.context["next_item"].pk == items[1].pk
    response = caseworker_client.post(
        reverse("backoffice:item-process", args=[items[0].pk]),
        {"next_item": items[1].pk, "list_query": query},
    )
    assert response.url == reverse("backoffice:item", args=[items[1].pk]) + "?" + query
    # without a list: my inbox, newest first (as before)
    page = caseworker_client.get(reverse("backoffice:item", args=[items[2].pk]))
    assert page.context["next_item"].pk == items[1].pk
    flt = worklist.inbox_selectors.InboxFilter(sort="received_asc")
    assert worklist.next_item(caseworker, items[2], flt).pk == items[1].pk  # last: the first other one


def test_note_on_an_item_is_in_its_history_and_audited(caseworker, caseworker_client, household):
    (item,) = _items(household, 1)
    caseworker_client.post(reverse("backoffice:item-note", args=[item.pk]), {"text": "Rückruf am Montag"})
    page = caseworker_client.get(reverse("backoffice:item", args=[item.pk])).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "Rückruf am Montag" in history and "Note" in history
    assert AuditEvent.objects.filter(action="inbox.note_added").count() == 1
    assert "Rückruf am Montag" not in str(AuditEvent.objects.get(action="inbox.note_added").details)


def test_aktenvermerk_on_the_case_file(caseworker, caseworker_client, household, citizen_client):
    url = reverse("backoffice:household-note", args=[household.pk])
    caseworker_client.post(url, {"text": "Telefonat: Unterlagen kommen nächste Woche."})
    page = caseworker_client.get(reverse("backoffice:household", args=[household.pk])).content.decode()
    assert "Telefonat: Unterlagen kommen nächste Woche." in page
    assert caseworker.get_full_name() in page or caseworker.username in page
    assert AuditEvent.objects.filter(action="household.file_note_added").count() == 1
    assert citizen_client.post(url, {"text": "x"}).status_code in (302, 403)
    assert notes.file_notes(household).count() == 1


def test_wiedervorlage_by_hand_comes_due_postponed_and_done(caseworker, caseworker_client, household):
    (item,) = _items(household, 1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = caseworker_client.post(
        reverse("backoffice:item-followup", args=[item.pk]),
        {"due_on": tomorrow.isoformat(), "reason": "Nachweis Mietzahlung prüfen"},
    )
    assert response.status_code == 302
    followup = FollowUp.objects.get()
    assert followup.assignee == caseworker and followup.household == household
    assert not followups.due_for(caseworker).exists()
    assert list(followups.due_for(caseworker, tomorrow)) == [followup]
    FollowUp.objects.filter(pk=followup.pk).update(due_on=timezone.localdate())
    page = caseworker_client.get(reverse("backoffice:followups")).content.decode()
    assert "Nachweis Mietzahlung prüfen" in page and f"/verwaltung/postfach/{item.pk}/" in page
    inbox = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert 'href="/verwaltung/wiedervorlage/"' in inbox  # the tab
    later = timezone.localdate() + dt.timedelta(days=5)
    caseworker_client.post(reverse("backoffice:followup-postpone", args=[followup.pk]), {"due_on": later})
    followup.refresh_from_db()
    assert followup.due_on == later
    caseworker_client.post(reverse("backoffice:followup-done", args=[followup.pk]))
    followup.refresh_from_db()
    assert followup.done_at is not None
    actions = set(AuditEvent.objects.filter(action__startswith="followup.").values_list("action", flat=True))
    assert actions == {"followup.created", "followup.postponed", "followup.done"}


def test_wiedervorlage_on_a_case_file(caseworker, caseworker_client, household):
    url = reverse("backoffice:household-followup", args=[household.pk])
    assert caseworker_client.get(url).status_code == 200
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = caseworker_client.post(url, {"due_on": yesterday, "reason": "x"})
    assert response.status_code == 200 and FollowUp.objects.count() == 0  # not in the past
    caseworker_client.post(url, {"due_on": timezone.localdate(), "reason": "Weiterbewilligung vorbereiten"})
    assert FollowUp.objects.get().household == household


def test_approved_absence_creates_a_wiedervorlage_on_the_return_date(caseworker, household):
    from jcportal.eforms.models import Submission
    from jcportal.eforms.services import apply_action

    until = timezone.localdate() + dt.timedelta(days=20)
    submission = Submission.objects.create(
        form_slug="ortsabwesenheit",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        household=household,
        reference="OA-1",
        data={
            "absence": {
                "absent_from": (until - dt.timedelta(days=5)).isoformat(),
                "absent_until": until.isoformat(),
            }
        },
    )
    apply_action(submission, "approve", caseworker)
    followup = FollowUp.objects.get()
    assert followup.due_on == until + dt.timedelta(days=1)
    assert followup.source == FollowUp.Source.ABSENCE and followup.assignee == caseworker
    assert followups.on_submission_action(submission, "approve", caseworker) == followup  # once


def test_overdue_requests_get_one_wiedervorlage_each_and_notify(caseworker, household):
    overdue = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    DocumentRequestFactory(household=household)  # not yet due
    call_command("casework_followups")
    followup = FollowUp.objects.get()
    assert followup.source == FollowUp.Source.DOCUMENT_REQUEST and followup.household == household
    assert followup.source_key == f"docrequests.DocumentRequest:{overdue.pk}"
    assert Notification.objects.filter(recipient=caseworker, kind=Notification.Kind.FOLLOW_UP).count() == 1
    call_command("casework_followups")  # idempotent
    assert FollowUp.objects.count() == 1 and Notification.objects.count() == 1
