"""OpenID Connect login (BundID / state portal accounts), switched on by ``OIDC_ENABLED``.

The provider's identifier (claim ``OIDC_ACCOUNT_CLAIM``, default ``sub``) is matched against
``User.oidc_subject`` of an existing, active *citizen* account. Nobody is ever created through OIDC,
and staff can never log in this way (they use password + TOTP).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from jcportal.audit.services import audit

from .models import Role

LINK_SESSION_KEY = "oidc_link_account"
LINK_RETURN_KEY = "oidc_link_return"


def account_claim() -> str:
    return getattr(settings, "OIDC_ACCOUNT_CLAIM", "sub") or "sub"


class JobcenterOIDCBackend(OIDCAuthenticationBackend):
    def get_settings(self, attr, *args):  # type: ignore[no-untyped-def]
        if attr == "OIDC_CREATE_USER":
            return False
        return super().get_settings(attr, *args)

    def verify_claims(self, claims) -> bool:  # type: ignore[no-untyped-def]
        return bool(claims.get(account_claim()))

    def filter_users_by_claims(self, claims):  # type: ignore[no-untyped-def]
        value = claims.get(account_claim())
        if not value:
            return self.UserModel.objects.none()
        linking = self._user_linking()
        if linking is not None:
            if self.UserModel.objects.filter(oidc_subject=str(value)).exclude(pk=linking.pk).exists():
                return self.UserModel.objects.none()  # already linked to another account
            linking.oidc_subject = str(value)
            linking.save(update_fields=["oidc_subject"])
            audit("account.oidc_linked", request=self.request, actor=linking, obj=linking)
        return self.UserModel.objects.filter(oidc_subject=str(value), role=Role.CITIZEN, is_active=True)

    def _user_linking(self):  # type: ignore[no-untyped-def]
        """The logged-in citizen who started "link my state portal account" (or None)."""
        request = getattr(self, "request", None)
        if request is None or not request.session.pop(LINK_SESSION_KEY, False):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.role == Role.CITIZEN and user.is_active:
            return user
        return None

    def create_user(self, claims):  # type: ignore[no-untyped-def]
        return None

    def update_user(self, user, claims):  # type: ignore[no-untyped-def]
        return user


def _require_enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


class LoginStartView(OIDCAuthenticationRequestView):
    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        _require_enabled()
        request.session.pop(LINK_SESSION_KEY, None)
        return super().get(request)


class LinkStartView(OIDCAuthenticationRequestView):
    """A logged-in citizen links their state portal account (POST from the account page)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_enabled()
        if not request.user.is_authenticated or request.user.role != Role.CITIZEN:
            raise Http404
        request.session[LINK_SESSION_KEY] = True
        request.session[LINK_RETURN_KEY] = True
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self) -> str:  # type: ignore[override]
        from django.urls import reverse

        if self.request.session.pop(LINK_RETURN_KEY, False):
            return reverse("portal:account") + "?oidc=failed"
        return reverse("accounts:login") + "?oidc=failed"

    @property
    def success_url(self) -> str:  # type: ignore[override]
        from django.urls import reverse

        if self.request.session.pop(LINK_RETURN_KEY, False):
            return reverse("portal:account") + "?oidc=linked"
        return reverse("core:after-login")

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        _require_enabled()
        return super().get(request)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        audit("login.oidc", request=self.request, actor=self.user)
        return response

    def login_failure(self) -> HttpResponse:
        audit("login.failure", request=self.request, details={"via": "oidc"})
        return super().login_failure()
