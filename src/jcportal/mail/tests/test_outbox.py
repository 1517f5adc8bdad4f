"""Mail leaves through the outbox: a row in the caller's transaction, then a task on the io queue,
retried with backoff; no request waits for a mail server, a mail server outage loses no mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from jcportal.celery import app
from jcportal.core.registry import resumers
from jcportal.mail import services, tasks
from jcportal.mail.models import OutboxMail

pytestmark = pytest.mark.django_db


class DownBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("smtp down")


@pytest.fixture
def queued(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """A deployment with workers: tasks go to the broker (recorded here) instead of running at once."""
    sent: list[int] = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.send_outbox_mail, "delay", lambda mail_id: sent.append(mail_id))
    return sent


def test_the_sending_task_runs_on_the_io_queue():
    assert app.amqp.router.route({}, "jcportal.mail.tasks.send_outbox_mail")["queue"].name == "io"


def test_a_mail_is_a_row_first_and_leaves_after_the_commit_through_the_task(
    queued, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_mail("Betreff", "Text", None, ["kunde@example.org"]) == 1
        assert not mailoutbox  # nothing waited for SMTP inside the transaction
    (mail_id,) = queued
    assert OutboxMail.objects.get(pk=mail_id).to == ["kunde@example.org"]
    assert tasks.send_outbox_mail(mail_id) == "sent"
    assert [m.to for m in mailoutbox] == [["kunde@example.org"]]
    assert not OutboxMail.objects.exists()  # the outbox keeps no copy of what was sent
    assert tasks.send_outbox_mail(mail_id) == "busy"  # a duplicate message sends nothing


def test_a_mail_server_outage_is_retried_with_backoff_and_then_kept_for_the_operator(
    queued, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "jcportal.mail.tests.test_outbox.DownBackend"
    settings.MAIL_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.send_mail("Betreff", "Text", None, ["kunde@example.org"])
    mail = OutboxMail.objects.get()
    assert services.deliver(mail.pk) == "retry"
    mail.refresh_from_db()
    assert mail.attempts == 1 and "smtp down" in mail.last_error
    assert mail.next_attempt_at > timezone.now()
    assert services.retry_seconds(1) == 30 and services.retry_seconds(3) == 120
    assert mail.pk not in services.due()  # not before its next attempt
    OutboxMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    assert services.deliver(mail.pk) == "failed"
    mail.refresh_from_db()
    assert mail.failed_at is not None and mail.pk not in services.due()


def test_the_resumer_queues_a_mail_whose_task_was_lost(queued, settings, mailoutbox):
    mail = OutboxMail.objects.create(to=["kunde@example.org"], subject="S", body="B")
    OutboxMail.objects.filter(pk=mail.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert resumers["mail.outbox"]() == 1
    assert queued == [mail.pk]


def test_password_reset_mail_goes_through_the_outbox(client, queued, django_capture_on_commit_callbacks):
    from jcportal.accounts.tests.factories import CitizenFactory

    citizen = CitizenFactory(email="kunde@example.org")
    citizen.set_password("a-long-password-1")
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"username": citizen.username})
    assert response.status_code == 302
    assert not django_mail.outbox and len(queued) == 1
    assert tasks.send_outbox_mail(queued[0]) == "sent"
    assert django_mail.outbox[0].to == ["kunde@example.org"]
