"""Webhook subscriptions of the calling client (webhooks:manage): the same CloudEvents as the feed,
signed with HMAC-SHA256 (docs/integration/events.md). A client sees and changes only its own."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jcportal.events import services as event_services
from jcportal.events.models import Subscription

from . import scopes
from .paths import as_int, int_path
from .serializers_webhooks import (
    WebhookPatchSerializer,
    WebhookSerializer,
    WebhookWithSecretSerializer,
    WebhookWriteSerializer,
)
from .views_base import ApiView

NOT_FOUND = OpenApiResponse(description="No such webhook of this client.")
WEBHOOK_ID = int_path("webhook_id")
INVALID = OpenApiResponse(description="Invalid body (address or event type).")


def _with_secret(subscription: Subscription, secret: str) -> dict[str, Any]:
    return {**WebhookSerializer(subscription).data, "secret": secret}


class WebhookBase(ApiView):
    required_scopes = scopes.WEBHOOKS_MANAGE

    def own(self) -> Any:
        return Subscription.objects.filter(client=self.client)

    def get_own(self, webhook_id: str) -> Subscription:
        subscription = self.own().filter(pk=as_int(webhook_id)).first()
        if subscription is None:
            raise Http404
        return subscription

    def invalid(self, error: Exception) -> Response:
        return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)


class WebhookList(WebhookBase):
    @extend_schema(operation_id="webhooks_list", responses=WebhookSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(WebhookSerializer(self.own(), many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookWriteSerializer,
        responses={201: WebhookWithSecretSerializer, 400: INVALID},
    )
    def post(self, request: Request) -> Response:
        body = WebhookWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            subscription, secret = event_services.create_subscription(
                client=self.client,
                name=data.get("name", ""),
                url=data["url"],
                event_types=data.get("event_types", []),
                active=data.get("active", True),
                by=self.actor,
            )
        except event_services.WebhookError as error:
            return self.invalid(error)
        return Response(_with_secret(subscription, secret), status=status.HTTP_201_CREATED)


class WebhookDetail(WebhookBase):
    @extend_schema(
        operation_id="webhooks_retrieve",
        parameters=[WEBHOOK_ID],
        responses={200: WebhookSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, webhook_id: str) -> Response:
        return Response(WebhookSerializer(self.get_own(webhook_id)).data)

    @extend_schema(
        operation_id="webhooks_update",
        parameters=[WEBHOOK_ID],
        request=WebhookPatchSerializer,
        responses={200: WebhookSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def patch(self, request: Request, webhook_id: str) -> Response:
        subscription = self.get_own(webhook_id)
        body = WebhookPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            subscription = event_services.update_subscription(
                subscription,
                by=self.actor,
                name=data.get("name"),
                url=data.get("url"),
                event_types=data.get("event_types"),
                active=data.get("active"),
            )
        except event_services.WebhookError as error:
            return self.invalid(error)
        return Response(WebhookSerializer(subscription).data)

    @extend_schema(
        operation_id="webhooks_delete",
        parameters=[WEBHOOK_ID],
        responses={204: OpenApiResponse(description="Deleted."), 404: NOT_FOUND},
    )
    def delete(self, request: Request, webhook_id: str) -> Response:
        event_services.delete_subscription(self.get_own(webhook_id), by=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecret(WebhookBase):
    @extend_schema(
        operation_id="webhooks_rotate_secret",
        parameters=[WEBHOOK_ID],
        description="A new secret; the old one stops signing at once. Shown only in this answer.",
        request=None,
        responses={200: WebhookWithSecretSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, webhook_id: str) -> Response:
        subscription = self.get_own(webhook_id)
        secret = event_services.rotate_secret(subscription, by=self.actor)
        return Response(_with_secret(subscription, secret))
