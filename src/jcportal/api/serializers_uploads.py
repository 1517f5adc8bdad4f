"""Uploads in parts: announce, parts, complete."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jcportal.documents import types

from . import uploads


class UploadAnnounceSerializer(serializers.Serializer):
    bg_number = serializers.CharField(max_length=20)
    document_type = serializers.CharField(
        max_length=40, help_text="A document type (docs/integration/api.md)."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    file_name = serializers.CharField(max_length=200)
    size = serializers.IntegerField(min_value=1, max_value=uploads.MAX_SIZE, help_text="Total bytes.")

    def validate_document_type(self, value: str) -> str:
        if value not in types.BY_CODE:
            raise serializers.ValidationError(_("Unknown document type."))
        return value


class PartLinkSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Bytes this part must have.")
    url = serializers.URLField(help_text="PUT the raw bytes here (Content-Type: application/octet-stream).")
    received = serializers.BooleanField()


class UploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bg_number = serializers.CharField()
    document_type = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    part_size = serializers.IntegerField()
    part_count = serializers.IntegerField()
    parts = PartLinkSerializer(many=True)
    expires_at = serializers.DateTimeField(help_text="Incomplete uploads are removed after this time.")
    complete_url = serializers.URLField(help_text="POST here when every part is uploaded.")
    completed_at = serializers.DateTimeField(allow_null=True)
    document = serializers.URLField(allow_null=True, help_text="The document, once completed.")


class PartSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class UploadCompleteSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    document = serializers.URLField()
    eingangsnummer = serializers.CharField()
