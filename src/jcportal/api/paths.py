"""Path parameters of the API's own resources: integers taken as strings, so that a request without a
valid token or scope gets 401/403 whatever the path says, and a malformed id is a plain 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


def as_int(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Http404 from None
    if number < 0 or number > 2**63 - 1:
        raise Http404
    return number


def int_path(name: str, description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)
