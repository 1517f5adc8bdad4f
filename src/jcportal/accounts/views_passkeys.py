"""Passkeys: "My passkeys" (add, remove) and the passkey login (also as second factor).

The ceremonies need JavaScript (static/js/passkeys.js): the browser asks for options, lets the
authenticator answer, and posts the answer back as JSON. Logic lives in ``passkeys.py``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from jcportal.audit.services import audit

from . import otp, passkeys, policy
from .models import User

MAX_JSON_BYTES = 64 * 1024


def _needs_second_factor(user: User) -> bool:
    """Staff always; citizens who switched on the security code (a passkey then may replace it)."""
    return bool(
        (settings.STAFF_REQUIRE_2FA and policy.is_staff(user)) or otp.confirmed_device(user) is not None
    )


def _verified_or_redirect(request: HttpRequest) -> HttpResponse | None:
    """Adding or removing passkeys needs a fully logged-in session (second factor passed if any)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if _needs_second_factor(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse('accounts:second-factor')}?next={request.path}")
    return None


def _household(user: User):  # type: ignore[no-untyped-def]
    return None if policy.is_staff(user) else policy.citizen_household(user)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_JSON_BYTES:
        return {}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def passkeys_view(request: HttpRequest) -> HttpResponse:
    refused = _verified_or_redirect(request)
    if refused is not None:
        return refused
    context = {
        "passkeys": passkeys.passkeys_of(request.user),  # type: ignore[arg-type]
        "back_url": reverse("backoffice:home")
        if policy.is_staff(request.user)
        else reverse("portal:account"),
    }
    return render(request, "accounts/passkeys.html", context)


@require_POST
def register_options_view(request: HttpRequest) -> HttpResponse:
    if _verified_or_redirect(request) is not None:
        return JsonResponse({"error": "login required"}, status=403)
    options = passkeys.registration_options(request.user, request.session)  # type: ignore[arg-type]
    return HttpResponse(options, content_type="application/json")


@require_POST
def register_view(request: HttpRequest) -> HttpResponse:
    if _verified_or_redirect(request) is not None:
        return JsonResponse({"error": "login required"}, status=403)
    data = _json_body(request)
    user: User = request.user  # type: ignore[assignment]
    try:
        passkey = passkeys.register(
            user, request.session, data.get("credential") or {}, str(data.get("name", ""))
        )
    except passkeys.PasskeyError as exc:
        audit(
            "passkey.registration_failed",
            request=request,
            actor=user,
            obj=user,
            household=_household(user),
            details={"reason": str(exc)[:200]},
        )
        return _refused(_("The passkey could not be added. Please try again."))
    if not user.is_verified():  # type: ignore[attr-defined]
        # the new passkey was just used with user verification: it is this session's second factor
        otp_login(request, passkey)
    audit(
        "passkey.registered",
        request=request,
        actor=user,
        obj=user,
        household=_household(user),
        details={"passkey": passkey.pk, "name": passkey.name},
    )
    messages.success(request, _("The passkey is added. You can now log in with it."))
    return JsonResponse({"redirect": reverse("accounts:passkeys")})


@require_POST
def remove_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    refused = _verified_or_redirect(request)
    if refused is not None:
        return refused
    user: User = request.user  # type: ignore[assignment]
    passkey = passkeys.remove(user, passkey_id)
    if passkey is not None:
        audit(
            "passkey.removed",
            request=request,
            actor=user,
            obj=user,
            household=_household(user),
            details={"passkey": passkey_id, "name": passkey.name},
        )
        messages.success(request, _("The passkey is removed."))
    return redirect("accounts:passkeys")


def _second_factor_user(request: HttpRequest) -> User | None:
    """Logged in with the password but not verified yet: the passkey is the second factor."""
    if request.user.is_authenticated:
        return request.user  # type: ignore[return-value]
    return None


@require_POST
def login_options_view(request: HttpRequest) -> HttpResponse:
    options = passkeys.authentication_options(request.session, _second_factor_user(request))
    return HttpResponse(options, content_type="application/json")


@require_POST
def login_view(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    user = _second_factor_user(request)
    try:
        passkey = passkeys.authenticate(request.session, data.get("credential") or {}, user)
    except passkeys.PasskeyError as exc:
        audit(
            "login.passkey_failure",
            request=request,
            actor=user,
            details={"reason": str(exc)[:200], "second_factor": user is not None},
        )
        return _refused(_("The login with a passkey did not work. Please try again or use your password."))
    if user is None:
        login(request, passkey.user, backend="django.contrib.auth.backends.ModelBackend")
    # user verification was required: the passkey counts as the second factor
    otp_login(request, passkey)
    audit(
        "login.passkey",
        request=request,
        actor=passkey.user,
        details={"passkey": passkey.pk, "second_factor": user is not None},
    )
    target = str(data.get("next") or "")
    if not (target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())):
        target = reverse("core:after-login")
    return JsonResponse({"redirect": target})
