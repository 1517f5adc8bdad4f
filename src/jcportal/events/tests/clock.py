"""Webhook retries over simulated minutes: ``django.utils.timezone.now`` is moved by hand, and a worker
loop wakes when the workers would — when the next delivery falls due (``tasks.deliver_webhooks``
schedules itself for it) and every minute (the beat's resumer) — sending what is due over real HTTP.

Nothing sleeps: a two-minute outage with the default backoff takes as long as the attempts themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.utils import timezone

from jcportal.events import services
from jcportal.events.models import Delivery

BEAT = dt.timedelta(seconds=60)  # the resumer's schedule


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def move_to(self, when: dt.datetime) -> None:
        assert when >= self.now, "the simulated clock only moves forward"
        self.now = when


@contextmanager
def simulated_clock() -> Iterator[Clock]:
    """``timezone.now()`` (read by ``events.services`` each time it decides what is due) returns
    ``clock.now`` inside the block; ``time.time()`` stays real, so signature timestamps stay fresh."""
    clock = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


@dataclass
class Attempt:
    at: dt.datetime  # when the worker sent it (the simulated clock)
    due: dt.datetime  # when the delivery said it was due
    next_due: dt.datetime | None  # the retry it scheduled (None: delivered or dead)
    status: str


@dataclass
class Worker:
    """Runs ``services.deliver_due`` at the moments the real workers would and records every attempt of
    one delivery (``wake_ups`` counts all runs, also those that had nothing to send)."""

    clock: Clock
    delivery: Delivery
    next_beat: dt.datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    wake_ups: int = 0

    def __post_init__(self) -> None:
        if self.next_beat is None:
            self.next_beat = self.clock.now + BEAT

    def run_until(self, end: dt.datetime, *, stop_when_settled: bool = False) -> None:
        """Wake up at every due time and every beat before ``end`` (or until the delivery settled)."""
        assert self.next_beat is not None
        while True:
            self.delivery.refresh_from_db()
            due = self.delivery.next_attempt_at
            if stop_when_settled and self.delivery.status != Delivery.Status.PENDING:
                return
            wake = self.next_beat if due is None else min(due, self.next_beat)
            if wake >= end:
                self.clock.move_to(end)
                return
            self.clock.move_to(wake)
            if wake == self.next_beat:
                self.next_beat += BEAT
            before = self.delivery.attempts
            services.deliver_due()
            self.wake_ups += 1
            self.delivery.refresh_from_db()
            if self.delivery.attempts == before:
                assert due is None or wake < due, "a due delivery was not sent"
                continue
            assert due is not None and wake >= due, "a delivery was sent before it was due"
            assert self.delivery.attempts == before + 1, "one wake-up sends a delivery once"
            assert self.delivery.last_attempt_at == wake
            self.attempts.append(Attempt(wake, due, self.delivery.next_attempt_at, self.delivery.status))


def backoff_window(attempt: int) -> tuple[float, float]:
    """The wait after failed attempt number ``attempt`` (1, 2, …) by the settings: [half, all] of
    base · 2^(attempt-1), capped — what ``services.backoff_seconds`` draws from."""
    delay = min(
        float(settings.WEBHOOK_RETRY_MAX_SECONDS),
        float(settings.WEBHOOK_RETRY_BASE_SECONDS) * 2 ** (attempt - 1),
    )
    return delay / 2, delay


def assert_follows_the_backoff(failures: list[Attempt]) -> None:
    """Each failed attempt was sent at its due time and scheduled the next one inside its backoff window,
    and the next attempt was sent exactly then (none skipped, none early, none doubled)."""
    for number, failure in enumerate(failures, start=1):
        assert failure.at == failure.due
        assert failure.status == Delivery.Status.PENDING and failure.next_due is not None
        low, high = backoff_window(number)
        waited = (failure.next_due - failure.at).total_seconds()
        assert low <= waited <= high, (number, waited, (low, high))
    for failure, following in zip(failures, failures[1:], strict=False):
        assert following.at == failure.next_due
