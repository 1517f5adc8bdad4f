"""Households, members and responsibilities: read (households:read) and sync from the Fachverfahren
(households:write, idempotent upsert keyed by the BG number)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.audit.services import audit
from jcportal.households.models import Household, Person, normalise_bg_number

from . import scopes
from .households_sync import UpsertError, UpsertResult, upsert_households
from .serializers_households import (
    BulkRequestSerializer,
    BulkResponseSerializer,
    HouseholdPageSerializer,
    HouseholdSerializer,
    HouseholdUpsertResponseSerializer,
    HouseholdWriteSerializer,
)
from .views_base import ApiCursorPagination, ApiView

NOT_VISIBLE = OpenApiResponse(description="No such household, or not visible to this client.")


class HouseholdPagination(ApiCursorPagination):
    ordering = "bg_number"


def households() -> QuerySet[Household]:
    members = Prefetch("members", queryset=Person.objects.select_related("fachverfahren_reference"))
    return Household.objects.select_related(
        "service_office",
        "responsible_team",
        "responsible_caseworker",
        "responsible_integration_specialist",
    ).prefetch_related(members)


def _result(result: UpsertResult) -> dict[str, Any]:
    return {
        "bg_number": result.bg_number,
        "created": result.created,
        "changed": result.changed,
        "changes": result.changes,
        "error": result.error.code if result.error else None,
        "detail": str(result.error) if result.error else None,
    }


class HouseholdList(ApiView):
    required_scopes = scopes.HOUSEHOLDS_READ

    @extend_schema(
        operation_id="households_list",
        parameters=[
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int, description="Page size, at most 500."),
        ],
        responses=HouseholdPageSerializer,
    )
    def get(self, request: Request) -> Response:
        queryset = households().filter(pk__in=self.visible_households().values("pk"))
        paginator = HouseholdPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        if page:
            self.audit_read(action="api.households_listed", households=[h.bg_number for h in page])
        data = HouseholdSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class HouseholdDetail(ApiView):
    required_scopes = {"GET": scopes.HOUSEHOLDS_READ, "PUT": scopes.HOUSEHOLDS_WRITE}

    @extend_schema(
        operation_id="households_retrieve",
        responses={200: HouseholdSerializer, 404: NOT_VISIBLE},
    )
    def get(self, request: Request, bg_number: str) -> Response:
        household = households().filter(bg_number=normalise_bg_number(bg_number)).first()
        if household is None or not self.visible_households().filter(pk=household.pk).exists():
            raise Http404
        audit("api.household_read", actor=self.actor, obj=household, household=household)
        return Response(HouseholdSerializer(household, context={"request": request}).data)

    @extend_schema(
        operation_id="households_upsert",
        description=(
            "Create or update the household with this BG number. Fields left out stay as they are; "
            "`members`, when given, is the complete list (matched by `fachverfahren_id`, else by name and "
            "date of birth). An identical second PUT writes nothing and answers 200 with changed=false."
        ),
        request=HouseholdWriteSerializer,
        responses={
            200: HouseholdUpsertResponseSerializer,
            201: HouseholdUpsertResponseSerializer,
            400: OpenApiResponse(description="Invalid body, unknown office, team or username."),
            404: NOT_VISIBLE,
        },
    )
    def put(self, request: Request, bg_number: str) -> Response:
        bg_number = normalise_bg_number(bg_number)
        body = HouseholdWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not bg_number or len(bg_number) > 20:
            raise Http404
        result = upsert_households([{**body.validated_data, "bg_number": bg_number}], actor=self.actor)[0]
        error: UpsertError | None = result.error
        if error is not None and error.code == "not_found":
            raise Http404
        if error is not None:
            return Response(_result(result), status=status.HTTP_400_BAD_REQUEST)
        household = households().get(pk=result.household.pk)  # type: ignore[union-attr]
        data = {
            **_result(result),
            "household": HouseholdSerializer(household, context={"request": request}).data,
        }
        return Response(data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class HouseholdBulk(ApiView):
    required_scopes = scopes.HOUSEHOLDS_WRITE

    @extend_schema(
        operation_id="households_bulk_upsert",
        description=(
            "The nightly sync: up to 1000 households per request, each as in PUT /households/{bg_number}/ "
            "with its `bg_number`. Each result says created/changed or its error (not_found for a household "
            "this client may not see, outside_territory, invalid); the others are written regardless."
        ),
        request=BulkRequestSerializer,
        responses={200: BulkResponseSerializer, 400: OpenApiResponse(description="Invalid body.")},
    )
    def post(self, request: Request) -> Response:
        body = BulkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        results = upsert_households(body.validated_data["households"], actor=self.actor)
        rows = [_result(result) for result in results]
        summary = {
            "created": sum(1 for r in results if r.created),
            "changed": sum(1 for r in results if r.changed and not r.created),
            "unchanged": sum(1 for r in results if not r.changed and r.error is None),
            "failed": sum(1 for r in results if r.error is not None),
            "results": rows,
        }
        return Response(BulkResponseSerializer(summary).data)
