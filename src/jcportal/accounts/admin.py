from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import STAFF_ROLES, Absence, User


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

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        # Citizen accounts belong to a household: they are managed in the back office, under the
        # access policy and with an audit trail, never here.
        return super().get_queryset(request).filter(role__in=STAFF_ROLES)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["staff", "deputy", "starts_on", "ends_on"]
