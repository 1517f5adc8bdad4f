"""The citizen's account page: consents, representatives, transparency, second factor, household choice."""

from __future__ import annotations

import base64
import hmac
import re
import struct
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import Consent, Representation, Role, User
from jcportal.accounts.tests.factories import PASSWORD, CitizenFactory, RepresentativeFactory
from jcportal.audit.models import AuditEvent
from jcportal.audit.services import audit
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.tests.factories import HouseholdFactory

from .helpers import STRONG_PASSWORD, credentials_from_letter

pytestmark = pytest.mark.django_db


def _totp(secret_b32: str) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_account_page_shows_all_sections(citizen_client):  # type: ignore[no-untyped-def]
    body = citizen_client.get(reverse("portal:account")).content.decode()
    for name in (
        "password-change",
        "notifications",
        "two-factor",
        "consents",
        "representatives",
        "transparency",
    ):
        assert reverse(f"portal:{name}") in body


def test_digital_delivery_is_a_separate_revocable_opt_in(citizen, citizen_client, household):  # type: ignore[no-untyped-def]
    from jcportal.accounts.selectors import household_has_digital_delivery

    url = reverse("portal:consents")
    assert not household_has_digital_delivery(household)
    refused = citizen_client.post(url, {"action": "give"})
    assert refused.status_code == 200 and b"error-summary" in refused.content
    citizen_client.post(url, {"action": "give", "agree": "on"})
    consent = Consent.objects.get(user=citizen)
    assert consent.text_version == "digital-delivery-2026-11" and consent.revoked_at is None
    assert household_has_digital_delivery(household)
    citizen_client.post(url, {"action": "revoke"})
    consent.refresh_from_db()
    assert consent.revoked_at is not None and not household_has_digital_delivery(household)
    assert "digital-delivery-2026-11" in citizen_client.get(url).content.decode()  # history with version
    assert list(
        AuditEvent.objects.filter(action__startswith="consent.").values_list("action", flat=True)
    ) == [
        "consent.revoked",
        "consent.given",
    ]


def test_citizen_grants_and_revokes_a_representative_who_never_blocks_the_citizen(
    citizen, citizen_client, household
):  # type: ignore[no-untyped-def]
    rep = RepresentativeFactory()
    url = reverse("portal:representatives")
    unknown = citizen_client.post(
        url, {"action": "grant", "grant-representative_username": "nobody", "grant-scope_upload": "on"}
    )
    assert unknown.status_code == 400 and b"error-summary" in unknown.content
    citizen_client.post(
        url,
        {
            "action": "grant",
            "grant-representative_username": rep.username,
            "grant-scope_upload": "on",
            "grant-scope_read": "on",
        },
    )
    grant = Representation.objects.get(representative=rep, household=household)
    assert grant.scope_read and not grant.scope_services

    rep_client = Client()
    rep_client.force_login(rep)
    dashboard = rep_client.get(reverse("portal:dashboard"))
    assert dashboard.status_code == 200 and household.bg_number in dashboard.content.decode()
    # The citizen keeps full access while the representative acts.
    assert citizen_client.get(reverse("portal:dashboard")).status_code == 200
    # A representative cannot manage the household's proxies, consents or see the transparency log.
    for name in ("representatives", "consents", "transparency"):
        assert rep_client.get(reverse(f"portal:{name}")).status_code == 403

    revoke = reverse("portal:representation-revoke", kwargs={"representation_id": grant.pk})
    assert citizen_client.get(revoke).status_code == 405
    citizen_client.post(revoke)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert rep_client.get(reverse("portal:dashboard")).status_code == 403


def test_invitation_letter_for_a_new_representative(citizen_client, household):  # type: ignore[no-untyped-def]
    response = citizen_client.post(
        reverse("portal:representatives"),
        {
            "action": "invite",
            "invite-first_name": "Rita",
            "invite-last_name": "Beratung e.V.",
            "invite-scope_upload": "on",
        },
    )
    assert response["Content-Type"] == "application/pdf"
    username, code = credentials_from_letter(response.content)
    rep = User.objects.get(username=username)
    assert (
        rep.role == Role.REPRESENTATIVE
        and Representation.objects.filter(representative=rep, household=household).exists()
    )
    client = Client()
    client.post(reverse("accounts:activate"), {"username": username, "code": code})
    done = client.post(
        reverse("accounts:activate-password"),
        {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
    )
    assert done.status_code == 302
    assert household.bg_number in client.get(reverse("portal:dashboard")).content.decode()


def test_representative_of_two_households_chooses_and_actions_are_marked(household):  # type: ignore[no-untyped-def]
    rep = RepresentativeFactory()
    other = HouseholdFactory()
    for h in (household, other):
        Representation.objects.create(representative=rep, household=h, scope_upload=True)
    client = Client()
    client.force_login(rep)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response.url == reverse("portal:choose-household")
    page = client.get(response.url).content.decode()
    assert household.bg_number in page and other.bg_number in page
    foreign = HouseholdFactory()
    assert client.post(reverse("portal:choose-household"), {"household_id": foreign.pk}).status_code == 404
    client.post(reverse("portal:choose-household"), {"household_id": other.pk})
    assert other.bg_number in client.get(reverse("portal:dashboard")).content.decode()

    # Every action of a representative in the portal is marked "on behalf of" in the audit log.
    from django.test import RequestFactory

    from jcportal.portal.decorators import citizen_required

    captured = {}

    @citizen_required
    def view(request):  # type: ignore[no-untyped-def]
        captured["event"] = audit("document.uploaded", request=request)
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = rep
    request.session = client.session
    view(request)
    event = captured["event"]
    assert event.on_behalf_of == other.bg_number and event.household_id == other.pk


def test_transparency_view_shows_role_and_office_but_no_staff_names(
    citizen, citizen_client, household, caseworker
):  # type: ignore[no-untyped-def]
    caseworker.first_name, caseworker.last_name = "Sabine", "Geheimname"
    caseworker.save()
    audit("document.viewed", actor=caseworker, household=household)
    audit("login.failure", actor=caseworker, household=household)  # internal: not shown
    foreign = HouseholdFactory()
    audit("document.downloaded", actor=caseworker, household=foreign)
    body = citizen_client.get(reverse("portal:transparency")).content.decode()
    assert "Document opened" in body or "Dokument geöffnet" in body
    assert household.responsible_team.service_office.name in body
    assert "Geheimname" not in body and caseworker.username not in body
    assert "Document downloaded" not in body and "Failed login" not in body


def test_optional_totp_for_citizens(citizen, citizen_client):  # type: ignore[no-untyped-def]
    page = citizen_client.get(reverse("portal:two-factor")).content.decode()
    secret = re.search(r'<code class="ltr">([A-Z2-7]+)</code>', page).group(1)
    wrong = citizen_client.post(reverse("portal:two-factor"), {"token": "12ab56"})
    assert b"error-summary" in wrong.content
    citizen_client.post(reverse("portal:two-factor"), {"token": _totp(secret)})
    # From now on the login asks for the code.
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})
    assert response.url.startswith(reverse("accounts:second-factor"))
    # Switching it off needs the password.
    assert (
        b"error-summary" in citizen_client.post(reverse("portal:two-factor"), {"password": "falsch"}).content
    )
    citizen_client.post(reverse("portal:two-factor"), {"password": PASSWORD})
    response = Client().post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})
    assert not response.url.startswith(reverse("accounts:second-factor"))


def test_password_change_and_notifications(citizen, citizen_client):  # type: ignore[no-untyped-def]
    weak = citizen_client.post(
        reverse("portal:password-change"),
        {"old_password": PASSWORD, "new_password1": "passwort", "new_password2": "passwort"},
    )
    assert weak.status_code == 200 and weak.content.count(b'class="error-message"') >= 1
    ok = citizen_client.post(
        reverse("portal:password-change"),
        {"old_password": PASSWORD, "new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
    )
    assert ok.status_code == 302
    assert citizen_client.get(reverse("portal:account")).status_code == 200  # still logged in
    no_mail = citizen_client.post(reverse("portal:notifications"), {"email": "", "notify_by_email": "on"})
    assert b"error-summary" in no_mail.content
    citizen_client.post(
        reverse("portal:notifications"),
        {"email": "a@example.org", "notify_by_email": "on", "notify_daily_digest": "on"},
    )
    citizen.refresh_from_db()
    assert citizen.email == "a@example.org" and citizen.notify_by_email and citizen.notify_daily_digest


def test_password_reset_by_email_or_ask_for_a_letter(citizen):  # type: ignore[no-untyped-def]
    from django.core import mail

    citizen.email = "olena@example.org"
    citizen.save()
    client = Client()
    response = client.post(reverse("accounts:password-reset"), {"username": citizen.username})
    assert response.url == reverse("accounts:password-reset-sent")
    link = re.search(r"http://\S+/konto/passwort-neu/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
    )
    assert done.url == reverse("accounts:password-reset-complete")
    citizen.refresh_from_db()
    assert citizen.check_password(STRONG_PASSWORD)

    # Without an e-mail address nothing is sent; the page tells them to ask for a new letter.
    no_mail = CitizenFactory(email="")
    count = len(mail.outbox)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sent = client.post(reverse("accounts:password-reset"), {"username": no_mail.username}, follow=True)
    assert len(mail.outbox) == count and "access letter" in sent.content.decode()


def test_staff_lock_unlock_and_household_leaving_benefits(citizen, household, caseworker):  # type: ignore[no-untyped-def]
    staff = login_staff(Client(), caseworker)
    url = reverse("backoffice:account", kwargs={"user_id": citizen.pk})
    assert staff.get(url).status_code == 200
    staff.post(
        reverse("backoffice:account-lock", kwargs={"user_id": citizen.pk}), {"reason": "Missbrauchsverdacht"}
    )
    citizen.refresh_from_db()
    assert not citizen.is_active and citizen.lock_reason == "Missbrauchsverdacht"
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})
        .status_code
        == 200
    )
    staff.post(reverse("backoffice:account-unlock", kwargs={"user_id": citizen.pk}))
    citizen.refresh_from_db()
    assert citizen.is_active

    rep = RepresentativeFactory()
    Representation.objects.create(representative=rep, household=household)
    household.active = False
    household.save()
    citizen.refresh_from_db()
    assert not citizen.is_active and citizen.deactivated_at is not None
    assert not Representation.objects.active().filter(household=household).exists()
    staff.post(reverse("backoffice:account-unlock", kwargs={"user_id": citizen.pk}))
    citizen.refresh_from_db()
    assert not citizen.is_active  # stays off while the household receives no benefits


def test_staff_grant_with_power_of_attorney_and_revoke(household, caseworker):  # type: ignore[no-untyped-def]
    rep = RepresentativeFactory()
    staff = login_staff(Client(), caseworker)
    add = reverse("backoffice:household-representation-add", kwargs={"household_id": household.pk})
    missing = staff.post(
        add, {"action": "grant", "grant-representative_username": rep.username, "grant-scope_upload": "on"}
    )
    assert missing.status_code == 400  # the power of attorney on file is required for staff
    staff.post(
        add,
        {
            "action": "grant",
            "grant-representative_username": rep.username,
            "grant-scope_upload": "on",
            "grant-power_of_attorney_note": "Vollmacht vom 01.11.2026, E-Akte",
        },
    )
    grant = Representation.objects.get(representative=rep)
    assert grant.granted_by == caseworker and "Vollmacht" in grant.power_of_attorney_note
    invite = staff.post(
        add,
        {
            "action": "invite",
            "invite-first_name": "Gerd",
            "invite-last_name": "Betreuer",
            "invite-scope_read": "on",
            "invite-power_of_attorney_note": "Betreuerausweis",
        },
    )
    assert invite["Content-Type"] == "application/pdf"
    staff.post(reverse("backoffice:representation-revoke", kwargs={"representation_id": grant.pk}))
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == caseworker


def test_ids_in_form_fields_that_are_not_numbers_are_not_found(household, caseworker):  # type: ignore[no-untyped-def]
    rep = RepresentativeFactory()
    Representation.objects.create(representative=rep, household=household)
    client = Client()
    client.force_login(rep)
    assert client.post(reverse("portal:choose-household"), {"household_id": "1 OR 1=1"}).status_code == 404
    staff = login_staff(Client(), caseworker)
    url = reverse("backoffice:household-accounts", kwargs={"household_id": household.pk})
    assert staff.post(url, {"action": "create", "person_id": "abc"}).status_code == 404
