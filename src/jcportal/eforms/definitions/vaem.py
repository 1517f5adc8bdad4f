"""Veränderungsmitteilung (VÄM): tell the Jobcenter what changed, since when, with evidence."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..engine import (
    AMOUNT,
    DATE,
    FILE,
    MULTI,
    NUMBER,
    RADIO,
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
    BUERGERGELD_START,
    MARITAL_LATER,
    address_fields,
    bank_fields,
    declaration_step,
    household_change_steps,
    income_kinds,
)

CHANGES = (
    ("address", _("I moved (Umzug)")),
    ("household", _("Someone moved in or out (Haushalt)")),
    ("marital", _("My marital status changed (Familienstand)")),
    ("income", _("My income changed (Einkommen)")),
    ("job_start", _("I started a job (Arbeitsaufnahme)")),
    ("job_end", _("My job ended (Arbeitsende)")),
    ("bank", _("My bank account changed (Bankverbindung)")),
    ("health_insurance", _("My health insurance changed (Krankenversicherung)")),
    ("pregnancy", _("I am pregnant (Schwangerschaft)")),
    ("other", _("Something else")),
)
INCOME_KINDS = income_kinds(
    "employment",
    "self_employment",
    "alg1",
    "pension",
    "sick_pay",
    "maintenance",
    "child_benefit",
    "housing_benefit",
    "other",
)
MARITAL = (("married", _("Married (verheiratet)")), *MARITAL_LATER)


def changed(key: str) -> When:
    return When("changes.kinds", contains=key)


STEPS = (
    Step(
        "changes",
        _("What has changed?"),
        (
            Field("kinds", MULTI, _("Choose everything that has changed"), choices=CHANGES),
            Field(
                "since",
                DATE,
                _("Since when? (seit)"),
                help=_("The day of the (first) change. Use the next steps for more dates."),
            ),
            Field(
                "person",
                TEXT,
                _("Who is concerned? (Name)"),
                help=_("One notice per person, except when the whole household moves."),
                prefill="full_name",
            ),
        ),
        source="VÄM 1",
    ),
    Step(
        "address",
        _("New address (Umzug)"),
        (
            *address_fields(),
            Field("moved_on", DATE, _("Date of the move (Umzugsdatum)")),
            Field("whole_household", YESNO, _("Did the whole household (Bedarfsgemeinschaft) move?")),
            Field("rent_basic", AMOUNT, _("New basic rent per month (Grundmiete)")),
            Field("service_charges", AMOUNT, _("New service charges per month (Nebenkosten)")),
            Field("heating_costs", AMOUNT, _("New heating costs per month (Heizkosten)")),
            Field(
                "rental_contract",
                FILE,
                _("New rental contract (Mietvertrag)"),
                doc_type="mietvertrag",
                help=_(
                    "All pages with signatures. A registration certificate (Meldebescheinigung) can follow."
                ),
            ),
        ),
        condition=changed("address"),
        source="VÄM 2, Anlage KDU",
    ),
    *household_change_steps(
        _("Persons moving in or out"),
        condition=changed("household"),
        source="VÄM 2",
        persons_source="VÄM 2 (then WEP / KI, EK, VM)",
    ),
    Step(
        "marital",
        _("Marital status (Familienstand)"),
        (
            Field("status", RADIO, _("New marital status"), choices=MARITAL),
            Field("since", DATE, _("Since when?")),
            Field("partner_name", TEXT, _("Name of the partner"), required=False),
        ),
        condition=changed("marital"),
        source="VÄM 2",
    ),
    Step(
        "income",
        _("Income (Einkommen)"),
        (
            Field("kind", RADIO, _("Which income changed?"), choices=INCOME_KINDS),
            Field("gross", AMOUNT, _("Gross amount per month (brutto)")),
            Field("net", AMOUNT, _("Net amount per month (netto)")),
            Field("since", DATE, _("Since when?")),
            Field("payslip", FILE, _("Proof (payslip or notice)"), doc_type="lohnabrechnung", required=False),
        ),
        condition=changed("income"),
        source="VÄM 3, Anlage EK",
    ),
    Step(
        "job_start",
        _("New job (Arbeitsaufnahme)"),
        (
            Field("employer", TEXT, _("Employer (Arbeitgeber)")),
            Field("employer_address", TEXT, _("Employer's address")),
            Field("starts_on", DATE, _("First working day")),
            Field("hours", NUMBER, _("Hours per week"), min_value=1, max_value=60),
            Field("gross", AMOUNT, _("Expected gross pay per month (brutto)")),
            Field("first_pay_on", DATE, _("When will you be paid for the first time?"), required=False),
            Field(
                "contract",
                FILE,
                _("Employment contract (Arbeitsvertrag)"),
                doc_type="arbeitsvertrag",
                required=False,
            ),
        ),
        condition=changed("job_start"),
        source="VÄM 3 (Einkommensbescheinigung EKB follows)",
    ),
    Step(
        "job_end",
        _("Job ended (Arbeitsende)"),
        (
            Field("employer", TEXT, _("Employer (Arbeitgeber)")),
            Field("ends_on", DATE, _("Last working day")),
            Field("reason", TEXT, _("Why did the job end?"), help=_("For example: end of contract, notice.")),
            Field("last_pay_on", DATE, _("When will you receive your last pay?"), required=False),
            Field(
                "notice", FILE, _("Notice of termination (Kündigung)"), doc_type="kuendigung", required=False
            ),
        ),
        condition=changed("job_end"),
        source="VÄM 3 (Arbeitsbescheinigung follows)",
    ),
    Step(
        "bank",
        _("New bank account (Bankverbindung)"),
        bank_fields(prefill=False),
        condition=changed("bank"),
        source="VÄM 5",
    ),
    Step(
        "health_insurance",
        _("Health insurance (Krankenversicherung)"),
        (
            Field("insurer", TEXT, _("Name of the health insurance (Krankenkasse)")),
            Field("since", DATE, _("Member since")),
            Field(
                "membership",
                FILE,
                _("Membership certificate (Mitgliedsbescheinigung)"),
                doc_type="sonstiges",
                required=False,
            ),
        ),
        condition=changed("health_insurance"),
    ),
    Step(
        "pregnancy",
        _("Pregnancy (Schwangerschaft)"),
        (
            Field(
                "due_date",
                DATE,
                _("Expected date of birth (voraussichtlicher Entbindungstermin)"),
                help=_("From the 13th week of pregnancy an additional need (Mehrbedarf) is paid."),
            ),
            Field("maternity_pass", FILE, _("Copy of the maternity pass (Mutterpass)"), doc_type="sonstiges"),
        ),
        condition=changed("pregnancy"),
    ),
    Step(
        "other",
        _("Other change"),
        (
            Field("description", TEXTAREA, _("Please describe the change")),
            Field("evidence", FILE, _("Proof"), doc_type="sonstiges", required=False),
        ),
        condition=changed("other"),
    ),
    declaration_step(),
)

VAEM_V1 = register(
    FormDefinition(
        slug="vaem",
        version=1,
        valid_from=BUERGERGELD_START,
        title=_("Report a change (Veränderungsmitteilung)"),
        short_title=_("Notice of change"),
        description=_("Tell us about a move, a new job, new income, a new bank account and other changes."),
        steps=STEPS,
        doc_type="vaem",
        official_name="Veränderungsmitteilung (VÄM)",
        evidence_notes=(
            _("Rental contract after a move (Mietvertrag)"),
            _("Payslips or notices for changed income"),
            _("Employment contract or notice of termination"),
        ),
        minutes=8,
    )
)
