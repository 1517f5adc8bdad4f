"""The records pages in the back office: only the records role, the whole offer through the browser's
forms, and the proposer does not get the approval button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jcportal.accounts.tests.factories import StaffFactory
from jcportal.core import crypto
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.models import Household
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.records import services
from jcportal.records.models import DestructionProposal, LegalHold

from .test_retention import archive_answer, clock, left_benefits, records_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():  # type: ignore[no-untyped-def]
    crypto.forget_cached_keys()
    yield
    crypto.forget_cached_keys()


def english(client: Client) -> Client:
    client.cookies["jcportal_language"] = "en"
    return client


def test_only_the_records_role_opens_the_pages():
    caseworker = login_staff(english(Client()), StaffFactory())
    assert caseworker.get(reverse("backoffice:records")).status_code == 403
    records = login_staff(english(Client()), records_staff())
    page = records.get(reverse("backoffice:records"))
    assert page.status_code == 200
    assert "Retention and destruction" in page.content.decode()
    assert "Retention and destruction" in records.get(reverse("backoffice:home")).content.decode()


def test_offer_evaluation_receipt_and_second_approval_in_the_back_office():
    household = HouseholdFactory()
    left_benefits(household, dt.date(2026, 1, 31))
    proposer_user, approver_user = records_staff(), records_staff()
    with clock(dt.date(2037, 1, 4)):  # ten years later (logged in then: sessions expire)
        proposer = login_staff(english(Client()), proposer_user)
        approver = login_staff(english(Client()), approver_user)
        home = proposer.get(reverse("backoffice:records")).content.decode()
        assert "leistungsakte" in home
        response = proposer.post(reverse("backoffice:records-build"))
        proposal = DestructionProposal.objects.get()
        assert response.url == reverse("backoffice:records-proposal", args=[proposal.pk])
        page = proposer.get(response.url).content.decode()
        assert household.bg_number in page and "Propose destruction" in page

        step = lambda name: reverse("backoffice:records-proposal-step", args=[proposal.pk, name])  # noqa: E731
        proposer.post(step("submit"))
        offer = proposer.get(reverse("backoffice:records-proposal-file", args=[proposal.pk, "offer"]))
        assert offer.status_code == 200 and b"Anbieteverzeichnis.0501" in b"".join(offer.streaming_content)

        item = proposal.items.get()
        answer = archive_answer("0502", proposal, decisions={item.xdomea_id: "V"})
        proposer.post(step("evaluation"), {"message": SimpleUploadedFile("0502.xml", answer)})
        receipt = archive_answer("0504", proposal)
        proposer.post(step("receipt"), {"message": SimpleUploadedFile("0504.xml", receipt)})
        proposal.refresh_from_db()
        assert proposal.status == DestructionProposal.Status.AWAITING_APPROVAL

        page = proposer.get(reverse("backoffice:records-proposal", args=[proposal.pk])).content.decode()
        assert "Approve and destroy" not in page and "the proposer cannot" in page
        proposer.post(step("approve"))
        assert Household.objects.filter(pk=household.pk).exists()

        page = approver.get(reverse("backoffice:records-proposal", args=[proposal.pk])).content.decode()
        assert "Approve and destroy" in page
        approver.post(step("approve"))
    proposal.refresh_from_db()
    assert proposal.status == DestructionProposal.Status.DESTROYED
    assert not Household.objects.filter(pk=household.pk).exists()


def test_a_hold_is_placed_by_bg_number_and_released():
    household = HouseholdFactory()
    records = login_staff(english(Client()), records_staff())
    response = records.post(
        reverse("backoffice:records-hold-place"),
        {
            "bg_number": household.bg_number.lower(),
            "reason": "klage",
            "review_on": "2027-06-30",
            "note": "SG",
        },
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get(household=household)
    assert household.bg_number in records.get(reverse("backoffice:records")).content.decode()
    records.post(reverse("backoffice:records-hold-release", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_the_end_of_benefits_is_recorded_and_taken_back():
    household = HouseholdFactory()
    records = login_staff(english(Client()), records_staff())
    url = reverse("backoffice:records-benefits-ended")
    assert records.get(url).status_code == 200
    records.post(url, {"bg_number": household.bg_number, "ended_on": "2026-01-31"})
    household.refresh_from_db()
    assert household.benefits_ended_on == dt.date(2026, 1, 31) and not household.active
    assert [line.due for line in services.plan(dt.date(2036, 12, 31))] == [1]
    records.post(url, {"bg_number": household.bg_number, "ended_on": ""})
    household.refresh_from_db()
    assert household.benefits_ended_on is None and household.active
    assert services.plan(dt.date(2036, 12, 31)) == []
