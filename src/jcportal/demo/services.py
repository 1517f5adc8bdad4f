"""Demo data: a Jobcenter with two service offices, teams, staff and ~20 households.

Idempotent: running it again changes nothing that exists and adds what is missing. The logins are a
public contract (README, acceptance checks): keep them stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from jcportal.accounts.models import Role, User
from jcportal.accounts.otp import create_device_with_secret
from jcportal.households.models import Household, Jobcenter, Person, ServiceOffice, Team

DEMO_TOTP_SECRET = "JCPORTALDEMOSTAFFTOTPSECRETSEVEN"  # noqa: S105 - documented demo secret, refused in production
# The demo DMS's API token (all scopes, all households): README demo table, printed by `make run`.
DEMO_API_CLIENT = "demo-dms"
DEMO_API_TOKEN = "jcp_demodms_Demo-DMS-Token-2026-jcportal"  # noqa: S105 - documented demo token


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    description: str


CITIZEN_LOGINS = [
    DemoLogin(
        "demo-kunde", "Demo-Kunde-2026", Role.CITIZEN, "citizen, household 12345BG0000001 (Musterstadt)"
    ),
    DemoLogin(
        "demo-kunde2", "Demo-Kunde2-2026", Role.CITIZEN, "citizen, household 54321BG0000013 (Beispieldorf)"
    ),
]
STAFF_LOGINS = [
    DemoLogin(
        "demo-sachbearbeitung",
        "Demo-Sachbearbeitung-2026",
        Role.CASEWORKER,
        "caseworker, team Leistung Musterstadt, responsible for demo-kunde",
    ),
    DemoLogin(
        "demo-vertretung",
        "Demo-Vertretung-2026",
        Role.CASEWORKER,
        "caseworker, same team, deputy of demo-sachbearbeitung",
    ),
    DemoLogin(
        "demo-fallmanagement",
        "Demo-Fallmanagement-2026",
        Role.CASE_MANAGER,
        "integration specialist Musterstadt (sick notes, absences)",
    ),
    DemoLogin(
        "demo-sachbearbeitung2",
        "Demo-Sachbearbeitung2-2026",
        Role.CASEWORKER,
        "caseworker, team Leistung Beispieldorf",
    ),
    DemoLogin(
        "demo-teamleitung",
        "Demo-Teamleitung-2026",
        Role.TEAM_LEAD,
        "team lead Musterstadt (statistics, reads the team's cases, records role)",
    ),
    DemoLogin("demo-scan", "Demo-Scan-2026", Role.SCAN_STATION, "scan station"),
    DemoLogin(
        "demo-datenschutz", "Demo-Datenschutz-2026", Role.DPO, "data-protection officer (audit log only)"
    ),
    DemoLogin("demo-admin", "Demo-Admin-2026", Role.ADMIN, "administrator"),
]
ALL_LOGINS = CITIZEN_LOGINS + STAFF_LOGINS

FIRST_NAMES = [
    "Anna",
    "Mehmet",
    "Fatima",
    "Jonas",
    "Olena",
    "Yonas",
    "Leyla",
    "Peter",
    "Sara",
    "Ali",
    "Maria",
    "Dawit",
    "Elif",
    "Thomas",
    "Reza",
    "Nadia",
    "Lukas",
    "Amira",
    "Emre",
    "Helga",
]
LAST_NAMES = [
    "Muster",
    "Yilmaz",
    "Haddad",
    "Becker",
    "Kovalenko",
    "Tesfay",
    "Rahimi",
    "Schmidt",
    "Weber",
    "Hosseini",
    "Fischer",
    "Gebremedhin",
    "Demir",
    "Wagner",
    "Karimi",
    "Saleh",
    "Hoffmann",
    "Nasser",
    "Kaya",
    "Schulz",
]


class DemoDataRefused(Exception):
    pass


def _user(login: DemoLogin, **fields) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.filter(username=login.username).first()
    if user is None:
        user = User(username=login.username, role=login.role, **fields)
        user.set_password(login.password)
        user.save()
    if login.role in (Role.ADMIN,) and not user.is_superuser:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if user.is_staff_member:
        create_device_with_secret(user, DEMO_TOTP_SECRET)
    return user


def seed_demo() -> dict[str, int]:
    if not settings.DEMO_DATA or settings.PRODUCTION:
        raise DemoDataRefused("Demo data is refused in production mode (DEMO_DATA is off).")
    with transaction.atomic():
        return _seed()


def _seed() -> dict[str, int]:
    jobcenter, _ = Jobcenter.objects.get_or_create(
        name="Jobcenter Musterkreis",
        defaults={
            "street": "Hauptstraße 1",
            "postcode": "12345",
            "city": "Musterstadt",
            "phone": "01234 5678-0",
        },
    )
    office1, _ = ServiceOffice.objects.get_or_create(
        jobcenter=jobcenter,
        name="Standort Musterstadt",
        defaults={
            "street": "Hauptstraße 1",
            "postcode": "12345",
            "city": "Musterstadt",
            "postcodes": "12345, 12346, 12347",
            "municipalities": "Musterstadt\nNeudorf",
        },
    )
    office2, _ = ServiceOffice.objects.get_or_create(
        jobcenter=jobcenter,
        name="Standort Beispieldorf",
        defaults={
            "street": "Marktplatz 5",
            "postcode": "54321",
            "city": "Beispieldorf",
            "postcodes": "54321, 54322",
            "municipalities": "Beispieldorf\nAltheim",
        },
    )
    benefits1, _ = Team.objects.get_or_create(
        service_office=office1, name="Leistung Musterstadt", defaults={"function": Team.Function.BENEFITS}
    )
    integration1, _ = Team.objects.get_or_create(
        service_office=office1,
        name="Integration Musterstadt",
        defaults={"function": Team.Function.INTEGRATION},
    )
    benefits2, _ = Team.objects.get_or_create(
        service_office=office2, name="Leistung Beispieldorf", defaults={"function": Team.Function.BENEFITS}
    )
    clearing_team, _created = Team.objects.get_or_create(
        service_office=office1,
        name="Eingangszone",
        defaults={"function": Team.Function.INTAKE, "is_clearing": True},
    )

    by_name = {login.username: login for login in ALL_LOGINS}
    caseworker = _user(
        by_name["demo-sachbearbeitung"], team=benefits1, first_name="Sabine", last_name="Sachbearbeiterin"
    )
    deputy = _user(by_name["demo-vertretung"], team=benefits1, first_name="Volker", last_name="Vertreter")
    specialist = _user(
        by_name["demo-fallmanagement"], team=integration1, first_name="Frieda", last_name="Fallmanagerin"
    )
    caseworker2 = _user(
        by_name["demo-sachbearbeitung2"], team=benefits2, first_name="Bernd", last_name="Bearbeiter"
    )
    team_lead = _user(
        by_name["demo-teamleitung"], team=benefits1, first_name="Tanja", last_name="Teamleiterin"
    )
    # records management (docs/operations/records.md): the team lead proposes, the administrator (all
    # permissions) approves as the second person
    from jcportal.records.services import ensure_defaults

    ensure_defaults()
    team_lead.groups.add(*Group.objects.filter(name__startswith="Records management"))
    _user(by_name["demo-scan"], team=None, first_name="Stefan", last_name="Scanner")
    _user(by_name["demo-datenschutz"], first_name="Dana", last_name="Datenschutz")
    _user(by_name["demo-admin"], first_name="Adam", last_name="Admin")
    del deputy  # the deputy becomes active through an Absence that staff record themselves
    # the clearing team (Eingangszone) has members: the caseworker clears, the team lead leads it too
    from jcportal.accounts.models import TeamMembership

    TeamMembership.objects.get_or_create(user=caseworker, team=clearing_team)
    TeamMembership.objects.get_or_create(
        user=team_lead, team=clearing_team, defaults={"role": Role.TEAM_LEAD}
    )

    created = 0
    for index in range(20):
        in_office1 = index < 12
        office = office1 if in_office1 else office2
        number = f"{'12345' if in_office1 else '54321'}BG{index + 1:07d}"
        household, was_created = Household.objects.get_or_create(
            bg_number=number,
            defaults={
                "service_office": office,
                "responsible_team": benefits1 if in_office1 else benefits2,
                "responsible_caseworker": caseworker if in_office1 else caseworker2,
                "responsible_integration_specialist": specialist if in_office1 else None,
                "street": f"{['Lindenweg', 'Bahnhofstraße', 'Am Markt', 'Gartenstraße'][index % 4]} {index + 3}",
                "postcode": office.postcode_list()[index % len(office.postcode_list())],
                "city": office.city,
                "iban": "DE89370400440532013000",
                "approval_until": dt.date(2027, 1 + index % 12, 28),
            },
        )
        if not was_created:
            continue
        created += 1
        head = Person.objects.create(
            household=household,
            first_name=FIRST_NAMES[index],
            last_name=LAST_NAMES[index],
            date_of_birth=dt.date(1970 + index, 1 + index % 12, 1 + index),
            relation=Person.Relation.HEAD,
            is_head=True,
        )
        if index % 3 == 0:
            Person.objects.create(
                household=household,
                first_name=FIRST_NAMES[(index + 7) % 20],
                last_name=LAST_NAMES[index],
                date_of_birth=dt.date(1972 + index, 3, 14),
                relation=Person.Relation.PARTNER,
            )
        if index % 2 == 0:
            Person.objects.create(
                household=household,
                first_name=FIRST_NAMES[(index + 3) % 20],
                last_name=LAST_NAMES[index],
                date_of_birth=dt.date(2015 + index % 8, 6, 1),
                relation=Person.Relation.CHILD,
            )
        if number == "12345BG0000001":
            _user(CITIZEN_LOGINS[0], person=head, first_name=head.first_name, last_name=head.last_name)
        if number == "54321BG0000013":
            _user(CITIZEN_LOGINS[1], person=head, first_name=head.first_name, last_name=head.last_name)
    from jcportal.scanning.demo import seed as seed_scans_and_requests

    seed_scans_and_requests()
    from jcportal.inbox.demo import seed as seed_routing_rules

    seed_routing_rules()
    from jcportal.accounts.demo import seed as seed_access_requests

    seed_access_requests()
    from jcportal.eforms.demo import seed as seed_online_services

    seed_online_services()
    _seed_api_client()
    return {"households_created": created, "households": Household.objects.count()}


def _seed_api_client() -> None:
    from jcportal.api import scopes
    from jcportal.api.models import ApiClient
    from jcportal.api.services import create_client

    if not ApiClient.objects.filter(name=DEMO_API_CLIENT).exists():
        create_client(
            DEMO_API_CLIENT,
            scopes=scopes.all_scopes(),
            all_households=True,
            description="Demo DMS / Fachverfahren (all scopes)",
            token=DEMO_API_TOKEN,
        )
