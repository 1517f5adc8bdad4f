"""A parked intake failure: staff see it with the reason and retry it; the citizen reads "being
processed", never an error they caused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents import pipeline
from jcportal.documents.models import Document
from jcportal.households.tests.factories import TeamFactory
from jcportal.inbox.models import InboxItem

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def parked(upload, settings):  # type: ignore[no-untyped-def]
    settings.PIPELINE_MAX_ATTEMPTS = 3
    document = upload(("a.jpg", samples.jpeg()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_step="normalise", status=Document.Status.RECEIVED, delivered_at=None
    )
    InboxItem.objects.filter(document=document).delete()
    for _ in range(3):  # the worker died three times in "normalise"
        assert pipeline.claim(str(document.pk))
        pipeline.release(str(document.pk))
    assert not pipeline.claim(str(document.pk))
    document.refresh_from_db()
    assert document.pipeline_state == pipeline.FAILED
    return document


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = login_staff(Client(), user)
    client.cookies["jcportal_language"] = "en"
    return client


def test_the_clearing_team_sees_the_failure_and_retries_it(
    parked, household, caseworker, django_capture_on_commit_callbacks
):
    clearing = _client(
        StaffFactory(team=TeamFactory(is_clearing=True, service_office=household.service_office))
    )
    page = clearing.get(reverse("backoffice:intake-failures"))
    html = page.content.decode()
    assert page.status_code == 200
    assert parked.receipt_number in html and "normalise" in html and "3 times" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = clearing.post(reverse("backoffice:intake-failure-retry", args=[parked.pk]), follow=True)
    assert "has started again" in response.content.decode()
    assert parked.receipt_number not in clearing.get(reverse("backoffice:intake-failures")).content.decode()
    parked.refresh_from_db()
    assert parked.status == Document.Status.DELIVERED
    assert InboxItem.objects.filter(document=parked, assignee=caseworker).exists()


def test_caseworkers_do_not_see_intake_failures(parked, caseworker):
    client = _client(caseworker)
    assert client.get(reverse("backoffice:intake-failures")).status_code == 403
    assert client.post(reverse("backoffice:intake-failure-retry", args=[parked.pk])).status_code == 403


def test_an_administrator_sees_every_failure(parked):
    admin = _client(StaffFactory(role=Role.ADMIN, team=None))
    assert parked.receipt_number in admin.get(reverse("backoffice:intake-failures")).content.decode()


def test_the_citizen_reads_that_the_document_is_being_processed(parked, citizen_client):
    html = citizen_client.get(
        reverse("portal:upload-done", kwargs={"document_id": parked.pk})
    ).content.decode()
    assert "being processed" in html
    assert "normalise" not in html and "3 times" not in html and "Not delivered" not in html
