from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Absence, AccessRequest, Representation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),  # type: ignore[misc]
        (
            _("Jobcenter"),
            {"fields": ("role", "team", "person", "preferred_language", "phone", "oidc_subject")},
        ),
    )
    raw_id_fields = ["person"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["staff", "deputy", "starts_on", "ends_on"]


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin):
    list_display = ["representative", "household", "valid_from", "valid_until", "revoked_at"]
    raw_id_fields = ["household"]


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "last_name", "first_name", "status", "team"]
    list_filter = ["status"]
    exclude = ["id_document"]
