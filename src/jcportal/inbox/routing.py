"""The routing engine: where does a document of a household go, and why?

Rules are data (``RoutingRule``, edited in the Django admin) and are evaluated in three stages, each in
``position`` order, the first match of a stage wins:

1. *function*: document/service type → benefits or integration (rules of kind ``doc_type``, else the
   default of the document type in ``documents.types``);
2. *service office*: residence postcode or municipality → office (rules), else the office recorded on
   the household;
3. *responsible*: the staff member recorded on the household for that function; else rules on
   BG-number ranges or the first letter of the surname (optionally only for one office/function);
   an integration document without an integration specialist falls back to the benefits caseworker;
   else the household's responsible team; else the team of the office that has that function.

Whatever cannot be routed goes to the clearing team (``Team.is_clearing``) of the office, never nowhere.
Every decision records its steps as codes with parameters; ``describe_steps`` translates them when shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from jcportal.accounts.models import Absence, User
from jcportal.households.models import Household, ServiceOffice, Team

from .models import RoutingRule

FUNCTION_LABELS = dict(RoutingRule.Function.choices)

# code -> message; parameters are filled in when displayed (translated at display time).
MESSAGES: dict[str, Any] = {
    "function_rule": _("%(type)s is handled by %(function)s (rule “%(rule)s”)."),
    "function_default": _("%(type)s is handled by %(function)s (default of this document type)."),
    "office_postcode": _("Postcode %(postcode)s belongs to %(office)s (rule “%(rule)s”)."),
    "office_municipality": _("Municipality %(municipality)s belongs to %(office)s (rule “%(rule)s”)."),
    "office_household": _("Service office %(office)s as recorded for the household."),
    "no_office": _("No service office could be determined for the household."),
    "explicit_caseworker": _("%(person)s is the caseworker recorded for household %(bg)s."),
    "explicit_specialist": _("%(person)s is the integration specialist recorded for household %(bg)s."),
    "fallback_benefits": _("No integration specialist found: the benefits caseworker takes it."),
    "bg_rule": _("BG number %(bg)s lies in the range of rule “%(rule)s”: %(target)s."),
    "surname_rule": _("Surname %(surname)s starts with %(letter)s (rule “%(rule)s”): %(target)s."),
    "household_team": _("Team %(team)s is recorded as responsible for household %(bg)s."),
    "office_team": _("Team %(team)s is the %(function)s team of %(office)s."),
    "no_household": _("The document is not linked to a household."),
    "no_responsible": _("No rule finds a responsible team or staff member."),
    "clearing": _("It goes to the clearing team %(team)s."),
    "no_clearing": _("No clearing team is configured: an administrator must create one."),
    "deputy": _("%(deputy)s deputises for %(person)s (absent %(start)s to %(end)s)."),
    "forwarded": _("Forwarded by %(person)s."),
    "legacy": _("Routed: %(text)s"),
    # the intake hands a document it could not finish to the clearing team (inbox.services.hand_to_clearing)
    "quarantined": _("The virus scanner found %(detail)s; the document is held back."),
    "intake_failed": _("The intake could not finish the document (%(detail)s)."),
}

UMLAUTS = {"Ä": "A", "Ö": "O", "Ü": "U"}


def _step(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": {k: ("" if v is None else str(v)) for k, v in params.items()}}


def _display_params(params: dict[str, str]) -> dict[str, str]:
    from jcportal.documents import types

    shown = dict(params)
    if "type" in shown:
        shown["type"] = str(types.label(shown["type"]))
    if "function" in shown:
        shown["function"] = str(FUNCTION_LABELS.get(shown["function"], shown["function"]))
    for key in ("start", "end"):
        if shown.get(key):
            with contextlib.suppress(ValueError):
                shown[key] = formats.date_format(dt.date.fromisoformat(shown[key]), "SHORT_DATE_FORMAT")
    return shown


def describe_steps(steps: list[dict[str, Any]]) -> list[str]:
    """The reasons of a decision as sentences in the active language."""
    lines: list[str] = []
    for step in steps or []:
        message = MESSAGES.get(step.get("code", ""))
        if message is None:
            continue
        try:
            lines.append(str(message) % _display_params(step.get("params", {})))
        except (KeyError, ValueError):
            lines.append(str(message))
    return lines


def summary_text(steps: list[dict[str, Any]]) -> str:
    """A short untranslated (English) summary stored in ``InboxItem.reason`` for the admin and exports."""
    with translation.override("en"):
        return " ".join(describe_steps(steps))[:300]


@dataclass
class Deputy:
    deputy: Any
    absent: Any
    absence: Absence


@dataclass
class Decision:
    function: str
    deadline_days: int | None = None
    service_office: ServiceOffice | None = None
    team: Team | None = None
    assignee: Any | None = None
    clearing: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    deputies: list[Deputy] = field(default_factory=list)

    def reasons(self) -> list[str]:
        return describe_steps(self.steps)

    def deputy_steps(self, deputy: Deputy) -> list[dict[str, Any]]:
        return [
            *self.steps,
            _step(
                "deputy",
                deputy=_person(deputy.deputy),
                person=_person(deputy.absent),
                start=deputy.absence.starts_on.isoformat(),
                end=deputy.absence.ends_on.isoformat(),
            ),
        ]


def _person(user: Any | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(active=True).select_related("service_office", "team", "assignee"))


def _target_label(rule: RoutingRule) -> str:
    parts = [str(rule.team.name) if rule.team else "", _person(rule.assignee)]
    return ", ".join(p for p in parts if p)


def _surname_letter(household: Household) -> tuple[str, str]:
    head = household.members.filter(is_head=True).first() or household.members.first()
    surname = (head.last_name if head else "").strip()
    return surname, surname[:1].upper()


def _decide_function(doc_type: str, rules: list[RoutingRule]) -> tuple[str, int | None, dict[str, Any]]:
    from jcportal.documents import types

    for rule in rules:
        if rule.kind == RoutingRule.Kind.FUNCTION_BY_TYPE and doc_type in rule.doc_type_list():
            step = _step("function_rule", type=doc_type, function=rule.function, rule=rule.name)
            return rule.function, rule.deadline_days, step
    function = types.get(doc_type).function
    if function not in FUNCTION_LABELS:
        function = RoutingRule.Function.BENEFITS
    return function, None, _step("function_default", type=doc_type, function=function)


def _decide_office(
    household: Household, rules: list[RoutingRule]
) -> tuple[ServiceOffice | None, dict[str, Any]]:
    postcode = (household.postcode or "").strip()
    city = (household.city or "").strip()
    for rule in rules:
        if (
            rule.kind == RoutingRule.Kind.OFFICE_BY_POSTCODE
            and postcode
            and any(postcode.startswith(p) for p in rule.postcode_list())
        ):
            return rule.service_office, _step(
                "office_postcode", postcode=postcode, office=rule.service_office, rule=rule.name
            )
        if (
            rule.kind == RoutingRule.Kind.OFFICE_BY_MUNICIPALITY
            and city
            and city.casefold() in rule.municipality_list()
        ):
            return rule.service_office, _step(
                "office_municipality", municipality=city, office=rule.service_office, rule=rule.name
            )
    if household.service_office_id:
        return household.service_office, _step("office_household", office=household.service_office)
    return None, _step("no_office")


def _responsible_by_rules(
    household: Household, function: str, office: ServiceOffice | None, rules: list[RoutingRule]
) -> tuple[Team | None, User | None, dict[str, Any]] | None:
    surname: str | None = None
    letter = ""
    for rule in rules:
        if rule.kind not in (
            RoutingRule.Kind.RESPONSIBLE_BY_BG_RANGE,
            RoutingRule.Kind.RESPONSIBLE_BY_SURNAME,
        ):
            continue
        if rule.only_office_id and (office is None or rule.only_office_id != office.pk):
            continue
        if rule.only_function and rule.only_function != function:
            continue
        if rule.kind == RoutingRule.Kind.RESPONSIBLE_BY_BG_RANGE:
            bg = household.bg_number
            if rule.bg_from <= bg <= rule.bg_to:
                team = rule.team or (rule.assignee.team if rule.assignee else None)
                return (
                    team,
                    rule.assignee,
                    _step("bg_rule", bg=bg, rule=rule.name, target=_target_label(rule)),
                )
        else:
            if surname is None:
                surname, letter = _surname_letter(household)
            letters = rule.letter_set()
            if letter and (letter in letters or UMLAUTS.get(letter, letter) in letters):
                team = rule.team or (rule.assignee.team if rule.assignee else None)
                return (
                    team,
                    rule.assignee,
                    _step(
                        "surname_rule",
                        surname=surname,
                        letter=letter,
                        rule=rule.name,
                        target=_target_label(rule),
                    ),
                )
    return None


def _explicit(household: Household, function: str) -> tuple[Team | None, User | None, dict[str, Any]] | None:
    if function == RoutingRule.Function.INTEGRATION:
        person = household.responsible_integration_specialist
        code = "explicit_specialist"
    else:
        person = household.responsible_caseworker
        code = "explicit_caseworker"
    if person is None or not person.is_active:
        return None
    team = person.team if person.team_id else household.responsible_team
    return team, person, _step(code, person=_person(person), bg=household.bg_number)


def clearing_team(office: ServiceOffice | None) -> Team | None:
    qs = Team.objects.filter(is_clearing=True).select_related("service_office")
    if office is not None:
        local = qs.filter(service_office=office).order_by("pk").first()
        if local is not None:
            return local
    return qs.order_by("pk").first()


def _to_clearing(decision: Decision, reason: str) -> Decision:
    decision.steps.append(_step(reason))
    team = clearing_team(decision.service_office)
    decision.clearing = True
    decision.assignee = None
    decision.team = team
    decision.steps.append(_step("clearing", team=team.name) if team else _step("no_clearing"))
    return decision


def decide(household: Household | None, doc_type: str, day: dt.date | None = None) -> Decision:
    """Where would a document of ``doc_type`` for ``household`` go today? Reads only, writes nothing."""
    rules = _rules()
    function, deadline_days, function_step = _decide_function(doc_type, rules)
    decision = Decision(function=function, deadline_days=deadline_days, steps=[function_step])
    if household is None:
        return _to_clearing(decision, "no_household")
    office, office_step = _decide_office(household, rules)
    decision.service_office = office
    decision.steps.append(office_step)

    found = _explicit(household, function) or _responsible_by_rules(household, function, office, rules)
    if found is None and function == RoutingRule.Function.INTEGRATION:
        fallback = _explicit(household, RoutingRule.Function.BENEFITS) or _responsible_by_rules(
            household, RoutingRule.Function.BENEFITS, office, rules
        )
        if fallback is not None:
            decision.steps.append(_step("fallback_benefits"))
            found = fallback
    if found is None and household.responsible_team_id:
        team = household.responsible_team
        found = (team, None, _step("household_team", team=team.name if team else "", bg=household.bg_number))
    if found is None and office is not None:
        teams = list(Team.objects.filter(service_office=office, function=function, is_clearing=False)[:2])
        if len(teams) == 1:
            found = (
                teams[0],
                None,
                _step("office_team", team=teams[0].name, function=function, office=office),
            )
    if found is None:
        return _to_clearing(decision, "no_responsible")

    decision.team, decision.assignee, step = found
    decision.steps.append(step)
    if decision.assignee is not None:
        absences = Absence.current(day).filter(staff=decision.assignee).select_related("deputy", "staff")
        seen: set[int] = set()
        for absence in absences:  # every deputy of every absence, and the standing substitutes
            for deputy in absence.all_deputies():
                if deputy.pk not in seen:
                    seen.add(deputy.pk)
                    decision.deputies.append(Deputy(deputy=deputy, absent=decision.assignee, absence=absence))
    return decision


def explain(decision: Decision) -> list[str]:
    """Reasons including the deputies (for the test page)."""
    lines = decision.reasons()
    for deputy in decision.deputies:
        lines.append(describe_steps(decision.deputy_steps(deputy))[-1])
    return lines


__all__ = ["Decision", "Deputy", "clearing_team", "decide", "describe_steps", "explain", "summary_text"]
