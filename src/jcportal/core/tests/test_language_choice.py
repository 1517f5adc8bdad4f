"""Language choice: cookie first, then the account, then Accept-Language; Tigrinya and Leichte Sprache work."""

import pytest

pytestmark = pytest.mark.django_db


def test_language_saved_on_the_account_applies_on_a_new_device(client, citizen):
    citizen.preferred_language = "ar"
    citizen.save(update_fields=["preferred_language"])
    client.force_login(citizen)
    html = client.get("/seite/impressum/").content.decode()
    assert 'lang="ar" dir="rtl"' in html


def test_cookie_wins_over_account_and_browser(client, citizen):
    citizen.preferred_language = "ar"
    citizen.save(update_fields=["preferred_language"])
    client.force_login(citizen)
    client.cookies["jcportal_language"] = "tr"
    html = client.get("/seite/impressum/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'lang="tr" dir="ltr"' in html


@pytest.mark.parametrize(
    ("header", "expected"), [("ti-ER,ti;q=0.9", "ti"), ("de-LS", "de-x-ls"), ("xx", "de")]
)
def test_first_visit_follows_accept_language_also_for_tigrinya(client, header, expected):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert f'lang="{expected}" dir="ltr"' in html


def test_switcher_names_each_language_in_itself_and_marks_the_current_one(client):
    client.cookies["jcportal_language"] = "ti"
    html = client.get("/").content.decode()
    assert 'lang="ti" hreflang="ti" aria-current="true">ትግርኛ<' in html
    assert 'lang="ar" hreflang="ar">العربية<' in html
    assert 'lang="de-x-ls" hreflang="de-x-ls">Leichte Sprache<' in html  # BCP 47: "LS" would be Lesotho
