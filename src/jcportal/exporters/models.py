"""Exporters as data: which exporter runs on which event types for which Jobcenter, with its options,
and one job per (configuration, event) that records the attempts and the outcome."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExporterConfig(models.Model):
    """One configured exporter of a Jobcenter (e.g. "hot folder for the DMS, on document.delivered")."""

    jobcenter = models.ForeignKey(
        "households.Jobcenter", verbose_name=_("Jobcenter"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    exporter = models.CharField(_("exporter"), max_length=40)  # an identifier of ``base.exporters``
    event_types = models.JSONField(
        _("event types"), default=list, blank=True, help_text=_("Empty: the exporter's default events.")
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exporter configuration")
        verbose_name_plural = _("exporter configurations")
        ordering = ["jobcenter", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def plugin(self):  # type: ignore[no-untyped-def]
        from .base import exporters

        return exporters.get(self.exporter)

    def wanted_types(self) -> list[str]:
        plugin = self.plugin
        if self.event_types:
            return list(self.event_types)
        return list(plugin.default_event_types) if plugin else []


class ExportJob(models.Model):
    """One export of one object by one configuration, caused by one event (or started by staff)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Exported")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nothing to export")

    config = models.ForeignKey(ExporterConfig, on_delete=models.CASCADE, related_name="jobs")
    event = models.ForeignKey(
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(max_length=100)
    subject = models.CharField(max_length=100)  # the object's id (document or submission)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    target = models.CharField(max_length=500, blank=True)  # what was written (folder or file name)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["config", "event"], name="export_job_once_per_event")]

    def __str__(self) -> str:
        return f"{self.config} {self.subject} ({self.status})"
