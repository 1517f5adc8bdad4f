"""The mail outbox: a mail is a row first (in the caller's transaction), then a task on the ``io``
queue sends it over SMTP, with retries. No request and no row lock waits for a mail server."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMail(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_email = models.CharField(max_length=300, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # the sending task holds it until then; a sender that died is replaced after it ran out
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"mail {self.pk} ({self.attempts} attempts)"
