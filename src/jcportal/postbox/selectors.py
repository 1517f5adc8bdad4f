"""Reads of the letters postbox: the "bekannt gegeben am" date under the rule in force, and staff lists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jcportal.accounts import policy

from .models import Letter
from .services import rule


def notified_on(letter: Letter, in_force: str | None = None) -> date | None:
    """When the letter counts as made known (bekannt gegeben) electronically, or None: not (yet).
    ``third_day``: the third day after the notice was sent; ``retrieval``: the day after the first
    retrieval. Calendar days (§ 37 (2a) SGB X); a letter going by post has no electronic date."""
    if letter.channel != Letter.Channel.PORTAL:
        return None
    if (in_force or rule()) == "retrieval":
        moment = letter.retrieved_at
        days = 1
    else:
        moment = letter.notice_sent_at
        days = 3
    if moment is None:
        return None
    return timezone.localdate(moment) + timedelta(days=days)


def letters_for(user: Any) -> QuerySet[Letter]:
    """Letters of the households the staff member may see (released, not revoked), newest first."""
    if not policy.is_case_staff(user):
        return Letter.objects.none()
    return Letter.objects.filter(
        household__in=policy.visible_households(user), document__release_revoked_at__isnull=True
    ).select_related("document", "household")


def to_send_by_post(user: Any) -> QuerySet[Letter]:
    """The staff member's task list: letters that have to go by post and were not recorded as sent."""
    return (
        letters_for(user)
        .filter(post_due_since__isnull=False, sent_by_post_at__isnull=True)
        .order_by("post_due_since")
    )


def letter_for(user: Any, document_id: Any) -> Letter | None:
    """The letter of this released document, if the staff member may see its household."""
    return letters_for(user).filter(document_id=document_id).first()
