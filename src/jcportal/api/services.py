"""Creating, rotating and revoking API clients (administrators in the back office, demo data, tests)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from jcportal.audit.services import audit

from . import scopes as scope_registry
from .models import ApiClient, token_hash

TOKEN_PREFIX = "jcp_"  # noqa: S105 - the public prefix of every token, not a secret


class InvalidScope(ValueError):
    pass


def new_token(prefix: str | None = None) -> tuple[str, str]:
    """A fresh token and its lookup prefix."""
    prefix = prefix or secrets.token_hex(6)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def parse_token(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    prefix, sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix


def clean_scopes(values: Iterable[str]) -> list[str]:
    values = list(dict.fromkeys(values))
    unknown = [value for value in values if value not in scope_registry.scopes]
    if unknown:
        raise InvalidScope(", ".join(unknown))
    return values


def create_client(
    name: str,
    *,
    scopes: Iterable[str],
    by: Any = None,
    all_households: bool = False,
    offices: Iterable[Any] = (),
    teams: Iterable[Any] = (),
    description: str = "",
    token: str | None = None,
    rate_limit_per_minute: int = 600,
) -> tuple[ApiClient, str]:
    """Create a client; returns it and its clear token (shown once). ``token`` fixes it (demo data)."""
    if token is None:
        token, prefix = new_token()
    else:
        found = parse_token(token)
        if found is None:
            raise ValueError("malformed token")
        prefix = found
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            description=description,
            scopes=clean_scopes(scopes),
            all_households=all_households,
            token_prefix=prefix,
            token_sha256=token_hash(token),
            created_by=by if getattr(by, "pk", None) else None,
            rate_limit_per_minute=rate_limit_per_minute,
        )
        client.offices.set(list(offices))
        client.teams.set(list(teams))
        audit("api_client.created", actor=by, obj=client, details={"name": name, "scopes": client.scopes})
    return client, token


def update_client(
    client: ApiClient,
    *,
    by: Any,
    scopes: Iterable[str],
    all_households: bool,
    offices: Iterable[Any],
    teams: Iterable[Any],
    description: str = "",
    rate_limit_per_minute: int | None = None,
) -> ApiClient:
    with transaction.atomic():
        client.scopes = clean_scopes(scopes)
        client.all_households = all_households
        client.description = description
        if rate_limit_per_minute:
            client.rate_limit_per_minute = rate_limit_per_minute
        client.save()
        client.offices.set(list(offices))
        client.teams.set(list(teams))
        audit("api_client.changed", actor=by, obj=client, details={"scopes": client.scopes})
    return client


def rotate_secret(client: ApiClient, *, by: Any) -> str:
    """A new token; the old one stops working at once."""
    token, prefix = new_token()
    with transaction.atomic():
        client.token_prefix, client.token_sha256 = prefix, token_hash(token)
        client.rotated_at = timezone.now()
        client.save(update_fields=["token_prefix", "token_sha256", "rotated_at"])
        audit("api_client.rotated", actor=by, obj=client)
    return token


def revoke(client: ApiClient, *, by: Any) -> None:
    with transaction.atomic():
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit("api_client.revoked", actor=by, obj=client)


def authenticate(token: str) -> ApiClient | None:
    """The active client the token belongs to, or None (never tells which part was wrong)."""
    prefix = parse_token(token)
    if prefix is None:
        token_hash("")  # same work either way
        return None
    client = ApiClient.objects.filter(token_prefix=prefix, revoked_at__isnull=True).first()
    if client is None or not client.token_matches(token):
        return None
    return client
