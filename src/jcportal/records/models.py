"""Records management: retention classes, legal holds, destruction proposals and the archive offer.

A retention class (DIN 66398: a duration and a start event) says when records of one kind are due; a
legal hold stops everything under it; the daily job collects what is due into a destruction proposal,
which staff with the records permission review, offer to the state archive (xdomea 0501–0504) and a
second person approves. See docs/operations/records.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StartEvent(models.TextChoices):
    RECEIVED = "received", _("Received")
    LEFT_BENEFITS = "left_benefits", _("Household left benefits")
    LAST_DECISION = "last_decision", _("Last decision (Bescheid)")
    END_OF_YEAR = "end_of_year", _("End of the calendar year of receipt")
    ACKNOWLEDGED = "acknowledged", _("Filed in the DMS (acknowledged)")


class Scope(models.TextChoices):
    CASE_FILE = "case_file", _("Case file (E-Akte of a household)")
    DOCUMENT_TYPE = "document_type", _("Document type")
    ONLINE_SERVICE = "online_service", _("Online service")
    WORKING_COPY = "working_copy", _("Portal working copy of a document filed in the DMS")
    REJECTED_UPLOAD = "rejected_upload", _("Upload that was not accepted (rejected or quarantined)")
    UNASSIGNED = "unassigned", _("Document never assigned to a case file")
    AUDIT_LOG = "audit_log", _("Audit log (sealed months)")


class RetentionClass(models.Model):
    """How long one kind of record is kept: ``duration`` after ``start_event`` (DIN 66398)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(_("applies to"), max_length=20, choices=Scope.choices)
    match = models.CharField(
        _("document type or online service"),
        max_length=40,
        blank=True,
        help_text=_("The document type code or the online service's slug; empty for the other kinds."),
    )
    duration_years = models.PositiveSmallIntegerField(_("years"), default=0)
    duration_days = models.PositiveIntegerField(_("days"), default=0)
    start_event = models.CharField(_("start event"), max_length=20, choices=StartEvent.choices)
    from_year_end = models.BooleanField(
        _("count from the end of that calendar year"),
        default=False,
        help_text=_("The period starts on 31 December of the year of the start event."),
    )
    offer_to_archive = models.BooleanField(
        _("offer to the state archive before destruction"),
        default=False,
        help_text=_(
            "Records of this class are offered (xdomea 0501) and destroyed only after the archive's answer."
        ),
    )
    legal_source = models.TextField(_("legal source"))
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("retention class")
        verbose_name_plural = _("retention classes")
        ordering = ["scope", "match", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "match"], condition=Q(active=True), name="records_one_active_class_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def duration_label(self) -> str:
        from django.utils.translation import gettext, ngettext

        parts = []
        if self.duration_years:
            parts.append(
                ngettext("%(n)d year", "%(n)d years", self.duration_years) % {"n": self.duration_years}
            )
        if self.duration_days or not parts:
            parts.append(ngettext("%(n)d day", "%(n)d days", self.duration_days) % {"n": self.duration_days})
        text = " ".join(parts)
        if self.from_year_end:
            text = gettext("%(duration)s from the end of the calendar year") % {"duration": text}
        return text


class LegalHold(models.Model):
    """Stops the destruction of a household's records or of one document (Widerspruch, Klage …)."""

    class Reason(models.TextChoices):
        WIDERSPRUCH = "widerspruch", _("Objection (Widerspruch)")
        KLAGE = "klage", _("Lawsuit (Klage)")
        RUECKFORDERUNG = "rueckforderung", _("Recovery of benefits (Rückforderung, Einziehung)")
        ERBENHAFTUNG = "erbenhaftung", _("Liability of heirs (Erbenhaftung, § 35 SGB II)")
        OTHER = "other", _("Other reason")

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="legal_holds",
        null=True,
        blank=True,
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="legal_holds",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("explanation"), blank=True, max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    review_on = models.DateField(_("review on"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_note = models.CharField(_("why released"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["review_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, document__isnull=True)
                | Q(household__isnull=True, document__isnull=False),
                name="records_hold_on_household_or_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.released_at is None


class DestructionProposal(models.Model):
    """What is due at ``as_of``; reviewed, offered to the archive and approved by two records staff.

    Its id is the xdomea ProzessID of the archive offer."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("To be reviewed")
        OFFERED = "offered", _("Offered to the state archive")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for the second approval")
        APPROVED = "approved", _("Approved, being destroyed")
        DESTROYED = "destroyed", _("Destroyed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("built at"), auto_now_add=True)
    as_of = models.DateField(_("due at"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    offer_built_at = models.DateTimeField(_("offer (0501) built at"), null=True, blank=True)
    offer_sha256 = models.CharField(max_length=64, blank=True)
    evaluation_imported_at = models.DateTimeField(_("evaluation (0502) imported at"), null=True, blank=True)
    handover_built_at = models.DateTimeField(_("handover (0503) built at"), null=True, blank=True)
    handover_sha256 = models.CharField(max_length=64, blank=True)
    receipt_imported_at = models.DateTimeField(_("receipt (0504) imported at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("destruction proposal")
        verbose_name_plural = _("destruction proposals")
        ordering = ["-created_at"]
        permissions = [
            (
                "manage_records",
                _("Can review destruction proposals, place legal holds and approve destruction"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.DESTROYED, self.Status.CANCELLED}


class ProposalItem(models.Model):
    """One record of a proposal: a household's whole case file, one document, or one online-service
    submission (its form answers and its PDF copy).

    Holds ids only (no foreign keys): after destruction they are cleared and only ``subject_hash`` (a
    keyed hash of the file id) remains."""

    class Kind(models.TextChoices):
        CASE_FILE = "case_file", _("Case file")
        DOCUMENT = "document", _("Document")
        SUBMISSION = "submission", _("Online service")

    class State(models.TextChoices):
        PENDING = "pending", _("Due")
        EXCLUDED = "excluded", _("Taken out")
        HELD = "held", _("Stopped by a legal hold")
        DESTROYED = "destroyed", _("Destroyed")

    class Decision(models.TextChoices):
        NONE = "", _("Not offered")
        ARCHIVE = "A", _("Archive (archivwürdig)")
        DESTROY = "V", _("Destroy (vernichten)")

    proposal = models.ForeignKey(DestructionProposal, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    retention_class = models.ForeignKey(RetentionClass, on_delete=models.PROTECT, related_name="+")
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    document_id = models.UUIDField(null=True, blank=True, db_index=True)
    submission_id = models.UUIDField(null=True, blank=True, db_index=True)
    office = models.ForeignKey(
        "households.ServiceOffice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    xdomea_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject_hash = models.CharField(max_length=64)
    start_event = models.CharField(max_length=20, choices=StartEvent.choices)
    start_date = models.DateField()
    due_on = models.DateField()
    offered = models.BooleanField(default=False)
    decision = models.CharField(max_length=1, choices=Decision.choices, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    excluded_reason = models.CharField(_("why taken out"), max_length=500, blank=True)
    # storage names still to delete (kept until deleted, so an interrupted destruction resumes)
    pending_objects = models.JSONField(default=list, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_objects = models.PositiveIntegerField(default=0)
    destroyed_rows = models.PositiveIntegerField(default=0)
    destroyed_key_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("record in a destruction proposal")
        verbose_name_plural = _("records in destruction proposals")
        ordering = ["proposal", "kind", "due_on", "pk"]
        indexes = [
            models.Index(fields=["state", "household_id"]),
            models.Index(fields=["state", "document_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_hash[:12]}"


class ArchiveSettings(models.Model):
    """Who offers and who receives (the Kopf of the xdomea messages); one row, edited in the admin."""

    authority_name = models.CharField(_("our authority"), max_length=200, default="Jobcenter")
    authority_code = models.CharField(
        _("our authority code (Behördenschlüssel)"), max_length=60, blank=True, default="JC"
    )
    archive_name = models.CharField(_("state archive"), max_length=200, default="Landesarchiv")
    archive_code = models.CharField(_("archive code (Behördenschlüssel)"), max_length=60, default="LA")
    file_plan_mark = models.CharField(
        _("file plan mark of SGB II case files (Aktenplankennzeichen)"), max_length=60, blank=True
    )

    class Meta:
        verbose_name = _("state archive settings")
        verbose_name_plural = _("state archive settings")

    def __str__(self) -> str:
        return f"{self.authority_name} → {self.archive_name}"

    @classmethod
    def current(cls) -> ArchiveSettings:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls.objects.create()
