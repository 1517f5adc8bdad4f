"""Internal notes: a note on an inbox item (shown in the item's history) and the Aktenvermerk on a case
file. Staff only; neither is shown to citizens nor part of their data export."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from jcportal.audit.services import audit
from jcportal.households.models import Household
from jcportal.inbox.models import InboxItem
from jcportal.inbox.selectors import document_history

from .models import FileNote, ItemNote

MAX_LENGTH = 4000


def _clean(text: str) -> str:
    text = text.strip()[:MAX_LENGTH]
    if not text:
        raise ValueError("a note needs a text")
    return text


@transaction.atomic
def add_item_note(item: InboxItem, user: Any, text: str, request: HttpRequest | None = None) -> ItemNote:
    note = ItemNote.objects.create(item=item, document_id=item.document_id, actor=user, note=_clean(text))
    audit(
        "inbox.note_added",
        request=request,
        actor=user,
        obj=item.document,
        household=item.household_id,
        details={"inbox_item": item.pk, "note": note.pk},
    )
    return note


def history_with_notes(document: Any) -> list[Any]:
    """The document's inbox events and the notes on its items, in time order (one list for
    ``_history.html``: a note reads like an event)."""
    events = list(document_history(document))
    notes = list(ItemNote.objects.filter(document=document).select_related("actor"))
    return sorted(events + notes, key=lambda entry: (entry.at, isinstance(entry, ItemNote)))


@transaction.atomic
def add_file_note(household: Household, user: Any, text: str, request: HttpRequest | None = None) -> FileNote:
    """An Aktenvermerk on the case file: author and time are recorded, the text is encrypted at rest."""
    note = FileNote.objects.create(household=household, author=user, text=_clean(text))
    audit(
        "household.file_note_added",
        request=request,
        actor=user,
        obj=household,
        household=household.pk,
        details={"file_note": note.pk},
    )
    return note


def file_notes(household: Household) -> Any:
    return FileNote.objects.filter(household=household).select_related("author")
