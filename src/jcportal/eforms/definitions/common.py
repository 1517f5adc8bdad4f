"""Fields and checks that several forms share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..engine import (
    AMOUNT,
    CHECKBOX,
    DATE,
    EMAIL,
    IBAN,
    NUMBER,
    PHONE,
    POSTCODE,
    RADIO,
    TEXT,
    YESNO,
    Field,
    Repeat,
    Step,
    When,
)

# Reform of 2026: Bürgergeld becomes the new Grundsicherung (Grundsicherungsgeld).
REFORM_2026 = dt.date(2026, 7, 1)
BUERGERGELD_START = dt.date(2023, 1, 1)


BIRTH_DATE_HINT = _("For example: 27 3 1990")


def address_fields(prefix_help: bool = False) -> tuple[Field, ...]:
    return (
        Field("street", TEXT, _("Street and house number (Straße, Hausnummer)"), source="HA 1"),
        Field("postcode", POSTCODE, _("Postcode (PLZ)"), source="HA 1"),
        Field("city", TEXT, _("Town (Wohnort)"), source="HA 1"),
    )


def contact_fields() -> tuple[Field, ...]:
    return (
        Field(
            "phone",
            PHONE,
            _("Phone (Telefon)"),
            help=_("Voluntary. We only call you about this application."),
            required=False,
            prefill="phone",
            source="HA 1",
        ),
        Field(
            "email",
            EMAIL,
            _("E-mail address (E-Mail)"),
            help=_("Voluntary."),
            required=False,
            prefill="email",
            source="HA 1",
        ),
    )


def bank_fields(prefill: bool = True) -> tuple[Field, ...]:
    """IBAN and account holder; ``prefill=False`` where the old account must not be suggested (a new one)."""
    return (
        Field(
            "iban",
            IBAN,
            _("IBAN"),
            help=_("The 22 characters starting with DE on your bank card or bank statement."),
            picture="img/eforms/iban.svg",
            picture_alt=_(
                "Where to find the IBAN: on the front of the bank card or at the top of a bank statement."
            ),
            prefill="iban" if prefill else "",
            source="HA Bankverbindung",
        ),
        Field(
            "account_holder",
            TEXT,
            _("Account holder (Kontoinhaber)"),
            prefill="account_holder" if prefill else "",
        ),
    )


def housing_cost_fields() -> tuple[Field, ...]:
    return (
        Field("rent_basic", AMOUNT, _("Basic rent per month (Grundmiete)"), source="KDU"),
        Field("service_charges", AMOUNT, _("Service charges per month (Nebenkosten)"), source="KDU"),
        Field("heating_costs", AMOUNT, _("Heating costs per month (Heizkosten)"), source="KDU"),
        Field(
            "other_housing_costs",
            AMOUNT,
            _("Other housing costs per month"),
            required=False,
            source="KDU",
        ),
    )


def declaration_step(name: str = "declaration") -> Step:
    return Step(
        name,
        _("Declaration (Erklärung)"),
        (
            Field(
                "truthful",
                CHECKBOX,
                _("I confirm that my information is true and complete."),
                help=_(
                    "You must tell the Jobcenter about changes at once (§ 60 SGB I). "
                    "Wrong information can lead to repayment claims."
                ),
            ),
            Field(
                "privacy",
                CHECKBOX,
                _("I have read the privacy notice (Datenschutzhinweise)."),
                help=_(
                    "Your data is protected by social secrecy (Sozialgeheimnis) and collected under "
                    "§§ 60–65 SGB I and §§ 67a–c SGB X."
                ),
            ),
        ),
        source="all forms",
    )


def period_check(start: str, end: str) -> Any:
    """A step check: ``end`` must not be before ``start``."""

    def check(values: dict[str, Any]) -> dict[str, str] | None:
        first, last = values.get(start), values.get(end)
        if first and last and last < first:
            return {end: str(_("The last day must be on or after the first day."))}
        return None

    return check


def person_fields() -> tuple[Field, ...]:
    return (
        Field("first_name", TEXT, _("First name (Vorname)")),
        Field("last_name", TEXT, _("Last name (Familienname)")),
        Field("date_of_birth", DATE, _("Date of birth (Geburtsdatum)"), help=BIRTH_DATE_HINT, memorable=True),
    )


def considerable_assets_field(help: Any, source: str) -> Field:
    """The Bürgergeld question whether the household has considerable assets (erhebliches Vermögen)."""
    return Field(
        "considerable",
        YESNO,
        _(
            "Do the assets of your household exceed 40,000 euros for you plus 15,000 euros for each "
            "further person (erhebliches Vermögen)?"
        ),
        help=help,
        source=source,
    )


def assets_2026_fields() -> tuple[Field, ...]:
    """The asset questions of the Grundsicherung from 1 July 2026 (after the form's own notice)."""
    return (
        Field(
            "total_value",
            AMOUNT,
            _("Total value of all assets of the household"),
            source="Anlage VM (2026)",
        ),
        Field("savings", AMOUNT, _("Of which cash, accounts and savings"), required=False),
        Field("vehicles", NUMBER, _("Number of motor vehicles"), max_value=9),
        Field("owns_home", YESNO, _("Do you own the home you live in?")),
    )


INCOME_KIND_LABELS = {
    "employment": _("Wages (Arbeitsentgelt)"),
    "self_employment": _("Self-employment (selbständige Tätigkeit)"),
    "alg1": _("Unemployment benefit (Arbeitslosengeld I)"),
    "pension": _("Pension (Rente)"),
    "sick_pay": _("Sick pay (Krankengeld)"),
    "maintenance": _("Maintenance or advance maintenance (Unterhalt / UVG)"),
    "child_benefit": _("Child benefit (Kindergeld)"),
    "housing_benefit": _("Housing benefit (Wohngeld)"),
    "other": _("Other income"),
}


def income_kinds(*keys: str, **own_labels: Any) -> tuple[tuple[str, Any], ...]:
    """Income choices in the order of ``keys``; ``own_labels`` give a form its own label for a key."""
    return tuple((key, own_labels[key] if key in own_labels else INCOME_KIND_LABELS[key]) for key in keys)


# The marital statuses after "single" and "married", whose wording differs from form to form.
MARITAL_LATER = (
    ("partnership", _("Living with a partner (Verantwortungs- und Einstehensgemeinschaft)")),
    ("separated", _("Separated (getrennt lebend)")),
    ("divorced", _("Divorced (geschieden)")),
    ("widowed", _("Widowed (verwitwet)")),
)

MOVE = (("in", _("Moved in (Einzug)")), ("out", _("Moved out (Auszug)")))


def household_change_steps(
    title: Any, *, condition: When, source: str, persons_source: str
) -> tuple[Step, Step]:
    """The steps "how many persons moved in or out" and one step for each of them."""
    return (
        Step(
            "household",
            title,
            (Field("count", NUMBER, _("How many persons moved in or out?"), min_value=1, max_value=6),),
            condition=condition,
            source=source,
        ),
        Step(
            "persons",
            _("Person moving in or out"),
            (
                *person_fields(),
                Field("direction", RADIO, _("Moved in or out?"), choices=MOVE),
                Field("on", DATE, _("Date of moving in or out")),
            ),
            condition=condition,
            repeat=Repeat("household.count", _("Person %(number)s"), max_items=6),
            source=persons_source,
        ),
    )


def not_in_future(*names: str) -> Any:
    def check(values: dict[str, Any]) -> dict[str, str] | None:
        today = dt.date.today()
        for name in names:
            value = values.get(name)
            if isinstance(value, dt.date) and value > today:
                return {name: str(_("The date cannot be in the future."))}
        return None

    return check


def all_checks(*checks: Any) -> Any:
    def check(values: dict[str, Any]) -> dict[str, str] | None:
        problems: dict[str, str] = {}
        for one in checks:
            problems.update(one(values) or {})
        return problems or None

    return check


__all__ = [
    "BIRTH_DATE_HINT",
    "BUERGERGELD_START",
    "INCOME_KIND_LABELS",
    "MARITAL_LATER",
    "MOVE",
    "REFORM_2026",
    "address_fields",
    "all_checks",
    "assets_2026_fields",
    "bank_fields",
    "considerable_assets_field",
    "contact_fields",
    "declaration_step",
    "household_change_steps",
    "housing_cost_fields",
    "income_kinds",
    "not_in_future",
    "period_check",
    "person_fields",
]
