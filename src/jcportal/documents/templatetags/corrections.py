"""Template tags for document corrections: the actions panel of the back office's document and item
pages, the history rows (corrections beside the inbox's events), and the portal's notice of removed
uploads."""

from __future__ import annotations

from typing import Any

from django import template

from jcportal.accounts import policy

from .. import corrections, types

register = template.Library()


@register.simple_tag(takes_context=True)
def correction_panel(context: template.Context, document: Any) -> dict[str, Any]:
    """What the actions panel needs: may the user correct, the type choices, a pending deletion."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if document is None or user is None or not policy.can_correct_document(user, document):
        return {"allowed": False}
    pending = corrections.pending_deletion(document)
    return {
        "allowed": True,
        "types": types.choices(),
        "pending": pending,
        "can_decide": pending is not None and corrections.can_decide(user, pending),
        "own_request": pending is not None and pending.requested_by_id == user.pk,
        "next": request.get_full_path(),
        "waiting": len(corrections.pending_requests_for(user)),
    }


@register.simple_tag
def with_corrections(events: Any, document: Any) -> list[Any]:
    """The inbox's events of the document and its corrections, in the order they happened."""
    rows = list(events or [])
    if document is not None and getattr(document, "pk", None):
        rows += list(corrections.history(document))
    return sorted(rows, key=lambda row: row.at)


@register.simple_tag(takes_context=True)
def removed_uploads(context: template.Context, household: Any) -> list[Any]:
    request = context.get("request")
    return corrections.removed_uploads(getattr(request, "user", None), household)
