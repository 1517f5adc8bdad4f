"""Requests at the centre (issue 14 point 2): the dashboard shows what is missing and by when, the upload
page offers the requested items first, and a document sent the ordinary way counts for the request,
with a way to say it does not."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from jcportal.docrequests.tests.factories import DocumentRequestFactory, DocumentRequestItemFactory
from jcportal.documents.tests import samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(citizen_client):  # type: ignore[no-untyped-def]
    citizen_client.cookies["jcportal_language"] = "en"


@pytest.fixture
def open_request(household):  # type: ignore[no-untyped-def]
    doc_request = DocumentRequestFactory(
        household=household, deadline=timezone.localdate() + dt.timedelta(days=10)
    )
    DocumentRequestItemFactory(
        request=doc_request, doc_type="kontoauszug", explanation="Die letzten drei Monate"
    )
    DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag", explanation="")
    return doc_request


def upload(client, captured, doc_type: str):  # type: ignore[no-untyped-def]
    with captured(execute=True):
        return client.post(
            reverse("portal:upload"),
            {
                "doc_type": doc_type,
                "title": "",
                "note": "",
                "complete": "1",
                "files": [io.BytesIO(samples.jpeg())],
            },
        )


def test_the_dashboard_shows_the_deadline_and_what_is_missing_first(citizen_client, open_request):
    html = citizen_client.get(reverse("portal:dashboard")).content.decode()
    deadline = open_request.deadline.strftime("%d.%m.%Y")
    assert "The Jobcenter is waiting for these documents" in html
    assert deadline in html and "(in 10 days)" in html
    section = html.split("waiting for these documents")[1].split("</section>")[0]
    assert html.index("waiting for these documents") < html.index('class="card-grid"')
    assert "Bank statement" in section and "Rental" in section


def test_the_upload_page_offers_the_requested_items_first_and_preselects_the_earliest(
    citizen_client, open_request
):
    html = citizen_client.get(reverse("portal:upload")).content.decode()
    first, second = open_request.items.order_by("position")
    deadline = open_request.deadline.strftime("%d.%m.%Y")
    assert f"Requested by {deadline}" in html
    assert (
        html.index(f'value="item-{first.pk}"')
        < html.index(f'value="item-{second.pk}"')
        < html.index('value="sonstiges"')
    )
    first_input = (
        html.split(f'value="item-{first.pk}"')[0].rsplit("<input", 1)[1]
        + html.split(f'value="item-{first.pk}"')[1].split(">")[0]
    )
    assert "checked" in first_input
    assert '<span class="hint doc-type__hint" lang="de" dir="ltr">Die letzten drei Monate</span>' in html


def test_choosing_the_requested_item_counts_for_it(
    citizen_client, open_request, django_capture_on_commit_callbacks
):
    item = open_request.items.get(doc_type="mietvertrag")
    response = upload(citizen_client, django_capture_on_commit_callbacks, f"item-{item.pk}")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.document is not None and item.document.doc_type == "mietvertrag"
    done = citizen_client.get(response["Location"]).content.decode()
    assert "This document counts for the request due" in done


def test_a_general_upload_of_a_requested_type_answers_the_request_and_can_be_undone(
    citizen_client, open_request, django_capture_on_commit_callbacks
):
    response = upload(citizen_client, django_capture_on_commit_callbacks, "kontoauszug")
    item = open_request.items.get(doc_type="kontoauszug")
    item.refresh_from_db()
    assert item.arrived_at is not None
    dashboard = citizen_client.get(reverse("portal:dashboard")).content.decode()
    section = dashboard.split("waiting for these documents")[1].split("</section>")[0]
    assert "Rental" in section and "Bank statement" not in section

    citizen_client.post(reverse("portal:upload-not-for-request", args=[item.document_id, item.pk]))
    item.refresh_from_db()
    assert item.arrived_at is None and item.document is None
    assert "The Jobcenter is waiting" in citizen_client.get(reverse("portal:dashboard")).content.decode()
    assert response.status_code == 302


def test_an_upload_of_another_type_does_not_touch_the_request(
    citizen_client, open_request, django_capture_on_commit_callbacks
):
    upload(citizen_client, django_capture_on_commit_callbacks, "lohnabrechnung")
    assert not open_request.items.filter(arrived_at__isnull=False).exists()


def _outside_german(html: str) -> str:
    """The page without the elements marked lang="de" (what a screen reader reads in the page language)."""
    import re

    return re.sub(r'<(div|span|p)[^>]*lang="de"[^>]*>.*?</\1>', "", html, flags=re.S)


@pytest.mark.parametrize("language", ["ar", "en", "ti"])
def test_the_request_page_composes_its_text_in_the_citizens_language_and_marks_the_german_free_text(
    citizen_client, open_request, language
):
    open_request.explanation = "Bitte reichen Sie die Kontoauszüge der letzten drei Monate ein."
    open_request.save()
    citizen_client.cookies["jcportal_language"] = language
    html = citizen_client.get(reverse("portal:request", args=[open_request.pk])).content.decode()
    assert '<div lang="de" dir="ltr" class="german-text"><p>Bitte reichen Sie' in html
    assert '<span lang="de" dir="ltr">Die letzten drei Monate</span>' in html
    visible = _outside_german(html)
    assert "Bitte reichen Sie" not in visible and "Die letzten drei Monate" not in visible
    assert "§ 66 SGB I" in visible  # the legal note, in the page's language with the paragraph as reference
