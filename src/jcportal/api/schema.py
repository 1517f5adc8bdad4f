"""The OpenAPI schema: every operation documents the answers every endpoint can give (401 without a
valid token, 403 without the scope, 429 over the client's rate limit, 404 for objects the client may
not see), so clients and schemathesis know them."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


COMMON = {
    "401": "No token, or the token is not valid.",
    "403": "The token lacks the scope this endpoint needs.",
    "429": "Too many requests for this client; retry after the Retry-After header's seconds.",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/") or self.path.startswith(("/api/v1/schema", "/api/v1/docs")):
            return responses
        extra: dict[str, str] = dict(COMMON)
        if "{" in self.path:
            extra.setdefault("404", "No such object, or not visible to this client.")
        extra.setdefault("400", "The request is not valid; `detail` or the field names say why.")
        for code, description in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description),
                    code,
                    direction=direction,
                )
        return responses
