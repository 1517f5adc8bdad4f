"""The organisation (Jobcenter → service offices → teams) and the households it serves.

A household is a *Bedarfsgemeinschaft* (BG): the people whose needs are assessed together, identified
by its BG number. Staff accounts (accounts.User) belong to a team.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jcportal.core.fields import EncryptedCharField


class Jobcenter(models.Model):
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("Jobcenter")
        verbose_name_plural = _("Jobcenters")

    def __str__(self) -> str:
        return self.name


class ServiceOffice(models.Model):
    """A *Standort*: responsible for the households living in its postcodes or municipalities."""

    jobcenter = models.ForeignKey(Jobcenter, on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcodes = models.TextField(
        _("postcodes served"), blank=True, help_text=_("Five-digit postcodes, separated by commas or spaces.")
    )
    municipalities = models.TextField(
        _("municipalities served"), blank=True, help_text=_("One municipality per line.")
    )

    class Meta:
        verbose_name = _("service office")
        verbose_name_plural = _("service offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def postcode_list(self) -> list[str]:
        return [p for p in self.postcodes.replace(",", " ").split() if p]

    def municipality_list(self) -> list[str]:
        return [m.strip() for m in self.municipalities.splitlines() if m.strip()]


class Team(models.Model):
    class Function(models.TextChoices):
        BENEFITS = "benefits", _("Benefits (Leistungssachbearbeitung)")
        INTEGRATION = "integration", _("Integration (Fallmanagement / Arbeitsvermittlung)")
        INTAKE = "intake", _("Intake and clearing (Eingangszone)")

    service_office = models.ForeignKey(ServiceOffice, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(
        _("function"), max_length=20, choices=Function.choices, default=Function.BENEFITS
    )
    is_clearing = models.BooleanField(
        _("clearing team"), default=False, help_text=_("Receives everything that no rule can route.")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["service_office__name", "name"]

    def __str__(self) -> str:
        return f"{self.service_office} – {self.name}"


def normalise_bg_number(value: str) -> str:
    """BG numbers are stored and looked up in capitals without spaces ("12345bg 0000001" → "12345BG0000001"),
    so every lookup is an exact match on the unique index."""
    return "".join((value or "").split()).upper()


class Household(models.Model):
    """A Bedarfsgemeinschaft."""

    bg_number = models.CharField(_("BG number"), max_length=20, unique=True)
    service_office = models.ForeignKey(
        ServiceOffice, on_delete=models.PROTECT, related_name="households", null=True, blank=True
    )
    responsible_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, related_name="households", null=True, blank=True
    )
    responsible_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible caseworker"),
        on_delete=models.SET_NULL,
        related_name="households_as_caseworker",
        null=True,
        blank=True,
    )
    responsible_integration_specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible integration specialist"),
        on_delete=models.SET_NULL,
        related_name="households_as_integration_specialist",
        null=True,
        blank=True,
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    iban = EncryptedCharField(_("IBAN"), max_length=34, blank=True, household_attr="pk")
    approval_until = models.DateField(_("current approval period ends"), null=True, blank=True)
    active = models.BooleanField(_("receives benefits"), default=True)
    # start event of the case file's retention (records app): the last day benefits were paid
    benefits_ended_on = models.DateField(
        _("benefits ended on"),
        null=True,
        blank=True,
        help_text=_("The last day benefits were paid. The case file's retention period counts from it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household (Bedarfsgemeinschaft)")
        verbose_name_plural = _("households (Bedarfsgemeinschaften)")
        ordering = ["bg_number"]

    def __str__(self) -> str:
        head = self.members.filter(is_head=True).first()
        return f"{self.bg_number} {head.last_name if head else ''}".strip()

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.bg_number = normalise_bg_number(self.bg_number)
        super().save(*args, **kwargs)

    @property
    def head(self) -> Person | None:
        return self.members.filter(is_head=True).first()


class Person(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("applicant (representative of the household)")
        PARTNER = "partner", _("partner")
        CHILD = "child", _("child")
        OTHER = "other", _("other person")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_name = models.CharField(_("birth name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices, default=Relation.HEAD)
    is_head = models.BooleanField(_("representative of the household"), default=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["household", "-is_head", "date_of_birth"]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
