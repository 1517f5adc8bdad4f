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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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

    def __str__(self) -> str:
        return f"audit chain head #{self.sequence}"
