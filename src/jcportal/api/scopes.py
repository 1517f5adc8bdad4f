"""The scopes an API client can be granted, declared in one place (docs/integration/api.md lists them)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jcportal.core.registry import Registry

scopes: Registry[Promise] = Registry("API scopes")


def _scope(key: str, label: Promise) -> str:
    scopes.add(key, label)
    return key


DOCUMENTS_READ = _scope("documents:read", _("Read documents, their PDF, originals and text"))
DOCUMENTS_ACK = _scope("documents:ack", _("Acknowledge that documents were filed in the E-Akte"))
DOCUMENTS_WRITE = _scope("documents:write", _("Upload documents in parts"))
SUBMISSIONS_READ = _scope("submissions:read", _("Read online-service submissions"))
HOUSEHOLDS_READ = _scope("households:read", _("Read households, members and responsibilities"))
HOUSEHOLDS_WRITE = _scope("households:write", _("Create and update households, members and responsibilities"))
LETTERS_WRITE = _scope("letters:write", _("Post letters (e.g. a Bescheid) to a household's postbox"))
REQUESTS_WRITE = _scope("requests:write", _("Create document requests"))
EVENTS_READ = _scope("events:read", _("Read the events feed"))
WEBHOOKS_MANAGE = _scope("webhooks:manage", _("Manage webhook subscriptions"))


def all_scopes() -> list[str]:
    return scopes.identifiers()


def choices() -> list[tuple[str, str]]:
    return [(key, f"{key} – {label}") for key, label in scopes.items()]
