"""Ortsabwesenheit: ask for consent to be away from your place of residence (§ 7b SGB II)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..engine import CHECKBOX, DATE, EMAIL, INFO, PHONE, RADIO, TEXT, TEXTAREA, Field, FormDefinition, Step
from ..registry import register
from .common import BUERGERGELD_START, declaration_step, period_check

MAX_DAYS_PER_YEAR = 21
NOTICE_DAYS = 14

REASONS = (
    ("holiday", _("Holiday (Urlaub)")),
    ("family", _("Family matter")),
    ("medical", _("Medical treatment or rehabilitation")),
    ("course", _("Course or job interview elsewhere")),
    ("other", _("Other reason")),
)


def _future(values: dict[str, Any]) -> dict[str, str] | None:
    problems = period_check("absent_from", "absent_until")(values) or {}
    start = values.get("absent_from")
    if isinstance(start, dt.date) and start < dt.date.today():
        problems["absent_from"] = str(
            _("The consent must be asked for in advance: the first day cannot be in the past.")
        )
    return problems or None


STEPS = (
    Step(
        "absence",
        _("Your absence"),
        (
            Field(
                "rules_info",
                INFO,
                _(
                    "You need the Jobcenter's consent before you leave. Up to 21 calendar days a year can be "
                    "approved. Please ask at least two weeks ahead. Weekends need no consent."
                ),
            ),
            Field("absent_from", DATE, _("First day away (von)")),
            Field("absent_until", DATE, _("Last day away (bis)")),
            Field("destination", TEXT, _("Where will you be? (Aufenthaltsort)"), help=_("Town and country.")),
            Field("reason", RADIO, _("Reason"), choices=REASONS),
            Field(
                "reason_details",
                TEXTAREA,
                _("Please explain the reason"),
                required=False,
            ),
        ),
        validate=_future,
        source="§ 7b SGB II",
    ),
    Step(
        "reachability",
        _("How can we reach you? (Erreichbarkeit)"),
        (
            Field("phone", PHONE, _("Phone number during the absence"), prefill="phone"),
            Field("email", EMAIL, _("E-mail address during the absence"), required=False, prefill="email"),
            Field("address", TEXTAREA, _("Address during the absence"), required=False),
            Field(
                "check_in",
                CHECKBOX,
                _("I will report back to the Jobcenter on the first working day after my return."),
            ),
        ),
    ),
    declaration_step(),
)


def absence_days(data: dict[str, Any]) -> int:
    values = data.get("absence") or {}
    try:
        start = dt.date.fromisoformat(values["absent_from"])
        end = dt.date.fromisoformat(values["absent_until"])
    except (KeyError, TypeError, ValueError):
        return 0
    return max(0, (end - start).days + 1)


def warnings(data: dict[str, Any], submission: Any) -> list[str]:
    """Non-blocking hints for the citizen and the caseworker (the decision is the caseworker's)."""
    from ..selectors import absence_days_this_year

    result: list[str] = []
    days = absence_days(data)
    if not days:
        return result
    start = dt.date.fromisoformat(data["absence"]["absent_from"])
    earlier = absence_days_this_year(submission, start.year) if submission is not None else 0
    if days + earlier > MAX_DAYS_PER_YEAR:
        result.append(
            ngettext(
                "Together with your other absences this year you would be away %(total)d day; "
                "at most %(max)d days a year can normally be approved.",
                "Together with your other absences this year you would be away %(total)d days; "
                "at most %(max)d days a year can normally be approved.",
                days + earlier,
            )
            % {"total": days + earlier, "max": MAX_DAYS_PER_YEAR}
        )
    if (start - dt.date.today()).days < NOTICE_DAYS:
        result.append(
            str(_("Your absence starts in less than two weeks. Please call your Jobcenter if it is urgent."))
        )
    return result


ORTSABWESENHEIT_V1 = register(
    FormDefinition(
        slug="ortsabwesenheit",
        version=1,
        valid_from=BUERGERGELD_START,
        title=_("Ask for consent to an absence (Ortsabwesenheit)"),
        short_title=_("Absence"),
        description=_("Ask the Jobcenter for consent before you travel or stay away from home."),
        steps=STEPS,
        doc_type="ortsabwesenheit",
        official_name="Antrag auf Ortsabwesenheit (§ 7b SGB II)",
        workflow="approve",
        warnings=warnings,
        minutes=3,
    )
)
