"""Demo data for the online services: a partial first application the back office should follow up.

Idempotent; no PDFs are rendered (keeps ``seed_demo`` fast)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import registry
from .models import Submission
from .services import office_for_postcode


def seed() -> int:
    drafts = Submission.objects.filter(current_step="identity", household__isnull=True)
    if any((d.data.get("personal") or {}).get("last_name") == "Beispiel" for d in drafts):  # encrypted
        return 0
    definition = registry.current("erstantrag")
    two_days_ago = timezone.localdate() - dt.timedelta(days=2)
    Submission.objects.create(
        form_slug=definition.slug,
        form_version=definition.version,
        current_step="identity",
        application_date=two_days_ago,
        application_recorded_at=timezone.now() - dt.timedelta(days=2),
        service_office=office_for_postcode("12345"),
        data={
            "personal": {
                "last_name": "Beispiel",
                "first_name": "Jana",
                "birth_name": None,
                "date_of_birth": "1992-03-14",
                "place_of_birth": "Dresden",
                "country_of_birth": "Deutschland",
                "sex": "female",
                "nationality": "deutsch",
                "street": "Birkenallee 12",
                "postcode": "12345",
                "city": "Musterstadt",
                "living_with": None,
                "phone": "0176 5550123",
                "email": None,
            }
        },
    )
    return 1
