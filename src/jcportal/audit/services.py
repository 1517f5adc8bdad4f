"""One function records every auditable event: ``audit(action, ...)``."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .actions import ACTIONS
from .models import AuditChainHead, AuditEpoch, AuditEvent

logger = logging.getLogger("jcportal.audit")

GENESIS = "0" * 64
HASHED_FIELDS = (
    "sequence",
    "at",
    "action",
    "actor_id",
    "actor_label",
    "actor_role",
    "on_behalf_of",
    "household_id",
    "object_type",
    "object_id",
    "ip_address",
    "user_agent",
    "details",
)


def _canonical(event: AuditEvent) -> bytes:
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def compute_hash(event: AuditEvent, previous_hash: str) -> str:
    return hashlib.sha256(previous_hash.encode() + _canonical(event)).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from django.conf import settings

    depth = settings.AUDIT_TRUSTED_PROXY_DEPTH
    if depth:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= depth:
            return forwarded[-depth]
    return request.META.get("REMOTE_ADDR") or None


def audit(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    obj: models.Model | None = None,
    household: Any = None,
    on_behalf_of: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Runs in its own atomic block and survives the caller's rollback
    only if the caller commits; call it inside the transaction that does the audited thing."""
    event = _entry(
        action,
        request=request,
        actor=actor,
        obj=obj,
        household=household,
        on_behalf_of=on_behalf_of,
        details=details,
    )
    return _append([event])[0]


def audit_many(
    action: str,
    entries: Iterable[tuple[models.Model | None, Any, dict[str, Any] | None]],
    *,
    actor: Any = None,
) -> list[AuditEvent]:
    """``audit`` for many objects at once (a bulk sync): one ``(obj, household, details)`` per entry, all
    chained under one lock and written in one insert."""
    events = [
        _entry(action, actor=actor, obj=obj, household=household, details=details)
        for obj, household, details in entries
    ]
    return _append(events) if events else []


def _entry(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    obj: models.Model | None = None,
    household: Any = None,
    on_behalf_of: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    # An ``accounts.actor.Actor`` (duck-typed: this lower layer imports nothing of accounts): its user is
    # the actor; an API client has no user and is recorded by its label ("api:<name>") and role "api".
    actor_label = actor_role = None
    ip_address = client_ip(request)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    if actor is not None and hasattr(actor, "kind") and hasattr(actor, "label"):
        if actor.kind in ("api", "system"):
            actor_label, actor_role = actor.label, actor.kind
        if not on_behalf_of:
            on_behalf_of = actor.on_behalf_of
        ip_address = ip_address or actor.ip
        user_agent = user_agent or actor.user_agent
        actor = actor.user
    # A representative acting in the portal: mark every event as done on behalf of the household.
    portal_household = getattr(request, "portal_household", None) if request is not None else None
    if (
        not on_behalf_of
        and portal_household is not None
        and getattr(request, "acting_as_representative", False)
    ):
        on_behalf_of = portal_household.bg_number
        if household is None:
            household = portal_household
    household_id = getattr(household, "pk", household)
    if household_id is None and obj is not None:
        household_id = getattr(obj, "household_id", None)
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else "anonymous"),
        actor_role=actor_role or getattr(actor, "role", "") or "",
        on_behalf_of=on_behalf_of,
        household_id=household_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=ip_address,
        user_agent=user_agent,
        details=json.loads(json.dumps(details or {}, default=str)),
    )
    if action not in ACTIONS:
        logger.warning("audit action %s is not declared in audit/actions.py", action)
    return event


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        for event in events:
            event.sequence = head.sequence + 1
            event.previous_hash = _link_for(head, event)
            event.entry_hash = compute_hash(event, event.previous_hash)
            head.sequence = event.sequence
            head.last_hash = event.entry_hash
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events, batch_size=500)
        head.save(update_fields=["sequence", "last_hash", "epoch_period", "epoch_first_sequence"])
    for event in events:
        logger.info(
            "audit %s actor=%s object=%s:%s",
            event.action,
            event.actor_label,
            event.object_type,
            event.object_id,
        )
    return events


def period_of(at: Any) -> str:
    """The month (local time) an entry belongs to: ``YYYY-MM``."""
    return timezone.localtime(at).strftime("%Y-%m")


def seal_hash(
    period: str, first_sequence: int, last_sequence: int, last_hash: str, previous_seal: str
) -> str:
    payload = {
        "period": period,
        "first_sequence": first_sequence,
        "last_sequence": last_sequence,
        "last_hash": last_hash,
        "previous_seal": previous_seal,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _link_for(head: AuditChainHead, event: AuditEvent) -> str:
    """The ``previous_hash`` of a new entry (called under the head's lock). The first entry of a new
    month seals the open epoch and is anchored to its seal instead of to the last entry's hash."""
    period = period_of(event.at)
    if head.sequence == 0 or not head.epoch_period:
        head.epoch_period = period
        head.epoch_first_sequence = head.epoch_first_sequence or event.sequence
        return head.last_hash
    if period <= head.epoch_period:  # same month (or a clock that went back: stay in the open epoch)
        return head.last_hash
    epoch = _seal_open_epoch(head)
    head.epoch_period = period
    head.epoch_first_sequence = event.sequence
    return epoch.seal_hash


def _seal_open_epoch(head: AuditChainHead) -> AuditEpoch:
    previous = AuditEpoch.objects.order_by("-last_sequence").first()
    previous_seal = previous.seal_hash if previous is not None else GENESIS
    first = head.epoch_first_sequence or 1
    bounds = AuditEvent.objects.filter(sequence__gte=first, sequence__lte=head.sequence)
    first_at = bounds.order_by("sequence").values_list("at", flat=True).first()
    last_at = bounds.order_by("-sequence").values_list("at", flat=True).first()
    now = timezone.now()
    return AuditEpoch.objects.create(
        period=head.epoch_period,
        first_sequence=first,
        last_sequence=head.sequence,
        first_at=first_at or now,
        last_at=last_at or now,
        entries=head.sequence - first + 1,
        last_hash=head.last_hash,
        previous_seal=previous_seal,
        seal_hash=seal_hash(head.epoch_period, first, head.sequence, head.last_hash, previous_seal),
        sealed_at=now,
    )


def seal_due_epochs() -> AuditEpoch | None:
    """Seal the open epoch when its month is over even if nothing was written since (a daily job).

    Writes one ``audit.epoch_sealed`` entry in the new month: it is the anchored first entry."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.sequence == 0 or not head.epoch_period:
        return None
    if period_of(timezone.now()) <= head.epoch_period:
        return None
    audit("audit.epoch_sealed", details={"period": head.epoch_period})
    return AuditEpoch.objects.order_by("-last_sequence").first()


def prune_epochs(before_period: str) -> list[AuditEpoch]:
    """Delete the entries of sealed epochs of months before ``before_period`` (``YYYY-MM``), oldest
    first and without gaps; the epoch rows (with their seals) stay. Returns the epochs pruned."""
    pruned: list[AuditEpoch] = []
    with transaction.atomic():
        for epoch in AuditEpoch.objects.select_for_update().order_by("first_sequence"):
            if epoch.pruned_at is not None:
                continue
            if epoch.period >= before_period:
                break
            AuditEvent.objects.filter(
                sequence__gte=epoch.first_sequence, sequence__lte=epoch.last_sequence
            ).delete()
            epoch.pruned_at = timezone.now()
            epoch.save(update_fields=["pruned_at"])
            pruned.append(epoch)
        if pruned:
            audit(
                "audit.epochs_pruned",
                details={
                    "before": before_period,
                    "epochs": [
                        {"period": e.period, "seal": e.seal_hash, "entries": e.entries} for e in pruned
                    ],
                },
            )
    return pruned


def pruned_epochs() -> list[AuditEpoch]:
    return list(AuditEpoch.objects.filter(pruned_at__isnull=False).order_by("first_sequence"))


def verify_chain(batch_size: int = 2000) -> Iterator[str]:
    """Yield one message per broken link; yields nothing when the chain is intact.

    Checks the chain of epoch seals, that pruned epochs are an unbroken run of the oldest ones, and
    every remaining entry: its sequence, its link (the previous entry's hash, or the previous epoch's
    seal for the first entry of an epoch) and its content."""
    epochs = list(AuditEpoch.objects.order_by("first_sequence"))
    previous_seal = GENESIS
    expected_first = 1
    seen_live = False
    for epoch in epochs:
        name = f"sealed month {epoch.period} (#{epoch.first_sequence}–#{epoch.last_sequence})"
        if epoch.first_sequence != expected_first:
            yield f"{name}: does not follow the previous month (expected it to start at #{expected_first})"
        if epoch.previous_seal != previous_seal:
            yield f"{name}: is not anchored to the previous month's seal"
        recomputed = seal_hash(
            epoch.period, epoch.first_sequence, epoch.last_sequence, epoch.last_hash, epoch.previous_seal
        )
        if recomputed != epoch.seal_hash:
            yield f"{name}: its seal does not match its content"
        if epoch.pruned_at is None:
            seen_live = True
        elif seen_live:
            yield f"{name}: pruned although an older month is still kept"
        previous_seal = epoch.seal_hash
        expected_first = epoch.last_sequence + 1
    by_last = {e.last_sequence: e for e in epochs}
    pruned = [e for e in epochs if e.pruned_at is not None]
    previous = GENESIS
    expected_sequence = 1
    if pruned:
        expected_sequence = pruned[-1].last_sequence + 1
        if AuditEvent.objects.filter(sequence__lte=pruned[-1].last_sequence).exists():
            yield f"entries of pruned months are still present (up to #{pruned[-1].last_sequence})"
    last_seen = expected_sequence - 1
    qs = AuditEvent.objects.order_by("sequence")
    while True:
        batch = list(qs.filter(sequence__gt=last_seen)[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                yield f"entry #{expected_sequence} is missing (next is #{event.sequence})"
            sealed_before = by_last.get(event.sequence - 1)
            if sealed_before is not None:
                if event.previous_hash != sealed_before.seal_hash:
                    yield f"entry #{event.sequence}: not anchored to the seal of {sealed_before.period}"
            elif event.previous_hash != previous:
                yield f"entry #{event.sequence}: previous hash does not match entry #{event.sequence - 1}"
            if compute_hash(event, event.previous_hash) != event.entry_hash:
                yield f"entry #{event.sequence}: content was changed after it was written"
            ends = by_last.get(event.sequence)
            if ends is not None and ends.last_hash != event.entry_hash:
                yield f"entry #{event.sequence}: differs from the last entry sealed for {ends.period}"
            previous = event.entry_hash
            expected_sequence = event.sequence + 1
            last_seen = event.sequence
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence != last_seen:
        yield f"the last entry is #{last_seen} but the chain head expects #{head.sequence}"
