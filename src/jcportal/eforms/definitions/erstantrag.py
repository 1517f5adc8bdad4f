"""Erstantrag: the main application (Hauptantrag, HA) with the annexes a household needs.

Works without an account. The Tag der Antragstellung (§ 37 SGB II) counts as soon as the first step
with name and address is sent. Annexes appear as steps only when they apply: WEP for further persons
aged 15 or over, KI for children under 15, EK for income, VM for assets, KDU for housing, MEB for
additional needs. Version 2 follows the new Grundsicherung from 1 July 2026 (assets).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..engine import (
    AMOUNT,
    CHECKBOX,
    CHOICE,
    DATE,
    FILE,
    IBAN,
    INFO,
    MULTI,
    NUMBER,
    RADIO,
    TEXT,
    TEXTAREA,
    YESNO,
    Field,
    FormDefinition,
    Repeat,
    Step,
    When,
)
from ..registry import register
from .common import (
    BIRTH_DATE_HINT,
    BUERGERGELD_START,
    MARITAL_LATER,
    REFORM_2026,
    address_fields,
    assets_2026_fields,
    bank_fields,
    considerable_assets_field,
    contact_fields,
    declaration_step,
    housing_cost_fields,
    income_kinds,
    not_in_future,
    person_fields,
)

SEX = (
    ("female", _("female (weiblich)")),
    ("male", _("male (männlich)")),
    ("diverse", _("diverse (divers)")),
    ("none", _("no entry (ohne Angabe)")),
)
ID_KINDS = (
    ("id_card", _("Identity card (Personalausweis)")),
    ("passport", _("Passport (Reisepass)")),
    ("residence_permit", _("Residence permit (eAT) or other document")),
)
MARITAL = (
    ("single", _("Single (ledig)")),
    ("married", _("Married or civil partnership (verheiratet / Lebenspartnerschaft)")),
    *MARITAL_LATER,
)
RELATION = (
    ("partner", _("Partner")),
    ("child", _("Child aged 15 or over")),
    ("other", _("Other relative")),
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
    "student_aid",
    "other",
    self_employment=_("Self-employment (selbständige Tätigkeit, Anlage EKS)"),
    student_aid=_("Student or training aid (BAföG / BAB)"),
)
HOUSING_KINDS = (
    ("rent", _("Rented flat or house (Miete)")),
    ("owner", _("Own flat or house (Eigentum)")),
    ("other", _("Other, e.g. shelter or living with others (sonstige)")),
)
TENANT_KINDS = (("main", _("Main tenant (Hauptmieter)")), ("sub", _("Subtenant (Untermieter)")))
HEATING = (
    ("electricity", _("Electricity (Strom)")),
    ("gas", _("Gas")),
    ("oil", _("Oil (Öl)")),
    ("coal", _("Coal (Kohle)")),
    ("district", _("District heating (Fernwärme)")),
    ("other", _("Other")),
)
HOT_WATER = (
    ("heating", _("By the heating system")),
    ("boiler", _("By an electric boiler (Boiler)")),
    ("instant", _("By an instantaneous water heater (Durchlauferhitzer)")),
)
NEEDS = (
    ("pregnancy", _("Pregnancy from the 13th week")),
    ("single_parent", _("Single parent (Alleinerziehend)")),
    ("disability", _("Disability with integration assistance")),
    ("diet", _("Costly diet for medical reasons (kostenaufwändige Ernährung, Anlage MEB)")),
    ("hot_water", _("Hot water produced in the flat (dezentrale Warmwassererzeugung)")),
)

PERSONAL = Step(
    "personal",
    _("Personal details (Persönliche Daten)"),
    (
        Field("last_name", TEXT, _("Last name (Familienname)"), source="HA 1"),
        Field("first_name", TEXT, _("First name (Vorname)"), source="HA 1"),
        Field("birth_name", TEXT, _("Birth name (Geburtsname)"), required=False, source="HA 1"),
        Field(
            "date_of_birth",
            DATE,
            _("Date of birth (Geburtsdatum)"),
            help=BIRTH_DATE_HINT,
            memorable=True,
            source="HA 1",
        ),
        Field("place_of_birth", TEXT, _("Place of birth (Geburtsort)"), source="HA 1"),
        Field("country_of_birth", TEXT, _("Country of birth (Geburtsland)"), source="HA 1"),
        Field("sex", RADIO, _("Sex (Geschlecht)"), choices=SEX, source="HA 1"),
        Field("nationality", TEXT, _("Nationality (Staatsangehörigkeit)"), source="HA 1"),
        *address_fields(),
        Field(
            "living_with",
            TEXT,
            _("Living with (wohnhaft bei)"),
            help=_("Only if your name is not on the letterbox."),
            required=False,
            source="HA 1",
        ),
        *contact_fields(),
    ),
    intro=_(
        "As soon as you send this page, your application counts as filed today (Tag der Antragstellung, "
        "§ 37 SGB II), even if you finish the rest later."
    ),
    validate=not_in_future("date_of_birth"),
    source="HA 1",
)

IDENTITY = Step(
    "identity",
    _("Identity and insurance (Ausweis und Versicherung)"),
    (
        Field("id_kind", RADIO, _("You identify yourself with"), choices=ID_KINDS, source="HA 1"),
        Field("id_valid_until", DATE, _("Valid until (gültig bis)"), source="HA 1"),
        Field(
            "entry_date",
            DATE,
            _("Date of entry into Germany (Einreisedatum)"),
            required=False,
            help=_("Only if you are not a German citizen."),
            source="HA 1",
        ),
        Field(
            "pension_number",
            TEXT,
            _("Pension insurance number (Rentenversicherungsnummer)"),
            help=_("12 characters, on your social insurance card. Leave empty if you have none."),
            required=False,
            max_length=20,
            source="HA 1",
        ),
        Field(
            "azr_number",
            TEXT,
            _("AZR number (AZR-Nummer)"),
            help=_(
                "Only for foreign nationals. The AZR number is your number in the central register of "
                "foreigners (Ausländerzentralregister). It is on your residence permit or on letters from "
                "the immigration office, usually 12 digits. Leave it empty if you do not have it."
            ),
            required=False,
            max_length=20,
            source="HA 1",
        ),
        Field(
            "personal_number",
            TEXT,
            _("Personal identification number (Personenkennnummer)"),
            help=_("Only for Romanian and Bulgarian nationals."),
            required=False,
            max_length=20,
            source="HA 1",
        ),
        Field(
            "pension_number_applied",
            CHECKBOX,
            _("I have applied for a pension insurance number."),
            required=False,
        ),
        Field("health_insurer", TEXT, _("Health insurance (Krankenkasse)"), required=False, source="HA / SV"),
    ),
    source="HA 1",
)

SITUATION = Step(
    "situation",
    _("Your situation"),
    (
        Field("marital_status", CHOICE, _("Marital status (Familienstand)"), choices=MARITAL, source="HA"),
        Field(
            "able_to_work",
            YESNO,
            _("Can you work at least 3 hours a day? (Erwerbsfähigkeit)"),
            help=_("Answer as far as you know; the Jobcenter checks this with you."),
            source="HA",
        ),
        Field(
            "student",
            YESNO,
            _("Are you a pupil, student or trainee? (Schüler / Student / Azubi)"),
            source="HA",
        ),
        Field(
            "institution",
            YESNO,
            _(
                "Do you live in a hospital, care home or other institution for more than 6 months? (stationär)"
            ),
            source="HA",
        ),
        Field(
            "asylum_benefits",
            YESNO,
            _("Do you receive benefits under the AsylbLG?"),
            help=_(
                "AsylbLG is the law on benefits for asylum seekers. You get these benefits from the social "
                "welfare office while your asylum procedure is running or if you have a tolerated stay "
                "(Duldung). If you do not know, answer No: the Jobcenter checks it with you."
            ),
            source="HA",
        ),
    ),
    source="HA",
)

BANK = Step("bank", _("Bank account (Bankverbindung)"), bank_fields(), source="HA Bankverbindung")

HOUSEHOLD = Step(
    "household",
    _("Your household (Bedarfsgemeinschaft)"),
    (
        Field(
            "adults_count",
            NUMBER,
            _("How many further persons aged 15 or over live with you?"),
            help=_("Your partner and children aged 15 or over. Enter 0 if none."),
            max_value=8,
            source="HA, Anlage WEP",
        ),
        Field(
            "children_count",
            NUMBER,
            _("How many children under 15 live with you?"),
            help=_("Enter 0 if none."),
            max_value=10,
            source="HA, Anlage KI",
        ),
    ),
    source="HA",
)

PERSONS = Step(
    "persons",
    _("Further persons (Anlage WEP)"),
    (
        *person_fields(),
        Field("relation", RADIO, _("Relation to you"), choices=RELATION),
        Field("able_to_work", YESNO, _("Can this person work at least 3 hours a day?")),
        Field("has_income", YESNO, _("Does this person have income? (then Anlage EK)")),
    ),
    repeat=Repeat("household.adults_count", _("Person %(number)s"), max_items=8),
    validate=not_in_future("date_of_birth"),
    source="Anlage WEP",
)

CHILDREN = Step(
    "children",
    _("Children (Anlage KI)"),
    (
        *person_fields(),
        Field("child_benefit", YESNO, _("Is child benefit paid for this child? (Kindergeld)")),
        Field(
            "maintenance",
            YESNO,
            _("Does the child receive maintenance or advance maintenance? (Unterhalt / UVG)"),
        ),
        Field("school", TEXT, _("Daycare or school (Kita / Schule)"), required=False),
    ),
    repeat=Repeat("household.children_count", _("Child %(number)s"), max_items=10),
    validate=not_in_future("date_of_birth"),
    source="Anlage KI",
)

INCOME = Step(
    "income",
    _("Income (Einkommen)"),
    (Field("has_income", YESNO, _("Do you have any income? (Bürgergeld itself does not count)")),),
    source="Anlage EK",
)

INCOME_DETAILS = Step(
    "income_details",
    _("Your income (Anlage EK)"),
    (
        Field("kinds", MULTI, _("Which income do you receive?"), choices=INCOME_KINDS, source="Anlage EK"),
        Field(
            "employer",
            TEXT,
            _("Employer: name and address (Arbeitgeber)"),
            required=False,
            source="Anlage EK",
        ),
        Field(
            "tax_class",
            CHOICE,
            _("Tax class (Steuerklasse)"),
            required=False,
            choices=tuple((str(n), str(n)) for n in range(1, 7)),
            source="Anlage EK",
        ),
        Field("gross", AMOUNT, _("Total gross income per month (brutto)"), source="Anlage EK"),
        Field("net", AMOUNT, _("Total net income per month (netto)"), source="Anlage EK"),
        Field(
            "payslip",
            FILE,
            _("Payslips or notices (Verdienstbescheinigung / Bescheide)"),
            doc_type="lohnabrechnung",
            required=False,
        ),
    ),
    condition=When("income.has_income", equals="yes"),
    intro=_("The application counts from the 1st of the month: please state the income of the whole month."),
    source="Anlage EK",
)


def assets_step(version: int) -> Step:
    if version == 1:
        fields: tuple[Field, ...] = (
            considerable_assets_field(
                help=_(
                    "Assets (Vermögen) are everything of value that belongs to the people in your household "
                    "(Bedarfsgemeinschaft): money in accounts, savings, shares, valuable things. "
                    "Household goods, an appropriate car, pension savings and a self-used home up to 130 m² "
                    "(flat) or 140 m² (house) do not count."
                ),
                source="Anlage VM (Bürgergeld, Karenzzeit)",
            ),
            Field("total_value", AMOUNT, _("Total value of all assets"), required=False),
            Field("description", TEXTAREA, _("Accounts, savings, vehicles, property"), required=False),
        )
    else:
        fields = (
            Field(
                "tier_info",
                INFO,
                _(
                    "Since 1 July 2026 there is no waiting period (Karenzzeit); the protected amount "
                    "(Schonvermögen) depends on each person's age. Please state all assets."
                ),
            ),
            *assets_2026_fields(),
            Field("description", TEXTAREA, _("Accounts, savings, vehicles, property"), required=False),
        )
    return Step("assets", _("Assets (Anlage VM)"), fields, source="Anlage VM")


HOUSING = Step(
    "housing",
    _("Housing and heating (Anlage KDU)"),
    (
        Field("housing_kind", RADIO, _("How do you live? (Wohnform)"), choices=HOUSING_KINDS),
        Field("tenant_kind", RADIO, _("Tenancy"), choices=TENANT_KINDS, required=False),
        Field("size_m2", NUMBER, _("Living space in m² (Wohnfläche)"), min_value=1, max_value=500),
        Field("rooms", NUMBER, _("Number of rooms (Räume)"), min_value=1, max_value=20),
        Field("persons_in_dwelling", NUMBER, _("Persons living in the dwelling"), min_value=1, max_value=20),
        *housing_cost_fields(),
        Field(
            "heating_kind",
            CHOICE,
            _("Kind of heating (Heizart)"),
            choices=HEATING,
            help=_(
                "How your home is heated. It is often written in your rental contract or in the bill for "
                "the service charges (Nebenkostenabrechnung). Ask your landlord if you are not sure."
            ),
        ),
        Field("central_heating", YESNO, _("Central heating (Zentralheizung)?")),
        Field("hot_water", RADIO, _("How is hot water produced? (Warmwasser)"), choices=HOT_WATER),
        Field("landlord", TEXT, _("Landlord: name and address (Vermieter)"), required=False),
        Field(
            "landlord_iban",
            IBAN,
            _("Landlord's IBAN, if the rent is to be paid directly to the landlord"),
            required=False,
            source="Anlage KDU",
        ),
        Field(
            "rental_contract",
            FILE,
            _("Rental contract (Mietvertrag)"),
            doc_type="mietvertrag",
            required=False,
        ),
    ),
    source="Anlage KDU",
)

OWNER_COSTS = Step(
    "owner_costs",
    _("Costs of your own home (Eigentum)"),
    (
        Field(
            "interest",
            AMOUNT,
            _("Interest on loans per month (Schuldzinsen)"),
            help=_("Repayments (Tilgung) are not covered."),
        ),
        Field("property_tax", AMOUNT, _("Property tax per year (Grundsteuer)")),
        Field("building_insurance", AMOUNT, _("Building insurance per year (Wohngebäudeversicherung)")),
        Field("other_costs", AMOUNT, _("Other service charges per month (Nebenkosten)"), required=False),
        Field(
            "loan_statement", FILE, _("Loan statement (Kreditnachweis)"), doc_type="sonstiges", required=False
        ),
    ),
    condition=When("housing.housing_kind", equals="owner"),
    source="Anlage KDU (Eigentum)",
)

NEEDS_STEP = Step(
    "needs",
    _("Additional needs (Mehrbedarfe)"),
    (
        Field(
            "needs",
            MULTI,
            _("Does any of this apply to someone in your household?"),
            choices=NEEDS,
            required=False,
            help=_("Leave all boxes empty if none applies."),
        ),
        Field(
            "medical_certificate",
            FILE,
            _("Medical certificate (ärztliche Bescheinigung)"),
            doc_type="sonstiges",
            required=False,
        ),
    ),
    source="HA Mehrbedarfe, Anlage MEB",
)

EVIDENCE = Step(
    "evidence",
    _("Documents (Nachweise)"),
    (
        Field(
            "id_document",
            FILE,
            _("Identity card or passport, both sides (Ausweis)"),
            doc_type="ausweis",
            required=False,
        ),
        Field(
            "bank_statements",
            FILE,
            _("Bank statements of the last 3 months (Kontoauszüge)"),
            doc_type="kontoauszug",
            required=False,
        ),
        Field(
            "later_info",
            INFO,
            _("You can also send documents later. The Jobcenter will tell you what is still missing."),
        ),
    ),
)


def build(version: int, valid_from) -> FormDefinition:  # type: ignore[no-untyped-def]
    return FormDefinition(
        slug="erstantrag",
        version=version,
        valid_from=valid_from,
        title=_("Apply for benefits (Erstantrag)"),
        short_title=_("First application"),
        description=_(
            "Apply for basic income support for jobseekers (SGB II) for the first time. No account needed."
        ),
        steps=(
            PERSONAL,
            IDENTITY,
            SITUATION,
            BANK,
            HOUSEHOLD,
            PERSONS,
            CHILDREN,
            INCOME,
            INCOME_DETAILS,
            assets_step(version),
            HOUSING,
            OWNER_COSTS,
            NEEDS_STEP,
            EVIDENCE,
            declaration_step(),
        ),
        doc_type="erstantrag",
        official_name="Hauptantrag (HA) mit Anlagen WEP, KI, EK, VM, KDU, MEB"
        + (" – Bürgergeld" if version == 1 else " – Grundsicherungsgeld"),
        needs_account=False,
        workflow="preregistration",
        records_application_date_after="personal",
        evidence_notes=(
            _("Identity card or passport"),
            _("Bank statements of the last 3 months"),
            _("Rental contract"),
            _("Proof of income, if any"),
        ),
        minutes=30,
    )


ERSTANTRAG_V1 = register(build(1, BUERGERGELD_START))
ERSTANTRAG_V2 = register(build(2, REFORM_2026))
