"""Who does something: a staff member, a citizen or representative, an API client, or the system.

Services and selectors take an ``Actor`` instead of an ``HttpRequest``: views build one with
``Actor.from_request(request)``, the API with ``Actor.for_client(client, ip=...)``, tasks and commands
use ``Actor.system()``. Access decisions about an actor live in ``accounts/policy.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import STAFF_ROLES, Role


@dataclass(frozen=True)
class Actor:
    user: Any = None  # accounts.User (staff, citizen, representative) or None
    client: Any = None  # api.ApiClient or None
    ip: str | None = None
    user_agent: str = ""
    # A representative acting for a household in the portal: its BG number (audit "on behalf of").
    on_behalf_of: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        from jcportal.audit.services import client_ip

        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        on_behalf_of = ""
        household = getattr(request, "portal_household", None)
        if household is not None and getattr(request, "acting_as_representative", False):
            on_behalf_of = household.bg_number
        return cls(
            user=user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            on_behalf_of=on_behalf_of,
        )

    @classmethod
    def for_user(cls, user: Any, ip: str | None = None) -> Actor:
        return cls(user=user if user is not None and user.is_authenticated else None, ip=ip)

    @classmethod
    def for_client(cls, client: Any, ip: str | None = None, user_agent: str = "") -> Actor:
        return cls(client=client, ip=ip, user_agent=user_agent[:300])

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @property
    def kind(self) -> str:
        if self.client is not None:
            return "api"
        if self.user is None:
            return "system"
        if self.user.role in STAFF_ROLES:
            return "staff"
        if self.user.role == Role.REPRESENTATIVE:
            return "representative"
        return "citizen"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff" and self.user.is_active

    @property
    def is_case_staff(self) -> bool:
        """In a case role (``policy.case_roles``: the team lead only with ``TEAM_LEAD_READS_CASES``)."""
        from . import policy

        return self.is_staff and policy.is_case_staff(self.user)

    @property
    def label(self) -> str:
        if self.client is not None:
            return f"api:{self.client.name}"
        if self.user is None:
            return "system"
        return str(self.user.get_username())
