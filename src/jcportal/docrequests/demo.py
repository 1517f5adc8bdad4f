"""Demo data: an open document request for the first demo household."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jcportal.accounts.models import User
from jcportal.households.models import Household

from .models import DocumentRequest, DocumentRequestItem

EXPLANATION = (
    "Für die Weiterbewilligung Ihres Bürgergelds benötigen wir noch die folgenden Unterlagen "
    "(Mitwirkungspflicht, §§ 60 ff. SGB I). Bitte reichen Sie sie bis zur Frist ein."
)


def seed() -> None:
    household = Household.objects.filter(bg_number="12345BG0000001").first()
    if household is None or DocumentRequest.objects.filter(household=household).exists():
        return
    caseworker = User.objects.filter(username="demo-sachbearbeitung").first()
    doc_request = DocumentRequest.objects.create(
        household=household,
        created_by=caseworker,
        explanation=EXPLANATION,
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    DocumentRequestItem.objects.create(
        request=doc_request,
        position=1,
        doc_type="kontoauszug",
        explanation="Kontoauszüge aller Konten der letzten drei Monate, alle Seiten.",
    )
    DocumentRequestItem.objects.create(
        request=doc_request,
        position=2,
        doc_type="nebenkosten",
        explanation="Die aktuelle Nebenkostenabrechnung Ihres Vermieters.",
    )
    DocumentRequestItem.objects.create(
        request=doc_request, position=3, doc_type="kindergeld", explanation="", optional=True
    )
