"""All form definitions, by slug and version. Definitions join with ``register(definition)``."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone

from .engine import FormDefinition

_definitions: dict[tuple[str, int], FormDefinition] = {}

# The order in which the services are offered.
SERVICE_ORDER = ["wba", "vaem", "krankmeldung", "ortsabwesenheit", "kontakt", "erstantrag"]


def register(definition: FormDefinition) -> FormDefinition:
    key = definition.key
    if key in _definitions and _definitions[key] is not definition:
        raise ValueError(f"form {key} is already registered")
    _definitions[key] = definition
    return definition


def unregister(definition: FormDefinition) -> None:
    _definitions.pop(definition.key, None)


def _load() -> None:
    from . import definitions  # noqa: F401 - registers the built-in forms


def versions(slug: str) -> list[FormDefinition]:
    _load()
    return sorted((d for d in _definitions.values() if d.slug == slug), key=lambda d: d.version)


def get(slug: str, version: int) -> FormDefinition:
    _load()
    try:
        return _definitions[(slug, version)]
    except KeyError:
        raise Http404(f"form {slug} v{version}") from None


def current(slug: str, on: dt.date | None = None) -> FormDefinition:
    """The version that applies on ``on`` (default today): the newest one already valid."""
    on = on or timezone.localdate()
    valid = [d for d in versions(slug) if d.valid_from <= on]
    if not valid:
        raise Http404(f"form {slug}")
    return valid[-1]


def slugs() -> list[str]:
    _load()
    known = {slug for slug, _version in _definitions}
    return [s for s in SERVICE_ORDER if s in known] + sorted(known - set(SERVICE_ORDER))


def all_definitions() -> list[FormDefinition]:
    _load()
    return sorted(_definitions.values(), key=lambda d: (d.slug, d.version))
