"""Letters (a Bescheid, a Schreiben) a Fachverfahren posts to a household's postbox in the portal."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jcportal.casework.selectors import HIDDEN_FOR_CITIZENS
from jcportal.documents.models import Document

LETTER_TYPES = ("bescheid", "schreiben")
PDF_MAGIC = b"%PDF-"


def _check_pdf(head: bytes, size: int) -> None:
    if not head.startswith(PDF_MAGIC):
        raise serializers.ValidationError(_("This is not a PDF file."))
    if size > settings.UPLOAD_MAX_FILE_BYTES:
        raise serializers.ValidationError(_("The file is too large."))


class LetterJsonSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=LETTER_TYPES, default="bescheid")
    title = serializers.CharField(
        max_length=200, help_text="Shown to the citizen, e.g. 'Bewilligungsbescheid'."
    )
    file_name = serializers.CharField(max_length=200, default="bescheid.pdf")
    content_base64 = serializers.CharField(help_text="The PDF, base64-encoded.")

    def validate_content_base64(self, value: str) -> bytes:
        try:
            content = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise serializers.ValidationError(_("Not valid base64.")) from error
        _check_pdf(content[:5], len(content))
        return content


class LetterMultipartSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=LETTER_TYPES, default="bescheid")
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(help_text="The PDF.")

    def validate_file(self, value: Any) -> Any:
        value.seek(0)
        head = value.read(5)
        value.seek(0)
        _check_pdf(head, value.size or 0)
        return value


class LetterSerializer(serializers.ModelSerializer):
    eingangsnummer = serializers.CharField(source="receipt_number")
    document_type = serializers.CharField(source="doc_type")
    bg_number = serializers.CharField(source="household.bg_number")
    visible_in_portal = serializers.SerializerMethodField(
        help_text="True once the intake has checked the PDF: the citizen sees and can download it."
    )
    document = serializers.SerializerMethodField(help_text="The document resource (scope documents:read).")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "eingangsnummer",
            "bg_number",
            "document_type",
            "title",
            "status",
            "received_at",
            "delivered_at",
            "released_at",
            "visible_in_portal",
            "pdf_sha256",
            "document",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_visible_in_portal(self, document: Document) -> bool:
        return bool(
            document.released_at
            and not document.release_revoked_at
            and document.pdf
            and document.status not in HIDDEN_FOR_CITIZENS
        )

    @extend_schema_field(serializers.URLField())
    def get_document(self, document: Document) -> str:
        return reverse("api:document-detail", args=[document.pk], request=self.context.get("request"))

    @extend_schema_field(serializers.URLField())
    def get_url(self, document: Document) -> str:
        return reverse("api:letter-detail", args=[document.pk], request=self.context.get("request"))
