"""Tags on documents and notifications (in-app for staff and citizens, e-mail as the citizen chose).

Releases to the citizen use the fields on ``documents.Document`` (released_at, released_by,
release_revoked_at); the full-text index lives beside the documents table (see ``search.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jcportal.core.fields import EncryptedTextField


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
        FOLLOW_UP = "follow_up", _("Wiedervorlage due")

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


# --- work lists: notes, Aktenvermerke, Wiedervorlagen, saved inbox filters --------------------------


class ItemNote(models.Model):
    """An internal note on an inbox item (staff only, never shown to the citizen). It appears in the
    item's history beside the inbox events, so it reads like one (``at``, ``actor``, ``note``)."""

    item = models.ForeignKey("inbox.InboxItem", on_delete=models.CASCADE, related_name="casework_notes")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = EncryptedTextField(_("note"))
    at = models.DateTimeField(_("written at"), auto_now_add=True)

    on_behalf_of = None
    target = ""

    class Meta:
        verbose_name = _("note on an item")
        verbose_name_plural = _("notes on items")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on item {self.item_id}"

    def get_action_display(self) -> str:
        return str(_("Note"))


class FileNote(models.Model):
    """An Aktenvermerk: a dated, signed internal note on the case file of a household (not visible to
    citizens, not part of the citizen's data export)."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="casework_file_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = EncryptedTextField(_("Aktenvermerk"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Aktenvermerk")
        verbose_name_plural = _("Aktenvermerke")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Aktenvermerk {self.pk} ({self.household_id})"


class FollowUp(models.Model):
    """A Wiedervorlage: on ``due_on`` the item or case file comes back to ``assignee`` with ``reason``."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Set by staff")
        ABSENCE = "absence", _("Approved absence (Ortsabwesenheit)")
        DOCUMENT_REQUEST = "document_request", _("Overdue document request")

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="casework_followups",
    )
    item = models.ForeignKey(
        "inbox.InboxItem",
        verbose_name=_("inbox item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="casework_followups",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="casework_followups",
    )
    team = models.ForeignKey(
        "households.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"), db_index=True)
    reason = EncryptedTextField(_("reason"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    # what created it automatically ("eforms.Submission:<id>", "docrequests.DocumentRequest:<id>"): once each
    source_key = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"], name="casework_followup_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="casework_followup_once"
            )
        ]

    def __str__(self) -> str:
        return f"Wiedervorlage {self.pk} ({self.due_on})"


class SavedFilter(models.Model):
    """A staff member's named inbox filter (the querystring of the inbox's tabs and filter bar)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved inbox filter")
        verbose_name_plural = _("saved inbox filters")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="casework_filter_name_once")]

    def __str__(self) -> str:
        return self.name
