import pytest

pytestmark = pytest.mark.django_db


def test_start_page_has_landmarks_skip_link_and_language_switcher(client):
    html = client.get("/").content.decode()
    assert '<html lang="de" dir="ltr">' in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    for own_name in ("Deutsch", "Leichte Sprache", "العربية", "ትግርኛ", "Türkçe", "English", "فارسی"):
        assert own_name in html
    assert "<script>" not in html  # no inline scripts (CSP)


def test_language_switch_sets_cookie_and_direction(client):
    response = client.get("/sprache/ar/?next=/")
    assert response.status_code == 302
    assert response.cookies["jcportal_language"].value == "ar"
    html = client.get("/").content.decode()
    assert 'lang="ar" dir="rtl"' in html


def test_language_switch_refuses_foreign_redirect(client):
    response = client.get("/sprache/en/?next=https://evil.example/")
    assert response["Location"] == "/"


def test_first_visit_follows_accept_language(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9").content.decode()
    assert 'lang="fa" dir="rtl"' in html


def test_language_choice_is_saved_on_the_account(citizen_client, citizen):
    citizen_client.get("/sprache/tr/?next=/")
    citizen.refresh_from_db()
    assert citizen.preferred_language == "tr"


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
