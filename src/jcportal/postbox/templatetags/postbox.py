"""``{% postbox_state document %}``: a released letter's notice, retrieval and "bekannt gegeben am" as
rows of the back office's document details (the page has checked access already)."""

from __future__ import annotations

from typing import Any

from django import template

from jcportal.postbox.models import Letter
from jcportal.postbox.selectors import notified_on

register = template.Library()


@register.inclusion_tag("postbox/_state.html")
def postbox_state(document: Any) -> dict[str, Any]:
    letter = Letter.objects.filter(document=document).first()
    return {"letter": letter, "notified_on": notified_on(letter) if letter else None}
