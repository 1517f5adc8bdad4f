"""Webhooks against a real HTTP receiver: signature, retries with the same id, dead letter, redelivery."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from jcportal.events import services, signing
from jcportal.events.models import Delivery
from jcportal.households.tests.factories import HouseholdFactory

from .clock import Worker, assert_follows_the_backoff, simulated_clock
from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_retries(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.05
    settings.WEBHOOK_RETRY_MAX_SECONDS = 0.2
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    return settings


def subscribe(url: str, **kwargs):  # type: ignore[no-untyped-def]
    return services.create_subscription(client=None, name="DMS", url=url, **kwargs)


def emit_one(household=None):  # type: ignore[no-untyped-def]
    household = household or HouseholdFactory()
    event = services.emit("de.jcportal.household.upserted", household, household=household)
    services.sequence_pending()
    event.refresh_from_db()
    return event


def deliver_until_settled(timeout: float = 5.0) -> None:
    """Run the delivery loop as the retry task would, until nothing is pending (short backoff)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.deliver_due()
        if not Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            return
        time.sleep(0.05)
    raise AssertionError("deliveries still pending")


def test_a_webhook_arrives_signed_with_the_cloudevent(fast_retries):
    receiver = Receiver(secret="")
    subscription, secret = subscribe(receiver.url)
    receiver.secret = secret
    receiver.start()
    try:
        event = emit_one()
        assert services.deliver_due() == 1
    finally:
        receiver.stop()
    [got] = receiver.received
    assert got.valid and got.status == 204
    assert got.headers["webhook-id"] == str(event.event_id)
    assert got.headers["content-type"].startswith("application/cloudevents+json")
    assert got.event == services.cloudevent(event)
    assert got.event["type"] == "de.jcportal.household.upserted"
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    # a wrong secret, a changed body and a replay older than five minutes all fail the documented check
    stamp = got.headers["webhook-timestamp"]
    assert not signing.verify("whsec_wrong", got.body, stamp, got.headers["webhook-signature"])
    assert not signing.verify(secret, got.body + b" ", stamp, got.headers["webhook-signature"])
    old = int(stamp) - 301
    assert not signing.verify(secret, got.body, str(old), signing.sign(secret, old, got.body))


def test_receiver_down_then_up_gets_the_event_exactly_once_with_the_same_id(settings):
    """Down for more than two minutes with the default backoff (on a moved clock), then up but failing
    once: every attempt comes when the schedule says, and the event arrives once with its id."""
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30.0  # the defaults of settings.py
    settings.WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600.0
    settings.WEBHOOK_MAX_ATTEMPTS = 12
    receiver = Receiver(secret="")
    subscription, receiver.secret = subscribe(receiver.url)
    with simulated_clock() as clock:
        start = clock.now
        event = emit_one()
        worker = Worker(clock, Delivery.objects.get())
        # due at 0 s, 15–30 s, 45–90 s, 105–210 s, then not before 225 s: four attempts in 215 s
        worker.run_until(start + timedelta(seconds=215))  # nobody listens on the port: refused
        assert [a.at for a in worker.attempts][:1] == [start] and len(worker.attempts) == 4
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 4
        assert delivery.last_error and delivery.last_status_code is None
        receiver.answers = [503]  # it comes up, still failing once
        receiver.start()
        try:
            worker.run_until(clock.now + timedelta(days=1), stop_when_settled=True)
            worker.run_until(clock.now + timedelta(hours=13))  # nothing more is sent once it arrived
        finally:
            receiver.stop()
    assert [r.status for r in receiver.received] == [503, 204]
    assert {r.headers["webhook-id"] for r in receiver.received} == {str(event.event_id)}
    assert len(receiver.accepted) == 1
    assert_follows_the_backoff(worker.attempts[:5])  # four refused, one 503
    assert worker.attempts[5].at == worker.attempts[4].next_due and len(worker.attempts) == 6
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 6


def test_a_claimed_delivery_is_not_sent_twice_at_the_same_time(fast_retries):
    receiver = Receiver(secret="")
    subscription, receiver.secret = subscribe(receiver.url)
    emit_one()
    claimed = services._claim(timezone.now())
    assert len(claimed) == 1
    assert services._claim(timezone.now()) == []  # a second worker finds nothing to send
    receiver.start()
    try:
        assert services.deliver_due() == 0  # still claimed by the first worker
    finally:
        receiver.stop()
    assert receiver.received == []


def test_dead_letter_then_redeliver_with_the_same_id(fast_retries, django_capture_on_commit_callbacks):
    from jcportal.accounts.tests.factories import StaffFactory

    receiver = Receiver(secret="", answers=[500] * 10)
    subscription, receiver.secret = subscribe(receiver.url)
    event = emit_one()
    receiver.start()
    try:
        deliver_until_settled()
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.DEAD and delivery.attempts == 4
        assert delivery.last_status_code == 500 and "500" in delivery.last_error
        receiver.answers = []
        with django_capture_on_commit_callbacks(execute=True):
            services.redeliver(delivery, by=StaffFactory(role="admin"))
        deliver_until_settled()
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert len(receiver.received) == 5
    assert {r.headers["webhook-id"] for r in receiver.received} == {str(event.event_id)}
    assert len(receiver.accepted) == 1


def test_only_wanted_types_and_active_subscriptions_get_deliveries():
    documents_only, _secret = subscribe("http://127.0.0.1:9/a", event_types=["de.jcportal.document.filed"])
    everything, _secret = subscribe("http://127.0.0.1:9/b")
    paused, _secret = subscribe("http://127.0.0.1:9/c", active=False)
    emit_one()
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [everything.pk]


def test_backoff_grows_exponentially_with_jitter(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempts, full in ((1, 30), (2, 60), (5, 480), (20, 3600)):
        waits = {services.backoff_seconds(attempts) for _ in range(20)}
        assert all(full / 2 <= w <= full for w in waits)
        assert len(waits) > 1  # jitter


def test_subscriptions_refuse_bad_urls_and_unknown_types(settings):
    with pytest.raises(services.WebhookError):
        subscribe("ftp://dms.example/hook")
    with pytest.raises(services.WebhookError):
        subscribe("https://dms.example/hook", event_types=["de.jcportal.nothing"])
    settings.PRODUCTION = True
    with pytest.raises(services.WebhookError):
        subscribe("http://dms.example/hook")
