"""A letter released to a household's portal and how it was made known (§ 37 (2a) SGB X)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Letter(models.Model):
    """One per released document: the e-mail notice, the first retrieval, and the post fallback."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("In the portal, with an e-mail notice")
        POST = "post", _("By post")

    document = models.OneToOneField(
        "documents.Document", on_delete=models.CASCADE, related_name="postbox_letter"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="postbox_letters"
    )
    released_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    retrieved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # set when the letter has to go by post (at release without consent, or left unretrieved)
    post_due_since = models.DateTimeField(null=True, blank=True)
    sent_by_post_at = models.DateTimeField(null=True, blank=True)
    sent_by_post_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-released_at"]
        indexes = [models.Index(fields=["post_due_since", "sent_by_post_at"], name="postbox_post_due")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.channel}"
