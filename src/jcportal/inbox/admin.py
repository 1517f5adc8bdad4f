from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import InboxEvent, InboxItem, RoutingRule


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


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["pk", "doc_type", "assignee", "team", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["document", "household", "assignee", "deputy_for", "forwarded_by"]
    readonly_fields = ["reason", "reason_steps"]


@admin.register(InboxEvent)
class InboxEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "target"]
    raw_id_fields = ["document", "item", "actor", "on_behalf_of"]
