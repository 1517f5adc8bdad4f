"""Large uploads in parts (documents:write): announce, PUT each part, complete (api/uploads.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from jcportal.accounts import policy
from jcportal.households.models import Household, normalise_bg_number

from . import scopes, uploads
from .models import PartUpload
from .paths import as_int, int_path
from .serializers_uploads import (
    PartSerializer,
    UploadAnnounceSerializer,
    UploadCompleteSerializer,
    UploadSerializer,
)
from .views_base import ApiView

NOT_FOUND = OpenApiResponse(description="No such upload of this client.")


class UploadView(ApiView):
    required_scopes = scopes.DOCUMENTS_WRITE

    def get_upload(self, upload_id: Any) -> PartUpload:
        upload = (
            PartUpload.objects.select_related("household").filter(pk=upload_id, client=self.client).first()
        )
        if upload is None or not policy.can_upload_for(self.actor, upload.household):
            raise Http404
        return upload

    def describe(self, upload: PartUpload) -> dict[str, Any]:
        request = self.request
        received = set(upload.parts.values_list("number", flat=True))
        return {
            "id": upload.pk,
            "bg_number": upload.household.bg_number,
            "document_type": upload.doc_type,
            "file_name": upload.file_name,
            "size": upload.size,
            "part_size": upload.part_size,
            "part_count": upload.part_count,
            "parts": [
                {
                    "number": n,
                    "size": upload.expected_size(n),
                    "url": reverse("api:upload-part", args=[upload.pk, n], request=request),
                    "received": n in received or upload.completed_at is not None,
                }
                for n in range(1, upload.part_count + 1)
            ],
            "expires_at": upload.expires_at,
            "complete_url": reverse("api:upload-complete", args=[upload.pk], request=request),
            "completed_at": upload.completed_at,
            "document": reverse("api:document-detail", args=[upload.document_id], request=request)
            if upload.document_id
            else None,
        }

    def refused(self, error: Exception, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
        return Response({"detail": str(error)}, status=code)


class UploadCreate(UploadView):
    @extend_schema(
        operation_id="uploads_create",
        description=(
            "Announce a large file: its size, name, household and type. The answer gives the part size and "
            "one URL per part; PUT each part's raw bytes there (any order, again to replace it), then POST "
            "to `complete_url`. Incomplete uploads expire after 24 hours."
        ),
        request=UploadAnnounceSerializer,
        responses={
            201: UploadSerializer,
            400: OpenApiResponse(description="Invalid body."),
            404: OpenApiResponse(description="No such household, or not visible to this client."),
        },
    )
    def post(self, request: Request) -> Response:
        body = UploadAnnounceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        household = Household.objects.filter(bg_number=normalise_bg_number(data["bg_number"])).first()
        if household is None or not policy.can_upload_for(self.actor, household):
            raise Http404
        try:
            upload = uploads.announce(
                actor=self.actor,
                household=household,
                doc_type=data["document_type"],
                title=data.get("title", ""),
                file_name=data["file_name"],
                size=data["size"],
            )
        except uploads.UploadError as error:
            return self.refused(error)
        return Response(UploadSerializer(self.describe(upload)).data, status=status.HTTP_201_CREATED)


class UploadDetail(UploadView):
    @extend_schema(operation_id="uploads_retrieve", responses={200: UploadSerializer, 404: NOT_FOUND})
    def get(self, request: Request, upload_id: Any) -> Response:
        return Response(UploadSerializer(self.describe(self.get_upload(upload_id))).data)

    @extend_schema(
        operation_id="uploads_delete",
        description="Abort the upload: its parts are removed.",
        responses={204: OpenApiResponse(description="Removed."), 404: NOT_FOUND},
    )
    def delete(self, request: Request, upload_id: Any) -> Response:
        uploads.abort(self.get_upload(upload_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadPartView(UploadView):
    @extend_schema(
        operation_id="uploads_part",
        parameters=[int_path("number", "The part number, from 1.")],
        description="The raw bytes of one part (exactly its `size`). Sending a part again replaces it.",
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={
            200: PartSerializer,
            400: OpenApiResponse(description="Wrong part number or size, or the upload is completed."),
            404: NOT_FOUND,
        },
    )
    def put(self, request: Request, upload_id: Any, number: str) -> Response:
        upload = self.get_upload(upload_id)
        try:
            part = uploads.put_part(upload, as_int(number), request._request)
        except uploads.UploadError as error:
            return self.refused(error)
        return Response(
            PartSerializer({"number": part.number, "size": part.size, "sha256": part.sha256}).data
        )


class UploadComplete(UploadView):
    @extend_schema(
        operation_id="uploads_complete",
        description=(
            "Join the parts into one file and hand it to the intake (virus scan, PDF/A, routing like any "
            "document). Idempotent: completing again returns the same document with 200."
        ),
        request=None,
        responses={
            201: UploadCompleteSerializer,
            200: UploadCompleteSerializer,
            409: OpenApiResponse(description="Parts are missing."),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, upload_id: Any) -> Response:
        upload = self.get_upload(upload_id)
        try:
            document, created = uploads.complete(upload, actor=self.actor)
        except uploads.UploadError as error:
            return self.refused(error, status.HTTP_409_CONFLICT)
        data = {
            "document_id": document.pk,
            "document": reverse("api:document-detail", args=[document.pk], request=request),
            "eingangsnummer": document.receipt_number,
        }
        return Response(
            UploadCompleteSerializer(data).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
