"""Administrators configure retention classes and the state archive settings here (configuration only:
holds and proposals hold social data and live in the back office, where the policy decides)."""

from django.contrib import admin

from .models import ArchiveSettings, RetentionClass


@admin.register(RetentionClass)
class RetentionClassAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "scope",
        "match",
        "duration_years",
        "duration_days",
        "start_event",
        "active",
    )
    list_filter = ("scope", "start_event", "active", "offer_to_archive")
    search_fields = ("name", "code", "match", "legal_source")
    fields = (
        "code",
        "name",
        "scope",
        "match",
        "duration_years",
        "duration_days",
        "start_event",
        "from_year_end",
        "offer_to_archive",
        "legal_source",
        "note",
        "active",
    )


@admin.register(ArchiveSettings)
class ArchiveSettingsAdmin(admin.ModelAdmin):
    list_display = ("authority_name", "archive_name", "archive_code")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not ArchiveSettings.objects.exists()
