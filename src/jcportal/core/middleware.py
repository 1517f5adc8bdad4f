from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from . import logging as request_logging
from .i18n import language_tag

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "object-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


# Files (uploads, letters, PDFs) are never a page of the site: no scripts, no forms, no plugins from
# them. PDFs keep the browser's viewer (Chromium refuses PDFs in a sandboxed document); their scripts
# are removed at intake and no script source is allowed. Everything else is sandboxed.
FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
SANDBOX_CSP = FILE_CSP + "; sandbox"
PERMISSIONS_POLICY = "geolocation=(), microphone=(), camera=(self), payment=(), usb=(), interest-cohort=()"


def _is_file(response: HttpResponse) -> bool:
    return isinstance(response, FileResponse) or "Content-Disposition" in response.headers


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline scripts (a sandbox for files), a strict permissions
    policy, nosniff and the referrer policy on every response, pages and files and errors alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_file(response) and not request.path.startswith(settings.STATIC_URL):
            is_pdf = response.headers.get("Content-Type", "").startswith("application/pdf")
            response.headers.setdefault("Content-Security-Policy", FILE_CSP if is_pdf else SANDBOX_CSP)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Cookie first, then the language saved on the account, then Accept-Language, then German."""

    def process_request(self, request: HttpRequest) -> None:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        supported = {code for code, _ in settings.LANGUAGES}
        if cookie not in supported and user is not None and user.is_authenticated:
            preferred = getattr(user, "preferred_language", "")
            if preferred in supported:
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
                return
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        if "Content-Language" in response.headers:  # a valid BCP 47 tag, as in the markup's lang
            response.headers["Content-Language"] = language_tag(response.headers["Content-Language"])
        return response


class RequestIdMiddleware:
    """Every request gets an id (the caller's ``X-Request-ID`` when well-formed): in every log line
    written while it runs, and returned in the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_logging.new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = rid  # type: ignore[attr-defined]  # Django logs a 4xx/5xx after this returns
        token = request_logging.request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_logging.request_id.reset(token)
        response.headers["X-Request-ID"] = rid
        return response


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def max_body_bytes(limit: int) -> Callable[[ViewT], ViewT]:
    """A tighter request body limit for one view (RequestBodyLimitMiddleware)."""

    def decorator(view: ViewT) -> ViewT:
        view.max_body_bytes = limit  # type: ignore[attr-defined]
        return view

    return decorator


class RequestBodyLimitMiddleware:
    """Refuse a request body that is larger than allowed from its Content-Length, before any of it is
    read (the CSRF check, the first to read the body, comes after this in MIDDLEWARE): a translated 413
    page sent at once, the body never parsed nor written anywhere (the server discards the rest). The limit is the view's
    ``max_body_bytes`` or ``REQUEST_MAX_BODY_BYTES``; a body without a length is never read by Django."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        limit = getattr(view_func, "max_body_bytes", None) or settings.REQUEST_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= limit:
            return None
        return render(request, "413.html", {"max_mb": max(1, limit // (1024 * 1024))}, status=413)
