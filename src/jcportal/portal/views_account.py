"""Citizen portal: my account (password, e-mail, second factor, consents, representatives, transparency)
and the household choice of representatives."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jcportal.accounts import otp, policy, selectors, services
from jcportal.accounts.consents import DIGITAL_DELIVERY
from jcportal.accounts.forms import (
    ConsentForm,
    ContactForm,
    GovPasswordChangeForm,
    GrantByUserIdForm,
    InviteRepresentativeForm,
    TokenForm,
    TwoFactorRemoveForm,
)
from jcportal.accounts.models import Consent, Representation, Role
from jcportal.audit.selectors import transparency_entries
from jcportal.audit.services import audit

from .decorators import SESSION_KEY


def portal_user_required(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Citizens and representatives, whether or not a household is chosen (their own account settings)."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.is_portal_user(request.user):
            raise PermissionDenied
        return func(request, *args, **kwargs)

    return wrapper


def _own_household_or_403(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Household-level settings (consents, proxies, transparency) belong to the citizen, not a proxy."""
    household = policy.citizen_household(request.user)
    if household is None:
        raise PermissionDenied
    return household


@portal_user_required
def account(request: HttpRequest) -> HttpResponse:
    household = policy.citizen_household(request.user)
    from django.conf import settings

    context = {
        "oidc_enabled": settings.OIDC_ENABLED and request.user.role == Role.CITIZEN,
        "oidc_result": request.GET.get("oidc", ""),
        "household": household,
        "has_totp": otp.confirmed_device(request.user) is not None,
        "digital_delivery": selectors.active_consent(request.user, Consent.Kind.DIGITAL_DELIVERY),
        "representations": selectors.representations_of(household).filter(revoked_at__isnull=True)
        if household
        else [],
        "represented": request.user.representations.active().select_related("household")  # type: ignore[misc]
        if request.user.role == Role.REPRESENTATIVE
        else [],
    }
    return render(request, "portal/account/account.html", context)


@portal_user_required
def oidc_unlink(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    if user.oidc_subject:  # type: ignore[union-attr]
        user.oidc_subject = None  # type: ignore[union-attr]
        user.save(update_fields=["oidc_subject"])  # type: ignore[call-arg]
        audit("account.oidc_unlinked", request=request, obj=user, household=policy.citizen_household(user))  # type: ignore[arg-type]
        messages.success(request, _("Your state portal account is no longer linked."))
    return redirect("portal:account")


@portal_user_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = GovPasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit("account.password_changed", request=request, obj=user, household=policy.citizen_household(user))
        messages.success(request, _("Your new password is saved."))
        return redirect("portal:account")
    return render(request, "portal/account/password.html", {"form": form})


@portal_user_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ContactForm.for_user(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.update_contact(user, request=request, **form.cleaned_data)
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("portal:account")
    return render(request, "portal/account/notifications.html", {"form": form})


@portal_user_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Optional for citizens: set up an authenticator app, or switch it off again (with the password)."""
    device = otp.confirmed_device(request.user)
    if device is not None:
        form = TwoFactorRemoveForm(request.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            device.delete()
            audit(
                "otp.device_removed",
                request=request,
                obj=request.user,  # type: ignore[arg-type]
                household=policy.citizen_household(request.user),
            )
            messages.success(request, _("The security code is switched off."))
            return redirect("portal:account")
        return render(request, "portal/account/two_factor.html", {"form": form, "active": True})
    pending = otp.pending_device(request.user)
    token_form = TokenForm(pending, request.POST or None)
    if request.method == "POST" and token_form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        audit(
            "otp.device_confirmed",
            request=request,
            obj=request.user,  # type: ignore[arg-type]
            household=policy.citizen_household(request.user),
        )
        messages.success(
            request, _("The security code is switched on. From now on you enter it after your password.")
        )
        return redirect("portal:account")
    return render(
        request,
        "portal/account/two_factor.html",
        {
            "form": token_form,
            "active": False,
            "qr_svg": otp.qr_svg(pending),
            "secret": otp.secret_base32(pending),
        },
    )


@portal_user_required
def consents(request: HttpRequest) -> HttpResponse:
    household = _own_household_or_403(request)
    current = selectors.active_consent(request.user, Consent.Kind.DIGITAL_DELIVERY)
    form = ConsentForm()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.revoke_consent(request.user, Consent.Kind.DIGITAL_DELIVERY, request=request):
                messages.success(request, _("You revoked your consent. Letters come by post again."))
            return redirect("portal:consents")
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.give_consent(
                request.user, Consent.Kind.DIGITAL_DELIVERY, household=household, request=request
            )
            messages.success(request, _("Thank you. Decisions now come to you in the portal."))
            return redirect("portal:consents")
    return render(
        request,
        "portal/account/consents.html",
        {
            "form": form,
            "current": current,
            "text": DIGITAL_DELIVERY,
            "history": selectors.consent_history(request.user),
        },
    )


@portal_user_required
def representatives(request: HttpRequest) -> HttpResponse:
    household = _own_household_or_403(request)
    grant_form = GrantByUserIdForm(prefix="grant")
    invite_form = InviteRepresentativeForm(prefix="invite")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "invite":
            invite_form = InviteRepresentativeForm(request.POST, prefix="invite")
            if invite_form.is_valid():
                data = invite_form.cleaned_data
                _grant, letter = services.invite_representative(
                    household,
                    by=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data.get("email") or "",
                    request=request,
                    **invite_form.grant_fields(),
                )
                response = HttpResponse(letter.pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
                response["Cache-Control"] = "no-store"
                return response
        else:
            grant_form = GrantByUserIdForm(request.POST, prefix="grant")
            if grant_form.is_valid():
                services.grant_representation(
                    household,
                    grant_form.representative,
                    by=request.user,
                    request=request,
                    **grant_form.grant_fields(),
                )
                messages.success(request, _("Your representative now has access."))
                return redirect("portal:representatives")
        status = 400
    return render(
        request,
        "portal/account/representatives.html",
        {
            "household": household,
            "representations": selectors.representations_of(household),
            "grant_form": grant_form,
            "invite_form": invite_form,
            "revoke_url_name": "portal",
        },
        status=status,
    )


@portal_user_required
def representation_revoke(request: HttpRequest, representation_id: int) -> HttpResponse:
    household = _own_household_or_403(request)
    grant = get_object_or_404(Representation.objects.filter(household=household), pk=representation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if grant.revoked_at is None:
        services.revoke_representation(grant, by=request.user, request=request)
        messages.success(request, _("The representative's access has ended."))
    return redirect("portal:representatives")


@portal_user_required
def transparency(request: HttpRequest) -> HttpResponse:
    household = _own_household_or_403(request)
    return render(
        request,
        "portal/account/transparency.html",
        {"entries": transparency_entries(household, request.user), "household": household},
    )


@portal_user_required
def choose_household(request: HttpRequest) -> HttpResponse:
    """Representatives acting for several households choose one; citizens have only their own."""
    if request.user.role != Role.REPRESENTATIVE:
        return redirect("portal:dashboard")
    households = policy.visible_households(request.user).order_by("bg_number")
    if request.method == "POST":
        raw = request.POST.get("household_id", "")
        chosen = get_object_or_404(households, pk=int(raw) if raw.isdigit() else 0)
        request.session[SESSION_KEY] = chosen.pk
        return redirect("portal:dashboard")
    grants = {
        g.household_id: g
        for g in Representation.objects.active()
        .filter(representative=request.user)
        .select_related("household")
    }
    rows = [{"household": h, "grant": grants.get(h.pk), "head": h.head} for h in households]
    return render(
        request,
        "portal/account/choose_household.html",
        {"rows": rows, "current": request.session.get(SESSION_KEY)},
    )
