"""The electronic inbox (Posteingang): one item per document and recipient (person or team).

Routing rules are data (``RoutingRule``), evaluated in order by ``inbox.routing``. Every item keeps
why it landed where it is (``reason_steps``: codes and parameters, translated when displayed), and every
action on it is recorded in ``InboxEvent`` so the original owner sees what a deputy did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jcportal.core.fields import EncryptedTextField


class RoutingRule(models.Model):
    """One routing rule. Rules of one kind are tried in ``position`` order; the first match wins."""

    class Kind(models.TextChoices):
        OFFICE_BY_POSTCODE = "office_postcode", _("Residence postcode → service office")
        OFFICE_BY_MUNICIPALITY = "office_municipality", _("Residence municipality → service office")
        RESPONSIBLE_BY_BG_RANGE = "bg_range", _("BG-number range → team and staff member")
        RESPONSIBLE_BY_SURNAME = "surname", _("First letter of the surname → team and staff member")
        FUNCTION_BY_TYPE = "doc_type", _("Document or service type → function")

    class Function(models.TextChoices):
        BENEFITS = "benefits", _("Benefits (Leistungssachbearbeitung)")
        INTEGRATION = "integration", _("Integration (Fallmanagement / Arbeitsvermittlung)")

    position = models.PositiveIntegerField(
        _("order"), default=100, help_text=_("Lower numbers are tried first.")
    )
    active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(_("kind of rule"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown as the reason in the inbox."))
    # --- conditions -----------------------------------------------------------------------------
    postcodes = models.TextField(
        _("postcodes"),
        blank=True,
        help_text=_("Five-digit postcodes or prefixes, separated by commas or spaces."),
    )
    municipalities = models.TextField(
        _("municipalities"), blank=True, help_text=_("One municipality per line.")
    )
    bg_from = models.CharField(_("BG numbers from"), max_length=20, blank=True)
    bg_to = models.CharField(_("BG numbers up to"), max_length=20, blank=True)
    letters = models.CharField(
        _("first letters of the surname"),
        max_length=60,
        blank=True,
        help_text=_("For example: A-K or A, B, Ä"),
    )
    doc_types = models.TextField(
        _("document types"), blank=True, help_text=_("Type codes separated by commas, e.g. au_bescheinigung.")
    )
    only_office = models.ForeignKey(
        "households.ServiceOffice",
        verbose_name=_("only for households of this service office"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    only_function = models.CharField(
        _("only for this function"), max_length=20, choices=Function.choices, blank=True
    )
    # --- targets --------------------------------------------------------------------------------
    service_office = models.ForeignKey(
        "households.ServiceOffice",
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    team = models.ForeignKey(
        "households.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    function = models.CharField(_("function"), max_length=20, choices=Function.choices, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline in days"),
        null=True,
        blank=True,
        help_text=_("For document-type rules: the inbox item gets a deadline this many days after receipt."),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}: {self.name}"

    # --- parsing helpers (pure) -----------------------------------------------------------------
    def postcode_list(self) -> list[str]:
        return [p for p in self.postcodes.replace(",", " ").split() if p]

    def municipality_list(self) -> list[str]:
        return [m.strip().casefold() for m in self.municipalities.splitlines() if m.strip()]

    def doc_type_list(self) -> list[str]:
        return [c.strip() for c in self.doc_types.replace(";", ",").split(",") if c.strip()]

    def letter_set(self) -> set[str]:
        result: set[str] = set()
        for part in self.letters.replace(";", ",").split(","):
            part = part.strip().upper()
            if not part:
                continue
            if len(part) == 3 and part[1] == "-":
                result.update(chr(c) for c in range(ord(part[0]), ord(part[2]) + 1))
            else:
                result.add(part[0])
        return result

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        kind = self.kind
        if kind == self.Kind.OFFICE_BY_POSTCODE and not self.postcode_list():
            errors["postcodes"] = _("Enter at least one postcode.")
        if kind == self.Kind.OFFICE_BY_MUNICIPALITY and not self.municipality_list():
            errors["municipalities"] = _("Enter at least one municipality.")
        if (
            kind in (self.Kind.OFFICE_BY_POSTCODE, self.Kind.OFFICE_BY_MUNICIPALITY)
            and not self.service_office_id
        ):
            errors["service_office"] = _("Choose the service office these households belong to.")
        if kind == self.Kind.RESPONSIBLE_BY_BG_RANGE and not (self.bg_from and self.bg_to):
            errors["bg_from"] = _("Enter the first and the last BG number of the range.")
        if kind == self.Kind.RESPONSIBLE_BY_SURNAME and not self.letter_set():
            errors["letters"] = _("Enter the letters, for example A-K.")
        if kind in (self.Kind.RESPONSIBLE_BY_BG_RANGE, self.Kind.RESPONSIBLE_BY_SURNAME) and not (
            self.team_id or self.assignee_id
        ):
            errors["team"] = _("Choose a team or a staff member.")
        if kind == self.Kind.FUNCTION_BY_TYPE:
            if not self.doc_type_list():
                errors["doc_types"] = _("Enter at least one document type code.")
            if not self.function:
                errors["function"] = _("Choose the function that handles these documents.")
        if errors:
            raise ValidationError(errors)


# Sorts items without a deadline after all others, in an index both databases read in order.
NO_DEADLINE = dt.date(9999, 12, 31)


class InboxItem(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="inbox_items")
    # Copied from the document when the item is created, so that lists filter and sort on one indexed table.
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    doc_type = models.CharField(_("document type"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    team = models.ForeignKey(
        "households.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    deputy_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("as deputy for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = EncryptedTextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    reason = models.CharField(_("why here"), max_length=300, blank=True)
    reason_steps = models.JSONField(default=list, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Computed by the database, so that the inbox lists (new + open, sorted by receipt or deadline) read
    # one index in order and stop after a page, whatever the size of the inbox (bench/inbox_scale.py).
    # 1 while new or open, else 0 (an integer: SQLite uses an index for "active = 1", not for a bare boolean).
    active = models.GeneratedField(
        expression=models.Case(
            models.When(state__in=["new", "open"], then=models.Value(1)),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    due = models.GeneratedField(
        expression=Coalesce("deadline", models.Value(NO_DEADLINE)),
        output_field=models.DateField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["assignee", "state", "-created_at"]),
            models.Index(fields=["team", "state", "-created_at"]),
            models.Index(fields=["assignee", "state", "received_at", "id"], name="inbox_assignee_received"),
            models.Index(fields=["team", "state", "received_at", "id"], name="inbox_team_received"),
            models.Index(
                fields=["assignee", "active", "received_at", "id"], name="inbox_assignee_active_rcv"
            ),
            models.Index(fields=["team", "active", "received_at", "id"], name="inbox_team_active_rcv"),
            models.Index(fields=["assignee", "state", "due", "-id"], name="inbox_assignee_deadline"),
            models.Index(fields=["team", "state", "due", "-id"], name="inbox_team_deadline"),
            models.Index(fields=["assignee", "active", "due", "-id"], name="inbox_assignee_active_due"),
            models.Index(fields=["team", "active", "due", "-id"], name="inbox_team_active_due"),
            models.Index(fields=["assignee", "active", "doc_type"], name="inbox_assignee_active_type"),
            models.Index(fields=["team", "active", "doc_type"], name="inbox_team_active_type"),
            models.Index(fields=["household", "state"], name="inbox_household_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "assignee"],
                condition=models.Q(assignee__isnull=False),
                name="inbox_one_item_per_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.assignee or self.team}"

    def reason_lines(self) -> list[str]:
        from .routing import describe_steps

        return describe_steps(self.reason_steps)


class InboxEvent(models.Model):
    """What happened to a document in the inbox: who opened, processed, forwarded or reassigned it."""

    class Action(models.TextChoices):
        ROUTED = "routed", _("Routed")
        OPENED = "opened", _("Opened")
        PROCESSED = "processed", _("Marked as processed")
        REOPENED = "reopened", _("Reopened")
        FORWARDED = "forwarded", _("Forwarded")
        REASSIGNED = "reassigned", _("Household assigned to another caseworker")
        CLEARING = "clearing", _("Handed to the clearing team")

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="inbox_events")
    item = models.ForeignKey(
        InboxItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("as deputy for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target = models.CharField(_("to"), max_length=200, blank=True)
    note = EncryptedTextField(_("note"), blank=True, household_attr="document.household_id")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inbox event")
        verbose_name_plural = _("inbox events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["document", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.document_id}"
