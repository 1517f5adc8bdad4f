"""Reads of the accounts app (access is decided in policy.py; these only shape the data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from jcportal.households.models import Household, Person, normalise_bg_number

from .consents import TEXTS
from .models import AccessRequest, Consent, Representation, Role, User

SEARCH_LIMIT = 20


def search_persons(
    *, name: str = "", bg_number: str = "", date_of_birth: dt.date | None = None
) -> QuerySet[Person]:
    """Persons for matching an access request (name / BG number / date of birth; at least one given)."""
    if not (name.strip() or bg_number.strip() or date_of_birth):
        return Person.objects.none()
    persons = Person.objects.select_related("household", "household__responsible_team")
    for word in name.split():
        persons = persons.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(birth_name__icontains=word)
        )
    if bg_number.strip():
        persons = persons.filter(household__bg_number__icontains=bg_number.strip())
    if date_of_birth:
        persons = persons.filter(date_of_birth=date_of_birth)
    return persons.order_by("last_name", "first_name")[:SEARCH_LIMIT]


def suggested_persons(access_request: AccessRequest) -> QuerySet[Person]:
    """Exact matches on date of birth and last name, or on the BG number given."""
    condition = Q(date_of_birth=access_request.date_of_birth, last_name__iexact=access_request.last_name)
    if access_request.bg_number:
        condition |= Q(household__bg_number=normalise_bg_number(access_request.bg_number))
    return Person.objects.filter(condition).select_related("household")[:SEARCH_LIMIT]


def household_accounts(household: Household) -> QuerySet[User]:
    return User.objects.filter(role=Role.CITIZEN, person__household=household).select_related("person")


def representations_of(household: Household) -> QuerySet[Representation]:
    return (
        Representation.objects.filter(household=household)
        .select_related("representative", "granted_by")
        .order_by("revoked_at", "-created_at")
    )


def active_consent(user: Any, kind: str) -> Consent | None:
    return Consent.objects.filter(user=user, kind=kind, revoked_at__isnull=True).first()


def consent_history(user: Any) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user)


def household_has_digital_delivery(household: Household) -> bool:
    """True if a citizen of the household opted in to receive decisions in the portal (and did not revoke)."""
    return Consent.objects.filter(
        kind=Consent.Kind.DIGITAL_DELIVERY,
        revoked_at__isnull=True,
        user__person__household=household,
        user__is_active=True,
    ).exists()


def consent_text(kind: str):  # type: ignore[no-untyped-def]
    return TEXTS[kind]
