"""Document requests (Mitwirkungsaufforderung, § 60 ff. SGB I): a caseworker asks a household for
specific documents by a deadline; the citizen uploads against each item of the checklist.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jcportal.documents import types


class DocumentRequestQuerySet(models.QuerySet):
    def open(self):  # type: ignore[no-untyped-def]
        return self.filter(completed_at__isnull=True, withdrawn_at__isnull=True)

    def overdue(self, day=None):  # type: ignore[no-untyped-def]
        day = day or timezone.localdate()
        return self.open().filter(deadline__lt=day)


class DocumentRequest(models.Model):
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="document_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="document_requests_created",
    )
    explanation = models.TextField(_("explanation"))
    deadline = models.DateField(_("deadline"), db_index=True)
    created_at = models.DateTimeField(_("requested on"), auto_now_add=True)
    completed_at = models.DateTimeField(_("complete since"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    deadline_extended_at = models.DateTimeField(_("deadline extended at"), null=True, blank=True)

    objects = DocumentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["household", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.household.bg_number} – {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.withdrawn_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


class DocumentRequestItem(models.Model):
    """One requested document. Its answer (a linked document) is received, to be checked, until staff
    accept or reject it; staff can also tick an item by hand (received on paper)."""

    class State(models.TextChoices):
        MISSING = "missing", _("Missing")
        RECEIVED = "received", _("Received, being checked")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected – please send again")

    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    doc_type = models.CharField(_("document type"), max_length=40)
    explanation = models.TextField(_("what exactly we need"), blank=True)
    optional = models.BooleanField(_("optional"), default=False)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document received"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request_items",
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.MISSING, db_index=True
    )
    decided_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    received_on_paper = models.BooleanField(_("received on paper"), default=False)

    class Meta:
        verbose_name = _("requested document")
        verbose_name_plural = _("requested documents")
        ordering = ["request", "position", "pk"]

    def __str__(self) -> str:
        return str(types.label(self.doc_type))

    @property
    def type_label(self):  # type: ignore[no-untyped-def]
        return types.label(self.doc_type)

    @property
    def has_arrived(self) -> bool:
        return self.arrived_at is not None

    @property
    def is_accepted(self) -> bool:
        return self.state == self.State.ACCEPTED

    @property
    def is_received(self) -> bool:
        return self.state == self.State.RECEIVED

    @property
    def is_rejected(self) -> bool:
        return self.state == self.State.REJECTED


class DocumentRequestLetter(models.Model):
    """The request or its reminder as a letter (PDF with the Rechtsfolgenbelehrung, § 66 (3) SGB I): in
    the portal postbox for households with a portal account, otherwise printed and sent by post."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request letter")
        REMINDER = "reminder", _("Reminder letter")

    class Channel(models.TextChoices):
        POSTBOX = "postbox", _("Portal postbox")
        POST = "post", _("By post")

    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    deadline = models.DateField(_("deadline in the letter"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("letter in the postbox"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_by_post_at = models.DateTimeField(_("sent by post at"), null=True, blank=True)
    sent_by_post_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request letter")
        verbose_name_plural = _("request letters")
        ordering = ["request", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.channel}"

    @property
    def awaits_post(self) -> bool:
        return self.channel == self.Channel.POST and self.sent_by_post_at is None
