"""Bulk actions on inbox items: each selected item goes through the inbox's own single-item service
(the inbox owns its items), all in one transaction, with one summary entry in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from jcportal.audit.services import audit
from jcportal.inbox import selectors as inbox_selectors
from jcportal.inbox import services as inbox_services
from jcportal.inbox.models import InboxItem

from . import services as case_services

ACTIONS = ("done", "assign", "forward", "tag", "take")
MAX_ITEMS = 200


class BulkError(ValueError):
    pass


@dataclass
class BulkResult:
    action: str
    changed: int
    skipped: int


@transaction.atomic
def apply(
    user: Any,
    item_ids: list[int],
    action: str,
    *,
    to_user: Any = None,
    to_team: Any = None,
    copy: bool = False,
    tag: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> BulkResult:
    """Apply ``action`` to the items the user may work on; others are skipped (and counted)."""
    if action not in ACTIONS:
        raise BulkError("unknown action")
    if action == "assign" and to_user is None:
        raise BulkError("assign needs a colleague")
    if action == "forward" and to_user is None and to_team is None:
        raise BulkError("forward needs a colleague or a team")
    if action == "tag" and not " ".join(tag.split()):
        raise BulkError("tag needs a name")
    ids = list(dict.fromkeys(item_ids))[:MAX_ITEMS]
    changed = skipped = 0
    for item_id in ids:
        item = inbox_selectors.item_for(user, item_id)
        if item is None:
            skipped += 1
            continue
        item.refresh_from_db(fields=["state", "assignee", "done_at"])
        if action == "done":
            if item.state == InboxItem.State.DONE:
                skipped += 1
                continue
            inbox_services.mark_processed(item, user, request=request)
        elif action == "assign":
            if item.assignee_id == to_user.pk:
                skipped += 1
                continue
            inbox_services.forward(item, user, to_user=to_user, note=note, request=request)
        elif action == "forward":
            inbox_services.forward(
                item, user, to_user=to_user, to_team=to_team, note=note, copy=copy, request=request
            )
        elif action == "take":
            if item.assignee_id == user.pk:
                skipped += 1
                continue
            inbox_services.take_over(item, user, request=request)
        else:
            case_services.add_tag(item.document, tag, by=user)
        changed += 1
    audit(
        "inbox.bulk_action",
        request=request,
        actor=user,
        details={
            "action": action,
            "changed": changed,
            "skipped": skipped,
            "items": ids,
            "copy": copy if action == "forward" else None,
            "to_user": getattr(to_user, "pk", None),
            "to_team": getattr(to_team, "pk", None),
        },
    )
    return BulkResult(action=action, changed=changed, skipped=skipped)
