"""Writes for the information pages: feedback about barriers reaches the Jobcenter."""

from __future__ import annotations

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jcportal.mail.services import send_mail

from . import selectors
from .models import AccessibilityFeedback

logger = logging.getLogger(__name__)


def submit_accessibility_feedback(
    *, message: str, page_address: str = "", name: str = "", email: str = "", language: str = ""
) -> AccessibilityFeedback:
    """Store the report (the administration sees it) and mail it to the Jobcenter when an address is set."""
    feedback = AccessibilityFeedback.objects.create(
        message=message, page_address=page_address, name=name, email=email, language=language
    )
    recipient = selectors.feedback_recipient()
    if recipient:
        with translation.override("de"):
            subject = _("Report of a barrier in the portal (no. %(number)s)") % {"number": feedback.pk}
            body = "\n\n".join(
                [
                    _("Page concerned: %(page)s") % {"page": page_address or "–"},
                    _("Description: %(message)s") % {"message": message},
                    _("Name: %(name)s") % {"name": name or "–"},
                    _("Email address for the answer: %(email)s") % {"email": email or "–"},
                    _("Language of the portal: %(language)s") % {"language": language or "–"},
                ]
            )
        try:
            send_mail(subject, body, None, [recipient], fail_silently=False)
        except OSError:
            # The report is stored and visible in the administration; a mail outage must not lose it.
            logger.exception("accessibility feedback %s could not be mailed", feedback.pk)
    return feedback


def mark_feedback_handled(feedback: AccessibilityFeedback) -> None:
    if feedback.handled_at is None:
        feedback.handled_at = timezone.now()
        feedback.save(update_fields=["handled_at"])
