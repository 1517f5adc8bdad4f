"""Reading side of events: the feed (cursor pages, no COUNT, no OFFSET), dead letters, subscriptions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Delivery, Event, Subscription

FEED_MAX_LIMIT = 500
FEED_DEFAULT_LIMIT = 100


class BadCursor(ValueError):
    pass


def parse_cursor(value: str | None) -> int:
    """The cursor is the ``sequence`` of the last event seen (``0`` or empty: from the start)."""
    if value in (None, ""):
        return 0
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise BadCursor(text)
    return int(text)


def client_households(client: Any) -> QuerySet | None:
    """Household ids an API client may see (None: all, for a subscription an administrator set up)."""
    if client is None or (
        getattr(client, "all_households", False) and getattr(client, "revoked_at", 1) is None
    ):
        return None
    from jcportal.accounts import policy

    return policy.api_client_households(client).values("pk")


def client_may_see(client: Any, household_id: int | None) -> bool:
    households = client_households(client)
    if households is None:
        return True
    if household_id is None:
        return False
    return households.filter(pk=household_id).exists()


def feed(client: Any, *, after: int = 0, limit: int = FEED_DEFAULT_LIMIT) -> tuple[list[Event], int]:
    """The next ``limit`` events after the cursor that ``client`` may see, and the cursor to continue from.

    Reads the unique index on ``position`` from the cursor on and stops after ``limit`` rows; when
    nothing more is visible the cursor stays where it was."""
    limit = max(1, min(int(limit), FEED_MAX_LIMIT))
    queryset = Event.objects.filter(position__gt=after).order_by("position")
    households = client_households(client)
    if households is not None:
        queryset = queryset.filter(household_id__in=households)
    events = list(queryset[:limit])
    cursor = events[-1].position if events else after
    return events, int(cursor or after)


def dead_letters() -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(status=Delivery.Status.DEAD)
        .select_related("event", "subscription")
        .order_by("-last_attempt_at", "-pk")
    )


def subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.order_by("name", "pk")
