"""`make run` is safe to expose: DEBUG off, error pages translated and in the site's layout, never a
technical page; the security headers on every response (issue 13)."""

from __future__ import annotations

import datetime
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LAYOUT = 'class="site-header'


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_make_run_switches_debug_off():  # type: ignore[no-untyped-def]
    script = (Path(settings.PROJECT_DIR) / "scripts" / "run-embedded.sh").read_text(encoding="utf-8")
    assert 'export DEBUG="${DEBUG:-false}"' in script


def test_unknown_address_is_a_translated_404_in_the_layout_without_url_patterns(client):  # type: ignore[no-untyped-def]
    response = _english(client).get("/gibt-es-nicht/")
    page = response.content.decode()
    assert response.status_code == 404
    assert LAYOUT in page and "Page not found" in page and 'lang="en"' in page
    assert "URLconf" not in page and "konto/" not in page.split("<main", 1)[1].split("</main>")[0]


def test_a_10000_character_file_name_gets_a_translated_400_page(citizen_client):  # type: ignore[no-untyped-def]
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{"a" * 10_000}.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\nxx\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    _english(citizen_client)
    response = citizen_client.post(
        reverse("portal:upload"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in page and "The request could not be processed" in page
    assert page != "Bad Request (400)"


def test_a_post_without_csrf_token_gets_the_translated_403_page(citizen):  # type: ignore[no-untyped-def]
    client = _english(Client(enforce_csrf_checks=True))
    client.force_login(citizen)
    response = client.post(reverse("accounts:logout"))
    page = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in page and "reload the page and send the form again" in page
    assert "CSRF" not in page


def test_forbidden_and_server_error_pages_are_translated():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from jcportal.core import views

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    with translation.override("en"):
        forbidden = views.permission_denied(request)
        error = views.server_error(request)
    assert (
        forbidden.status_code == 403 and "You are not allowed to open this page" in forbidden.content.decode()
    )
    assert error.status_code == 500 and "Something went wrong on our side" in error.content.decode()
    assert LAYOUT in error.content.decode()


def test_server_error_page_without_a_working_layout_is_still_plain_words(monkeypatch):  # type: ignore[no-untyped-def]
    from jcportal.core import views

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database down")

    monkeypatch.setattr(views, "render", broken)
    with translation.override("en"):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong on our side" in response.content


@pytest.mark.parametrize(
    "path",
    ["/", "/gibt-es-nicht/", "/konto/anmelden/", "/healthz", "/static/css/site.css", "/portal/"],
)
def test_security_headers_on_every_response(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    if not path.startswith("/static/"):  # WhiteNoise answers first; frame-ancestors covers static files
        assert response["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    if not path.startswith("/static/"):
        assert (
            "script-src 'self'" in response["Content-Security-Policy"]
            and "unsafe-inline"
            not in (response["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0])
        )


@pytest.fixture
def clamd_with_current_signatures() -> Iterator[int]:  # type: ignore[misc]
    """A stand-in clamd on TCP that answers VERSION with today's official database (these machines have
    none: the local clamd knows only the EICAR test signature, which core.checks rightly refuses)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    built = datetime.datetime.now(datetime.UTC).strftime("%a %b %d %H:%M:%S %Y")
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                command = conn.recv(1024)
                reply = b"PONG" if b"PING" in command else f"ClamAV 1.4.6/27480/{built}".encode()
                conn.sendall(reply + b"\0")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_check_deploy_is_clean_in_production_mode(tmp_path, clamd_with_current_signatures):  # type: ignore[no-untyped-def]
    """`manage.py check --deploy` with the production example's settings reports nothing."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(settings.PROJECT_DIR) / "src"),
        "JCPORTAL_MODE": "production",
        "JCPORTAL_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k7#Qv9!xP2@mZ4$wL8^nR3&tY6*uB1(cD5)eF0_gH-jK=aS;dF:gH,jK.lZ/xC",
        "ALLOWED_HOSTS": "portal.jobcenter.example",
        "DATABASE_URL": "postgres://jc:secret@127.0.0.1:5432/jcportal",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CLAMD_HOST": "127.0.0.1",
        "CLAMD_PORT": str(clamd_with_current_signatures),
        "S3_BUCKET": "jcportal",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "S3_ACCESS_KEY_ID": "jcportal",
        "S3_SECRET_ACCESS_KEY": "jcportal-secret",
        "SECURE_SSL_REDIRECT": "true",
        "MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    }
    result = subprocess.run(
        [str(Path(settings.PROJECT_DIR) / ".venv" / "bin" / "python"), "manage.py", "check", "--deploy"],
        cwd=settings.PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
