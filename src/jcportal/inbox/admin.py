from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "kind", "active", "service_office", "team", "assignee", "function"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["kind", "active"]
    ordering = ["position", "pk"]
    fieldsets = (
        (None, {"fields": ("position", "active", "kind", "name")}),
        (
            _("Conditions"),
            {
                "fields": (
                    "postcodes",
                    "municipalities",
                    "bg_from",
                    "bg_to",
                    "letters",
                    "doc_types",
                    "only_office",
                    "only_function",
                )
            },
        ),
        (_("Targets"), {"fields": ("service_office", "team", "assignee", "function", "deadline_days")}),
    )
