"""Access to back-office views: staff with a verified second factor, and a policy predicate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from jcportal.accounts import policy


def staff_required(predicate: Callable[..., bool] = policy.is_staff):  # type: ignore[no-untyped-def]
    """Use as ``@staff_required()`` or ``@staff_required(policy.can_use_scan_station)``."""

    def decorator(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.is_staff(request.user) or not predicate(request.user):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        return wrapper

    return decorator
