"""Online-service submissions (submissions:read): list, detail with the answers, the PDF copy, the
Fachverfahren record, and the published JSON Schema of each service and version."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from jcportal.accounts import policy
from jcportal.core.downloads import file_response
from jcportal.eforms import engine, registry
from jcportal.eforms.models import Submission
from jcportal.exporters.base import Nothing
from jcportal.exporters.fachverfahren import fachverfahren_record

from . import scopes
from .paths import as_int, int_path
from .serializers_submissions import (
    SubmissionDetailSerializer,
    SubmissionPageSerializer,
    SubmissionSerializer,
)
from .views_base import ApiCursorPagination, ApiView

NOT_VISIBLE = OpenApiResponse(description="No such submission, or not visible to this client.")


class SubmissionPagination(ApiCursorPagination):
    ordering = "-submitted_at"


class SubmissionView(ApiView):
    required_scopes = scopes.SUBMISSIONS_READ

    def submissions(self) -> Any:
        return (
            policy.visible_submissions(self.actor)
            .exclude(reference="")
            .select_related("household", "document")
            .prefetch_related("evidence__document")
        )

    def get_submission(self, submission_id: Any) -> Submission:
        submission = self.submissions().filter(pk=submission_id).first()
        if submission is None:
            raise Http404
        return submission


class SubmissionList(SubmissionView):
    @extend_schema(
        operation_id="submissions_list",
        parameters=[
            OpenApiParameter("form", str, description="Only this online service (e.g. krankmeldung)."),
            OpenApiParameter("bg_number", str, description="Only this household."),
            OpenApiParameter("status", str, description="Only this status (submitted, confirmed, …)."),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int, description="Page size, at most 500."),
        ],
        responses=SubmissionPageSerializer,
    )
    def get(self, request: Request) -> Response:
        queryset = self.submissions()
        if form := request.query_params.get("form"):
            queryset = queryset.filter(form_slug=form)
        if bg_number := request.query_params.get("bg_number"):
            queryset = queryset.filter(household__bg_number="".join(bg_number.split()).upper())
        if state := request.query_params.get("status"):
            queryset = queryset.filter(status=state)
        paginator = SubmissionPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        if page:
            self.audit_read(action="api.submissions_listed", submissions=[s.reference for s in page])
        data = SubmissionSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class SubmissionDetail(SubmissionView):
    @extend_schema(
        operation_id="submissions_retrieve",
        responses={200: SubmissionDetailSerializer, 404: NOT_VISIBLE},
    )
    def get(self, request: Request, submission_id: Any) -> Response:
        submission = self.get_submission(submission_id)
        self.audit_read(action="api.submission_read", obj=submission, reference=submission.reference)
        return Response(SubmissionDetailSerializer(submission, context={"request": request}).data)


class SubmissionPdf(SubmissionView):
    @extend_schema(
        operation_id="submissions_pdf",
        description="The PDF copy of the submission for the case file. ETag and Range as for documents.",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (206, "application/pdf"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Not modified."),
            404: NOT_VISIBLE,
            416: OpenApiResponse(description="Range not satisfiable."),
        },
    )
    def get(self, request: Request, submission_id: Any) -> HttpResponseBase:
        submission = self.get_submission(submission_id)
        document = submission.document
        if document is None or not document.pdf:
            raise Http404
        response = file_response(
            request,
            document.pdf,
            sha256=document.pdf_sha256,
            filename=f"{submission.reference}.pdf",
            content_type="application/pdf",
        )
        if response.status_code in (200, 206):
            self.audit_read(action="api.submission_read", obj=submission, part="pdf")
        return response


class SubmissionFachverfahren(SubmissionView):
    @extend_schema(
        operation_id="submissions_fachverfahren",
        description=(
            "The Fachverfahren record (format jcportal.fachverfahren/1, docs/integration/fachverfahren-v1.md): "
            "the submission with the person and the workflow result (e.g. a confirmed sick note)."
        ),
        responses={200: OpenApiTypes.OBJECT, 404: NOT_VISIBLE},
    )
    def get(self, request: Request, submission_id: Any) -> Response:
        submission = self.get_submission(submission_id)
        try:
            record = fachverfahren_record(submission)
        except Nothing as error:
            raise Http404 from error
        self.audit_read(action="api.submission_read", obj=submission, part="fachverfahren")
        return Response(record)


class SubmissionSchema(ApiView):
    required_scopes = scopes.SUBMISSIONS_READ

    @extend_schema(
        operation_id="submissions_schema",
        description=(
            "The JSON Schema (2020-12) of the machine-readable submission (`answers`) of this online service "
            "and form version, generated from the form definition."
        ),
        parameters=[int_path("version", "The form version.")],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiResponse(description="No such service or version.")},
    )
    def get(self, request: Request, form_slug: str, version: str) -> Response:
        definition = registry.get(form_slug, as_int(version))  # Http404 for an unknown one
        schema_id = reverse("api:submission-schema", args=[form_slug, version], request=request)
        return Response(engine.json_schema(definition, schema_id))
