"""§ 37 (2a) SGB X with a moved clock: the e-mail notice of a released letter (no social data), the
first retrieval, "bekannt gegeben am" under both rules, and the task to post a letter left unretrieved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse

from jcportal.accounts import services as account_services
from jcportal.accounts.models import Consent
from jcportal.audit.models import AuditEvent
from jcportal.casework.services import release_document
from jcportal.casework.tests.helpers import document_with_pdf
from jcportal.core.testing.fixtures import login_staff
from jcportal.postbox import selectors, tasks
from jcportal.postbox.models import Letter

BERLIN = ZoneInfo("Europe/Berlin")
TITLE = "Bewilligungsbescheid 563,00 EUR"


pytestmark = pytest.mark.usefixtures("english")  # the tests read the English message ids


@contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Move the clock: Django's ``timezone.now()`` (used everywhere) answers ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def consenting(citizen, household):  # type: ignore[no-untyped-def]
    citizen.email = "kunde@example.org"
    citizen.notify_by_email = True
    citizen.save()
    with clock(at(1, 8)):
        account_services.give_consent(citizen, Consent.Kind.DIGITAL_DELIVERY, household=household)
    return citizen


def _release(household, caseworker, moment: dt.datetime):  # type: ignore[no-untyped-def]
    document = document_with_pdf(household=household, title=TITLE, doc_type="bescheid", direction="outbound")
    with clock(moment), TestCase.captureOnCommitCallbacks(execute=True):
        release_document(document, by=caseworker)
    return document


def _download(citizen, document, moment: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    """The citizen opens the letter at ``moment`` (logged in then: sessions follow the clock)."""
    with clock(moment):
        client = Client()
        client.force_login(citizen)
        url = reverse("portal:release-download", kwargs={"document_id": document.pk})
        return client.get(url).status_code


def _staff_page(caseworker, moment: dt.datetime) -> str:  # type: ignore[no-untyped-def]
    with clock(moment):
        response = login_staff(Client(), caseworker).get(reverse("backoffice:postbox"))
    assert response.status_code == 200
    return response.content.decode()


def test_notice_is_sent_and_recorded_and_carries_no_social_data(consenting, household, caseworker):
    document = _release(household, caseworker, at(1, 23, 30))
    assert len(mail.outbox) == 1, "the notice replaces the general 'something new' mail"
    notice = mail.outbox[0]
    assert notice.to == ["kunde@example.org"]
    assert notice.subject == "A new letter is waiting in your portal"
    assert settings.SITE_URL.rstrip("/") + reverse("portal:releases") in notice.body
    person = consenting.person
    for social in (
        TITLE,
        "Bewilligungsbescheid",
        "563",
        household.bg_number,
        person.last_name,
        person.first_name,
    ):
        assert social not in notice.body and social not in notice.subject
    letter = Letter.objects.get(document=document)
    assert letter.channel == Letter.Channel.PORTAL
    assert letter.notice_sent_at == at(1, 23, 30)
    assert AuditEvent.objects.filter(action="postbox.notice_sent", household_id=household.pk).exists()


def test_first_retrieval_is_recorded(consenting, household, caseworker):
    document = _release(household, caseworker, at(1))
    assert _download(consenting, document, at(2, 15, 5)) == 200
    assert _download(consenting, document, at(5)) == 200  # a later download changes nothing
    letter = Letter.objects.get(document=document)
    assert letter.retrieved_at == at(2, 15, 5) and letter.retrieved_by == consenting


def test_bekannt_gegeben_under_both_rules(consenting, household, caseworker, settings):
    document = _release(household, caseworker, at(1, 23, 30))  # late evening: the Berlin date counts
    letter = Letter.objects.get(document=document)
    settings.POSTBOX_NOTIFICATION_RULE = "retrieval"
    assert selectors.notified_on(letter) is None, "not retrieved: not notified under the retrieval rule"
    assert _download(consenting, document, at(7, 9)) == 200
    letter.refresh_from_db()
    assert selectors.notified_on(letter) == dt.date(2026, 12, 8)
    assert "08.12.2026" in _staff_page(caseworker, at(7, 12))
    settings.POSTBOX_NOTIFICATION_RULE = "third_day"
    assert selectors.notified_on(letter) == dt.date(2026, 12, 4)
    page = _staff_page(caseworker, at(7, 12))
    assert "04.12.2026" in page and "01.12.2026 23:30" in page and "07.12.2026 09:00" in page


def test_the_notice_tells_the_rule_in_force(consenting, household, caseworker, settings):
    settings.POSTBOX_NOTIFICATION_RULE = "retrieval"
    _release(household, caseworker, at(1))
    assert "on the day after you open it" in mail.outbox[0].body


def test_without_consent_the_letter_is_in_the_portal_and_goes_by_post(
    citizen, household, caseworker, citizen_client
):
    citizen.email = "kunde@example.org"
    citizen.save()
    document = _release(household, caseworker, at(1))
    assert mail.outbox == []
    letter = Letter.objects.get(document=document)
    assert letter.channel == Letter.Channel.POST and letter.notice_sent_at is None
    assert selectors.notified_on(letter) is None
    assert TITLE in citizen_client.get(reverse("portal:releases")).content.decode()
    page = _staff_page(caseworker, at(1, 11))
    assert "By post" in page and "No consent to digital delivery" in page


def test_revoked_consent_sends_the_next_letter_by_post(consenting, household, caseworker):
    with clock(at(2)):
        account_services.revoke_consent(consenting, Consent.Kind.DIGITAL_DELIVERY)
    document = _release(household, caseworker, at(3))
    assert Letter.objects.get(document=document).channel == Letter.Channel.POST
    assert not any(m.subject == "A new letter is waiting in your portal" for m in mail.outbox)


def test_unretrieved_for_ten_days_gives_staff_a_task_to_post_it(consenting, household, caseworker):
    assert settings.CELERY_BEAT_SCHEDULE["postbox-unretrieved"]["task"] == tasks.flag_unretrieved.name
    document = _release(household, caseworker, at(1))
    retrieved = _release(household, caseworker, at(1))
    Letter.objects.filter(document=retrieved).update(retrieved_at=at(2))
    with clock(at(11, 9)):  # 9 days 23 hours
        assert tasks.flag_unretrieved.delay().get() == 0
    assert "Record as sent by post" not in _staff_page(caseworker, at(11, 9))
    with clock(at(11, 10)):
        assert tasks.flag_unretrieved.delay().get() == 1
        assert tasks.flag_unretrieved.delay().get() == 0, "flagged once"
    page = _staff_page(caseworker, at(11, 11))
    assert "Not retrieved since the notice of 01.12.2026" in page
    letter = Letter.objects.get(document=document)
    with clock(at(11, 12)):
        client = login_staff(Client(), caseworker)
        response = client.post(
            reverse("backoffice:postbox-sent-by-post", kwargs={"document_id": letter.document_id})
        )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.sent_by_post_at == at(11, 12) and letter.sent_by_post_by == caseworker
    assert AuditEvent.objects.filter(action="postbox.sent_by_post", actor=caseworker).exists()
    page = _staff_page(caseworker, at(11, 13))
    assert "No letter has to go by post." in page and "sent by post on 11.12.2026" in page


def test_a_foreign_household_letter_cannot_be_marked(consenting, household, caseworker):
    from jcportal.households.tests.factories import HouseholdFactory

    foreign = _release(HouseholdFactory(), caseworker, at(1))
    letter = Letter.objects.get(document=foreign)
    client = login_staff(Client(), caseworker)
    response = client.post(
        reverse("backoffice:postbox-sent-by-post", kwargs={"document_id": letter.document_id})
    )
    assert response.status_code == 404
    assert foreign.title not in client.get(reverse("backoffice:postbox")).content.decode()


def test_an_unknown_rule_is_reported_by_the_system_check(settings):
    settings.POSTBOX_NOTIFICATION_RULE = "someday"
    with pytest.raises(Exception, match="POSTBOX_NOTIFICATION_RULE"):
        call_command("check")


def test_account_area_says_letters_come_by_post_without_an_e_mail_address(citizen, household, citizen_client):
    account_services.give_consent(citizen, Consent.Kind.DIGITAL_DELIVERY, household=household)
    hint = "Without an e-mail address, letters still come by post."
    assert hint in citizen_client.get(reverse("portal:account")).content.decode()
    citizen.email = "kunde@example.org"
    citizen.save()
    assert hint not in citizen_client.get(reverse("portal:account")).content.decode()


def test_a_letter_released_again_gets_a_new_notice(consenting, household, caseworker):
    from jcportal.casework.services import revoke_release

    document = _release(household, caseworker, at(1))
    Letter.objects.filter(document=document).update(post_due_since=at(11))
    with clock(at(12)):
        revoke_release(document, by=caseworker)
    assert "Record as sent by post" not in _staff_page(caseworker, at(12, 11)), (
        "a revoked release is not listed"
    )
    with clock(at(14)), TestCase.captureOnCommitCallbacks(execute=True):
        release_document(document, by=caseworker)
    letter = Letter.objects.get(document=document)
    assert letter.notice_sent_at == at(14) and letter.post_due_since is None
    assert len(mail.outbox) == 2


def test_the_document_page_shows_the_notification_state(consenting, household, caseworker):
    document = _release(household, caseworker, at(1, 9))
    with clock(at(2)):
        page = login_staff(Client(), caseworker).get(reverse("backoffice:document", args=[document.pk]))
    html = page.content.decode()
    assert "In the portal, with an e-mail notice" in html
    assert "01.12.2026 09:00" in html and "04.12.2026" in html
