"""A request that needs a data key while the key-encryption key is unreachable (master key missing or
different, KMS down) gets a clear, translated "temporarily unavailable" page (HTTP 503) instead of an
error: nothing is served, nothing is written (the request's transaction is rolled back), nothing is
lost. Operators find the cause in the log (``jcportal.crypto``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from . import KeyUnavailable

logger = logging.getLogger("jcportal.crypto")


class KeyUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KeyUnavailable):
            return None
        logger.error("refused %s %s: %s", request.method, request.path, exception)
        body: str
        try:
            body = render_to_string("core/key_unavailable.html", request=request)
        except Exception:  # the layout itself needs the keys (a page that lists documents)
            body = "<!doctype html><title>{0}</title><h1>{0}</h1><p>{1}</p>".format(
                gettext("Documents cannot be opened at the moment"), gettext(UNAVAILABLE_TEXT)
            )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "300"
        return response


UNAVAILABLE_TEXT = (
    "The key that protects the stored documents is not available. Nothing was lost and nothing was "
    "saved. Please try again later."
)
