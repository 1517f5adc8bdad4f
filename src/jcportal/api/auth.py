"""Bearer-token authentication, scope permission and per-client rate limits for the API.

A missing or wrong token is 401, a token without the endpoint's scope 403 – both before any object is
looked up, so neither reveals whether an object exists; objects the client may not see are 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from jcportal.accounts.actor import Actor
from jcportal.audit.services import client_ip

from . import services
from .models import ApiClient


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[AnonymousUser, ApiClient] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not token.strip():
            raise exceptions.AuthenticationFailed(_("Send the token as 'Authorization: Bearer <token>'."))
        client = services.authenticate(token.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        client.touch()
        return AnonymousUser(), client

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="jcportal"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "jcportal.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "jcp_<prefix>_<secret>"}


def client_of(request: Any) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def actor_of(request: Any) -> Actor:
    """The Actor services and the audit get for an API request."""
    return Actor.for_client(
        client_of(request), ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


class HasScope(permissions.BasePermission):
    """The view names its scope(s): ``required_scopes = {"GET": "documents:read", "POST": ...}`` or one
    string for every method. No token: 401; token without the scope: 403."""

    message = _("This token lacks the scope this endpoint needs.")

    def has_permission(self, request: Any, view: Any) -> bool:
        client = client_of(request)
        if client is None:
            raise exceptions.NotAuthenticated(_("This endpoint needs a bearer token."))
        required = getattr(view, "required_scopes", None)
        if isinstance(required, dict):
            required = required.get(request.method, required.get("*"))
        if required is None:
            return False
        needed = [required] if isinstance(required, str) else list(required)
        return all(client.has_scope(scope) for scope in needed)


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests per minute per client (``ApiClient.rate_limit_per_minute``), counted in the shared cache."""

    scope = "api_client"

    def allow_request(self, request: Any, view: Any) -> bool:
        client = client_of(request)
        if client is None:
            return True
        self.num_requests, self.duration = client.rate_limit_per_minute, 60
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        return "600/min"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        client = client_of(request)
        return None if client is None else self.cache_format % {"scope": self.scope, "ident": client.pk}
