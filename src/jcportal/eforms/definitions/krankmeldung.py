"""Krankmeldung: report incapacity for work (§ 56 SGB II) with a photo of the AU-Bescheinigung."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..engine import DATE, FILE, INFO, RADIO, TEXT, YESNO, Field, FormDefinition, Step, When
from ..registry import register
from .common import BUERGERGELD_START, all_checks, declaration_step, period_check

CERTIFICATE_KINDS = (
    ("first", _("First certificate (Erstbescheinigung)")),
    ("follow_up", _("Follow-up certificate (Folgebescheinigung)")),
)

STEPS = (
    Step(
        "sickness",
        _("Incapacity for work (Arbeitsunfähigkeit)"),
        (
            Field(
                "deadline_info",
                INFO,
                _(
                    "Tell us at once when you are ill and send the certificate before the end of the third "
                    "calendar day. The Jobcenter does not receive the electronic certificate (eAU): please "
                    "send a photo of the paper certificate for the Jobcenter."
                ),
            ),
            Field(
                "sick_person",
                RADIO,
                _("Who is sick?"),
                help=_("The member of your household the certificate is for."),
                required=False,
                choices_from="household_members",
                prefill="self_member",
            ),
            Field("certificate_kind", RADIO, _("Which certificate is it?"), choices=CERTIFICATE_KINDS),
            Field("sick_from", DATE, _("Unable to work from (arbeitsunfähig seit)")),
            Field(
                "sick_until",
                DATE,
                _("Expected to be unable to work until (voraussichtlich bis)"),
                help=_("The last day written on the certificate."),
            ),
            Field("certified_on", DATE, _("Date the doctor issued the certificate (festgestellt am)")),
            Field("doctor", TEXT, _("Doctor or practice (Arzt / Praxis)"), required=False),
            Field(
                "missed_appointment",
                YESNO,
                _("Did you miss an appointment with the Jobcenter because of the illness?"),
            ),
        ),
        validate=all_checks(
            period_check("sick_from", "sick_until"), period_check("sick_from", "certified_on")
        ),
        source="§ 56 SGB II",
    ),
    Step(
        "appointment",
        _("Missed appointment"),
        (Field("appointment_date", DATE, _("Date of the missed appointment")),),
        condition=When("sickness.missed_appointment", equals="yes"),
    ),
    Step(
        "certificate",
        _("Certificate (AU-Bescheinigung)"),
        (
            Field(
                "au_certificate",
                FILE,
                _("Photo or PDF of the certificate (Arbeitsunfähigkeitsbescheinigung)"),
                help=_(
                    "Take a photo of the copy for the Jobcenter or the employer. It shows no diagnosis. "
                    "Lay it flat in good light so all text is readable."
                ),
                doc_type="au_bescheinigung",
                picture="img/eforms/au-bescheinigung.svg",
                picture_alt=_(
                    "The dates that must be readable on the photo: unable to work since, expected until, "
                    "determined on, and whether it is a first or follow-up certificate."
                ),
            ),
        ),
    ),
    declaration_step(),
)

KRANKMELDUNG_V1 = register(
    FormDefinition(
        slug="krankmeldung",
        version=1,
        valid_from=BUERGERGELD_START,
        title=_("Report sick (Krankmeldung)"),
        short_title=_("Sick report"),
        description=_("Tell your Jobcenter that you are unable to work and send the sick note."),
        steps=STEPS,
        doc_type="krankmeldung",
        official_name="Krankmeldung (§ 56 SGB II)",
        workflow="confirm",
        evidence_notes=(_("Sick note (AU-Bescheinigung): a photo is enough."),),
        minutes=3,
    )
)
