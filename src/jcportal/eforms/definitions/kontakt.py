"""Kontakt: a message, a callback request or appointment suggestions (no direct booking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..engine import (
    CHOICE,
    DATE,
    FILE,
    MULTI,
    PHONE,
    RADIO,
    TEXTAREA,
    Field,
    FormDefinition,
    Step,
    When,
    interpolate,
)
from ..registry import register
from .common import BUERGERGELD_START

KINDS = (
    ("message", _("Send a message")),
    ("callback", _("Ask for a callback (Rückruf)")),
    ("appointment", _("Suggest appointments (Terminwunsch)")),
)
TOPICS = (
    ("benefits", _("Money and benefits (Geldleistungen)")),
    ("documents", _("Documents and letters")),
    ("work", _("Work, training and courses (Arbeit und Förderung)")),
    ("change", _("A change in my situation")),
    ("other", _("Something else")),
)
TIME_WINDOWS = (
    ("08-10", _("8 to 10 a.m.")),
    ("10-12", _("10 a.m. to 12 noon")),
    ("13-15", _("1 to 3 p.m.")),
    ("15-17", _("3 to 5 p.m.")),
)
DAY_PARTS = (("morning", _("Morning (8 a.m. to 12 noon)")), ("afternoon", _("Afternoon (1 to 4 p.m.)")))


def _slots(values: dict[str, Any]) -> dict[str, str] | None:
    problems: dict[str, str] = {}
    today = dt.date.today()
    for number in (1, 2, 3):
        day = values.get(f"slot{number}_date")
        if isinstance(day, dt.date) and day <= today:
            problems[f"slot{number}_date"] = str(_("Choose a day after today."))
        if day and not values.get(f"slot{number}_time"):
            problems[f"slot{number}_time"] = str(_("Choose the time of day for this date."))
    first, second = values.get("slot1_date"), values.get("slot2_date")
    if first and second and first == second and values.get("slot1_time") == values.get("slot2_time"):
        problems["slot2_date"] = str(_("Suggest two different appointments."))
    return problems or None


def _slot(number: int, required: bool) -> tuple[Field, Field]:
    return (
        Field(
            f"slot{number}_date",
            DATE,
            interpolate(_("Suggestion %(number)s: day"), {"number": number}),
            required=required,
        ),
        Field(
            f"slot{number}_time",
            RADIO,
            interpolate(_("Suggestion %(number)s: time of day"), {"number": number}),
            choices=DAY_PARTS,
            required=required,
        ),
    )


STEPS = (
    Step(
        "contact",
        _("Your concern"),
        (
            Field("kind", RADIO, _("What would you like?"), choices=KINDS),
            Field("topic", CHOICE, _("Topic"), choices=TOPICS),
            Field(
                "message",
                TEXTAREA,
                _("Your message"),
                help=_("Please do not send health details unless they matter for your request."),
            ),
        ),
    ),
    Step(
        "callback",
        _("Callback (Rückruf)"),
        (
            Field("phone", PHONE, _("Phone number for the callback"), prefill="phone"),
            Field(
                "time_windows",
                MULTI,
                _("When can we call you? (on working days)"),
                help=_("Choose all that suit you."),
                choices=TIME_WINDOWS,
            ),
        ),
        condition=When("contact.kind", equals="callback"),
    ),
    Step(
        "appointment",
        _("Appointment suggestions (Terminwunsch)"),
        (*_slot(1, True), *_slot(2, True), *_slot(3, False)),
        intro=_(
            "Suggest two or three times that suit you. This is not a booking: the Jobcenter will confirm one "
            "of them or offer another time."
        ),
        condition=When("contact.kind", equals="appointment"),
        validate=_slots,
    ),
    Step(
        "attachment",
        _("Attachment"),
        (
            Field(
                "attachment",
                FILE,
                _("Photo or PDF (optional)"),
                help=_("For example a letter you have a question about."),
                required=False,
                doc_type="sonstiges",
            ),
        ),
    ),
)

KONTAKT_V1 = register(
    FormDefinition(
        slug="kontakt",
        version=1,
        valid_from=BUERGERGELD_START,
        title=_("Contact your Jobcenter"),
        short_title=_("Contact"),
        description=_("Send a message, ask for a callback or suggest appointment times."),
        steps=STEPS,
        doc_type="kontakt",
        official_name="Kontaktformular / Rückruf / Terminwunsch",
        minutes=3,
    )
)
