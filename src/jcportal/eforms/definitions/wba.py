"""Weiterbewilligungsantrag (WBA): continue benefits for the next approval period.

Prefilled from the household's data; the citizen only fills in the sections that changed.
Version 1 follows the Bürgergeld rules, version 2 the new Grundsicherung from 1 July 2026 (no
Karenzzeit for assets any more, age-tiered protected assets, housing costs capped at 1.5 times the
appropriate limit).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..engine import (
    AMOUNT,
    DATE,
    FILE,
    INFO,
    MULTI,
    TEXT,
    TEXTAREA,
    YESNO,
    Field,
    FormDefinition,
    Step,
    When,
)
from ..registry import register
from .common import (
    BIRTH_DATE_HINT,
    BUERGERGELD_START,
    REFORM_2026,
    address_fields,
    assets_2026_fields,
    bank_fields,
    considerable_assets_field,
    contact_fields,
    declaration_step,
    household_change_steps,
    housing_cost_fields,
    income_kinds,
)

SECTIONS = (
    ("address", _("Address (Anschrift)")),
    ("household", _("Persons in the household (Haushalt)")),
    ("income", _("Income (Einkommen)")),
    ("housing", _("Housing and heating costs (Kosten der Unterkunft)")),
    ("bank", _("Bank account (Bankverbindung)")),
    ("assets", _("Assets (Vermögen)")),
    ("other", _("Something else")),
)
INCOME_KINDS = income_kinds(
    "employment", "self_employment", "alg1", "pension", "maintenance", "child_benefit", "other"
)


def changed(key: str) -> When:
    return When("changes.sections", contains=key)


def personal_step() -> Step:
    return Step(
        "personal",
        _("Personal details (Persönliche Daten)"),
        (
            Field("first_name", TEXT, _("First name (Vorname)"), prefill="first_name", source="WBA 1"),
            Field("last_name", TEXT, _("Last name (Familienname)"), prefill="last_name", source="WBA 1"),
            Field(
                "date_of_birth",
                DATE,
                _("Date of birth (Geburtsdatum)"),
                help=BIRTH_DATE_HINT,
                memorable=True,
                prefill="date_of_birth",
                source="WBA 1",
            ),
            Field(
                "approval_until",
                DATE,
                _("End of the current approval period (Ende des laufenden Bewilligungsabschnitts)"),
                help=_("From your last decision (Bewilligungsbescheid). We filled it in for you."),
                prefill="approval_until",
                source="WBA 1",
            ),
            *contact_fields(),
        ),
        intro=_("We filled in what we know. Please check it and correct it if needed."),
        source="WBA 1",
    )


def changes_step() -> Step:
    return Step(
        "changes",
        _("What has changed? (Änderungen)"),
        (
            Field(
                "sections",
                MULTI,
                _("What has changed since your last application?"),
                help=_("Choose everything that changed. Leave all boxes empty if nothing changed."),
                choices=SECTIONS,
                required=False,
            ),
        ),
        intro=_("This is what the Jobcenter knows about your household today."),
        include="eforms/includes/household_now.html",
        source="WBA 2–6",
    )


def common_change_steps() -> tuple[Step, ...]:
    return (
        Step(
            "address",
            _("New address (Anschrift)"),
            (
                *address_fields(),
                Field("moved_on", DATE, _("Date of the move (Umzugsdatum)")),
                Field(
                    "rental_contract", FILE, _("New rental contract (Mietvertrag)"), doc_type="mietvertrag"
                ),
            ),
            condition=changed("address"),
            source="WBA 1",
        ),
        *household_change_steps(
            _("Persons in the household (Haushalt)"),
            condition=changed("household"),
            source="WBA 2",
            persons_source="WBA 2",
        ),
        Step(
            "income",
            _("Income (Einkommen)"),
            (
                Field("kinds", MULTI, _("Which income do you receive now?"), choices=INCOME_KINDS),
                Field("employer", TEXT, _("Employer or paying office"), required=False),
                Field("gross", AMOUNT, _("Total gross income per month (brutto)")),
                Field("net", AMOUNT, _("Total net income per month (netto)")),
                Field("since", DATE, _("Since when?")),
                Field("payslip", FILE, _("Payslips or notices"), doc_type="lohnabrechnung", required=False),
            ),
            condition=changed("income"),
            source="WBA 3, Anlage EK",
        ),
    )


def housing_step(version: int) -> Step:
    fields: tuple[Field, ...] = (*housing_cost_fields(), Field("since", DATE, _("Since when?")))
    if version >= 2:
        fields = (
            Field(
                "cap_info",
                INFO,
                _(
                    "Since 1 July 2026 housing costs are covered at most up to one and a half times the "
                    "appropriate limit (Angemessenheitsgrenze), also during the first year."
                ),
            ),
            *fields,
            Field(
                "cost_reduction_request",
                YESNO,
                _("Has the Jobcenter asked you to lower your housing costs (Kostensenkungsaufforderung)?"),
            ),
        )
    return Step(
        "housing",
        _("Housing and heating costs (Kosten der Unterkunft)"),
        (
            *fields,
            Field("statement", FILE, _("Rent statement or bill"), doc_type="nebenkosten", required=False),
        ),
        condition=changed("housing"),
        source="WBA 4, Anlage KDU",
    )


def assets_step(version: int) -> Step:
    if version == 1:
        fields: tuple[Field, ...] = (
            considerable_assets_field(
                help=_("During the first year (Karenzzeit) only considerable assets count."),
                source="Anlage VM (Bürgergeld)",
            ),
            Field("total_value", AMOUNT, _("Total value of all assets"), required=False),
            Field("description", TEXTAREA, _("Which assets changed?")),
        )
    else:
        fields = (
            Field(
                "tier_info",
                INFO,
                _(
                    "Since 1 July 2026 there is no waiting period (Karenzzeit) any more; the protected amount "
                    "(Schonvermögen) depends on each person's age."
                ),
            ),
            *assets_2026_fields(),
            Field("description", TEXTAREA, _("Which assets changed?")),
        )
    return Step("assets", _("Assets (Vermögen)"), fields, condition=changed("assets"), source="Anlage VM")


def closing_steps() -> tuple[Step, ...]:
    return (
        Step("bank", _("New bank account (Bankverbindung)"), bank_fields(), condition=changed("bank")),
        Step(
            "other",
            _("Other changes (Sonstige Änderungen)"),
            (Field("description", TEXTAREA, _("Please describe all other changes")),),
            condition=changed("other"),
            source="WBA 6",
        ),
        Step(
            "statements",
            _("Bank statements (Kontoauszüge)"),
            (
                Field(
                    "bank_statements",
                    FILE,
                    _("Bank statements of the last 3 months"),
                    help=_(
                        "Of all accounts, also PayPal. You may black out the payee and purpose of expenses "
                        "that reveal political views, union membership, religion or health."
                    ),
                    doc_type="kontoauszug",
                ),
            ),
            source="WBA evidence",
        ),
        declaration_step(),
    )


def build(version: int, valid_from) -> FormDefinition:  # type: ignore[no-untyped-def]
    title = _("Continue benefits (Weiterbewilligungsantrag)")
    return FormDefinition(
        slug="wba",
        version=version,
        valid_from=valid_from,
        title=title,
        short_title=_("Continuation application"),
        description=_(
            "Apply for the next approval period. We fill in what we know; you tell us what changed."
        ),
        steps=(
            personal_step(),
            changes_step(),
            *common_change_steps(),
            housing_step(version),
            assets_step(version),
            *closing_steps(),
        ),
        doc_type="wba",
        official_name="Weiterbewilligungsantrag (WBA)"
        + (" – Bürgergeld" if version == 1 else " – Grundsicherungsgeld"),
        evidence_notes=(
            _("Bank statements of all accounts for the last 3 months (Kontoauszüge)"),
            _("Payslips if you earn money (Lohnabrechnungen)"),
        ),
        minutes=10,
    )


WBA_V1 = register(build(1, BUERGERGELD_START))
WBA_V2 = register(build(2, REFORM_2026))
