"""Tags on documents and notifications (in-app for staff and citizens, e-mail as the citizen chose).

Releases to the citizen use the fields on ``documents.Document`` (released_at, released_by,
release_revoked_at); the full-text index lives beside the documents table (see ``search.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    name = models.CharField(_("tag"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentTag(models.Model):
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="casework_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="documents")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document tag")
        verbose_name_plural = _("document tags")
        ordering = ["tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["document", "tag"], name="casework_tag_once_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.tag} @ {self.document_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        DEPUTY_ITEM = "deputy_item", _("New document as deputy")
        FORWARDED = "forwarded", _("Document forwarded to you")
        RELEASE = "release", _("New document from the Jobcenter")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    inbox_item = models.ForeignKey(
        "inbox.InboxItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="casework_notif_unread"),
            models.Index(fields=["digested_at", "emailed_at"], name="casework_notif_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
