"""``{% request_answers document as answers %}``: the request items a document answers (back office)."""

from __future__ import annotations

from typing import Any

from django import template

from jcportal.docrequests import selectors, services

register = template.Library()


@register.simple_tag
def request_answers(document: Any) -> list[dict[str, Any]]:
    if document is None or getattr(document, "pk", None) is None:
        return []
    return [
        {"item": item, "reference": services.reference(item.request)}
        for item in selectors.answers_of(document)
    ]
