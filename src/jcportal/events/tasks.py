"""Event tasks on the ``io`` queue: sequence and fan out the outbox, send due webhooks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from jcportal.core.registry import register_resumer

from . import services


@shared_task(
    name="jcportal.events.tasks.dispatch", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def dispatch() -> int:
    """Sequence committed events, fan them out to subscriptions and exporters, send what is due."""
    services.sequence_pending()
    return deliver_webhooks()


@shared_task(
    name="jcportal.events.tasks.deliver_webhooks",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def deliver_webhooks() -> int:
    """Send every due webhook; schedule this task again for the next retry that falls due (later ones
    are picked up by the resumer every minute)."""
    arrived = services.deliver_due()
    wait = services.next_due_in()
    soon = wait is not None and wait < 300 and not deliver_webhooks.app.conf.task_always_eager
    # one scheduled follow-up at a time, however many dispatches ran
    if soon and cache.add("events:deliver-webhooks-scheduled", True, timeout=max(1, int(wait or 0))):
        deliver_webhooks.apply_async(countdown=max(1.0, wait or 0))
    return arrived


@register_resumer("events")
def resume_events() -> int:
    """From the beat (every minute): events whose dispatch was lost, webhooks whose retry is due."""
    sequenced = len(services.sequence_pending())
    if services.next_due_in() == 0.0:
        deliver_webhooks.delay()
    return sequenced
