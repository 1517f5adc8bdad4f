from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from jcportal.audit.services import audit
from jcportal.core.middleware import max_body_bytes

from . import otp, passkeys, policy, services
from .consents import ACCESS_REQUEST_PRIVACY
from .forms import (
    AccessRequestForm,
    ActivationForm,
    ContactForm,
    GovSetPasswordForm,
    LoginForm,
    PasswordResetRequestForm,
    TokenForm,
)
from .models import ActivationCode, Role, User


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse("core:after-login")


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            audit("login.success", request=request, actor=user)
            if policy.is_staff(user) or otp.confirmed_device(user):
                return redirect(f"{reverse('accounts:second-factor')}?next={_next_url(request)}")
            return HttpResponseRedirect(_next_url(request))
        audit("login.failure", request=request, details={"username": request.POST.get("username", "")[:150]})
    from django.conf import settings

    context = {
        "form": form,
        "next": _next_url(request),
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_failed": request.GET.get("oidc") == "failed",
    }
    return render(request, "accounts/login.html", context)


def second_factor_view(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code or a passkey; staff without either set up an authenticator app here first."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    has_passkey = passkeys.has_passkey(request.user)  # type: ignore[arg-type]
    device = otp.confirmed_device(request.user)
    setting_up = device is None and not has_passkey
    if device is None and setting_up:
        device = otp.pending_device(request.user)
    if device is None:  # passkeys only
        return render(
            request,
            "accounts/second_factor.html",
            {"form": None, "has_passkey": True, "next": _next_url(request)},
        )
    form = TokenForm(device, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit("otp.device_confirmed", request=request, actor=request.user)
        otp_login(request, device)
        audit("login.second_factor", request=request, actor=request.user)
        return HttpResponseRedirect(_next_url(request))
    if request.method == "POST":
        audit("login.second_factor_failure", request=request, actor=request.user)
    context = {"form": form, "setting_up": setting_up, "has_passkey": has_passkey, "next": _next_url(request)}
    if setting_up:
        context["qr_svg"] = otp.qr_svg(device)
        context["secret"] = otp.secret_base32(device)
    return render(request, "accounts/second_factor.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit("logout", request=request, actor=request.user)
    logout(request)
    messages.success(request, _("You have been logged out."))
    return redirect("core:home")


# --- access request (anonymous) ------------------------------------------------------------------


@max_body_bytes(services.ID_DOCUMENT_MAX_BYTES + 1024 * 1024)
def access_request_view(request: HttpRequest) -> HttpResponse:
    form = AccessRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_request = services.submit_access_request(
                form.cleaned_data, form.cleaned_data.get("id_document"), request
            )
        except services.UploadRejected as exc:
            form.add_error("id_document", str(exc))
        else:
            request.session["access_request_done"] = access_request.pk
            return redirect("accounts:access-request-done")
    context = {
        "form": form,
        "privacy": ACCESS_REQUEST_PRIVACY,
        # Browsers never refill a file input: say so when the form comes back with a file chosen.
        "choose_file_again": request.method == "POST" and bool(request.FILES.get("id_document")),
    }
    return render(request, "accounts/access_request.html", context)


def access_request_done_view(request: HttpRequest) -> HttpResponse:
    from .models import AccessRequest

    pk = request.session.get("access_request_done")
    access_request = AccessRequest.objects.filter(pk=pk).first() if pk else None
    if access_request is None:
        return redirect("accounts:access-request")
    return render(request, "accounts/access_request_done.html", {"access_request": access_request})


# --- activation with the letter ------------------------------------------------------------------

ACTIVATION_SESSION_KEY = "activation_code_id"


def activate_view(request: HttpRequest) -> HttpResponse:
    initial = {"username": request.GET.get("user", "")[:150]}
    form = ActivationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[ACTIVATION_SESSION_KEY] = form.activation.pk
        return redirect("accounts:activate-password")
    return render(request, "accounts/activate.html", {"form": form})


def activate_password_view(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(ACTIVATION_SESSION_KEY)
    activation = ActivationCode.objects.select_related("user").filter(pk=pk).first() if pk else None
    if activation is None or not activation.usable:
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        messages.error(request, _("Please enter your user ID and activation code first."))
        return redirect("accounts:activate")
    form = GovSetPasswordForm(activation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.activate_account(activation, form.cleaned_data["new_password1"], request)
        except ValueError:
            messages.error(request, _("This activation code was already used. Please log in."))
            return redirect("accounts:login")
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit("login.success", request=request, actor=user, details={"via": "activation"})
        return redirect("accounts:activate-contact")
    return render(request, "accounts/activate_password.html", {"form": form, "account": activation.user})


def activate_contact_view(request: HttpRequest) -> HttpResponse:
    """Last, optional step: e-mail address and notifications."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if policy.is_staff(request.user):
        return redirect("core:after-login")
    user = request.user
    form = ContactForm.for_user(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.update_contact(user, request=request, **form.cleaned_data)
        messages.success(request, _("Your account is ready."))
        return redirect("core:after-login")
    return render(request, "accounts/activate_contact.html", {"form": form})


# --- password reset ------------------------------------------------------------------------------


def password_reset_view(request: HttpRequest) -> HttpResponse:
    """By e-mail if the account has an address; the page always says the same (no account probing)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from jcportal.mail.services import send_mail

    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            username__iexact=form.cleaned_data["username"].strip(),
            is_active=True,
            role__in=(Role.CITIZEN, Role.REPRESENTATIVE),
        ).first()
        if user is not None and user.email and user.has_usable_password():
            link = settings.SITE_URL.rstrip("/") + reverse(
                "accounts:password-reset-confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            with translation.override(user.preferred_language or translation.get_language()):
                subject = render_to_string("accounts/email/password_reset_subject.txt").strip()
                body = render_to_string("accounts/email/password_reset.txt", {"link": link, "user": user})
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
            audit("account.password_reset_requested", request=request, actor=None, obj=user)
        return redirect("accounts:password-reset-sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = GovSetPasswordForm
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        audit(
            "account.password_changed",
            request=self.request,
            actor=form.user,
            obj=form.user,
            details={"via": "email_link"},
        )
        return response


def password_reset_complete_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")
