"""Both onboarding paths end to end through the HTTP layer, including the PDF letter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.models import AccessRequest, ActivationCode, Role, User
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.tests.factories import PersonFactory

from .helpers import PNG_1PX, STRONG_PASSWORD, credentials_from_letter, letter_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(household):  # type: ignore[no-untyped-def]
    return PersonFactory(
        household=household, first_name="Olena", last_name="Kovalenko", date_of_birth=dt.date(1988, 3, 9)
    )


def _activate(username: str, code: str, password: str = STRONG_PASSWORD) -> Client:
    client = Client()
    page = client.get(reverse("accounts:activate") + f"?user={username}")
    assert page.status_code == 200 and username in page.content.decode()
    response = client.post(reverse("accounts:activate"), {"username": username, "code": code.lower()})
    assert response.status_code == 302 and response.url == reverse("accounts:activate-password")
    weak = client.post(
        reverse("accounts:activate-password"), {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200 and b"error-summary" in weak.content
    response = client.post(
        reverse("accounts:activate-password"), {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302 and response.url == reverse("accounts:activate-contact")
    return client


def test_access_request_online_to_activated_account(household, person, caseworker):  # type: ignore[no-untyped-def]
    anonymous = Client()
    assert anonymous.get(reverse("accounts:access-request")).status_code == 200
    response = anonymous.post(
        reverse("accounts:access-request"),
        {
            "first_name": "Olena",
            "last_name": "Kovalenko",
            "date_of_birth": "09.03.1988",
            "street": "Teststraße 1",
            "postcode": household.postcode,
            "city": "Teststadt",
            "bg_number": "",
            "email": "olena@example.org",
            "id_document": SimpleUploadedFile("ausweis.png", PNG_1PX, content_type="image/png"),
            "privacy": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    done = anonymous.get(response.url)
    assert done.status_code == 200
    access_request = AccessRequest.objects.get()
    assert access_request.team == household.responsible_team  # routed by postcode to the household's team
    assert access_request.id_document and access_request.consent_version

    staff = login_staff(Client(), caseworker)
    listing = staff.get(reverse("backoffice:access-requests"))
    assert "Kovalenko" in listing.content.decode()
    detail_url = reverse("backoffice:access-request", kwargs={"access_request_id": access_request.pk})
    detail = staff.get(detail_url)
    assert household.bg_number in detail.content.decode()  # suggested by date of birth + last name
    searched = staff.get(detail_url, {"search": "1", "bg_number": household.bg_number[-5:]})
    assert person.full_name in searched.content.decode()
    assert AuditEvent.objects.filter(action="household.searched", actor_id=caseworker.pk).exists()
    id_document = staff.get(
        reverse("backoffice:access-request-document", kwargs={"access_request_id": access_request.pk})
    )
    # Kept as the intake made it (a PDF page of the photo), never as it was sent.
    assert id_document.status_code == 200 and b"".join(id_document.streaming_content).startswith(b"%PDF-")

    approved = staff.post(detail_url, {"action": "approve", "person_id": person.pk})
    account = User.objects.get(person=person)
    assert approved.status_code == 302 and approved.url == reverse(
        "backoffice:account", kwargs={"user_id": account.pk}
    )
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.APPROVED and not access_request.id_document
    assert mail.outbox and mail.outbox[-1].to == ["olena@example.org"]
    assert not account.has_usable_password() and account.email == "olena@example.org"

    letter = staff.post(
        reverse("backoffice:access-letter", kwargs={"user_id": account.pk}), {"language": "tr"}
    )
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    username, code = credentials_from_letter(letter.content)
    assert username == account.username
    assert "Activation code" in letter_text(letter.content) or "Aktivierungscode" in letter_text(
        letter.content
    )
    stored = ActivationCode.objects.get(user=account)
    assert code.replace("-", "") not in stored.code_hash and code not in stored.code_hash

    citizen = _activate(username, code)
    contact = citizen.post(
        reverse("accounts:activate-contact"),
        {"email": "olena@example.org", "notify_by_email": "on"},
    )
    assert contact.status_code == 302
    account.refresh_from_db()
    assert account.notify_by_email and account.check_password(STRONG_PASSWORD)
    assert citizen.get(reverse("portal:dashboard")).status_code == 200

    # The code works exactly once.
    again = Client().post(reverse("accounts:activate"), {"username": username, "code": code})
    assert again.status_code == 200 and b"error-summary" in again.content
    # And the chosen password logs in.
    login = Client().post(reverse("accounts:login"), {"username": username, "password": STRONG_PASSWORD})
    assert login.status_code == 302
    assert AuditEvent.objects.filter(action="account.activated", household_id=household.pk).exists()


def test_access_letter_directly_from_the_back_office(household, person, caseworker):  # type: ignore[no-untyped-def]
    staff = login_staff(Client(), caseworker)
    accounts_url = reverse("backoffice:household-accounts", kwargs={"household_id": household.pk})
    assert person.full_name in staff.get(accounts_url).content.decode()
    created = staff.post(accounts_url, {"action": "create", "person_id": person.pk})
    account = User.objects.get(person=person, role=Role.CITIZEN)
    assert created.url == reverse("backoffice:account", kwargs={"user_id": account.pk})
    assert staff.get(created.url).status_code == 200

    first = staff.post(
        reverse("backoffice:access-letter", kwargs={"user_id": account.pk}), {"language": "de"}
    )
    _, old_code = credentials_from_letter(first.content)
    second = staff.post(
        reverse("backoffice:access-letter", kwargs={"user_id": account.pk}), {"language": "ar"}
    )
    username, code = credentials_from_letter(second.content)
    assert code != old_code
    # A new letter voids the old code.
    stale = Client().post(reverse("accounts:activate"), {"username": username, "code": old_code})
    assert stale.status_code == 200 and b"error-summary" in stale.content

    _activate(username, code)
    replay = Client().post(reverse("accounts:activate"), {"username": username, "code": code})
    assert replay.status_code == 200 and b"error-summary" in replay.content


def test_expired_and_guessed_codes_do_not_work(household, person, caseworker):  # type: ignore[no-untyped-def]
    from jcportal.accounts import services

    account = services.create_citizen_account(person, by=caseworker)
    code = services.issue_activation_code(account, by=caseworker)
    ActivationCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.check_activation_code(account.username, code) is None

    code = services.issue_activation_code(account, by=caseworker)
    for _ in range(services.MAX_CODE_ATTEMPTS):
        assert services.check_activation_code(account.username, "AAAA-AAAA-AAAA") is None
    # After too many wrong guesses even the right code is void: a new letter is needed.
    assert services.check_activation_code(account.username, code) is None


def test_rejected_request_tells_the_applicant_the_reason(household, caseworker):  # type: ignore[no-untyped-def]
    Client().post(
        reverse("accounts:access-request"),
        {
            "first_name": "Max",
            "last_name": "Unbekannt",
            "date_of_birth": "1990-01-01",
            "street": "Weg 2",
            "postcode": household.postcode,
            "city": "Teststadt",
            "email": "max@example.org",
            "privacy": "on",
        },
    )
    access_request = AccessRequest.objects.get()
    staff = login_staff(Client(), caseworker)
    url = reverse("backoffice:access-request", kwargs={"access_request_id": access_request.pk})
    empty = staff.post(url, {"action": "reject", "reason": ""})
    assert empty.status_code == 200 and b"error-summary" in empty.content
    staff.post(url, {"action": "reject", "reason": "Keine Bedarfsgemeinschaft gefunden"})
    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.REJECTED
    assert "Keine Bedarfsgemeinschaft gefunden" in mail.outbox[-1].body


def test_access_request_form_errors_keep_the_input(household):  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:access-request"),
        {
            "first_name": "Lea",
            "last_name": "",
            "date_of_birth": "31.02.1990",
            "postcode": "123",
            "bg_number": "xyz",
            "id_document": SimpleUploadedFile("ausweis.png", PNG_1PX, content_type="image/png"),
        },
    )
    body = response.content.decode()
    assert "choose the ID document again" in body
    assert response.status_code == 200 and 'value="Lea"' in body
    assert body.count('class="error-message"') >= 5
    assert not AccessRequest.objects.exists()


def test_forward_to_the_responsible_team(household, person):  # type: ignore[no-untyped-def]
    other_team_worker = StaffFactory()
    request = AccessRequest.objects.create(
        first_name="Olena",
        last_name="Kovalenko",
        date_of_birth=person.date_of_birth,
        street="x",
        postcode="00000",
        city="x",
        consent_version="v",
        team=other_team_worker.team,
    )
    staff = login_staff(Client(), other_team_worker)
    url = reverse("backoffice:access-request", kwargs={"access_request_id": request.pk})
    # Not their household: they may not approve, only forward.
    refused = staff.post(url, {"action": "approve", "person_id": person.pk})
    assert refused.status_code == 200 and not User.objects.filter(person=person).exists()
    staff.post(url, {"action": "forward", "person_id": person.pk})
    request.refresh_from_db()
    assert request.team == household.responsible_team
    assert staff.get(url).status_code == 404


def test_infected_id_document_is_refused(household, clamd):  # type: ignore[no-untyped-def]
    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    pdf_like = b"%PDF-1.4\n" + eicar
    response = Client().post(
        reverse("accounts:access-request"),
        {
            "first_name": "Eve",
            "last_name": "Virus",
            "date_of_birth": "1990-01-01",
            "street": "Weg 2",
            "postcode": household.postcode,
            "city": "Teststadt",
            "id_document": SimpleUploadedFile("a.pdf", pdf_like, content_type="application/pdf"),
            "privacy": "on",
        },
    )
    assert response.status_code == 200 and b"error-summary" in response.content
    assert not AccessRequest.objects.exists()


def test_demo_data_has_an_access_request_for_the_demo_caseworker(demo_data):  # type: ignore[no-untyped-def]
    from jcportal.accounts import policy

    caseworker = User.objects.get(username="demo-sachbearbeitung")
    request = policy.visible_access_requests(caseworker).get(status=AccessRequest.Status.OPEN)
    assert (
        request.last_name and not User.objects.filter(person__household__bg_number="12345BG0000002").exists()
    )


def test_staff_open_a_households_portal_access_by_bg_number(household, caseworker):  # type: ignore[no-untyped-def]
    staff = login_staff(Client(), caseworker)
    url = reverse("backoffice:access-requests")
    found = staff.get(url, {"bg": household.bg_number.lower()})
    assert found.url == reverse("backoffice:household-accounts", kwargs={"household_id": household.pk})
    from jcportal.households.tests.factories import HouseholdFactory

    foreign = HouseholdFactory()
    refused = staff.get(url, {"bg": foreign.bg_number})
    assert refused.status_code == 200 and b'class="error-message"' in refused.content
