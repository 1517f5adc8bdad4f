"""Demo routing rules (idempotent): what a Jobcenter typically configures."""

from __future__ import annotations

from jcportal.accounts.models import User
from jcportal.households.models import ServiceOffice

from .models import RoutingRule


def seed() -> None:
    if RoutingRule.objects.exists():
        return
    for position, office in enumerate(ServiceOffice.objects.order_by("pk"), start=1):
        if office.postcode_list():
            RoutingRule.objects.create(
                position=position * 10,
                kind=RoutingRule.Kind.OFFICE_BY_POSTCODE,
                name=f"PLZ {office.city or office.name}",
                postcodes=office.postcodes,
                service_office=office,
            )
        if office.municipality_list():
            RoutingRule.objects.create(
                position=position * 10 + 5,
                kind=RoutingRule.Kind.OFFICE_BY_MUNICIPALITY,
                name=f"Gemeinden {office.city or office.name}",
                municipalities=office.municipalities,
                service_office=office,
            )
    RoutingRule.objects.create(
        position=100,
        kind=RoutingRule.Kind.FUNCTION_BY_TYPE,
        name="Krankmeldungen und Abwesenheit → Fallmanagement",
        doc_types="au_bescheinigung, krankmeldung, ortsabwesenheit, bewerbung",
        function=RoutingRule.Function.INTEGRATION,
        deadline_days=3,
    )
    beispieldorf = ServiceOffice.objects.filter(name="Standort Beispieldorf").first()
    worker = User.objects.filter(username="demo-sachbearbeitung2").first()
    if beispieldorf is not None and worker is not None:
        RoutingRule.objects.create(
            position=200,
            kind=RoutingRule.Kind.RESPONSIBLE_BY_SURNAME,
            name="Beispieldorf A–Z",
            letters="A-Z",
            only_office=beispieldorf,
            team=worker.team,
            assignee=worker,
        )
