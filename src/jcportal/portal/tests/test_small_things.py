"""Issue 14 point 9 (the small things of point 6): each fixed, each noticed by a user."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from jcportal.core.forms import GovForm
from jcportal.eforms import registry
from jcportal.eforms.engine import build_form


def _step(slug: str, name: str):  # type: ignore[no-untyped-def]
    definition = registry.current(slug)
    return next(step for step in definition.steps if step.name == name)


@pytest.mark.django_db
def test_leichte_sprache_has_a_valid_language_tag_and_the_demo_banner_sits_in_the_header(client, settings):
    settings.DEMO_DATA = True
    client.cookies["jcportal_language"] = "de-ls"
    html = client.get("/seite/impressum/").content.decode()
    assert '<html lang="de-x-ls" dir="ltr">' in html  # "de-ls" would be German as spoken in Lesotho
    assert 'lang="de-x-ls" hreflang="de-x-ls" aria-current="true">Leichte Sprache<' in html
    assert 'lang="de-ls"' not in html and 'hreflang="de-ls"' not in html
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert 'class="demo-banner"' in header  # inside the banner landmark (axe "region")


def test_new_bank_account_is_not_prefilled_with_the_old_iban():
    old = {"iban": "DE02120300000000202051", "account_holder": "Olena Kovalenko"}
    vaem = build_form(_step("vaem", "bank"), data={}, prefill=old)
    assert "DE02120300000000202051" not in str(vaem["iban"])
    assert "Olena Kovalenko" not in str(vaem["account_holder"])
    # the Weiterbewilligungsantrag still suggests the account on file (it asks to confirm it)
    wba_bank = next((s for s in registry.current("wba").steps if s.name == "bank"), None)
    if wba_bank is not None and any(f.prefill == "iban" for f in wba_bank.input_fields):
        assert "DE02120300000000202051" in str(build_form(wba_bank, data={}, prefill=old)["iban"])


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_error_summary_names_each_field():
    class Contact(GovForm):
        first_name = forms.CharField(label="First name")
        last_name = forms.CharField(label="Last name")

    form = Contact(data={})
    assert not form.is_valid()
    messages = [item["message"] for item in form.error_summary()]
    assert messages == ["First name: This field is required.", "Last name: This field is required."]


def test_landlord_iban_error_is_reported_under_the_landlord_iban():
    step = _step("erstantrag", "housing")
    form = build_form(step, data={}, post={"landlord": "Wohnbau GmbH", "landlord_iban": "DE00 1234"})
    assert not form.is_valid()
    assert "landlord_iban" in form.errors and "landlord" not in form.errors
    summary = [item for item in form.error_summary() if item["anchor"] == form["landlord_iban"].auto_id]
    assert summary and summary[0]["message"].startswith("Landlord's IBAN")


@pytest.mark.parametrize("slug", ["erstantrag", "wba"])
def test_birth_date_is_three_boxes_not_a_calendar(slug):
    step = _step(slug, "personal")
    form = build_form(step, data={})
    html = str(form["date_of_birth"])
    assert 'type="date"' not in html
    for part in ("day", "month", "year"):
        assert f'name="date_of_birth_{part}"' in html
    assert html.count('inputmode="numeric"') == 3 and html.count("<label") == 3

    def posted(**values):  # type: ignore[no-untyped-def]
        bound = build_form(step, data={}, post=values)
        bound.is_valid()
        return bound

    good = posted(date_of_birth_day="9", date_of_birth_month="3", date_of_birth_year="1988")
    assert good.cleaned_data.get("date_of_birth") == dt.date(1988, 3, 9)
    bad = posted(date_of_birth_day="31", date_of_birth_month="2", date_of_birth_year="1988")
    assert "date_of_birth" in bad.errors
    kept = str(bad["date_of_birth"])
    assert 'value="31"' in kept and 'value="1988"' in kept  # nothing typed is lost
    one_value = posted(date_of_birth="1988-03-09")  # clients posting one value (tests, API) still work
    assert one_value.cleaned_data.get("date_of_birth") == dt.date(1988, 3, 9)


def test_the_hardest_questions_have_a_plain_explanation():
    fields = {f.name: f for step in registry.current("erstantrag").steps for f in step.input_fields}
    for name in ("asylum_benefits", "azr_number", "heating_kind", "considerable"):
        if name in fields:
            assert len(str(fields[name].help)) > 60, name
