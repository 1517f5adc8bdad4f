"""A citizen's download on a poor connection: broken off, it resumes where it stopped; a copy already on
the phone is not sent again."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(household, citizen, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from jcportal.documents import services
    from jcportal.documents.tests import samples

    with django_capture_on_commit_callbacks(execute=True):
        document = services.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="kontoauszug",
            title="Kontoauszug",
            files=[("seite1.jpg", io.BytesIO(samples.jpeg()))],
        )
    document.refresh_from_db()
    assert document.delivered_at and document.pdf
    return document


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_the_pdf_download_resumes_from_a_byte_range_and_revalidates_by_etag(citizen_client, delivered):
    url = reverse("portal:document-pdf", args=[delivered.pk])
    whole = citizen_client.get(url)
    assert whole.status_code == 200
    full = _body(whole)
    assert hashlib.sha256(full).hexdigest() == delivered.pdf_sha256
    assert whole["ETag"] == f'"{delivered.pdf_sha256}"' and whole["Accept-Ranges"] == "bytes"
    assert whole["Cache-Control"] == "private, no-store"
    assert whole["Content-Disposition"].startswith("attachment;")

    half = len(full) // 2
    rest = citizen_client.get(url, HTTP_RANGE=f"bytes={half}-", HTTP_IF_RANGE=whole["ETag"])
    assert rest.status_code == 206
    assert rest["Content-Range"] == f"bytes {half}-{len(full) - 1}/{len(full)}"
    assert full[:half] + _body(rest) == full  # the two parts make the same file

    again = citizen_client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"])
    assert again.status_code == 304 and not again.content

    beyond = citizen_client.get(url, HTTP_RANGE=f"bytes={len(full) + 10}-")
    assert beyond.status_code == 416


def test_a_range_for_a_changed_file_gets_the_whole_new_file(citizen_client, delivered):
    url = reverse("portal:document-pdf", args=[delivered.pk])
    response = citizen_client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"an-older-version"')
    assert response.status_code == 200
    assert hashlib.sha256(_body(response)).hexdigest() == delivered.pdf_sha256


def test_another_household_gets_404_for_a_range_too(delivered):
    from django.test import Client

    from jcportal.accounts.tests.factories import CitizenFactory

    stranger = Client()
    stranger.force_login(CitizenFactory())
    url = reverse("portal:document-pdf", args=[delivered.pk])
    assert stranger.get(url, HTTP_RANGE="bytes=0-10").status_code == 404
