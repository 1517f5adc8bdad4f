"""Login hardening: lockout after repeated failures, mandatory second factor for staff, OIDC login."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import PASSWORD, CitizenFactory, StaffFactory
from jcportal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_lockout_after_repeated_failures_shows_the_locked_page(citizen):  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies["jcportal_language"] = "en"
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(url, {"username": citizen.username, "password": "wrong-password"})
    locked = client.post(url, {"username": citizen.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Account temporarily locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failure").count() >= 5
    # Other accounts behind the same IP address are not affected.
    other = CitizenFactory()
    assert client.post(url, {"username": other.username, "password": PASSWORD}).status_code == 302


def test_locked_page_is_translated(citizen):  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies["jcportal_language"] = "de"
    for _ in range(6):
        response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": "nope"})
    assert response.status_code == 429
    assert response["Content-Language"] == "de"
    assert 'lang="de"' in response.content.decode()


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):  # type: ignore[no-untyped-def]
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, prefix + str(entry.pattern), entry


def _path_with_dummy_kwargs(route: str) -> str:
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:str:|slug:|path:)?[^>]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


BACKOFFICE_PATHS = sorted(
    {_path_with_dummy_kwargs(route) for ns, route, _ in _patterns(get_resolver()) if ns == "backoffice"}
)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEAM_LEAD, Role.SCAN_STATION, Role.DPO, Role.ADMIN])
def test_staff_cannot_reach_any_back_office_page_without_second_factor(role):  # type: ignore[no-untyped-def]
    assert len(BACKOFFICE_PATHS) > 5
    staff = StaffFactory(role=role)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    assert response.url.startswith(reverse("accounts:second-factor"))
    second_factor = reverse("accounts:second-factor")
    for path in BACKOFFICE_PATHS:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (path, response.status_code)
            assert response.url.startswith(second_factor), path
    # The admin site and the portal are guarded too.
    for path in ("/admin/", reverse("portal:dashboard"), reverse("core:after-login")):
        assert client.get(path).url.startswith(second_factor)


def test_staff_second_factor_lets_them_in(caseworker):  # type: ignore[no-untyped-def]
    import base64
    import hmac
    import struct
    import time

    from jcportal.accounts.otp import create_device_with_secret

    create_device_with_secret(caseworker, "JBSWY3DPEHPK3PXP")
    client = Client()
    client.post(reverse("accounts:login"), {"username": caseworker.username, "password": PASSWORD})
    key = base64.b32decode("JBSWY3DPEHPK3PXP")
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
    response = client.post(
        reverse("accounts:second-factor"), {"token": code, "next": reverse("backoffice:home")}
    )
    assert response.url == reverse("backoffice:home")
    assert client.get(reverse("backoffice:home")).status_code == 200


# --- OpenID Connect against a real local provider over HTTP ---------------------------------------


@pytest.fixture(scope="module")
def oidc_provider():  # type: ignore[no-untyped-def]
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def oidc_settings(settings, oidc_provider):  # type: ignore[no-untyped-def]
    config = requests.get(f"{oidc_provider}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "jcportal"
    settings.OIDC_RP_CLIENT_SECRET = "secret"  # noqa: S105
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_VERIFY_KID = False  # the test provider signs with its single key and sets no "kid"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "jcportal.accounts.oidc.JobcenterOIDCBackend",
    ]
    return oidc_provider


def _oidc_login(client: Client, sub: str):  # type: ignore[no-untyped-def]
    start = client.get(reverse("accounts:oidc-login"))
    assert start.status_code == 302
    authorize = start.url
    # The "user" picks their identity at the provider (a real HTTP round trip to 127.0.0.1).
    answer = requests.post(
        authorize, data={"sub": sub, "action": "authorize"}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 302, answer.text[:500]
    callback = urlparse(answer.headers["Location"])
    assert callback.path == reverse("accounts:oidc-callback")
    return client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})


def test_oidc_logs_in_the_linked_citizen_account(oidc_settings):  # type: ignore[no-untyped-def]
    citizen = CitizenFactory(oidc_subject="bundid-4711")
    client = Client()
    response = _oidc_login(client, "bundid-4711")
    assert response.status_code == 302 and response.url == reverse("core:after-login")
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="login.oidc", actor_id=citizen.pk).exists()


def test_oidc_never_creates_accounts_and_never_logs_in_staff(oidc_settings):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import User

    before = User.objects.count()
    client = Client()
    unknown = _oidc_login(client, "unknown-person")
    assert unknown.url.startswith(reverse("accounts:login")) and "_auth_user_id" not in client.session
    assert User.objects.count() == before
    StaffFactory(oidc_subject="staff-sub")
    client = Client()
    staff = _oidc_login(client, "staff-sub")
    assert staff.url.startswith(reverse("accounts:login")) and "_auth_user_id" not in client.session
    failed = client.get(staff.url)
    assert b"notification--error" in failed.content


def test_oidc_is_off_unless_enabled():  # type: ignore[no-untyped-def]
    assert Client().get(reverse("accounts:oidc-login")).status_code == 404
    assert Client().get(reverse("accounts:oidc-callback")).status_code == 404


def test_passwords_are_hashed_with_argon2():  # type: ignore[no-untyped-def]
    from django.conf import settings as django_settings

    from jcportal import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert django_settings.SESSION_COOKIE_AGE <= 30 * 60 and django_settings.SESSION_SAVE_EVERY_REQUEST


def _follow_provider(client: Client, authorize: str, sub: str):  # type: ignore[no-untyped-def]
    answer = requests.post(
        authorize, data={"sub": sub, "action": "authorize"}, allow_redirects=False, timeout=5
    )
    callback = urlparse(answer.headers["Location"])
    return client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})


def test_citizen_links_and_unlinks_a_state_portal_account(oidc_settings, citizen, citizen_client):  # type: ignore[no-untyped-def]
    citizen_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert b"Link now" in citizen_client.get(reverse("portal:account")).content
    start = citizen_client.post(reverse("accounts:oidc-link"))
    done = _follow_provider(citizen_client, start.url, "bundid-linked-1")
    assert done.url == reverse("portal:account") + "?oidc=linked"
    citizen.refresh_from_db()
    assert citizen.oidc_subject == "bundid-linked-1"
    # Now the state portal login opens this account.
    fresh = Client()
    assert _oidc_login(fresh, "bundid-linked-1").url == reverse("core:after-login")
    assert int(fresh.session["_auth_user_id"]) == citizen.pk
    # The same identity cannot be linked to a second account.
    other = CitizenFactory()
    other_client = Client()
    other_client.force_login(other)
    start = other_client.post(reverse("accounts:oidc-link"))
    refused = _follow_provider(other_client, start.url, "bundid-linked-1")
    assert refused.url == reverse("portal:account") + "?oidc=failed"
    other.refresh_from_db()
    assert other.oidc_subject is None
    citizen_client.post(reverse("portal:oidc-unlink"))
    citizen.refresh_from_db()
    assert citizen.oidc_subject is None
    assert AuditEvent.objects.filter(action__in=["account.oidc_linked", "account.oidc_unlinked"]).count() == 2
