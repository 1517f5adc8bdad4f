"""Demo data for access and onboarding: an open access request for the demo caseworker to match."""

from __future__ import annotations

from jcportal.households.models import Household

from .consents import ACCESS_REQUEST_PRIVACY
from .models import AccessRequest
from .services import route_access_request


def seed() -> None:
    household = Household.objects.filter(bg_number="12345BG0000002").first()
    head = household.head if household else None
    if (
        head is None
        or AccessRequest.objects.filter(last_name=head.last_name, first_name=head.first_name).exists()
    ):
        return
    AccessRequest.objects.create(
        first_name=head.first_name,
        last_name=head.last_name,
        date_of_birth=head.date_of_birth,
        street=household.street,
        postcode=household.postcode,
        city=household.city,
        bg_number="",
        email="",
        language="de",
        consent_version=ACCESS_REQUEST_PRIVACY.version,
        team=route_access_request("", household.postcode),
    )
