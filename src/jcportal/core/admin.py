from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import intake
from .models import AccessibilityFeedback, Page, SignLanguageVideo


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["slug", "language", "title", "updated_at"]
    list_filter = ["slug", "language"]
    search_fields = ["title", "body"]


VIDEO_TYPES = {"video/mp4": "MP4", "video/webm": "WebM"}
VIDEO_MAX_BYTES = 500 * 1024 * 1024


class SignLanguageVideoForm(forms.ModelForm):
    class Meta:
        model = SignLanguageVideo
        fields = ["title", "description", "file", "duration_seconds", "position", "published"]

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file: the intake checks of every upload
            intake.check_file(upload, VIDEO_TYPES, VIDEO_MAX_BYTES)
        return upload


@admin.register(SignLanguageVideo)
class SignLanguageVideoAdmin(admin.ModelAdmin):
    form = SignLanguageVideoForm
    list_display = ["title", "duration_seconds", "size_bytes", "position", "published"]
    list_editable = ["position", "published"]
    readonly_fields = ["size_bytes"]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_address", "email", "language", "handled_at"]
    list_filter = ["handled_at", "language"]
    search_fields = ["message", "page_address", "email"]
    readonly_fields = ["created_at", "page_address", "message", "name", "email", "language"]
    actions = ["mark_handled"]

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request, queryset):  # type: ignore[no-untyped-def]
        queryset.filter(handled_at__isnull=True).update(handled_at=timezone.now())
