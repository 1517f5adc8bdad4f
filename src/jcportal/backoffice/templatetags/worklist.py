"""Template tags of the work lists: the saved-filter bar, the bulk-action bar of the inbox, and the
open Wiedervorlagen and Aktenvermerke of an item or a case file."""

from __future__ import annotations

from typing import Any

from django import template

from jcportal.casework import followups, worklist

register = template.Library()


@register.inclusion_tag("backoffice/worklist/_saved_filters.html", takes_context=True)
def saved_filters_bar(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {
        "saved": list(worklist.saved_filters(request.user)),
        "current": worklist.clean_query(request.GET.urlencode()),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("backoffice/worklist/_bulk_bar.html", takes_context=True)
def bulk_bar(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {
        "page": context["page"],
        "query": worklist.clean_query(request.GET.urlencode()),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def open_followups(item: Any = None, household: Any = None) -> list[Any]:
    """The open Wiedervorlagen of an item or a case file (for their pages)."""
    return list(followups.open_of(item=item, household=household))


@register.simple_tag
def file_notes_of(household: Any) -> list[Any]:
    from jcportal.casework import notes

    return list(notes.file_notes(household)[:100])
