"""The document types a citizen, the scan station or a service can hand in, and what each is for.

``function`` tells the routing which kind of staff handles it (see households.Team.Function).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentType:
    code: str
    label: Promise
    explanation: Promise
    function: str = "benefits"
    citizen_selectable: bool = True


TYPES: list[DocumentType] = [
    DocumentType(
        "mietvertrag",
        _("Rental contract (Mietvertrag)"),
        _("Your rental contract with all pages and signatures."),
    ),
    DocumentType(
        "nebenkosten",
        _("Utility bill (Nebenkostenabrechnung)"),
        _("The yearly statement of service charges or heating costs from your landlord."),
    ),
    DocumentType(
        "kontoauszug",
        _("Bank statement (Kontoauszug)"),
        _("Statements of all your accounts for the last 3 months."),
    ),
    DocumentType(
        "lohnabrechnung",
        _("Payslip (Lohnabrechnung / Verdienstbescheinigung)"),
        _("Your payslip or proof of earnings for each month."),
    ),
    DocumentType(
        "arbeitsvertrag",
        _("Employment contract (Arbeitsvertrag)"),
        _("Your new or changed employment contract."),
    ),
    DocumentType(
        "kuendigung", _("Notice of termination (Kündigung)"), _("A notice that ends your job or your flat.")
    ),
    DocumentType(
        "au_bescheinigung",
        _("Sick note (AU-Bescheinigung)"),
        _("The certificate of incapacity for work from your doctor."),
        function="integration",
    ),
    DocumentType(
        "ausweis",
        _("ID card or residence permit (Personalausweis / Aufenthaltstitel)"),
        _("Front and back of your ID card, passport or residence permit."),
    ),
    DocumentType(
        "kindergeld",
        _("Child benefit notice (Kindergeldbescheid)"),
        _("The notice from the Familienkasse about child benefit."),
    ),
    DocumentType("rentenbescheid", _("Pension notice (Rentenbescheid)"), _("A notice about a pension.")),
    DocumentType(
        "bewerbung",
        _("Proof of job applications (Bewerbungsnachweis)"),
        _("Your job applications and the answers you received."),
        function="integration",
    ),
    DocumentType(
        "sonstiges", _("Other document"), _("Anything else. Please give the document a short title.")
    ),
    # Not chosen by citizens: produced by services, the scan station and the back office.
    DocumentType(
        "bescheid", _("Decision (Bescheid)"), _("A decision of the Jobcenter."), citizen_selectable=False
    ),
    DocumentType(
        "schreiben", _("Letter from the Jobcenter"), _("A letter of the Jobcenter."), citizen_selectable=False
    ),
    DocumentType(
        "erstantrag",
        _("Application for benefits (Erstantrag)"),
        _("Online service"),
        citizen_selectable=False,
    ),
    DocumentType(
        "wba",
        _("Continuation application (Weiterbewilligungsantrag)"),
        _("Online service"),
        citizen_selectable=False,
    ),
    DocumentType(
        "vaem", _("Notice of change (Veränderungsmitteilung)"), _("Online service"), citizen_selectable=False
    ),
    DocumentType(
        "krankmeldung",
        _("Sick report (Krankmeldung)"),
        _("Online service"),
        function="integration",
        citizen_selectable=False,
    ),
    DocumentType(
        "ortsabwesenheit",
        _("Absence from place of residence (Ortsabwesenheit)"),
        _("Online service"),
        function="integration",
        citizen_selectable=False,
    ),
    DocumentType(
        "kontakt",
        _("Message, callback or appointment request"),
        _("Online service"),
        citizen_selectable=False,
    ),
    DocumentType(
        "zugangsantrag", _("Request for portal access"), _("Online service"), citizen_selectable=False
    ),
    DocumentType("post", _("Paper mail (scanned)"), _("Scanned incoming mail"), citizen_selectable=False),
]
BY_CODE: dict[str, DocumentType] = {t.code: t for t in TYPES}


def choices(citizen_only: bool = False) -> list[tuple[str, Promise]]:
    return [(t.code, t.label) for t in TYPES if t.citizen_selectable or not citizen_only]


def get(code: str) -> DocumentType:
    return BY_CODE.get(code, BY_CODE["sonstiges"])


def label(code: str) -> Promise:
    return get(code).label


# Stored texts (a document's default title) are German, the canonical language of the case file; pages
# show ``label`` in the reader's language.
CANONICAL_LANGUAGE = "de"


def canonical_label(code: str) -> str:
    """The type's name in German, for texts that are stored (titles), never in the uploader's language."""
    from django.utils import translation

    with translation.override(CANONICAL_LANGUAGE):
        return str(label(code))
