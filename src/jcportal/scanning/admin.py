from django.contrib import admin

from .models import ImportedFile, ScanBatch


@admin.register(ScanBatch)
class ScanBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "source", "status", "page_count", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["file", "sha256", "size", "page_count", "split_at", "created_at"]
    raw_id_fields = ["default_household", "created_by"]


@admin.register(ImportedFile)
class ImportedFileAdmin(admin.ModelAdmin):
    list_display = ["path", "status", "pages", "documents", "started_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["path", "sha256"]
    raw_id_fields = ["batch"]
