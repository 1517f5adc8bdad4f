from django.contrib import admin

from .models import DocumentRequest, DocumentRequestItem


class ItemInline(admin.TabularInline):
    model = DocumentRequestItem
    extra = 0
    raw_id_fields = ["document"]


@admin.register(DocumentRequest)
class DocumentRequestAdmin(admin.ModelAdmin):
    list_display = ["household", "deadline", "created_at", "completed_at", "withdrawn_at"]
    list_filter = ["deadline", "completed_at"]
    search_fields = ["household__bg_number"]
    raw_id_fields = ["household", "created_by"]
    inlines = [ItemInline]
