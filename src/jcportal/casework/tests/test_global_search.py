"""The one search box of the back office (``casework.search.global_search``, /backoffice/suche/) and the
inbox's name filter: every result is something the staff member may open."""

import datetime as dt

import pytest
from django.urls import reverse

from jcportal.audit.models import AuditEvent
from jcportal.eforms.models import Submission
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory
from jcportal.inbox.models import InboxItem
from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # tests read English ids

SEARCH = reverse("backoffice:search")


def test_the_receipt_number_opens_the_document(caseworker_client, household):
    document = DocumentFactory(
        household=household, title="Kontoauszug März", receipt_number="E-20261207-K7MQ3X"
    )
    response = caseworker_client.get(SEARCH, {"q": " e-20261207-k7mq3x "})  # as typed from the receipt
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:document", args=[document.pk])
    event = AuditEvent.objects.filter(action="search.performed").get()
    assert event.details == {"kind": "receipt_number", "results": 1, "more": False}
    assert "K7MQ3X" not in str(event.details)  # the query itself is not stored


def test_the_bg_number_and_a_name_find_the_household(caseworker_client, household):
    PersonFactory(
        household=household, first_name="Anna", last_name="Wojcik", date_of_birth=dt.date(1980, 3, 4)
    )
    url = reverse("backoffice:household", args=[household.pk])

    by_number = caseworker_client.get(SEARCH, {"q": household.bg_number.lower()})
    assert by_number.context["results"].kind == "bg_number"
    assert f'href="{url}"' in by_number.content.decode()

    by_name = caseworker_client.get(SEARCH, {"q": "anna wojc"}).content.decode()
    assert f'href="{url}"' in by_name and "Wojcik, Anna" in by_name

    by_birth_date = caseworker_client.get(SEARCH, {"q": "04.03.1980"})
    assert [hit.household for hit in by_birth_date.context["results"].households] == [household]
    details = list(
        AuditEvent.objects.filter(action="search.performed")
        .order_by("sequence")
        .values_list("details", flat=True)
    )
    assert [d["kind"] for d in details] == ["bg_number", "text", "date"]
    assert "Wojcik" not in str(details) and "1980" not in str(details)


def test_full_text_finds_the_document_ranked_with_a_highlighted_snippet(caseworker_client, household):
    DocumentFactory(
        household=household, title="Mietvertrag", ocr_text="Die Hausverwaltung Lindenweg <b>bestätigt</b>"
    )
    best = DocumentFactory(
        household=household, title="Betriebskosten Lindenweg", ocr_text="Abrechnung Lindenweg 2025"
    )
    response = caseworker_client.get(SEARCH, {"q": "lindenweg"})
    hits = response.context["results"].documents
    assert [hit.document for hit in hits][0] == best  # in the title and the text ranks first
    assert len(hits) == 2
    body = response.content.decode()
    assert "<mark>Lindenweg</mark>" in body
    # the document's text is escaped, only the marks are HTML
    assert "Die Hausverwaltung <mark>Lindenweg</mark>" in body
    assert "<b>bestätigt" not in body  # FTS5 keeps it as "&lt;b&gt;bestätigt", ts_headline drops the tag


def test_another_teams_household_never_appears(caseworker_client, household):
    other = HouseholdFactory()
    PersonFactory(household=other, last_name="Fremdling")
    DocumentFactory(household=other, title="Fremd", ocr_text="Geheimwort", receipt_number="E-20261207-ACDEFG")
    Submission.objects.create(
        form_slug="wba",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        household=other,
        reference="JC-2026-000001-8",
    )
    for query in (
        "fremdling",
        "geheimwort",
        "E-20261207-ACDEFG",
        other.bg_number,
        "JC-2026-000001-8",
        "17.05.1985",
    ):
        response = caseworker_client.get(SEARCH, {"q": query})
        assert response.status_code == 200, query
        assert response.context["results"].count == 0, query
        assert "Nothing found in the case files you may open." in response.content.decode()


def test_the_vorgangsnummer_opens_the_submission(caseworker_client, household):
    submission = Submission.objects.create(
        form_slug="wba",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        household=household,
        reference="JC-2026-000123-7",
    )
    response = caseworker_client.get(SEARCH, {"q": "jc-2026-000123-7"})
    assert response["Location"] == reverse("backoffice:submission", args=[submission.pk])


def test_the_search_box_is_in_the_back_office_menu_and_works_without_javascript(
    caseworker_client, citizen_client
):
    page = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert f'action="{SEARCH}"' in page and 'role="search"' in page and 'name="q"' in page
    assert f'action="{SEARCH}"' not in citizen_client.get(reverse("portal:dashboard")).content.decode()
    assert citizen_client.get(SEARCH, {"q": "x"}).status_code in (302, 403)


def test_the_inbox_filters_by_name(caseworker_client, caseworker, household):
    PersonFactory(household=household, first_name="Jelena", last_name="Petrović")
    other = HouseholdFactory(responsible_team=household.responsible_team)
    PersonFactory(household=other, last_name="Schmidt")
    mine = InboxItemFactory(
        document=DocumentFactory(household=household, title="Von Petrović"), assignee=caseworker
    )
    InboxItemFactory(document=DocumentFactory(household=other, title="Von Schmidt"), assignee=caseworker)
    assert InboxItem.objects.filter(assignee=caseworker).count() == 2

    response = caseworker_client.get(reverse("backoffice:inbox"), {"name": "petrov"})
    assert [item.pk for item in response.context["page"].object_list] == [mine.pk]
    assert "Von Schmidt" not in response.content.decode()
    response = caseworker_client.get(reverse("backoffice:inbox"), {"name": "jelena petrović"})
    assert [item.pk for item in response.context["page"].object_list] == [mine.pk]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_the_receipt_number_typed_into_the_menu_finds_the_document(
    demo_data, live_server, desktop_page
):
    from jcportal.core.testing.fixtures import browser_login
    from jcportal.demo.services import DEMO_TOTP_SECRET
    from jcportal.households.models import Household

    from .helpers import document_with_pdf
    from .test_browser import assert_no_axe_violations

    household = Household.objects.get(bg_number="12345BG0000001")
    document = document_with_pdf(
        household=household,
        title="Kontoauszug Oktober",
        ocr_text="Miete Oktober an die Hausverwaltung Lindenweg",
    )
    page = desktop_page
    browser_login(page, "demo-sachbearbeitung", "Demo-Sachbearbeitung-2026", totp_secret=DEMO_TOTP_SECRET)
    page.goto("/verwaltung/postfach/")
    page.fill("#header-search-q", document.receipt_number.lower())
    with page.expect_navigation():
        page.press("#header-search-q", "Enter")  # two steps: type, Enter
    assert page.url.endswith(f"/verwaltung/dokumente/{document.pk}/")

    page.fill("#header-search-q", "hausverwaltung lindenweg")
    with page.expect_navigation():
        page.press("#header-search-q", "Enter")
    result = page.locator(".search-result").filter(has_text="Kontoauszug Oktober")
    assert result.locator("mark").first.inner_text() in ("Hausverwaltung", "Lindenweg")
    assert_no_axe_violations(page)
