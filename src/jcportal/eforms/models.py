"""Submissions of online services: a draft saved at every step, then a filed application.

A submission keeps the form version it was started with (``form_slug`` + ``form_version``) forever, so
it renders as it was filed even after the definition changed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jcportal.core.fields import EncryptedJSONField, EncryptedTextField


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not sent)")
        SUBMITTED = "submitted", _("Received")
        QUERY = "query", _("Question from the Jobcenter")
        CONFIRMED = "confirmed", _("Confirmed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CONVERTED = "converted", _("Registered as a household")
        DONE = "done", _("Processed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form_slug = models.CharField(_("online service"), max_length=40, db_index=True)
    form_version = models.PositiveIntegerField(_("form version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    data = EncryptedJSONField(_("answers"), default=dict, blank=True)
    # answers of steps saved with "continue later" before they were complete (not part of ``data``)
    partial = EncryptedJSONField(default=dict, blank=True)
    current_step = models.CharField(max_length=60, blank=True)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="submissions",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        related_name="submissions",
        null=True,
        blank=True,
    )
    by_representative = models.BooleanField(_("filed by a representative"), default=False)
    language = models.CharField(_("language"), max_length=10, default="de")
    resume_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resume_email_sent_at = models.DateTimeField(null=True, blank=True)
    application_date = models.DateField(
        _("date of application (Tag der Antragstellung)"), null=True, blank=True
    )
    application_recorded_at = models.DateTimeField(null=True, blank=True)
    service_office = models.ForeignKey(
        "households.ServiceOffice",
        verbose_name=_("service office"),
        on_delete=models.SET_NULL,
        related_name="submissions",
        null=True,
        blank=True,
    )
    reference = models.CharField(
        _("case number (Vorgangsnummer)"), max_length=20, unique=True, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("copy in the case file"),
        on_delete=models.SET_NULL,
        related_name="eforms_submission",
        null=True,
        blank=True,
    )
    json_sha256 = models.CharField(max_length=64, blank=True)
    finalize_error = models.TextField(blank=True)
    decision_note = EncryptedTextField(_("message from the Jobcenter"), blank=True)
    # the applicant's answers to questions of the Jobcenter: [{"at", "text", "documents": [ids]}]
    replies = EncryptedJSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    export_path = models.CharField(max_length=300, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followup_note = models.CharField(_("follow-up note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online service submission")
        verbose_name_plural = _("online service submissions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["household", "status"]),
            models.Index(fields=["form_slug", "status", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.reference or f"{self.form_slug} {self.pk}"

    @property
    def definition(self):  # type: ignore[no-untyped-def]
        from . import registry

        return registry.get(self.form_slug, self.form_version)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def status_tag(self) -> str:
        return {
            self.Status.DRAFT: "",
            self.Status.QUERY: "tag--error",
            self.Status.REJECTED: "tag--error",
            self.Status.SUBMITTED: "tag--info",
        }.get(self.status, "tag--success")  # type: ignore[call-overload]


class SubmissionEvidence(models.Model):
    """An evidence document uploaded inside a step of a submission."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="eforms_evidence"
    )
    step = models.CharField(max_length=60)
    field = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "document"], name="eforms_evidence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.field}: {self.document_id}"


class ReferenceCounter(models.Model):
    """The last Vorgangsnummer issued per year (serialised with SELECT … FOR UPDATE)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
