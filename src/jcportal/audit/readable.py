"""The audit log made readable for people: objects as references instead of ids, and one line per visit.

The audit app is the lowest layer and knows no other app's models. Higher apps register how their
objects are named (``register_object_resolver``, from their ``AppConfig.ready``); entries are grouped for
display only (``group_events``): the stored entries are never changed, merged or deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .models import AuditEvent

# object_type (app_label.model) → function from a list of object ids to {id: readable reference}
ObjectResolver = Callable[[list[str]], dict[str, str]]
_resolvers: dict[str, ObjectResolver] = {}

# Entries of the same actor, action and object closer together than this are one visit.
GROUP_WINDOW = dt.timedelta(minutes=10)


def register_object_resolver(object_type: str, resolver: ObjectResolver) -> None:
    _resolvers[object_type] = resolver


def resolve_objects(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Readable references for (object_type, object_id) pairs, one query per object type."""
    ids: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in pairs:
        if object_type and object_id:
            ids[object_type].add(str(object_id))
    result: dict[tuple[str, str], str] = {}
    for object_type, wanted in ids.items():
        resolver = _resolvers.get(object_type)
        if resolver is None:
            continue
        for object_id, text in resolver(sorted(wanted)).items():
            result[(object_type, str(object_id))] = text
    return result


@dataclass
class EntryGroup:
    """Consecutive entries of one visit: ``events`` newest first, as the log lists them."""

    events: list[AuditEvent] = field(default_factory=list)

    @property
    def first(self) -> AuditEvent:
        return self.events[-1]

    @property
    def last(self) -> AuditEvent:
        return self.events[0]

    @property
    def count(self) -> int:
        return len(self.events)


def _key(event: AuditEvent) -> tuple[object, ...]:
    return (
        event.actor_id,
        event.actor_label,
        event.on_behalf_of,
        event.action,
        event.object_type,
        event.object_id,
        event.household_id,
    )


def group_events(events: Iterable[AuditEvent], window: dt.timedelta = GROUP_WINDOW) -> list[EntryGroup]:
    """Group consecutive entries (newest first) of the same actor, action and object that lie within
    ``window`` of each other."""
    groups: list[EntryGroup] = []
    for event in events:
        current = groups[-1] if groups else None
        if (
            current is not None
            and _key(current.first) == _key(event)
            and current.first.at - event.at <= window
        ):
            current.events.append(event)
        else:
            groups.append(EntryGroup(events=[event]))
    return groups
