"""The events feed: the same CloudEvents the webhooks send, in commit order, from a cursor."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.events import selectors as event_selectors
from jcportal.events.services import cloudevent

from . import scopes
from .serializers import FeedPageSerializer
from .views_base import ApiView


class EventFeed(ApiView):
    required_scopes = scopes.EVENTS_READ

    @extend_schema(
        operation_id="events_feed",
        description=(
            "Events after the cursor (the `sequence` of the last event seen), oldest first. Stable event ids: "
            "a receiver that also gets webhooks deduplicates by `id`. An empty page keeps the cursor."
        ),
        parameters=[
            OpenApiParameter("after", str, description="Cursor; empty or 0 for the start."),
            OpenApiParameter("limit", int, description="At most 500 (default 100)."),
        ],
        responses=FeedPageSerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            after = event_selectors.parse_cursor(request.query_params.get("after"))
            limit = int(request.query_params.get("limit") or event_selectors.FEED_DEFAULT_LIMIT)
        except (event_selectors.BadCursor, ValueError):
            return Response({"detail": _("The cursor is not valid.")}, status=status.HTTP_400_BAD_REQUEST)
        events, cursor = event_selectors.feed(self.client, after=after, limit=limit)
        if events:
            self.audit_read("api.events_read", count=len(events), cursor=cursor)
        return Response({"events": [cloudevent(event) for event in events], "cursor": str(cursor)})
