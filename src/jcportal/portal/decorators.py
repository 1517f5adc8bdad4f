"""Access to the citizen portal: citizens and representatives, always through accounts.policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from jcportal.accounts import policy
from jcportal.accounts.models import Role
from jcportal.households.models import Household

SESSION_KEY = "portal_household_id"


def current_household(request: HttpRequest, scope: str | None = None) -> Household | None:
    """The household the portal user acts for: a citizen's own, or the one a representative chose."""
    user = request.user
    if user.role == Role.CITIZEN:
        return policy.citizen_household(user)
    if user.role == Role.REPRESENTATIVE:
        visible = policy.visible_households(user, scope)
        chosen = request.session.get(SESSION_KEY)
        if chosen:
            return visible.filter(pk=chosen).first()
        return visible.first() if visible.count() == 1 else None
    return None


def citizen_required(view: Callable[..., HttpResponse] | None = None, *, scope: str | None = None):  # type: ignore[no-untyped-def]
    """Only citizens and representatives with a household (and, if given, the scope) reach the view.

    Sets ``request.portal_household`` and ``request.acting_as_representative``.
    """

    def decorator(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.is_portal_user(request.user):
                raise PermissionDenied
            household = current_household(request, scope)
            if household is None:
                if (
                    request.user.role == Role.REPRESENTATIVE
                    and policy.visible_households(request.user).exists()
                ):
                    from django.shortcuts import redirect

                    return redirect("portal:choose-household")
                raise PermissionDenied
            request.portal_household = household  # type: ignore[attr-defined]
            request.acting_as_representative = request.user.role == Role.REPRESENTATIVE  # type: ignore[attr-defined]
            return func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def household_object_or_404(request: HttpRequest, model, scope: str | None = None, **lookup):  # type: ignore[no-untyped-def]
    """Fetch an object of the current household; a foreign household's object is a 404, never a 403 leak."""
    household = current_household(request, scope)
    return get_object_or_404(model, household=household, **lookup)
