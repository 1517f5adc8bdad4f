"""Reads for the information pages (accessibility statement, Leichte Sprache, sign language, imprint…)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet

from .models import AccessibilityFeedback, Page, SignLanguageVideo


def edited_page(slug: str, language: str) -> Page | None:
    """The administrator's text for this page and language, if there is one."""
    return Page.objects.filter(slug=slug, language=language).first()


def published_videos() -> QuerySet[SignLanguageVideo]:
    return SignLanguageVideo.objects.filter(published=True)


def published_video(video_id: int) -> SignLanguageVideo | None:
    return published_videos().filter(pk=video_id).first()


def jobcenter() -> Any:
    """The Jobcenter running this portal (name, address, contact) or None before it is configured.

    Looked up by name so that core does not import the households app (it is a higher layer).
    """
    return apps.get_model("households", "Jobcenter").objects.order_by("pk").first()


def feedback_recipient() -> str:
    """Where reports of barriers go: ACCESSIBILITY_FEEDBACK_EMAIL, else the Jobcenter's address."""
    configured = getattr(settings, "ACCESSIBILITY_FEEDBACK_EMAIL", "")
    if configured:
        return configured
    centre = jobcenter()
    return centre.email if centre is not None and centre.email else ""


def open_feedback() -> QuerySet[AccessibilityFeedback]:
    return AccessibilityFeedback.objects.filter(handled_at__isnull=True)


def all_feedback() -> QuerySet[AccessibilityFeedback]:
    return AccessibilityFeedback.objects.all()
