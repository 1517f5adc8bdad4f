"""Security tests in CI (issue 13, OWASP ASVS level 2): CSRF on every POST (the URL conf is walked),
session fixation, brute-force throttling of access-letter and resume codes (login: see
accounts/tests/test_login_security.py), open redirects, hostile file names, how uploaded files are
served, and no social data in URL patterns. Every URL × every role × a foreign household is
accounts/tests/test_cross_household.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from jcportal.accounts import services as account_services
from jcportal.accounts.tests.factories import PASSWORD, CitizenFactory, StaffFactory
from jcportal.documents.models import Document
from jcportal.documents.tests import samples

pytestmark = pytest.mark.django_db

# Views that may take a POST without the CSRF token, with the reason. The integration API
# authenticates by bearer token (never by the session cookie), so a forged cross-site request carries
# no credentials; every other POST needs the token.
CSRF_EXEMPT_NAMESPACES = {"api": "bearer tokens, no cookies (REST_FRAMEWORK has no SessionAuthentication)"}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            yield namespace, entry


def _url(namespace: str, pattern: URLPattern) -> str | None:
    """A URL for the pattern with made-up ids (the CSRF check comes before any lookup)."""
    if not pattern.name:
        return None
    kwargs: dict[str, Any] = {}
    for name, converter in getattr(pattern.pattern, "converters", {}).items():
        if isinstance(converter, UUIDConverter):
            kwargs[name] = uuid.uuid4()
        elif isinstance(converter, IntConverter):
            kwargs[name] = 1
        else:
            kwargs[name] = "x"
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:  # regex routes of the admin site (app labels)
        return None


def _routes() -> list[tuple[str, URLPattern, str]]:
    found = []
    for namespace, pattern in _walk(get_resolver()):
        url = _url(namespace, pattern)
        if url is not None:
            found.append((namespace, pattern, url))
    return found


def test_every_post_without_csrf_token_is_refused():  # type: ignore[no-untyped-def]
    """Anonymous and logged in (the session cookie is what a forged request would ride on)."""
    routes = _routes()
    assert len(routes) > 80
    citizen = CitizenFactory()
    anonymous = Client(enforce_csrf_checks=True)
    logged_in = Client(enforce_csrf_checks=True)
    logged_in.force_login(citizen)
    accepted = []
    for namespace, _pattern, url in routes:
        if namespace.split(":")[0] in CSRF_EXEMPT_NAMESPACES:
            continue
        # A view marked csrf_exempt (the upload sets its size-limit handler first) checks the token
        # itself: it must refuse as well.
        for client in (anonymous, logged_in):
            response = client.post(url, {"x": "1"})
            if response.status_code != 403:
                accepted.append(f"{url}: {response.status_code}")
    assert not accepted, "POST without CSRF token not refused:\n" + "\n".join(accepted)


def test_the_api_never_authenticates_by_session_cookie():  # type: ignore[no-untyped-def]
    classes = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_AUTHENTICATION_CLASSES", [])
    assert not any("Session" in name or "Basic" in name for name in classes)


def test_no_social_data_in_url_patterns():  # type: ignore[no-untyped-def]
    """Paths carry opaque ids and fixed words, never personal data (access logs and browser histories
    keep URLs): no URL parameter is named after a kind of personal data."""
    personal = ("bg_number", "name", "birth", "email", "mail", "iban", "phone", "street", "postcode")
    personal += ("address", "insurance", "tax", "passport", "id_card", "health")
    # Findings not fixed yet, with their owner; a new one fails this test.
    known = {("api", "bg_number"): "integration API: the BG number in the household paths (api app)"}
    wrong = []
    for namespace, pattern in _walk(get_resolver()):
        for name, converter in getattr(pattern.pattern, "converters", {}).items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            if any(word in name for word in personal) and (namespace.split(":")[0], name) not in known:
                wrong.append(f"{pattern.pattern}: <{kind}:{name}>")
    assert not wrong, "URL parameters that carry personal data:\n" + "\n".join(wrong)


def test_session_key_and_csrf_token_change_at_login(client):  # type: ignore[no-untyped-def]
    citizen = CitizenFactory()
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted_key
    client.get(reverse("accounts:login"))
    csrf_before = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("accounts:login"), {"username": citizen.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted_key
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=planted_key).exists()


def test_an_access_letter_code_is_void_after_five_wrong_tries(client):  # type: ignore[no-untyped-def]
    citizen = CitizenFactory()
    citizen.set_unusable_password()
    citizen.save()
    code = account_services.issue_activation_code(citizen, by=StaffFactory())
    url = reverse("accounts:activate")
    for _ in range(account_services.MAX_CODE_ATTEMPTS):
        wrong = client.post(url, {"username": citizen.username, "code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 200 and "error-summary" in wrong.content.decode()
    right = client.post(url, {"username": citizen.username, "code": code})
    assert right.status_code == 200 and "error-summary" in right.content.decode()  # a new letter is needed


def test_resume_codes_are_throttled_per_address(client):  # type: ignore[no-untyped-def]
    from jcportal.eforms.views import RESUME_ATTEMPTS_PER_HOUR

    cache.clear()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("eforms:resume")
    for _ in range(RESUME_ATTEMPTS_PER_HOUR):
        response = client.post(url, {"code": "AAAA-BBBB-CCCC"})
        assert "We found no application with this code" in response.content.decode()
    blocked = client.post(url, {"code": "AAAA-BBBB-CCCC"})
    assert blocked.status_code == 400 and "Too many attempts" in blocked.content.decode()
    cache.clear()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_parameters_never_leave_the_site(client, target):  # type: ignore[no-untyped-def]
    citizen = CitizenFactory()
    login = client.post(
        reverse("accounts:login") + "?next=" + target, {"username": citizen.username, "password": PASSWORD}
    )
    assert login.status_code == 302 and login["Location"].startswith("/") and "evil" not in login["Location"]
    language = client.get(reverse("core:set-language", kwargs={"code": "en"}), {"next": target})
    assert language.status_code == 302 and "evil" not in language["Location"]
    assert not language["Location"].startswith(("//", "javascript"))


def _uploaded_document(client: Client, name: str, data: bytes, capture: Any) -> Document:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with capture(execute=True):
        client.post(
            reverse("portal:upload"),
            {
                "doc_type": "mietvertrag",
                "title": "",
                "note": "",
                "complete": "1",
                "files": [SimpleUploadedFile(name, data)],
            },
        )
    return Document.objects.get()


def test_path_traversal_and_bidi_overrides_in_file_names(citizen_client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    name = "../../../etc/passwd/rechnung\u202egpj.exe\u200b.jpg"
    document = _uploaded_document(citizen_client, name, samples.jpeg(), django_capture_on_commit_callbacks)
    original = document.originals.get()
    assert original.original_name == "rechnunggpj.exe.jpg"
    assert ".." not in original.file.name and "passwd" not in original.file.name
    download = citizen_client.get(
        reverse("portal:document-original", kwargs={"document_id": document.pk, "position": 0})
    )
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment") and "\u202e" not in disposition and ".." not in disposition


def test_uploaded_files_are_served_as_attachments_in_a_sandbox(
    citizen_client, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    """What a citizen sent (it may be anything) is a download, never a page of the site; our own PDFs
    come without any script source."""
    document = _uploaded_document(citizen_client, "a.jpg", samples.jpeg(), django_capture_on_commit_callbacks)
    kwargs = {"document_id": document.pk}
    original = citizen_client.get(reverse("portal:document-original", kwargs={**kwargs, "position": 0}))
    assert original["Content-Disposition"].startswith("attachment")
    assert original["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in original["Content-Security-Policy"]
    assert original["Content-Security-Policy"].startswith("default-src 'none'")
    pdf = citizen_client.get(reverse("portal:document-pdf", kwargs=kwargs))
    assert pdf["X-Content-Type-Options"] == "nosniff" and "script-src" not in pdf["Content-Security-Policy"]
    assert pdf["Content-Security-Policy"].startswith("default-src 'none'")
    assert "no-store" in pdf["Cache-Control"]
