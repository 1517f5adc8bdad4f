"""What the API says about documents and events (households, letters, requests: serializers_*.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jcportal.documents.models import Document, OriginalFile


class OriginalSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = OriginalFile
        fields = ["position", "name", "size", "sha256", "detected_type", "page_count", "url"]

    def get_url(self, original: OriginalFile) -> str:
        return reverse(
            "api:document-original",
            args=[original.document_id, original.position],
            request=self.context.get("request"),
        )


class AnsweredRequestSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    item = serializers.IntegerField()
    label = serializers.CharField()
    state = serializers.CharField(help_text="received (to be checked by staff) or accepted.")


class DocumentSerializer(serializers.ModelSerializer):
    eingangsnummer = serializers.CharField(source="receipt_number", help_text="The receipt number.")
    document_type = serializers.CharField(source="doc_type")
    document_type_label = serializers.CharField(source="type_label")
    bg_number = serializers.CharField(source="household.bg_number", default=None, allow_null=True)
    member = serializers.SerializerMethodField(
        help_text="The household member who sent it (if a citizen did)."
    )
    vorgangsnummer = serializers.SerializerMethodField(help_text="Set when it came with an online service.")
    pdf = serializers.SerializerMethodField()
    ocr_text = serializers.SerializerMethodField()
    originals = OriginalSerializer(many=True, read_only=True)
    answers_requests = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "eingangsnummer",
            "direction",
            "channel",
            "document_type",
            "document_type_label",
            "title",
            "bg_number",
            "member",
            "status",
            "received_at",
            "delivered_at",
            "page_count",
            "pdf_sha256",
            "pdf",
            "ocr_text",
            "originals",
            "answers_requests",
            "vorgangsnummer",
            "exported_at",
            "filed_at",
            "dms_reference",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_member(self, document: Document) -> dict[str, Any] | None:
        user = document.uploaded_by
        person = getattr(user, "person", None) if user is not None else None
        if person is None or person.household_id != document.household_id:
            return None
        return {"id": person.pk, "first_name": person.first_name, "last_name": person.last_name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_vorgangsnummer(self, document: Document) -> str | None:
        submission = getattr(document, "eforms_submission", None)
        if submission is None:
            evidence = list(document.eforms_evidence.all())
            submission = evidence[0].submission if evidence else None
        return getattr(submission, "reference", None) or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf(self, document: Document) -> str | None:
        if not document.pdf:
            return None
        return reverse("api:document-pdf", args=[document.pk], request=self.context.get("request"))

    @extend_schema_field(serializers.URLField())
    def get_ocr_text(self, document: Document) -> str:
        return reverse("api:document-text", args=[document.pk], request=self.context.get("request"))

    @extend_schema_field(AnsweredRequestSerializer(many=True))
    def get_answers_requests(self, document: Document) -> list[dict[str, Any]]:
        return [
            {"request": item.request_id, "item": item.pk, "label": str(item), "state": item.state}
            for item in document.request_items.all()
            if item.state != "rejected"  # a rejected answer no longer answers the item
        ]


class CursorPageSerializer(serializers.Serializer):
    """A page of an API list (``ApiCursorPagination``); subclasses add ``results``."""

    next = serializers.URLField(allow_null=True, help_text="The next page (cursor), or null at the end.")
    previous = serializers.URLField(allow_null=True)


class DocumentPageSerializer(CursorPageSerializer):
    results = DocumentSerializer(many=True)


class AcknowledgementSerializer(serializers.Serializer):
    dms_reference = serializers.CharField(max_length=200, help_text="The DMS's own id of the filed document.")
    filed_at = serializers.DateTimeField(required=False, help_text="When the DMS filed it (default: now).")


class AcknowledgementResultSerializer(serializers.Serializer):
    document = serializers.UUIDField()
    filed_at = serializers.DateTimeField()
    dms_reference = serializers.CharField()
    recorded = serializers.BooleanField(help_text="False when this acknowledgement was already recorded.")


class CloudEventSerializer(serializers.Serializer):
    specversion = serializers.CharField()
    id = serializers.CharField()
    source = serializers.CharField()
    type = serializers.CharField()
    subject = serializers.CharField()
    time = serializers.CharField()
    datacontenttype = serializers.CharField()
    dataref = serializers.CharField()
    data = serializers.DictField()
    sequence = serializers.CharField(required=False)


class FeedPageSerializer(serializers.Serializer):
    events = CloudEventSerializer(many=True)
    cursor = serializers.CharField(help_text="Pass as ?after= to continue; unchanged when nothing is new.")
