"""Scanned paper: batches of multi-page PDFs, split at separator sheets into segments, each of which
becomes one Document through the same intake pipeline as portal uploads.

``ImportedFile`` keeps one state row per file of a mass import (path + SHA-256), so that an
interrupted ``manage.py import_scans`` resumes where it stopped and never imports a file twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jcportal.documents import types


def batch_path(instance: ScanBatch, filename: str) -> str:
    return f"scans/batches/{uuid.uuid4().hex}.pdf"


class ScanBatch(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded at the scan station")
        FOLDER = "folder", _("Import folder")
        MASS_IMPORT = "mass_import", _("Mass import")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, waiting to be split")
        NEEDS_ASSIGNMENT = "needs_assignment", _("Waiting for manual assignment")
        DONE = "done", _("All documents created")
        FAILED = "failed", _("Could not be read")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.UPLOAD)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=batch_path, max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    error = models.TextField(blank=True)
    default_household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household for pages before the first separator sheet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_doc_type = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scanned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scan_batches",
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    split_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scan batch")
        verbose_name_plural = _("scan batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class ScanSegment(models.Model):
    """A run of pages of a batch between two separator sheets: one future Document."""

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField(default=0)
    first_page = models.PositiveIntegerField(_("first page"))  # 1-based page number in the batch
    page_count = models.PositiveIntegerField(_("pages"))
    from_separator = models.BooleanField(_("assigned by separator sheet"), default=False)
    separator_note = models.CharField(max_length=200, blank=True)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    doc_type = models.CharField(_("document type"), max_length=40, blank=True)
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scan_segment",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("scanned segment")
        verbose_name_plural = _("scanned segments")
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="scan_segment_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch} p. {self.first_page}–{self.last_page}"

    @property
    def last_page(self) -> int:
        return self.first_page + self.page_count - 1

    @property
    def type_label(self):  # type: ignore[no-untyped-def]
        return types.label(self.doc_type) if self.doc_type else ""

    @property
    def note_display(self) -> str:
        """The stored note code (``unknown_bg|…`` or ``part|i|n``) as a translated sentence."""
        parts = self.separator_note.split("|")
        if parts[0] == "unknown_bg" and len(parts) == 2:
            return _("The BG number %(bg)s on the separator sheet is unknown.") % {"bg": parts[1]}
        if parts[0] == "part" and len(parts) == 3:
            return _("Part %(part)s of %(parts)s of a longer document.") % {
                "part": parts[1],
                "parts": parts[2],
            }
        return ""


class ImportedFile(models.Model):
    """State of one file of a mass import, keyed by its path and SHA-256."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Imported")
        DUPLICATE = "duplicate", _("Same content already imported")
        FAILED = "failed", _("Failed")

    path = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True)
    batch = models.ForeignKey(ScanBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pages = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        constraints = [models.UniqueConstraint(fields=["path", "sha256"], name="imported_file_unique")]

    def __str__(self) -> str:
        return self.path
