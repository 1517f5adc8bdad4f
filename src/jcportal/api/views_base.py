"""What every API view shares: bearer auth, scopes, per-client throttling, the actor, visible objects."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.audit.services import audit

from .auth import actor_of, client_of


class ApiCursorPagination(CursorPagination):
    """Cursor pages of every API list (100 by default, ``?limit=`` up to 500); a cursor that does not
    decode is the client's mistake: 400, not DRF's 404."""

    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 500

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ParseError(_("The cursor is not valid.")) from None


class ApiView(APIView):
    """Base class: subclasses set ``required_scopes`` (one scope or a {method: scope} dict)."""

    required_scopes: str | dict[str, str] | None = None

    @property
    def actor(self) -> Actor:
        return actor_of(self.request)

    @property
    def client(self) -> Any:
        return client_of(self.request)

    def visible_households(self) -> QuerySet:
        return policy.api_client_households(self.client)

    def get_visible(self, queryset: QuerySet, **lookup: Any) -> Any:
        """The object if the client may see its household, else 404 (never 403: existence stays secret)."""
        obj = queryset.filter(**lookup).first()
        household_id = getattr(obj, "household_id", None) if obj is not None else None
        if obj is None or household_id is None:
            raise Http404
        if not self.visible_households().filter(pk=household_id).exists():
            raise Http404
        return obj

    def audit_read(self, action: str, obj: Any = None, **details: Any) -> None:
        audit(
            action,
            actor=self.actor,
            obj=obj,
            household=getattr(obj, "household", None) if obj is not None else None,
            details=details,
        )
