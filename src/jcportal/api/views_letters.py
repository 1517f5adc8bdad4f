"""Letters: a Fachverfahren posts a Bescheid PDF to a household's postbox (letters:write); the citizen
sees and downloads it in the portal under "From the Jobcenter"."""

from __future__ import annotations

import io
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.casework import services as casework_services
from jcportal.documents.models import Document
from jcportal.households.models import Household, normalise_bg_number

from . import scopes
from .serializers_letters import LetterJsonSerializer, LetterMultipartSerializer, LetterSerializer
from .views_base import ApiView

NOT_VISIBLE = OpenApiResponse(description="No such household or letter, or not visible to this client.")


def letters() -> Any:
    return Document.objects.select_related("household").filter(
        direction=Document.Direction.OUTBOUND, released_at__isnull=False
    )


class LetterCreate(ApiView):
    required_scopes = scopes.LETTERS_WRITE
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="letters_create",
        description=(
            "Post a letter to the household's postbox: JSON with the PDF base64-encoded, or multipart/form-data "
            "with the PDF as `file`. The PDF goes through the intake (virus scan, PDF/A) as an outbound document "
            "and is released to the household; `visible_in_portal` turns true when the intake has finished."
        ),
        request={"application/json": LetterJsonSerializer, "multipart/form-data": LetterMultipartSerializer},
        responses={
            201: LetterSerializer,
            400: OpenApiResponse(description="Invalid body, not a PDF, or too large."),
            404: NOT_VISIBLE,
        },
    )
    def post(self, request: Request, bg_number: str) -> Response:
        household = Household.objects.filter(bg_number=normalise_bg_number(bg_number)).first()
        if household is None or not self.visible_households().filter(pk=household.pk).exists():
            raise Http404
        if request.content_type.startswith("multipart/"):
            body: Any = LetterMultipartSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            upload = body.validated_data["file"]
            file: Any = (upload.name or "bescheid.pdf", upload)
        else:
            body = LetterJsonSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            file = (body.validated_data["file_name"], io.BytesIO(body.validated_data["content_base64"]))
        document = casework_services.post_letter(
            household=household,
            actor=self.actor,
            doc_type=body.validated_data["document_type"],
            title=body.validated_data["title"],
            file=file,
        )
        document = letters().get(pk=document.pk)
        return Response(
            LetterSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class LetterDetail(ApiView):
    required_scopes = scopes.LETTERS_WRITE

    @extend_schema(operation_id="letters_retrieve", responses={200: LetterSerializer, 404: NOT_VISIBLE})
    def get(self, request: Request, letter_id: Any) -> Response:
        document = self.get_visible(letters(), pk=letter_id)
        self.audit_read(action="api.letter_read", obj=document)
        return Response(LetterSerializer(document, context={"request": request}).data)
