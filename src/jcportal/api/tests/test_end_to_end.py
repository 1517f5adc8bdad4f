"""The hand-off end to end: a citizen uploads photos → a signed webhook reaches a real receiver → the
documented example DMS client (docs/integration/example_dms_client.py, run as its own process against a
live server) reads the feed, fetches the PDF and acknowledges it → the citizen sees it filed. Then the
receiver is down for a while and comes back: the event arrives exactly once, with the same id."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from jcportal.api import scopes
from jcportal.api.services import create_client
from jcportal.documents.models import Document
from jcportal.documents.tests import samples
from jcportal.events import services as event_services
from jcportal.events.models import Delivery
from jcportal.events.tests.clock import Attempt, Worker, assert_follows_the_backoff, simulated_clock
from jcportal.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_SCRIPT = Path(django_settings.PROJECT_DIR) / "docs" / "integration" / "example_dms_client.py"
TOKEN = "jcp_e2e_" + "t" * 40  # noqa: S105 - a test token


def deliver_until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event_services.sequence_pending()
        event_services.deliver_due()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("not delivered in time")


@pytest.fixture
def fast_webhooks(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.WEBHOOK_RETRY_MAX_SECONDS = 0.5
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_MAX_ATTEMPTS = 50
    return settings


def run_example_client(live_server, into: Path) -> list[str]:  # type: ignore[no-untyped-def]
    result = subprocess.run(  # noqa: S603 - our documented script
        [sys.executable, str(CLIENT_SCRIPT), "--url", live_server.url, "--token", TOKEN, "--into", str(into)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split(": ", 1)[1].split(", ")


def test_upload_webhook_example_client_acknowledgement_and_the_citizen_sees_it_filed(
    live_server,
    fast_webhooks,
    household,
    citizen,
    citizen_client,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    fast_webhooks.SITE_URL = live_server.url  # event datarefs point at the API of this installation
    create_client("dms", scopes=scopes.all_scopes(), all_households=True, token=TOKEN)
    receiver = Receiver(secret="")
    _subscription, secret = event_services.create_subscription(
        client=None, name="DMS", url=receiver.url, event_types=["de.jcportal.document.delivered"]
    )
    receiver.secret = secret
    receiver.start()
    try:
        citizen_client.cookies["jcportal_language"] = "en"
        with django_capture_on_commit_callbacks(execute=True):
            response = citizen_client.post(
                reverse("portal:upload"),
                {
                    "doc_type": "kontoauszug",
                    "title": "",
                    "note": "",
                    "complete": "1",
                    "files": [
                        io.BytesIO(samples.jpeg("red")),
                        io.BytesIO(samples.jpeg("green")),
                    ],
                },
            )
        assert response.status_code in (200, 302)
        document = Document.objects.get(household=household)
        assert document.delivered_at is not None

        deliver_until(lambda: len(receiver.accepted) == 1)
        webhook = receiver.accepted[0]
        assert webhook.valid and webhook.event["subject"] == str(document.pk)
        assert webhook.event["dataref"].endswith(f"/api/v1/documents/{document.pk}/")
    finally:
        receiver.stop()

    filed = run_example_client(live_server, tmp_path / "dms")
    assert filed == [f"DMS-{document.receipt_number}"]
    stored = json.loads((tmp_path / "dms" / f"DMS-{document.receipt_number}.json").read_text())
    assert stored["bg_number"] == household.bg_number and stored["document_type"] == "kontoauszug"
    pdf = (tmp_path / "dms" / f"DMS-{document.receipt_number}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    document.refresh_from_db()
    assert document.filed_at is not None and document.dms_reference == f"DMS-{document.receipt_number}"
    assert run_example_client(live_server, tmp_path / "dms") == ["-"]  # a second run files nothing again

    page = citizen_client.get(reverse("portal:documents")).content.decode()
    assert "Filed in the electronic case file" in page


def test_a_receiver_that_is_down_gets_the_event_exactly_once_when_it_is_back(settings, household):
    """Down for more than two minutes with the default backoff (on a moved clock), then up: the event
    arrives once, with its id, after as many failed attempts as the schedule has in the outage."""
    # the defaults of settings.py, whatever the environment says
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30.0
    settings.WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600.0
    settings.WEBHOOK_MAX_ATTEMPTS = 12
    settings.WEBHOOK_TIMEOUT_SECONDS = 10.0
    receiver = Receiver(secret="")
    subscription, secret = event_services.create_subscription(client=None, name="DMS", url=receiver.url)
    receiver.secret = secret
    with simulated_clock() as clock:
        start = clock.now
        event = event_services.emit("de.jcportal.household.upserted", household, household=household)
        # the dispatcher started after the commit sends it at once: the first refused attempt
        delivery = Delivery.objects.get(subscription=subscription, event=event)
        assert delivery.attempts == 1 and delivery.last_attempt_at == start
        worker = Worker(clock, delivery)
        worker.attempts.append(Attempt(start, start, delivery.next_attempt_at, delivery.status))
        # Attempts fall due at 0 s, then after 15–30 s, 30–60 s, 60–120 s and 120–240 s (jitter): the
        # fourth retry comes at 105–210 s and the fifth at 225 s at the earliest, so an outage of 215 s
        # sees exactly four failed attempts, whatever the jitter drew.
        back_at = start + timedelta(seconds=215)
        worker.run_until(back_at)  # the receiver's port is closed: every attempt is refused
        failures = list(worker.attempts)
        assert len(failures) == 4
        assert failures[0].at == start
        assert_follows_the_backoff(failures)
        assert failures[-1].next_due is not None and failures[-1].next_due > back_at
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 4
        assert delivery.last_status_code is None and delivery.last_error  # refused, not answered
        assert receiver.received == []

        receiver.start()
        try:
            worker.run_until(back_at + timedelta(hours=1), stop_when_settled=True)
            [arrived] = worker.attempts[4:]
            assert arrived.status == Delivery.Status.DELIVERED
            assert arrived.at == failures[-1].next_due  # the retry the schedule had planned, no sooner
            # more wake-ups over the longest backoff and beyond send nothing again
            runs = worker.wake_ups
            worker.run_until(clock.now + timedelta(seconds=settings.WEBHOOK_RETRY_MAX_SECONDS * 2))
            assert worker.wake_ups > runs + 100
            event_services.sequence_pending()
            assert event_services.deliver_due() == 0
            assert event_services.next_due_in() is None
        finally:
            receiver.stop()
    assert clock.now - start > timedelta(hours=12)
    assert len(worker.attempts) == 5
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 5
    [got] = receiver.received
    assert got.valid and got.status == 204
    assert got.headers["webhook-id"] == str(event.event_id) == got.event["id"]
    assert receiver.accepted == [got]
