"""API clients: a DMS, a Fachverfahren or a scanner that talks to jcportal with a bearer token.

The token is ``jcp_<prefix>_<secret>``: the prefix finds the client, the SHA-256 of the whole token is
compared in constant time (tokens are 256-bit random values, so a fast hash is enough; the clear token
is shown once when it is created or rotated and never stored).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    name = models.SlugField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    # What the client may see: every household, or those of the listed offices and teams.
    all_households = models.BooleanField(_("all households"), default=False)
    offices = models.ManyToManyField(
        "households.ServiceOffice", verbose_name=_("service offices"), blank=True, related_name="+"
    )
    teams = models.ManyToManyField("households.Team", verbose_name=_("teams"), blank=True, related_name="+")
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in (self.scopes or [])

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_sha256, token_hash(token))

    def touch(self) -> None:
        """Record use, at most once a minute (no write per request)."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class PersonReference(models.Model):
    """The Fachverfahren's id of a household member, so a nightly sync finds the same person again."""

    person = models.OneToOneField(
        "households.Person", on_delete=models.CASCADE, related_name="fachverfahren_reference"
    )
    external_id = models.CharField(_("Fachverfahren person id"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Fachverfahren person id")
        verbose_name_plural = _("Fachverfahren person ids")

    def __str__(self) -> str:
        return self.external_id


class PartUpload(models.Model):
    """A large file uploaded in parts (the ZGW "bestandsdelen" pattern): announced, parts, completed.

    Parts are stored under ``api-uploads/<id>/``; completion joins them as a stream into the intake and
    removes them. Uploads that are not completed by ``expires_at`` are removed by a housekeeping task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="uploads")
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(max_length=40)
    title = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    part_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("upload in parts")
        verbose_name_plural = _("uploads in parts")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.pk})"

    @property
    def part_count(self) -> int:
        return max(1, -(-self.size // self.part_size))

    def expected_size(self, number: int) -> int:
        """Bytes part ``number`` (1-based) must have: all full but the last."""
        if number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)

    def storage_prefix(self) -> str:
        return f"api-uploads/{self.pk}/"


class UploadPart(models.Model):
    upload = models.ForeignKey(PartUpload, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["upload", "number"]
        constraints = [models.UniqueConstraint(fields=["upload", "number"], name="upload_part_once")]

    def __str__(self) -> str:
        return f"{self.upload_id} part {self.number}"
