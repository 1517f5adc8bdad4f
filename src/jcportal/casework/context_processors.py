"""The back-office menu: the number of unread notifications for its badge (queried only when shown) and
whether it shows the search box."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {}

    def count() -> int:
        from .models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    def can_search() -> bool:  # the search box in the back-office menu, once the second factor is done
        from jcportal.accounts import policy

        verified = getattr(user, "is_verified", None)
        return policy.is_case_staff(user) and callable(verified) and bool(verified())

    return {
        "unread_notifications": SimpleLazyObject(count),
        "can_search_case_files": SimpleLazyObject(can_search),
    }
