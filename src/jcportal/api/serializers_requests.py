"""Document requests (Mitwirkungsaufforderungen) a Fachverfahren creates: deadline and items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jcportal.docrequests.models import DocumentRequest, DocumentRequestItem
from jcportal.documents import types


class RequestItemWriteSerializer(serializers.Serializer):
    document_type = serializers.CharField(
        max_length=40, help_text="A document type of the evidence catalogue (docs/integration/api.md)."
    )
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    optional = serializers.BooleanField(default=False)

    def validate_document_type(self, value: str) -> str:
        if value not in types.BY_CODE:
            raise serializers.ValidationError(_("Unknown document type."))
        return value


class RequestWriteSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=5000, help_text="Shown to the citizen above the list.")
    deadline = serializers.DateField(help_text="After today and within one year.")
    items = RequestItemWriteSerializer(many=True, min_length=1, max_length=20)

    def validate_deadline(self, value: dt.date) -> dt.date:
        today = timezone.localdate()
        if value <= today:
            raise serializers.ValidationError(_("The deadline must be in the future."))
        if value > today + dt.timedelta(days=365):
            raise serializers.ValidationError(_("The deadline must be within one year."))
        return value


class RequestItemSerializer(serializers.ModelSerializer):
    document_type = serializers.CharField(source="doc_type")
    document_type_label = serializers.CharField(source="type_label")
    arrived = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField(help_text="The document sent for it (scope documents:read).")

    class Meta:
        model = DocumentRequestItem
        fields = [
            "id",
            "position",
            "document_type",
            "document_type_label",
            "explanation",
            "optional",
            "arrived",
            "arrived_at",
            "document",
            "state",
            "rejection_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "state": {"help_text": "missing, received (to be checked by staff), accepted or rejected."},
            "rejection_reason": {"help_text": "Why staff rejected the last answer (shown to the citizen)."},
        }

    @extend_schema_field(serializers.BooleanField())
    def get_arrived(self, item: DocumentRequestItem) -> bool:
        return item.arrived_at is not None and item.document_id is not None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document(self, item: DocumentRequestItem) -> str | None:
        if item.document_id is None:
            return None
        return reverse("api:document-detail", args=[item.document_id], request=self.context.get("request"))


class DocumentRequestSerializer(serializers.ModelSerializer):
    bg_number = serializers.CharField(source="household.bg_number")
    status = serializers.SerializerMethodField(help_text="open, overdue, complete or withdrawn.")
    items = RequestItemSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentRequest
        fields = [
            "id",
            "bg_number",
            "explanation",
            "deadline",
            "status",
            "created_at",
            "completed_at",
            "withdrawn_at",
            "items",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_status(self, doc_request: DocumentRequest) -> str:
        if doc_request.withdrawn_at is not None:
            return "withdrawn"
        if doc_request.completed_at is not None:
            return "complete"
        return "overdue" if doc_request.is_overdue else "open"

    @extend_schema_field(serializers.URLField())
    def get_url(self, doc_request: Any) -> str:
        return reverse("api:docrequest-detail", args=[doc_request.pk], request=self.context.get("request"))
