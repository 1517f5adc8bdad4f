"""Online-service submissions: the answers as the machine-readable submission (valid against the
published JSON Schema of the service and version), the Vorgangsnummer, the PDF copy and the evidence."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jcportal.eforms.models import Submission
from jcportal.eforms.services import submission_json

from .serializers import CursorPageSerializer


def _url(name: str, args: list[Any], context: dict[str, Any]) -> str:
    return reverse(name, args=args, request=context.get("request"))


class EvidenceSerializer(serializers.Serializer):
    document = serializers.URLField(help_text="The document resource (scope documents:read).")
    id = serializers.UUIDField()
    eingangsnummer = serializers.CharField()
    step = serializers.CharField()
    field = serializers.CharField()


class SubmissionSerializer(serializers.ModelSerializer):
    vorgangsnummer = serializers.CharField(source="reference")
    form = serializers.CharField(source="form_slug")
    status = serializers.CharField(
        help_text="submitted, query (question to the applicant), confirmed, approved, rejected, converted, done."
    )
    bg_number = serializers.CharField(source="household.bg_number", default=None, allow_null=True)
    answers_schema = serializers.SerializerMethodField(
        help_text="The JSON Schema the answers validate against."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "vorgangsnummer",
            "form",
            "form_version",
            "status",
            "bg_number",
            "submitted_at",
            "application_date",
            "decided_at",
            "language",
            "by_representative",
            "answers_schema",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_answers_schema(self, submission: Submission) -> str:
        return _url("api:submission-schema", [submission.form_slug, submission.form_version], self.context)

    @extend_schema_field(serializers.URLField())
    def get_url(self, submission: Submission) -> str:
        return _url("api:submission-detail", [submission.pk], self.context)


class SubmissionPageSerializer(CursorPageSerializer):
    results = SubmissionSerializer(many=True)


class SubmissionDetailSerializer(SubmissionSerializer):
    answers = serializers.SerializerMethodField(
        help_text="The machine-readable submission (form, version, Vorgangsnummer, data per step)."
    )
    pdf = serializers.SerializerMethodField(help_text="The PDF copy for the case file.")
    copy_document = serializers.SerializerMethodField(help_text="The copy as a document (documents:read).")
    evidence = serializers.SerializerMethodField()
    fachverfahren = serializers.SerializerMethodField(
        help_text="The Fachverfahren record (jcportal.fachverfahren/1) with the workflow result."
    )

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "answers",
            "pdf",
            "copy_document",
            "evidence",
            "fachverfahren",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_answers(self, submission: Submission) -> dict[str, Any]:
        return submission_json(submission)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf(self, submission: Submission) -> str | None:
        document = submission.document
        if document is None or not document.pdf:
            return None
        return _url("api:submission-pdf", [submission.pk], self.context)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_copy_document(self, submission: Submission) -> str | None:
        if submission.document_id is None:
            return None
        return _url("api:document-detail", [submission.document_id], self.context)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, submission: Submission) -> list[dict[str, Any]]:
        return [
            {
                "document": _url("api:document-detail", [e.document_id], self.context),
                "id": e.document_id,
                "eingangsnummer": e.document.receipt_number,
                "step": e.step,
                "field": e.field,
            }
            for e in submission.evidence.all()
        ]

    @extend_schema_field(serializers.URLField())
    def get_fachverfahren(self, submission: Submission) -> str:
        return _url("api:submission-fachverfahren", [submission.pk], self.context)
