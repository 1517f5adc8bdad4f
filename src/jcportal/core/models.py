from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker host name; the beat schedule refreshes it so /healthz can see a live worker."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class PageSlug(models.TextChoices):
    ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")
    EASY_LANGUAGE = "leichte-sprache", _("Information in Leichte Sprache")
    SIGN_LANGUAGE = "gebaerdensprache", _("Sign language")
    IMPRINT = "impressum", _("Imprint")
    PRIVACY = "datenschutz", _("Privacy notice")


class Page(models.Model):
    """The text of one information page in one language, written by the administrator.

    Without a row for the current language the page shows its built-in, translated default text.
    The body is plain text with a very small markup (see ``core.markup``): blank lines separate
    paragraphs, ``## `` starts a heading, ``- `` a list item, ``[text](https://…)`` is a link.
    """

    slug = models.CharField(_("page"), max_length=40, choices=PageSlug.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Blank line = new paragraph. A line starting with '## ' is a heading, '- ' a list item. "
            "Links: [text](https://example.org)."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")
        ordering = ["slug", "language"]
        constraints = [models.UniqueConstraint(fields=["slug", "language"], name="page_unique_slug_language")]

    def __str__(self) -> str:
        return f"{self.get_slug_display()} ({self.language})"


class AccessibilityFeedback(models.Model):
    """A report of a barrier, sent through the feedback form of the accessibility statement."""

    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    page_address = models.CharField(_("page concerned"), max_length=500, blank=True)
    message = models.TextField(_("description of the barrier"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address for the answer"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.message[:40]}"


def _video_path(instance: "SignLanguageVideo", filename: str) -> str:
    return f"sign-language/{filename}"


class SignLanguageVideo(models.Model):
    """A video in German Sign Language (DGS), uploaded by the administrator (BITV 2.0 Anlage 2)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("short description"), blank=True)
    file = models.FileField(
        _("video file"),
        upload_to=_video_path,
        validators=[FileExtensionValidator(["mp4", "webm"])],
        help_text=_("MP4 or WebM, at least 320×240 pixels and 25 frames per second, with the DGS logo."),
    )
    duration_seconds = models.PositiveIntegerField(_("duration in seconds"))
    size_bytes = models.PositiveBigIntegerField(_("file size in bytes"), default=0, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("sign-language video")
        verbose_name_plural = _("sign-language videos")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.file:
            self.size_bytes = self.file.size
        super().save(*args, **kwargs)

    @property
    def content_type(self) -> str:
        return "video/webm" if self.file.name.lower().endswith(".webm") else "video/mp4"

    @property
    def duration_display(self) -> str:
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"


class DataKey(models.Model):
    """A data key of envelope encryption, stored only wrapped by the key-encryption key (KEK).

    One per household (the Akte; ``household_id`` is the household's primary key, kept as a plain
    integer so that core imports nothing above it) and one system key (``household_id`` empty) for
    objects without a household: clearing, scan batches, access requests, exports. Destroying a key
    (``core.crypto.destroy_household_key``) blanks the wrapped key: everything encrypted with it is
    unreadable from then on, in every copy (crypto-shredding).
    """

    id = models.UUIDField(primary_key=True, editable=False)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    provider = models.CharField(max_length=40)
    kek_id = models.CharField(max_length=300)
    wrapped = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.UniqueConstraint(
                fields=["household_id"],
                condition=models.Q(destroyed_at__isnull=True, household_id__isnull=False),
                name="one_live_data_key_per_household",
            ),
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(destroyed_at__isnull=True, household_id__isnull=True),
                name="one_live_system_data_key",
            ),
        ]

    def __str__(self) -> str:
        scope = f"household {self.household_id}" if self.household_id is not None else "system"
        return f"{self.id} ({scope})"
