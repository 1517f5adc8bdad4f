"""The append-only, hash-chained audit log.

Each entry stores the SHA-256 of its own content together with the hash of the entry before it, so
changing, deleting or inserting a row breaks the chain (``manage.py verify_audit_chain`` finds it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    # DO_NOTHING: deleting an account (destruction after retention) must not rewrite the hashed history
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["household_id", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"


class AuditChainHead(models.Model):
    """A single row that serialises writers (SELECT … FOR UPDATE) and remembers the last hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # the open epoch: its month (YYYY-MM, local time) and its first entry
    epoch_period = models.CharField(max_length=7, blank=True)
    epoch_first_sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head #{self.sequence}"


class AuditEpoch(models.Model):
    """A sealed month of the chain. Its seal covers the period, its first and last sequence, the hash of
    its last entry and the previous epoch's seal; the next epoch's first entry takes the seal as its
    ``previous_hash`` (the anchor). Entries of old epochs can be pruned; the epoch row stays, so the chain
    of seals and the first remaining entry still verify."""

    period = models.CharField(_("month"), max_length=7)
    first_sequence = models.BigIntegerField(unique=True)
    last_sequence = models.BigIntegerField(unique=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    entries = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    previous_seal = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()
    pruned_at = models.DateTimeField(_("entries deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sealed month of the audit log")
        verbose_name_plural = _("sealed months of the audit log")
        ordering = ["first_sequence"]

    def __str__(self) -> str:
        return f"{self.period} #{self.first_sequence}–#{self.last_sequence} seal {self.seal_hash[:12]}"
