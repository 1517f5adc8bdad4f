"""The role matrix in docs/staff/roles.md is what accounts.policy decides, cell by cell.

The test builds one household of a team with a citizen, a representative (all scopes), staff of every
role in that team, and an API client (every scope, the team as territory); asks each policy function
for each of them (as a user and as an Actor); and compares the answers with the table parsed from the
doc. A second, foreign household is refused in every household row for everybody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.accounts.models import Representation, Role
from jcportal.accounts.tests.factories import CitizenFactory, RepresentativeFactory, StaffFactory
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

DOC = Path(settings.PROJECT_DIR) / "docs" / "staff" / "roles.md"

COLUMNS = {
    "citizen": "citizen",
    "representative": "representative",
    "caseworker": "caseworker",
    "case manager": "case_manager",
    "team assistant": "team_assistant",
    "team lead": "team_lead",
    "team lead, `TEAM_LEAD_READS_CASES` off": "team_lead_off",
    "scan station": "scan_station",
    "administrator": "admin",
    "data-protection officer": "dpo",
    "API client": "api_client",
}


@dataclass
class Case:
    """The objects of one household the rows ask about."""

    household: Any
    citizen: Any
    sent: Any  # a document the citizen sent
    letter: Any  # a letter of the Jobcenter, not released
    released: Any  # a released letter
    submission: Any
    item: Any  # an unassigned inbox item of the team


Row = Callable[[Any, Case], bool]

# Row label (first column of the doc's table) → the policy's answer for ``who`` about ``case``.
HOUSEHOLD_ROWS: dict[str, Row] = {
    "open the household's case file": lambda who, c: policy.can_view_household(who, c.household),
    "read the household's documents (PDFs, originals, ID scans)": lambda who, c: policy.can_read_documents_of(
        who, c.household
    ),
    "download a document the citizen sent": lambda who, c: policy.can_download(who, c.sent),
    "download a letter of the Jobcenter before it is released": lambda who, c: policy.can_download(
        who, c.letter
    ),
    "download a released letter": lambda who, c: policy.can_download(who, c.released),
    "send documents for the household": lambda who, c: policy.can_upload_for(who, c.household),
    "file online services for the household": lambda who, c: policy.can_file_services_for(who, c.household),
    "open the household's online-service submissions (back office, API)": lambda who, c: (
        policy.can_open_submission(who, c.submission)
    ),
    "work on the team's inbox items": lambda who, c: policy.can_work_on_item(who, c.item),
    "correct a document the citizen sent (type, title, household, pages; ask for or approve its deletion)": (
        lambda who, c: policy.can_correct_document(who, c.sent)
    ),
    "accept or reject answers to a document request, extend its deadline": lambda who, c: (
        policy.can_decide_request_answers(who, SimpleNamespace(household=c.household))
    ),
    "tick request items received on paper, print and post request letters": lambda who, c: (
        policy.can_handle_request_post(who, SimpleNamespace(household=c.household))
    ),
    "decide access requests for the household": lambda who, c: policy.can_decide_access_request_for(
        who, c.household
    ),
    "manage the household's portal accounts": lambda who, c: policy.can_manage_account(who, c.citizen),
    "manage the household's representatives": lambda who, c: policy.can_manage_representations_of(
        who, c.household
    ),
    "see who accessed the household's data": lambda who, c: policy.can_see_transparency_log(who, c.household),
}
OTHER_ROWS: dict[str, Row] = {
    "search households by name or BG number": lambda who, c: policy.can_search_households(who),
    "use the scan station": lambda who, c: policy.can_use_scan_station(who),
    "see the statistics": lambda who, c: policy.can_see_statistics(who),
    "test the routing rules": lambda who, c: policy.can_test_routing(who),
    "read accessibility feedback": lambda who, c: policy.can_read_accessibility_feedback(who),
    "read the audit log": lambda who, c: policy.can_read_audit_log(who),
    "open the clearing inbox (as a member of a clearing team: yes, for every staff role)": lambda who, c: (
        policy.can_open_clearing(who)
    ),
    "configure the system (offices, teams, staff, API clients)": lambda who, c: policy.can_administer(who),
}
ROWS = {**HOUSEHOLD_ROWS, **OTHER_ROWS}


def parse_matrix(text: str) -> dict[str, dict[str, bool]]:
    """{row label: {role key: allowed}} from the doc's table (the one whose header starts with "what")."""
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| what |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    roles = [COLUMNS[name] for name in header[1:]]
    matrix: dict[str, dict[str, bool]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        values = [cell.split()[0].strip(",.").lower() for cell in cells[1:]]
        assert set(values) <= {"yes", "no"}, line
        matrix[cells[0]] = {role: value == "yes" for role, value in zip(roles, values, strict=True)}
    return matrix


def _case(team: Any, label: str) -> Case:
    from jcportal.documents.models import Document
    from jcportal.eforms import registry
    from jcportal.eforms.models import Submission
    from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

    household = HouseholdFactory(responsible_team=team)
    citizen = CitizenFactory(person=PersonFactory(household=household))
    sent = DocumentFactory(household=household, uploaded_by=citizen, title=f"{label} sent")
    outbound = {
        "household": household,
        "direction": Document.Direction.OUTBOUND,
        "channel": Document.Channel.BACKOFFICE,
    }
    letter = DocumentFactory(**outbound)
    released = DocumentFactory(**outbound, released_at=timezone.now())
    slug = registry.slugs()[0]
    submission = Submission.objects.create(
        form_slug=slug,
        form_version=registry.current(slug).version,
        household=household,
        created_by=citizen,
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        reference=f"JC-{label}-1",
    )
    item = InboxItemFactory(document=sent, team=team)
    return Case(household, citizen, sent, letter, released, submission, item)


@dataclass
class World:
    home: Case
    foreign: Case
    whos: dict[str, list[Any]]  # role key → the same actor as a user (or client) and as an Actor


def build_world() -> World:
    from jcportal.api import scopes
    from jcportal.api.services import create_client

    team, foreign_team = TeamFactory(), TeamFactory()
    home, foreign = _case(team, "HOME"), _case(foreign_team, "FOREIGN")
    representative = RepresentativeFactory()
    Representation.objects.create(
        representative=representative,
        household=home.household,
        scope_upload=True,
        scope_read=True,
        scope_services=True,
    )
    users = {
        "citizen": home.citizen,
        "representative": representative,
        "caseworker": StaffFactory(role=Role.CASEWORKER, team=team),
        "case_manager": StaffFactory(role=Role.CASE_MANAGER, team=team),
        "team_assistant": StaffFactory(role=Role.TEAM_ASSISTANT, team=team),
        "team_lead": StaffFactory(role=Role.TEAM_LEAD, team=team),
        "scan_station": StaffFactory(role=Role.SCAN_STATION, team=None),
        "admin": StaffFactory(role=Role.ADMIN, team=None, is_staff=True, is_superuser=True),
        "dpo": StaffFactory(role=Role.DPO, team=None),
    }
    whos: dict[str, list[Any]] = {key: [user, Actor.for_user(user)] for key, user in users.items()}
    whos["team_lead_off"] = whos["team_lead"]
    client, _token = create_client("matrix", scopes=scopes.all_scopes(), teams=[team])
    whos["api_client"] = [Actor.for_client(client), client]
    return World(home, foreign, whos)


def answers(world: World, case: Case, rows: dict[str, Row]) -> dict[str, dict[str, bool]]:
    """{row: {role: allowed}}; each cell must be the same whether asked with a user or an Actor."""
    result: dict[str, dict[str, bool]] = {label: {} for label in rows}
    for role, whos in world.whos.items():
        with override_settings(TEAM_LEAD_READS_CASES=role != "team_lead_off"):
            for label, row in rows.items():
                seen = {row(who, case) for who in whos}
                assert len(seen) == 1, f"{label!r} for {role}: a user and its Actor get different answers"
                result[label][role] = seen.pop()
    return result


def test_the_docs_role_matrix_is_what_the_policy_decides():  # type: ignore[no-untyped-def]
    documented = parse_matrix(DOC.read_text(encoding="utf-8"))
    assert set(documented) == set(ROWS), "the doc's rows and the test's rows differ"
    assert set(next(iter(documented.values()))) == set(COLUMNS.values())
    world = build_world()
    decided = answers(world, world.home, ROWS)
    wrong = [
        f"{label} / {role}: doc says {'yes' if documented[label][role] else 'no'}, policy says "
        f"{'yes' if allowed else 'no'}"
        for label, row in decided.items()
        for role, allowed in row.items()
        if documented[label][role] != allowed
    ]
    assert not wrong, "docs/staff/roles.md and accounts/policy.py disagree:\n" + "\n".join(wrong)


def test_nobody_gets_anything_of_a_foreign_household():  # type: ignore[no-untyped-def]
    world = build_world()
    decided = answers(world, world.foreign, HOUSEHOLD_ROWS)
    granted = [f"{label} / {role}" for label, row in decided.items() for role, ok in row.items() if ok]
    assert not granted, "granted on a foreign household:\n" + "\n".join(granted)


def test_the_system_anonymous_and_deactivated_accounts_get_nothing():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    world = build_world()
    caseworker = world.whos["caseworker"][0]
    caseworker.is_active = False
    nobody = {"system": Actor.system(), "anonymous": AnonymousUser(), "none": None}
    nobody["deactivated"] = caseworker
    for name, who in nobody.items():
        granted = [label for label, row in ROWS.items() if row(who, world.home)]
        assert not granted, f"{name} is granted: {granted}"


def test_the_matrix_parser_reads_yes_and_no():  # type: ignore[no-untyped-def]
    text = (
        "intro\n\n| what | citizen | API client |\n|---|---|---|\n| a | yes | no |\n| b | no, never | yes (scope) |\n\n"
        "after | not a row |\n"
    )
    assert parse_matrix(text) == {
        "a": {"citizen": True, "api_client": False},
        "b": {"citizen": False, "api_client": True},
    }
