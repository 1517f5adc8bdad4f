"""Documents: metadata, the PDF, the originals, the OCR text, and the DMS's acknowledgement."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.fields import BooleanField
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.core.downloads import file_response
from jcportal.documents import services as document_services
from jcportal.documents.models import Document, OriginalFile

from . import scopes
from .serializers import (
    AcknowledgementResultSerializer,
    AcknowledgementSerializer,
    DocumentPageSerializer,
    DocumentSerializer,
)
from .views_base import ApiCursorPagination, ApiView

FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    (206, "application/octet-stream"): OpenApiTypes.BINARY,
    304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
    404: OpenApiResponse(description="No such document, or not visible to this client."),
    416: OpenApiResponse(description="Range not satisfiable."),
}
# The PDFs are served as what they are (application/pdf), the originals as bytes.
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (206, "application/pdf"): OpenApiTypes.BINARY,
    **{
        key: value
        for key, value in FILE_RESPONSES.items()
        if key not in {(200, "application/octet-stream"), (206, "application/octet-stream")}
    },
}


class DocumentPagination(ApiCursorPagination):
    ordering = "-received_at"


def _documents() -> QuerySet[Document]:
    return (
        Document.objects.select_related("household", "uploaded_by__person", "eforms_submission")
        .prefetch_related("originals", "request_items", "eforms_evidence__submission")
        .exclude(status=Document.Status.QUARANTINED)
    )


class DocumentList(ApiView):
    required_scopes = scopes.DOCUMENTS_READ

    @extend_schema(
        operation_id="documents_list",
        parameters=[
            OpenApiParameter("bg_number", str, description="Only this household (BG number)."),
            OpenApiParameter(
                "filed", bool, description="false: only documents the DMS has not acknowledged."
            ),
            OpenApiParameter("delivered", bool, description="true: only documents whose PDF is ready."),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int, description="Page size, at most 500."),
        ],
        responses=DocumentPageSerializer,
    )
    def get(self, request: Request) -> Response:
        queryset = _documents().filter(household__in=self.visible_households())
        if bg_number := request.query_params.get("bg_number"):
            queryset = queryset.filter(household__bg_number=bg_number.strip().upper())
        filed = _boolean(request, "filed")
        if filed is not None:
            queryset = queryset.filter(filed_at__isnull=not filed)
        if _boolean(request, "delivered"):
            queryset = queryset.filter(delivered_at__isnull=False)
        paginator = DocumentPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        self.audit_read("api.documents_listed", documents=[str(document.pk) for document in page])
        data = DocumentSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


def _boolean(request: Request, name: str) -> bool | None:
    """A boolean query parameter as the schema says (``true`` / ``false``); anything else is a 400."""
    value = request.query_params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        # DRF's own message, translated in its catalogues
        raise ParseError(f"{name}: {BooleanField.default_error_messages['invalid']}")
    return value == "true"


class DocumentDetail(ApiView):
    required_scopes = scopes.DOCUMENTS_READ

    @extend_schema(operation_id="documents_retrieve", responses=DocumentSerializer)
    def get(self, request: Request, document_id: Any) -> Response:
        document = self.get_visible(_documents(), pk=document_id)
        self.audit_read("api.document_read", document)
        return Response(DocumentSerializer(document, context={"request": request}).data)


def _document(document_id: Any) -> Document:
    """The document by id (or 404), before any access check: whether the client may download it (its PDF,
    an original, its text), the documents service asks ``policy.can_download``, as for the portal and the
    back office; a quarantined document or one of another territory is a 404 there."""
    document = Document.objects.select_related("household").filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


class DocumentPdf(ApiView):
    required_scopes = scopes.DOCUMENTS_READ

    @extend_schema(
        operation_id="documents_pdf",
        description="The delivered PDF (PDF/A-2b). Strong ETag = SHA-256; single byte ranges (Range).",
        responses=PDF_RESPONSES,
    )
    def get(self, request: Request, document_id: Any) -> HttpResponseBase:
        actor = self.actor
        document = _document(document_id)
        download = document_services.prepare_download(actor, document)
        if not document.delivered_at:
            raise Http404
        response = file_response(
            request,
            download.file,
            sha256=download.sha256,
            filename=download.filename,
            content_type=download.content_type,
        )
        if response.status_code in (200, 206):
            document_services.record_download(actor, document, through_api=True)
            if self.client.has_scope(scopes.DOCUMENTS_ACK):
                document_services.mark_exported(document, to=actor.label, actor=actor)
        return response


class DocumentOriginal(ApiView):
    required_scopes = scopes.DOCUMENTS_READ

    @extend_schema(
        operation_id="documents_original",
        description="One original file exactly as received (byte-identical). ETag and Range as for the PDF.",
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, document_id: Any, position: int) -> HttpResponseBase:
        actor = self.actor
        document = _document(document_id)
        original = OriginalFile.objects.filter(document=document, position=position).first()
        if original is None:
            raise Http404
        download = document_services.prepare_download(actor, document, original)
        response = file_response(
            request,
            download.file,
            sha256=download.sha256,
            # the API's own name (receipt number and position), not the name the citizen's file had
            filename=f"{document.receipt_number}-{original.position:03d}",
            content_type=download.content_type,
        )
        if response.status_code in (200, 206):
            document_services.record_download(actor, document, original, through_api=True)
        return response


class DocumentText(ApiView):
    required_scopes = scopes.DOCUMENTS_READ

    @extend_schema(
        operation_id="documents_text",
        description="The recognised text (OCR) of the PDF, as plain UTF-8.",
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request: Request, document_id: Any) -> HttpResponseBase:
        document = _document(document_id)
        if not document_services.may_download(self.actor, document):
            raise Http404
        self.audit_read("api.document_read", document, part="text")
        return HttpResponse(document.ocr_text or "", content_type="text/plain; charset=utf-8")


class DocumentAcknowledgement(ApiView):
    required_scopes = scopes.DOCUMENTS_ACK

    @extend_schema(
        operation_id="documents_acknowledge",
        description=(
            "The DMS reports that it filed the document in the E-Akte under its own reference. Idempotent: the "
            "same reference again answers 200 with recorded=false; another reference for a filed document is 409."
        ),
        request=AcknowledgementSerializer,
        responses={
            200: AcknowledgementResultSerializer,
            400: OpenApiResponse(description="Invalid body."),
            404: OpenApiResponse(description="No such document, or not visible to this client."),
            409: OpenApiResponse(description="Not delivered yet, or filed under another reference."),
        },
    )
    def post(self, request: Request, document_id: Any) -> Response:
        document = self.get_visible(Document.objects.all(), pk=document_id)
        body = AcknowledgementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            recorded = document_services.acknowledge_filed(
                document,
                dms_reference=body.validated_data["dms_reference"],
                filed_at=body.validated_data.get("filed_at"),
                actor=self.actor,
                by=self.actor.label,
            )
        except document_services.NotDelivered:
            return Response(
                {"detail": _("The document is not delivered yet.")}, status=status.HTTP_409_CONFLICT
            )
        except ValueError:
            return Response(
                {"detail": _("The document is already filed under another reference.")},
                status=status.HTTP_409_CONFLICT,
            )
        result = {
            "document": document.pk,
            "filed_at": document.filed_at,
            "dms_reference": document.dms_reference,
            "recorded": recorded,
        }
        return Response(AcknowledgementResultSerializer(result).data)
