"""People who log in: citizens (one person of a household), representatives, and staff with roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    REPRESENTATIVE = "representative", _("Representative (Bevollmächtigte)")
    CASEWORKER = "caseworker", _("Caseworker (Leistungssachbearbeitung)")
    CASE_MANAGER = "case_manager", _("Case manager / integration specialist (Fallmanagement)")
    TEAM_ASSISTANT = "team_assistant", _("Team assistant")
    SCAN_STATION = "scan_station", _("Scan station")
    TEAM_LEAD = "team_lead", _("Team lead")
    ADMIN = "admin", _("Administrator")
    DPO = "dpo", _("Data-protection officer")


STAFF_ROLES = {
    Role.CASEWORKER,
    Role.CASE_MANAGER,
    Role.TEAM_ASSISTANT,
    Role.SCAN_STATION,
    Role.TEAM_LEAD,
    Role.ADMIN,
    Role.DPO,
}
# Roles whose task requires reading the documents of the households of their team.
CASE_ROLES = {Role.CASEWORKER, Role.CASE_MANAGER, Role.TEAM_ASSISTANT, Role.TEAM_LEAD}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    person = models.ForeignKey(
        "households.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
        help_text=_(
            "For citizen accounts: the person (and through them the household) this account belongs to."
        ),
    )
    team = models.ForeignKey(
        "households.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notify_by_email = models.BooleanField(
        _("notify me by e-mail"),
        default=False,
        help_text=_("Only a short note that there is something new in the portal; never any personal data."),
    )
    notify_daily_digest = models.BooleanField(_("one summary per day instead of single notes"), default=False)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    lock_reason = models.CharField(_("reason for locking"), max_length=200, blank=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    oidc_subject = models.CharField(
        _("state portal account (OIDC identifier)"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Links a BundID or state portal login to this citizen account."),
    )

    objects: UserManager = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def household(self):  # type: ignore[no-untyped-def]
        return self.person.household if self.person_id else None


class Absence(models.Model):
    """A staff member's absence; during it, the deputy also receives new items and may act."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent staff member"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.PROTECT,
        related_name="deputyships",
    )
    starts_on = models.DateField(_("first day of absence"))
    ends_on = models.DateField(_("last day of absence"))
    further_deputies = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("further deputies"),
        related_name="further_deputyships",
        blank=True,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handed_over_at = models.DateTimeField(_("open items handed to the deputies at"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_on}–{self.ends_on} → {self.deputy}"

    @classmethod
    def current(cls, day=None):  # type: ignore[no-untyped-def]
        day = day or timezone.localdate()
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day)

    def all_deputies(self) -> list:  # type: ignore[type-arg]
        """The deputy, the further deputies and the standing substitutes of the absent person (active
        accounts only, never the absent person themself), each once, in that order."""
        found = [self.deputy, *self.further_deputies.all()]
        found += [rule.deputy for rule in Substitution.objects.filter(staff_id=self.staff_id)]
        seen: set[int] = set()
        result = []
        for user in found:
            if user.pk in seen or user.pk == self.staff_id or not user.is_active:
                continue
            seen.add(user.pk)
            result.append(user)
        return result

    @classmethod
    def covered_staff_ids(cls, deputy, day=None) -> list[int]:  # type: ignore[no-untyped-def]
        """Colleagues whose absence ``deputy`` covers on ``day``: as deputy, further deputy, or by a
        standing substitution for the absent person."""
        current = cls.current(day)
        standing = Substitution.objects.filter(deputy=deputy, staff__isnull=False).values("staff_id")
        ids = current.filter(
            models.Q(deputy=deputy) | models.Q(further_deputies=deputy) | models.Q(staff_id__in=standing)
        ).values_list("staff_id", flat=True)
        return sorted(set(ids) - {deputy.pk})


class TeamMembership(models.Model):
    """A staff member works in a further team (beside their home team ``User.team``), with a role there:
    they see that team's inbox and households like its own members (``policy.team_ids_of``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    team = models.ForeignKey(
        "households.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role in this team"),
        max_length=20,
        choices=[(r.value, r.label) for r in Role if r in CASE_ROLES],
        blank=True,
        help_text=_("Empty: the same role as in the home team."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team__name"]
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="team_membership_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.team}"

    @property
    def effective_role(self) -> str:
        return self.role or str(self.user.role)


class Substitution(models.Model):
    """A standing substitution (Vertretungsregel): ``deputy`` deputises for ``staff`` whenever ``staff``
    is absent, or (with ``team``) always for that team: its inbox and households."""

    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="standing_substitutions",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("whenever this colleague is absent"),
        on_delete=models.CASCADE,
        related_name="standing_substitutes",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        "households.Team",
        verbose_name=_("always for this team"),
        on_delete=models.CASCADE,
        related_name="standing_substitutes",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("standing substitution")
        verbose_name_plural = _("standing substitutions")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff__isnull=False, team__isnull=True)
                | models.Q(staff__isnull=True, team__isnull=False),
                name="substitution_staff_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.staff or self.team}"


class RepresentationQuerySet(models.QuerySet):
    def active(self, day=None):  # type: ignore[no-untyped-def]
        day = day or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )

    def with_scope(self, scope: str):  # type: ignore[no-untyped-def]
        field = {"upload": "scope_upload", "read": "scope_read", "services": "scope_services"}[scope]
        return self.filter(**{field: True})


class Representation(models.Model):
    """A *Vollmacht*: a representative may act for a household, beside (never instead of) the citizen."""

    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative"),
        on_delete=models.CASCADE,
        related_name="representations",
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="representations",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    scope_upload = models.BooleanField(_("may send documents"), default=True)
    scope_read = models.BooleanField(_("may read documents released by the Jobcenter"), default=False)
    scope_services = models.BooleanField(_("may file online services"), default=False)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    power_of_attorney_note = models.CharField(_("power of attorney on file"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RepresentationQuerySet.as_manager()

    class Meta:
        verbose_name = _("representation")
        verbose_name_plural = _("representations")

    def __str__(self) -> str:
        return f"{self.representative} → {self.household}"

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return (
            self.revoked_at is None
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
        )


class ActivationCode(models.Model):
    """A one-time code printed in an access letter. Only a salted hash is stored, never the code."""

    class Purpose(models.TextChoices):
        ACTIVATION = "activation", _("first activation")
        NEW_LETTER = "new_letter", _("new access letter")
        INVITATION = "invitation", _("invitation of a representative")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.ACTIVATION)
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.invalidated_at is None and self.expires_at > timezone.now()


class AccessRequest(models.Model):
    """A person asks online for portal access; staff match it to a household and decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    bg_number = models.CharField(_("BG number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    id_document = models.FileField(_("ID document"), upload_to="access-requests/%Y/%m/", blank=True)
    id_document_name = models.CharField(max_length=200, blank=True)
    id_document_content_type = models.CharField(max_length=100, blank=True)
    id_document_scanned = models.BooleanField(_("checked for malware"), default=False)
    consent_version = models.CharField(max_length=40)
    team = models.ForeignKey(
        "households.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        "households.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.created_at:%Y-%m-%d})"


class Consent(models.Model):
    """A revocable opt-in (e.g. digital delivery of decisions), with the version of the text agreed to."""

    class Kind(models.TextChoices):
        DIGITAL_DELIVERY = "digital_delivery", _("Digital delivery of decisions")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="consents", null=True, blank=True
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    text_version = models.CharField(max_length=40)
    given_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.text_version}"


class Passkey(Device):
    """A WebAuthn credential (passkey) a person logs in with; with user verification it is also a
    second factor, so it is a django-otp device and a passkey login marks the session as verified."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at"]
