from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import policy

# Paths a staff member may reach before passing the second factor.
OPEN_PREFIXES = ("/static/", "/healthz", "/sprache/", "/konto/", "/seite/")


class StaffSecondFactorMiddleware:
    """Staff cannot reach any page beyond login without a verified second factor (TOTP, or a passkey:
    a passkey login requires user verification and marks the session verified, see passkeys.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.STAFF_REQUIRE_2FA
            and user is not None
            and policy.is_staff(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:second-factor')}?next={request.get_full_path()}")
        return self.get_response(request)
