"""Team figures on the statistics page: backlog by age, overdue items and requests, done per week,
channels, the Kaplan–Meier median with open items as censored, and the CSV/XLSX downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.casework import statistics
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.inbox.models import InboxItem
from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _item(household, *, age: int, done_after: int | None = None, channel="portal", deadline=None):  # type: ignore[no-untyped-def]
    received = timezone.now() - dt.timedelta(days=age)
    document = DocumentFactory(household=household, received_at=received, channel=channel)
    state = InboxItem.State.DONE if done_after is not None else InboxItem.State.OPEN
    done_at = received + dt.timedelta(days=done_after) if done_after is not None else None
    return InboxItemFactory(
        document=document, team=household.responsible_team, state=state, done_at=done_at, deadline=deadline
    )


@pytest.fixture
def dataset(household):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    _item(household, age=0)
    _item(household, age=5, deadline=today - dt.timedelta(days=1))
    _item(household, age=40, channel=Document.Channel.SCAN)
    _item(household, age=10, done_after=2)
    _item(household, age=20, done_after=3, channel=Document.Channel.SERVICE)
    _item(household, age=4, done_after=1)
    _item(HouseholdFactory(), age=1)  # another team: never counted
    from jcportal.docrequests.models import DocumentRequest

    DocumentRequest.objects.create(
        household=household, explanation="Kontoauszüge", deadline=today - dt.timedelta(days=2)
    )
    return household


def test_kaplan_meier_counts_open_items_as_censored():
    # done after 1, 2 and 3 days; open for 0, 5 and 40 days. S(1)=4/5, S(2)=0.6, S(3)=0.4 → median 3 days,
    # while the median of the done items alone (2 days) would look shorter than the real time.
    assert statistics.kaplan_meier_median({1: 1, 2: 1, 3: 1}, {0: 1, 5: 1, 40: 1}) == 3
    assert statistics.kaplan_meier_median({2: 1}, {5: 3}) is None  # fewer than half are done
    assert statistics.kaplan_meier_median({1: 2, 4: 2}, {}) == 1  # no censoring: the plain median


def test_team_figures_on_a_known_dataset(dataset):  # type: ignore[no-untyped-def]
    stats = statistics.team_statistics([dataset.responsible_team])
    figures = stats.teams[0]
    assert figures.backlog == 3
    assert figures.bands == [1, 1, 0, 0, 1]
    assert figures.overdue_items == 1 and figures.overdue_requests == 1
    assert sum(figures.done_per_week) == 3
    assert figures.median_days_to_done == 3 and figures.km_items == 6
    assert figures.channels == {"portal": 4, "scan": 1, "service": 1}
    assert figures.digital_percent == 83


def test_lead_sees_figures_and_downloads_them_as_csv_and_xlsx(dataset):  # type: ignore[no-untyped-def]
    lead = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD, team=dataset.responsible_team))
    body = lead.get(reverse("backoffice:statistics")).content.decode()
    assert "Backlog and time to done per team" in body and "Kaplan–Meier" in body
    assert str(dataset.responsible_team) in body

    response = lead.get(reverse("backoffice:statistics-export", args=["csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    team_row = next(r for r in rows if r and r[0] == str(dataset.responsible_team) and len(r) > 10)
    assert team_row[1:9] == [
        "3",
        "1",
        "1",
        "0",
        "0",
        "1",
        "1",
        "1",
    ]  # open, bands, overdue items and requests
    assert team_row[9] == "3"  # median days to done

    response = lead.get(reverse("backoffice:statistics-export", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Backlog"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Team" and values[1][:2] == [str(dataset.responsible_team), 3]
    assert values[1][9] == 3
    weeks = [[c.value for c in row] for row in workbook["Done per week"].iter_rows()]
    assert sum(weeks[1][1:]) == 3


def test_lead_sees_only_own_team_admin_all_caseworker_none(dataset, caseworker):  # type: ignore[no-untyped-def]
    other = HouseholdFactory()
    lead = login_staff(Client(), StaffFactory(role=Role.TEAM_LEAD, team=dataset.responsible_team))
    teams = lead.get(reverse("backoffice:statistics")).context["teams"]
    assert teams == [dataset.responsible_team]
    foreign = lead.get(reverse("backoffice:statistics"), {"team": other.responsible_team.pk})
    assert foreign.context["team"] is None  # not theirs: falls back to their own teams
    admin = login_staff(Client(), StaffFactory(role=Role.ADMIN, team=None))
    assert other.responsible_team in admin.get(reverse("backoffice:statistics")).context["teams"]
    worker = login_staff(Client(), caseworker)
    assert worker.get(reverse("backoffice:statistics")).status_code == 403
    assert worker.get(reverse("backoffice:statistics-export", args=["csv"])).status_code == 403
