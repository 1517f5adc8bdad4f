"""One function records every auditable event: ``audit(action, ...)``."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

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
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event.sequence = head.sequence + 1
        event.previous_hash = head.last_hash
        event.entry_hash = compute_hash(event, head.last_hash)
        event.save()
        head.sequence = event.sequence
        head.last_hash = event.entry_hash
        head.save(update_fields=["sequence", "last_hash"])
    logger.info(
        "audit %s actor=%s object=%s:%s", action, event.actor_label, event.object_type, event.object_id
    )
    return event


def verify_chain(batch_size: int = 2000) -> Iterator[str]:
    """Yield one message per broken link; yields nothing when the chain is intact."""
    previous = GENESIS
    expected_sequence = 1
    last_seen = 0
    qs = AuditEvent.objects.order_by("sequence")
    while True:
        batch = list(qs.filter(sequence__gt=last_seen)[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                yield f"entry #{expected_sequence} is missing (next is #{event.sequence})"
            if event.previous_hash != previous:
                yield f"entry #{event.sequence}: previous hash does not match entry #{event.sequence - 1}"
            if compute_hash(event, event.previous_hash) != event.entry_hash:
                yield f"entry #{event.sequence}: content was changed after it was written"
            previous = event.entry_hash
            expected_sequence = event.sequence + 1
            last_seen = event.sequence
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence != last_seen:
        yield f"the last entry is #{last_seen} but the chain head expects #{head.sequence}"
