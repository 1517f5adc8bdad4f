"""Writing side of events: ``emit`` into the outbox, sequencing and fan-out after the commit, webhook
delivery with retries and dead letters, subscription management.

    from jcportal.events.services import emit
    emit("de.jcportal.document.received", document.pk, household=document.household,
         data={"receipt_number": document.receipt_number})

``emit`` only writes a row inside the caller's transaction; the row disappears with a rollback. After
the commit ``tasks.dispatch`` runs on the ``io`` queue (and every 30 s from the beat schedule).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _gettext

from jcportal.audit.services import audit
from jcportal.core.registry import Registry

from . import signing
from .catalogue import event_types
from .models import Delivery, Event, EventSequence, Subscription

logger = logging.getLogger(__name__)

# Higher apps react to sequenced events without events importing them (the exporters join here).
# Each listener gets the newly sequenced events inside the sequencing transaction: it may only write rows
# (e.g. export jobs) and must leave slow work to its own tasks (started on commit).
listeners: Registry[Callable[[list[Event]], None]] = Registry("event listeners")

SEQUENCE_BATCH = 500
DELIVERY_BATCH = 20


class WebhookError(ValueError):
    """A subscription that cannot be saved as given (the message is shown to the user)."""


# --- the outbox ----------------------------------------------------------------------------------------


def source() -> str:
    return settings.SITE_URL.rstrip("/")


def _id(value: Any) -> str:
    return str(getattr(value, "pk", value))


def emit(
    type_: str,
    subject: Any,
    *,
    household: Any = None,
    dataref: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Write one event into the outbox, in the caller's transaction. ``type_`` must be declared in
    ``events.catalogue``; ``subject`` is the object (or its id); ``data`` holds ids only, never social data
    beyond the BG number."""
    declared = event_types[type_]  # KeyError for an undeclared type: a programming error
    subject_id = _id(subject)
    household_id = getattr(household, "pk", household)
    payload = dict(data or {})
    if household is not None and hasattr(household, "bg_number"):
        payload.setdefault("bg_number", household.bg_number)
    event = Event.objects.create(
        type=type_,
        subject=subject_id,
        time=timezone.now(),
        dataref=dataref or declared.dataref.format(subject=subject_id),
        data=json.loads(json.dumps(payload, default=str)),
        household_id=household_id,
    )
    transaction.on_commit(kick)
    return event


def emit_many(
    type_: str, items: Iterable[tuple[Any, Any, dict[str, Any]]], *, dataref: str | None = None
) -> list[Event]:
    """``emit`` for many subjects of one type at once (a bulk sync): ``(subject, household, data)`` per
    item, one insert and one dispatcher start after the commit. ``dataref`` may contain ``{subject}``."""
    declared = event_types[type_]
    now = timezone.now()
    rows = []
    for subject, household, data in items:
        subject_id = _id(subject)
        payload = dict(data or {})
        if household is not None and hasattr(household, "bg_number"):
            payload.setdefault("bg_number", household.bg_number)
        rows.append(
            Event(
                type=type_,
                subject=subject_id,
                time=now,
                dataref=(dataref or declared.dataref).format(subject=subject_id),
                data=json.loads(json.dumps(payload, default=str)),
                household_id=getattr(household, "pk", household),
            )
        )
    if not rows:
        return []
    events = Event.objects.bulk_create(rows, batch_size=500)
    transaction.on_commit(kick)
    return events


def describe(obj: Any) -> dict[str, Any]:
    """The ids an event may carry about ``obj`` (receipt number, Vorgangsnummer, form, direction)."""
    data: dict[str, Any] = {}
    for attr, key in (
        ("receipt_number", "receipt_number"),
        ("reference", "reference"),
        ("form_slug", "form"),
        ("form_version", "form_version"),
        ("direction", "direction"),
    ):
        value = getattr(obj, attr, None)
        if value not in (None, ""):
            data[key] = value
    return data


def emit_for(type_: str, obj: Any, **data: Any) -> Event:
    """``emit`` for a model object: its household (or itself, for a household) and ``describe(obj)``.

    The one-line hook in other apps' services: ``emit_for("de.jcportal.document.received", document)``."""
    from jcportal.households.models import Household

    household = obj if isinstance(obj, Household) else getattr(obj, "household", None)
    return emit(type_, obj, household=household, data={**describe(obj), **data})


def emit_workflow_result(submission: Any, action: str) -> Event | None:
    """The event of a decided online-service submission (sick note confirmed, absence approved …)."""
    from .catalogue import workflow_result_type

    type_ = workflow_result_type(submission.form_slug, action)
    if type_ is None:
        return None
    return emit_for(type_, submission, status=submission.status)


def kick() -> None:
    """Start the dispatcher (after a commit). A broker outage loses nothing: the beat sweeps later."""
    from .tasks import dispatch

    try:
        dispatch.delay()
    except Exception:
        if getattr(dispatch.app.conf, "task_always_eager", False):
            raise
        logger.exception("could not queue the event dispatcher")


def cloudevent(event: Event) -> dict[str, Any]:
    """The CloudEvents 1.0 JSON of ``event`` (structured mode), the same for webhooks and the feed."""
    body: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event.event_id),
        "source": source(),
        "type": event.type,
        "subject": event.subject,
        "time": event.time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "dataref": source() + event.dataref,
        "data": event.data,
    }
    if event.position is not None:
        body["sequence"] = str(event.position)
    return body


def cloudevent_bytes(event: Event) -> bytes:
    return json.dumps(cloudevent(event), ensure_ascii=False, separators=(",", ":")).encode()


def sequence_pending() -> list[Event]:
    """Give committed events without a position the next positions (under a lock, so positions only grow
    in the order events become visible), then fan out: one delivery per matching subscription, and the
    listeners (exporters). Idempotent; safe to call from many processes."""
    sequenced: list[Event] = []
    while True:
        with transaction.atomic():
            counter = EventSequence.objects.select_for_update().filter(pk=1).first()
            if counter is None:
                EventSequence.objects.get_or_create(pk=1)
                counter = EventSequence.objects.select_for_update().get(pk=1)
            batch = list(Event.objects.filter(position__isnull=True).order_by("id")[:SEQUENCE_BATCH])
            if not batch:
                return sequenced
            for event in batch:
                counter.last += 1
                event.position = counter.last
            Event.objects.bulk_update(batch, ["position"])
            counter.save(update_fields=["last"])
            _fan_out(batch)
            for _name, listener in listeners.items():
                listener(batch)
        sequenced.extend(batch)
        if len(batch) < SEQUENCE_BATCH:
            return sequenced


def subscriptions_for(event: Event, subscriptions: Iterable[Subscription]) -> list[Subscription]:
    from . import selectors

    return [
        s
        for s in subscriptions
        if s.wants(event.type) and selectors.client_may_see(getattr(s, "client", None), event.household_id)
    ]


def _fan_out(events: list[Event]) -> None:
    subscriptions = list(Subscription.objects.filter(active=True))
    if not subscriptions:
        return
    now = timezone.now()
    rows = [
        Delivery(subscription=s, event=e, next_attempt_at=now)
        for e in events
        for s in subscriptions_for(e, subscriptions)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)


# --- webhook delivery ----------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base · 2^(attempts-1), capped, then between half and all of it."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    cap = float(settings.WEBHOOK_RETRY_MAX_SECONDS)
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def _claim(now: Any) -> list[Delivery]:
    """Claim due deliveries: rows locked by another worker are skipped, and a claimed row is invisible to
    others until its claim expires, so no delivery is ever sent twice at the same time."""
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")[:DELIVERY_BATCH]
        )
        claimed = []
        for delivery in due:
            won = Delivery.objects.filter(
                pk=delivery.pk, status=Delivery.Status.PENDING, claimed_until=delivery.claimed_until
            ).update(claimed_until=now + lease, attempts=delivery.attempts + 1, last_attempt_at=now)
            if won:
                delivery.attempts += 1
                claimed.append(delivery)
        return claimed


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer that is not 2xx: retried, never followed with the body


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the HTTP status (raises OSError when the receiver cannot be reached)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def headers_for(event: Event, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "User-Agent": "jcportal-webhooks/1",
        "webhook-id": str(event.event_id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.sign(secret, timestamp, body),
    }


def attempt(delivery: Delivery) -> bool:
    """Send one claimed delivery once; record the outcome. Returns whether it arrived."""
    import time

    event = delivery.event
    subscription = delivery.subscription
    body = cloudevent_bytes(event)
    timestamp = int(time.time())
    status: int | None = None
    error = ""
    try:
        status = post(subscription.url, body, headers_for(event, subscription.secret, body, timestamp))
        ok = 200 <= status < 300
        if not ok:
            error = f"HTTP {status}"
    except OSError as exc:  # refused, timed out, DNS …
        ok = False
        error = str(exc)[:500] or exc.__class__.__name__
    now = timezone.now()
    update: dict[str, Any] = {"claimed_until": None, "last_status_code": status, "last_error": error}
    if ok:
        update.update(status=Delivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        update.update(status=Delivery.Status.DEAD, next_attempt_at=None)
        logger.warning("webhook %s to %s is a dead letter: %s", event.event_id, subscription.url, error)
    else:
        update["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(delivery.attempts))
    Delivery.objects.filter(pk=delivery.pk).update(**update)
    return ok


def deliver_due(*, limit: int = 1000) -> int:
    """Send every due delivery (claimed in small batches); returns how many arrived."""
    arrived = 0
    handled = 0
    while handled < limit:
        claimed = _claim(timezone.now())
        if not claimed:
            break
        for delivery in Delivery.objects.filter(pk__in=[d.pk for d in claimed]).select_related(
            "event", "subscription"
        ):
            delivery.attempts = next(d.attempts for d in claimed if d.pk == delivery.pk)
            if delivery.subscription.active:
                arrived += attempt(delivery)
            else:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SKIPPED, claimed_until=None, next_attempt_at=None
                )
            handled += 1
    return arrived


def next_due_in() -> float | None:
    """Seconds until the next pending delivery is due (None when nothing waits)."""
    first = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return max(0.0, (first - timezone.now()).total_seconds())


@transaction.atomic
def redeliver(delivery: Delivery, *, by: Any, request: Any = None) -> Delivery:
    """Send a dead letter again (same ``webhook-id``), starting with a fresh attempt count."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (Delivery.Status.DEAD, Delivery.Status.SKIPPED):
        return delivery
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.claimed_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    audit(
        "events.webhook.redelivered",
        request=request,
        actor=by,
        obj=delivery,
        details={"event": str(delivery.event.event_id), "subscription": delivery.subscription_id},
    )
    transaction.on_commit(kick)
    return delivery


# --- subscriptions -------------------------------------------------------------------------------------


def _clean(url: str, types: Iterable[str]) -> tuple[str, list[str]]:
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed = ("https",) if settings.PRODUCTION else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname:
        raise WebhookError(_gettext("Enter a full https:// address for the webhook."))
    wanted = sorted(set(types or []))
    unknown = [t for t in wanted if t not in event_types]
    if unknown:
        raise WebhookError(_gettext("Unknown event type: %(types)s") % {"types": ", ".join(unknown)})
    return url, wanted


def _audit_actor(by: Any) -> Any:
    if hasattr(by, "kind") and hasattr(by, "label"):  # an accounts.actor.Actor: audit() takes it as it is
        return by
    return getattr(by, "user", by)


@transaction.atomic
def create_subscription(
    *, client: Any, name: str, url: str, event_types: Iterable[str] = (), active: bool = True, by: Any = None
) -> tuple[Subscription, str]:
    """A new webhook for ``client``; returns it and its secret (shown once)."""
    url, wanted = _clean(url, event_types)
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        name=(name or url)[:200],
        url=url,
        event_types=wanted,
        active=active,
        secret=secret,
        client=client if getattr(client, "pk", None) else None,
    )
    audit(
        "events.webhook.created",
        actor=_audit_actor(by),
        obj=subscription,
        details={"client": getattr(client, "name", None), "url": url, "event_types": wanted},
    )
    return subscription, secret


@transaction.atomic
def update_subscription(
    subscription: Subscription,
    *,
    by: Any = None,
    name: str | None = None,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    active: bool | None = None,
) -> Subscription:
    new_url, wanted = _clean(
        subscription.url if url is None else url,
        subscription.event_types if event_types is None else event_types,
    )
    subscription.url, subscription.event_types = new_url, wanted
    if name is not None:
        subscription.name = name[:200] or new_url
    if active is not None:
        subscription.active = active
    subscription.save()
    audit(
        "events.webhook.changed",
        actor=_audit_actor(by),
        obj=subscription,
        details={"url": new_url, "event_types": wanted, "active": subscription.active},
    )
    return subscription


@transaction.atomic
def rotate_secret(subscription: Subscription, *, by: Any = None) -> str:
    subscription.secret = signing.new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    audit("events.webhook.secret_rotated", actor=_audit_actor(by), obj=subscription)
    return subscription.secret


@transaction.atomic
def delete_subscription(subscription: Subscription, *, by: Any = None) -> None:
    audit(
        "events.webhook.deleted", actor=_audit_actor(by), obj=subscription, details={"url": subscription.url}
    )
    subscription.delete()


def validate_event_types(types: Iterable[str]) -> list[str]:
    try:
        return _clean("https://example.invalid/", types)[1]
    except WebhookError as error:
        raise ValidationError(str(error)) from error
