"""Passkeys (WebAuthn): registration, login, second factor; the server side with a software
authenticator, one browser test with Chromium's virtual authenticator."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from webauthn.helpers import bytes_to_base64url

from jcportal.accounts import passkeys
from jcportal.accounts.models import Passkey
from jcportal.accounts.tests.factories import PASSWORD, StaffFactory
from jcportal.audit.models import AuditEvent

UP, UV, AT = 0x01, 0x04, 0x40


pytestmark = pytest.mark.usefixtures("english")  # the tests read the English message ids


class SoftAuthenticator:
    """A minimal platform authenticator: one P-256 key, attestation "none"."""

    def __init__(self, origin: str | None = None) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.count = 0
        self.origin = origin
        self.user_handle = b""

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _auth_data(self, rp_id: str, flags: int, attested: bool = False) -> bytes:
        self.count += 1
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.count)
        if attested:
            data += (
                bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
            )
        return data

    def _client_data(self, kind: str, challenge: str) -> bytes:
        origin = self.origin or passkeys.expected_origin()
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict[str, Any], flags: int = UP | UV | AT) -> dict[str, Any]:
        self.user_handle = options["user"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"])
        auth_data = self._auth_data(options["rp"]["id"], flags, attested=True)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        raw_id = bytes_to_base64url(self.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict[str, Any], flags: int = UP | UV) -> dict[str, Any]:
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = self._auth_data(options["rpId"], flags)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        raw_id = bytes_to_base64url(self.credential_id)
        return {
            "id": raw_id,
            "rawId": raw_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": self.user_handle or None,
            },
            "clientExtensionResults": {},
        }


def _post_json(client: Client, name: str, body: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return client.post(reverse(name), data=json.dumps(body or {}), content_type="application/json")


def register(client: Client, authenticator: SoftAuthenticator, name: str = "Mein Handy"):  # type: ignore[no-untyped-def]
    options = _post_json(client, "accounts:passkey-register-options").json()
    return _post_json(
        client, "accounts:passkey-register", {"name": name, "credential": authenticator.create(options)}
    )


def passkey_login(client: Client, authenticator: SoftAuthenticator, **kwargs: Any):  # type: ignore[no-untyped-def]
    options = _post_json(client, "accounts:passkey-login-options").json()
    return _post_json(client, "accounts:passkey-login", {"credential": authenticator.get(options, **kwargs)})


@pytest.fixture
def registered(citizen, citizen_client):  # type: ignore[no-untyped-def]
    authenticator = SoftAuthenticator()
    assert register(citizen_client, authenticator).status_code == 200
    return authenticator


def test_citizen_adds_a_passkey_and_logs_in_with_it(citizen, citizen_client):  # type: ignore[no-untyped-def]
    authenticator = SoftAuthenticator()
    response = register(citizen_client, authenticator)
    assert response.status_code == 200
    assert response.json()["redirect"] == reverse("accounts:passkeys")
    page = citizen_client.get(reverse("accounts:passkeys")).content.decode()
    assert "Mein Handy" in page
    assert AuditEvent.objects.filter(action="passkey.registered", actor=citizen).exists()

    anonymous = Client()
    response = passkey_login(anonymous, authenticator)
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == reverse("core:after-login")
    assert int(anonymous.session["_auth_user_id"]) == citizen.pk
    assert anonymous.get(reverse("portal:account")).status_code == 200
    passkey = Passkey.objects.get(user=citizen)
    assert passkey.last_used_at is not None and passkey.sign_count == authenticator.count
    assert AuditEvent.objects.filter(action="login.passkey", actor=citizen).exists()


def test_a_challenge_is_used_only_once(registered):  # type: ignore[no-untyped-def]
    client = Client()
    options = _post_json(client, "accounts:passkey-login-options").json()
    answer = registered.get(options)
    assert _post_json(client, "accounts:passkey-login", {"credential": answer}).status_code == 200
    client.logout()
    replay = _post_json(client, "accounts:passkey-login", {"credential": answer})
    assert replay.status_code == 400
    assert "_auth_user_id" not in client.session


def test_an_expired_challenge_is_refused(registered, settings):  # type: ignore[no-untyped-def]
    client = Client()
    options = _post_json(client, "accounts:passkey-login-options").json()
    settings.PASSKEY_CHALLENGE_SECONDS = -1
    response = _post_json(client, "accounts:passkey-login", {"credential": registered.get(options)})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_wrong_origin_is_refused(registered):  # type: ignore[no-untyped-def]
    registered.origin = "https://jobcenter-portal.example.net"
    client = Client()
    assert passkey_login(client, registered).status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.passkey_failure").exists()


def test_an_unknown_credential_is_refused(registered):  # type: ignore[no-untyped-def]
    client = Client()
    response = passkey_login(client, SoftAuthenticator())
    assert response.status_code == 400
    assert "did not work" in response.json()["error"]
    assert "_auth_user_id" not in client.session


def test_a_login_without_user_verification_is_refused(registered):  # type: ignore[no-untyped-def]
    assert passkey_login(Client(), registered, flags=UP).status_code == 400


def test_a_passkey_without_user_verification_cannot_be_added(citizen, citizen_client):  # type: ignore[no-untyped-def]
    authenticator = SoftAuthenticator()
    options = _post_json(citizen_client, "accounts:passkey-register-options").json()
    answer = authenticator.create(options, flags=UP | AT)
    response = _post_json(citizen_client, "accounts:passkey-register", {"name": "x", "credential": answer})
    assert response.status_code == 400
    assert not Passkey.objects.filter(user=citizen).exists()


def test_a_deactivated_account_cannot_log_in_with_its_passkey(citizen, registered):  # type: ignore[no-untyped-def]
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    client = Client()
    assert passkey_login(client, registered).status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_relying_party_comes_from_the_settings(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://portal.jobcenter.example:8443/"
    settings.PASSKEY_RP_ID = ""
    assert passkeys.rp_id() == "portal.jobcenter.example"
    assert passkeys.expected_origin() == "https://portal.jobcenter.example:8443"
    settings.PASSKEY_RP_ID = "jobcenter.example"
    assert passkeys.rp_id() == "jobcenter.example"


def test_removing_a_passkey_is_audited_and_only_for_its_owner(citizen, citizen_client, registered):  # type: ignore[no-untyped-def]
    passkey = Passkey.objects.get(user=citizen)
    other = Client()
    other.force_login(StaffFactory(role="citizen", team=None))
    other.post(reverse("accounts:passkey-remove", args=[passkey.pk]))
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    citizen_client.post(reverse("accounts:passkey-remove", args=[passkey.pk]))
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(action="passkey.removed", actor=citizen).exists()


def test_a_staff_passkey_login_counts_as_second_factor(caseworker, caseworker_client):  # type: ignore[no-untyped-def]
    authenticator = SoftAuthenticator()
    assert register(caseworker_client, authenticator).status_code == 200
    client = Client()
    assert passkey_login(client, authenticator).status_code == 200
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_staff_use_a_passkey_as_second_factor_after_the_password(caseworker, caseworker_client):  # type: ignore[no-untyped-def]
    authenticator = SoftAuthenticator()
    assert register(caseworker_client, authenticator).status_code == 200
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": caseworker.username, "password": PASSWORD})
    assert reverse("accounts:second-factor") in response["Location"]
    assert client.get(reverse("backoffice:home")).status_code == 302
    page = client.get(reverse("accounts:second-factor")).content.decode()
    assert "Sign in with a passkey" in page
    # another person's passkey is no second factor for this account
    stranger, stranger_client = SoftAuthenticator(), Client()
    stranger_client.force_login(StaffFactory(role="citizen", team=None))
    register(stranger_client, stranger)
    assert passkey_login(client, stranger).status_code == 400
    assert passkey_login(client, authenticator).status_code == 200
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_a_citizen_with_the_security_code_may_use_a_passkey_instead(citizen, citizen_client, registered):  # type: ignore[no-untyped-def]
    from django_otp import DEVICE_ID_SESSION_KEY

    from jcportal.accounts.otp import create_device_with_secret

    create_device_with_secret(citizen, "JBSWY3DPEHPK3PXP")
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})
    assert reverse("accounts:second-factor") in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Sign in with a passkey" in page and 'name="token"' in page
    assert passkey_login(client, registered).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == Passkey.objects.get(user=citizen).persistent_id


def test_staff_cannot_add_a_passkey_before_the_second_factor(caseworker):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(caseworker)
    assert client.get(reverse("accounts:passkeys")).status_code == 302
    response = _post_json(client, "accounts:passkey-register-options")
    assert response.status_code == 403


def test_without_javascript_the_login_page_says_passkeys_need_it(db, client):  # type: ignore[no-untyped-def]
    page = client.get(reverse("accounts:login")).content.decode()
    assert "<noscript><p>Passkeys need JavaScript." in page
    assert "data-passkey-login" in page and "hidden>" in page
    assert 'name="password"' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_registers_a_passkey_and_logs_in_with_it(citizen, live_server, desktop_page, settings):  # type: ignore[no-untyped-def]
    from jcportal.core.testing.a11y import axe_violations, format_violations, horizontal_overflow
    from jcportal.core.testing.fixtures import browser_login

    settings.SITE_URL = live_server.url
    page = desktop_page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    browser_login(page, citizen.username, PASSWORD)
    page.goto("/konto/passkeys/")
    page.fill("#passkey-name", "Laptop")
    page.click("form[data-passkey-register] button[type=submit]")
    page.wait_for_selector("td:has-text('Laptop')")
    violations = axe_violations(page)
    assert not violations, format_violations("My passkeys", violations)
    page.set_viewport_size({"width": 320, "height": 700})
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("button.link-button")  # log out
    page.goto("/konto/anmelden/")
    violations = axe_violations(page)
    assert not violations, format_violations("Log in", violations)
    page.click("[data-passkey-button]")
    page.wait_for_function("() => !location.pathname.startsWith('/konto/anmelden')")
    assert page.get_by_role("button", name="Abmelden").count() == 1
    assert Passkey.objects.get(user=citizen).last_used_at is not None
