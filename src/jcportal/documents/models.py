"""Documents in the electronic case file (E-Akte), whatever channel they came through.

A document keeps its originals byte-identical (``OriginalFile``) beside the one delivered PDF.
Files live only in Django's storage (local folder or S3), never at fixed local paths.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jcportal.core.fields import EncryptedTextField

from . import types


def original_path(instance: OriginalFile, filename: str) -> str:
    return f"originals/{instance.document_id}/{instance.position:03d}-{uuid.uuid4().hex}"


def pdf_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.pk}/{uuid.uuid4().hex}.pdf"


def thumbnail_path(instance: Document, filename: str) -> str:
    return f"thumbnails/{instance.pk}/{uuid.uuid4().hex}.png"


class Document(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CHECKED = "checked", _("Checked")
        DELIVERED = "delivered", _("Delivered to the Jobcenter")
        OPENED = "opened", _("Opened by the Jobcenter")
        PROCESSED = "processed", _("Processed")
        REJECTED = "rejected", _("Rejected")
        QUARANTINED = "quarantined", _("Rejected: possibly harmful")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal upload")
        SERVICE = "service", _("Online service")
        SCAN = "scan", _("Scanned paper mail")
        BACKOFFICE = "backoffice", _("Added by staff")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("To the Jobcenter")
        OUTBOUND = "outbound", _("From the Jobcenter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    doc_type = models.CharField(
        _("document type"), max_length=40, choices=types.choices(), default="sonstiges"
    )
    title = models.CharField(_("title"), max_length=200)
    note = EncryptedTextField(_("note to the caseworker"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    rejection_code = models.CharField(max_length=40, blank=True)
    rejection_detail = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploaded_documents",
    )
    by_representative = models.BooleanField(_("sent by a representative"), default=False)
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    pdf = models.FileField(_("PDF"), upload_to=pdf_path, blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    thumbnail = models.FileField(upload_to=thumbnail_path, blank=True, max_length=300)
    ocr_text = EncryptedTextField(blank=True)  # searchable only through casework.search's index
    released_at = models.DateTimeField(_("released to the citizen at"), null=True, blank=True, db_index=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="released_documents",
    )
    release_revoked_at = models.DateTimeField(_("release revoked at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pipeline_step = models.CharField(max_length=40, blank=True, db_index=True)
    pipeline_attempts = models.PositiveIntegerField(default=0)
    pipeline_error = models.TextField(blank=True)
    # "" while the pipeline may run; "waiting" while a dependency (scanner, storage, database) is down –
    # not counted as an attempt, resumed when it is back; "failed" once parked for a person (failures view).
    pipeline_state = models.CharField(max_length=10, blank=True, db_index=True)
    pipeline_updated_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the lease while it runs the pipeline; an expired lease means the worker died.
    pipeline_lease_until = models.DateTimeField(null=True, blank=True)
    # The hand-off to the DMS/E-Akte (``services.mark_exported`` / ``services.acknowledge_filed``): a
    # delivered document is "sent to the DMS" once an exporter or an API client took it, and "filed in the
    # E-Akte" once the DMS acknowledged it with its own reference. Orthogonal to ``status``.
    exported_at = models.DateTimeField(_("sent to the DMS at"), null=True, blank=True, db_index=True)
    exported_to = models.CharField(_("sent to"), max_length=200, blank=True)
    filed_at = models.DateTimeField(_("filed in the E-Akte at"), null=True, blank=True, db_index=True)
    dms_reference = models.CharField(_("DMS reference"), max_length=200, blank=True)
    # What the intake noticed per file: [{"name", "position", "code", "accepted"}] (shown to the citizen).
    file_notices = models.JSONField(default=list, blank=True)
    # Corrections by staff (``documents.corrections``): appended to another document (kept, not lost), and
    # when the document was moved into its household by hand (the portal then shows it to that household
    # only if the sender belongs to it).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("appended to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_documents",
    )
    household_corrected_at = models.DateTimeField(_("moved to this household at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["household", "-received_at"]),
            models.Index(fields=["status", "-received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.receipt_number})"

    @property
    def type_label(self):  # type: ignore[no-untyped-def]
        return types.label(self.doc_type)

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.REJECTED, self.Status.QUARANTINED} or bool(self.delivered_at)


class OriginalFile(models.Model):
    """One file exactly as it was received (kept unchanged next to the delivered PDF)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="originals")
    position = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=original_path, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    detected_type = models.CharField(max_length=60, blank=True)
    page_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="original_position_unique")
        ]

    def __str__(self) -> str:
        return self.original_name


class ServiceRating(models.Model):
    """An optional 1-5 star rating with a comment, given after sending (for the statistics page)."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    context = models.CharField(_("context"), max_length=40, default="upload", db_index=True)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="service_rating_stars_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stars}/5 ({self.context})"


class Correction(models.Model):
    """One correction staff made to a document (``documents.corrections``), shown in its history."""

    class Kind(models.TextChoices):
        RETYPED = "retyped", _("Type or title corrected")
        MOVED = "moved", _("Moved to another household")
        SPLIT = "split", _("Pages split off into a new document")
        SPLIT_FROM = "split_from", _("Created from pages of another document")
        MERGED = "merged", _("Another document appended")
        MERGED_INTO = "merged_into", _("Appended to another document")
        ROTATED = "rotated", _("Pages rotated")
        DELETION_REQUESTED = "deletion_requested", _("Deletion requested")
        DELETION_REFUSED = "deletion_refused", _("Deletion refused")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("correction"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target = models.CharField(_("to"), max_length=200, blank=True)
    note = EncryptedTextField(_("note"), blank=True, household_attr="document.household_id")
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.document_id}"

    # The history table shows corrections beside the inbox's events (same attributes).
    on_behalf_of = None

    def get_action_display(self) -> str:
        return str(self.get_kind_display())


class DeletionRequest(models.Model):
    """Deleting a document needs two people (four-eyes): one asks with a reason, another approves or
    refuses. After the deletion this row is the tombstone: what was deleted, why, by whom."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        DELETED = "deleted", _("Deleted")
        REFUSED = "refused", _("Refused")

    class Reason(models.TextChoices):
        DUPLICATE = "duplicate", _("The same document was sent twice")
        WRONG_PERSON = "wrong_person", _("It belongs to another person")
        UNREADABLE = "unreadable", _("It is empty or cannot be read")
        NOT_NEEDED = "not_needed", _("The Jobcenter does not need it and may not keep it")
        OTHER = "other", _("Another reason")

    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="deletion_requests"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the tombstone: what the document was
    receipt_number = models.CharField(_("receipt number"), max_length=32, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    doc_type = models.CharField(_("document type"), max_length=40)
    channel = models.CharField(_("channel"), max_length=20)
    received_at = models.DateTimeField(_("received at"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = EncryptedTextField(_("explanation"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("why refused"), blank=True)
    removed_objects = models.JSONField(default=list, blank=True)
    # the sender was the household's own portal user: they are told (portal notice, e-mail if wanted)
    tell_citizen = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(state="pending"),
                name="one_pending_deletion_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number}: {self.state}"
