"""Document requests: a Fachverfahren asks a household for documents by a deadline (requests:write)
and follows what has arrived."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.docrequests import services as docrequest_services
from jcportal.docrequests.models import DocumentRequest
from jcportal.households.models import Household, normalise_bg_number

from . import scopes
from .paths import as_int, int_path
from .serializers_requests import DocumentRequestSerializer, RequestWriteSerializer
from .views_base import ApiView

NOT_VISIBLE = OpenApiResponse(description="No such household or request, or not visible to this client.")


def requests() -> Any:
    return DocumentRequest.objects.select_related("household").prefetch_related("items")


class DocumentRequestCreate(ApiView):
    required_scopes = scopes.REQUESTS_WRITE

    @extend_schema(
        operation_id="document_requests_create",
        description=(
            "Ask the household for documents by a deadline. The citizen sees the checklist in the portal "
            "(and gets the opt-in e-mail note); each upload against an item answers it."
        ),
        request=RequestWriteSerializer,
        responses={
            201: DocumentRequestSerializer,
            400: OpenApiResponse(description="Invalid body."),
            404: NOT_VISIBLE,
        },
    )
    def post(self, request: Request, bg_number: str) -> Response:
        household = Household.objects.filter(bg_number=normalise_bg_number(bg_number)).first()
        if household is None or not self.visible_households().filter(pk=household.pk).exists():
            raise Http404
        body = RequestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc_request = docrequest_services.create_request(
            household=household,
            created_by=None,
            actor=self.actor,
            explanation=body.validated_data["explanation"],
            deadline=body.validated_data["deadline"],
            items=[
                {
                    "doc_type": i["document_type"],
                    "explanation": i.get("explanation", ""),
                    "optional": i["optional"],
                }
                for i in body.validated_data["items"]
            ],
        )
        data = DocumentRequestSerializer(requests().get(pk=doc_request.pk), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class DocumentRequestDetail(ApiView):
    required_scopes = scopes.REQUESTS_WRITE

    @extend_schema(
        operation_id="document_requests_retrieve",
        parameters=[int_path("request_id")],
        responses={200: DocumentRequestSerializer, 404: NOT_VISIBLE},
    )
    def get(self, request: Request, request_id: str) -> Response:
        doc_request = self.get_visible(requests(), pk=as_int(request_id))
        self.audit_read(action="api.docrequest_read", obj=doc_request)
        return Response(DocumentRequestSerializer(doc_request, context={"request": request}).data)
