"""Saved inbox filters per staff member and the "next" item of the list the staff member came from."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from jcportal.inbox import selectors as inbox_selectors
from jcportal.inbox.models import InboxItem

from .models import SavedFilter

# the inbox parameters a saved filter keeps (not the page, not a selection)
FILTER_KEYS = (
    "tab",
    "state",
    "doc_type",
    "household",
    "name",
    "sort",
    "received_from",
    "received_to",
    "due_by",
)
NEXT_WINDOW = 2000  # how far down a list "next" looks for the current item


def clean_query(query: str) -> str:
    """Only the inbox's own filter parameters, non-empty, in a stable order."""
    pairs = [(key, value) for key, value in parse_qsl(query) if key in FILTER_KEYS and value.strip()]
    pairs.sort(key=lambda pair: FILTER_KEYS.index(pair[0]))
    return urlencode(pairs)[:1000]


def saved_filters(user: Any) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user)


@transaction.atomic
def save_filter(user: Any, name: str, query: str) -> SavedFilter:
    """Save (or replace, by name) a named filter of the user's inbox."""
    name = " ".join(name.split())[:80]
    if not name:
        raise ValueError("a saved filter needs a name")
    try:
        with transaction.atomic():
            saved, _created = SavedFilter.objects.update_or_create(
                user=user, name=name, defaults={"query": clean_query(query)}
            )
    except IntegrityError:  # saved twice at once
        saved = SavedFilter.objects.get(user=user, name=name)
    return saved


def delete_filter(user: Any, filter_id: int) -> bool:
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=filter_id).delete()
    return bool(deleted)


def next_item(user: Any, item: InboxItem, flt: inbox_selectors.InboxFilter) -> InboxItem | None:
    """The item after ``item`` in the list ``flt`` shows (same tab, filter and order); the list's first
    other item when ``item`` is last or not in it."""
    ids = list(inbox_selectors.inbox_items(user, flt).values_list("pk", flat=True)[:NEXT_WINDOW])
    following = None
    if item.pk in ids:
        position = ids.index(item.pk)
        following = next(iter(ids[position + 1 :]), None)
    if following is None:
        following = next((pk for pk in ids if pk != item.pk), None)
    if following is None:
        return None
    return InboxItem.objects.filter(pk=following).only("pk").first()
