"""The transactional outbox of events, webhook subscriptions and their deliveries.

An ``Event`` row is written in the same transaction as the change it reports (``services.emit``). After
the commit the dispatcher gives it its ``position`` (the feed cursor: assigned under a lock, so it only
grows in commit order), creates one ``Delivery`` per matching subscription and starts the exporters.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One CloudEvents 1.0 event (``cloudevent()`` is exactly what webhooks and the feed send)."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    subject = models.CharField(_("subject"), max_length=100)
    time = models.DateTimeField(_("time"))
    dataref = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The feed cursor, set after the commit by ``services.sequence_pending`` (NULL = not yet sequenced).
    position = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["position"]
        indexes = [
            models.Index(fields=["id"], condition=Q(position__isnull=True), name="event_unsequenced"),
            models.Index(fields=["household", "position"], name="event_household_position"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class EventSequence(models.Model):
    """One row: the last position handed out (locked while positions are assigned)."""

    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last)


class Subscription(models.Model):
    """A webhook: where an API client wants which events, signed with its secret."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    # HMAC key for the signature; the receiver needs it in clear, so it is kept (shown once on creation).
    secret = models.CharField(max_length=100, editable=False)
    event_types = models.JSONField(
        _("event types"), default=list, blank=True, help_text=_("Empty: all types.")
    )
    active = models.BooleanField(_("active"), default=True)
    # the API client that manages it through the API (webhooks:manage); None: set up by an administrator
    client = models.ForeignKey(
        "api.ApiClient", on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class Delivery(models.Model):
    """One event to one subscription. Retries keep the row (and so the ``webhook-id``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Failed (dead letter)")
        SKIPPED = "skipped", _("Not sent (subscription inactive)")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # a worker holds the claim while it sends; an expired claim means it died (the row is sent again)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once_per_subscription"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
            models.Index(fields=["status", "-last_attempt_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"
