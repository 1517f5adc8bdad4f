"""Canonical data: titles are stored in German whatever language the citizen uses, and shown with the
type's label in the staff member's language; an online application and its evidence are one inbox item,
closed together; the Krankmeldung asks which household member is sick."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents import types
from jcportal.documents.models import Document
from jcportal.eforms.models import Submission
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory
from jcportal.inbox.models import InboxItem
from jcportal.inbox.services import route_document
from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

from .helpers import fill, png, start, submission_id_from

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _citizen(household, language: str) -> Client:  # type: ignore[no-untyped-def]
    citizen = CitizenFactory(person__household=household, preferred_language=language)
    client = Client()
    client.force_login(citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _label(person) -> str:  # type: ignore[no-untyped-def]
    return f"{person.full_name} ({person.date_of_birth:%d.%m.%Y})"


def _sick_report(client: Client, **sickness: str) -> Submission:
    review = fill(
        client,
        start(client, "krankmeldung"),
        {
            "sickness": {
                "certificate_kind": "first",
                "sick_from": TODAY.isoformat(),
                "sick_until": (TODAY + dt.timedelta(days=3)).isoformat(),
                "certified_on": TODAY.isoformat(),
                "doctor": "Praxis Dr. Hausarzt",
                "missed_appointment": "no",
                **sickness,
            },
            "certificate": {"au_certificate": png("au.png")},
            "declaration": {"truthful": "on", "privacy": "on"},
        },
    )
    response = client.post(review)
    assert response.status_code == 302, response.content[:300]
    return Submission.objects.get(pk=submission_id_from(review))


def test_arabic_sick_report_stores_german_title_one_item_closed_together_and_names_the_sick_member():
    household = HouseholdFactory()
    client = _citizen(household, "ar")
    child = PersonFactory(household=household, first_name="Samira", last_name="Haddad")
    step = client.get(start(client, "krankmeldung")).content.decode()
    assert 'name="sick_person"' in step and "Samira Haddad" in step  # two members: the question is asked

    submission = _sick_report(client, sick_person=_label(child))
    assert submission.data["sickness"]["sick_person"] == _label(child)
    evidence = submission.evidence.get().document
    german_type = types.canonical_label("au_bescheinigung")
    assert evidence.title.startswith("Foto oder PDF der Arbeitsunfähigkeitsbescheinigung – Krankmeldung")
    assert not re.search("[\u0600-\u06ff]", evidence.title)  # no Arabic in the E-Akte
    # the intake delivers the evidence: it joins the application's item, no item of its own
    assert route_document(evidence) == []
    assert route_document(evidence) == []
    open_items = InboxItem.objects.filter(household=household).exclude(state=InboxItem.State.DONE)
    assert [i.document_id for i in open_items] == [submission.document_id]
    assert submission.reference in evidence.inbox_events.get().target  # its history says where it went

    # an English-speaking caseworker reads the type in English, the title stays German
    worker = StaffFactory(team=household.responsible_team, preferred_language="en")
    staff = login_staff(Client(), worker)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = staff.get(reverse("backoffice:document", args=[evidence.pk])).content.decode()
    assert "Sick note (AU-Bescheinigung)" in page and german_type not in page
    assert "Foto oder PDF der Arbeitsunfähigkeitsbescheinigung" in page
    detail = staff.get(reverse("backoffice:submission", args=[submission.pk])).content.decode()
    assert "Who is sick?" in detail and "Samira Haddad" in detail

    # an item that an older version made for the evidence closes with the application as well
    legacy = InboxItemFactory(document=evidence, team=household.responsible_team)
    staff.post(reverse("backoffice:submission-action", args=[submission.pk]), {"action": "confirm"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CONFIRMED
    assert not InboxItem.objects.filter(household=household).exclude(state=InboxItem.State.DONE).exists()
    legacy.refresh_from_db()
    evidence.refresh_from_db()
    assert legacy.state == InboxItem.State.DONE and evidence.status == Document.Status.PROCESSED


def test_single_member_household_is_not_asked_who_is_sick():
    household = HouseholdFactory()
    client = _citizen(household, "de")
    step = client.get(start(client, "krankmeldung")).content.decode()
    assert 'name="sick_person"' not in step
    submission = _sick_report(client)
    assert submission.data["sickness"].get("sick_person") is None


def test_discarded_draft_gives_its_delivered_evidence_an_item_of_its_own():
    from jcportal.eforms import services

    household = HouseholdFactory()
    client = _citizen(household, "de")
    first = start(client, "krankmeldung")
    submission = Submission.objects.get(pk=submission_id_from(first))
    document = DocumentFactory(household=household, doc_type="au_bescheinigung")
    submission.evidence.create(document=document, step="certificate", field="au_certificate")
    assert route_document(document) == []
    services.discard_draft(submission)
    assert InboxItem.objects.filter(document=document).count() == 1


def test_canonicalise_titles_rewrites_foreign_default_titles_only():
    with translation.override("ar"):
        arabic = str(types.label("kontoauszug"))
    english = DocumentFactory(doc_type="kontoauszug", title="Bank statement (Kontoauszug)")
    in_arabic = DocumentFactory(doc_type="kontoauszug", title=arabic)
    typed = DocumentFactory(doc_type="kontoauszug", title="Kontoauszug Sparkasse Mai")
    scanned = DocumentFactory(doc_type="kontoauszug", title="Bank statement (Kontoauszug) (post.pdf, p. 1–2)")
    call_command("canonicalise_titles")
    german = types.canonical_label("kontoauszug")
    for document in (english, in_arabic, typed, scanned):
        document.refresh_from_db()
    assert english.title == german and in_arabic.title == german
    assert typed.title == "Kontoauszug Sparkasse Mai"
    assert scanned.title == f"{german} (post.pdf, p. 1–2)"
