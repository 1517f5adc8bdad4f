"""The form engine on its own: field parsing, references, conditions, schema, versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jsonschema
import pytest
from django.core.exceptions import ValidationError

from jcportal.eforms import engine, registry, services


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("450", "450.00"),
        ("450 €", "450.00"),
        ("0,5", "0.50"),
        ("12.000", "12000.00"),
    ],
)
def test_amounts_in_german_and_english_notation(text, expected):
    assert engine.parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,2,3", "-5", "12.34.56,7", "1.23456"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValidationError):
        engine.parse_amount(text)


def test_iban_checksum():
    field = engine.IBANField()
    assert field.clean("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    with pytest.raises(ValidationError):
        field.clean("DE89 3704 0044 0532 0130 01")


@pytest.mark.parametrize("value,ok", [("12345", True), ("1234", False), ("123456", False), ("12a45", False)])
def test_postcode(value, ok):
    field = engine.django_field(engine.Field("plz", engine.POSTCODE, "PLZ"))
    if ok:
        assert field.clean(value) == value
    else:
        with pytest.raises(ValidationError):
            field.clean(value)


def test_reference_numbers_have_a_check_digit():
    reference = services.format_reference(2026, 123)
    assert reference.startswith("JC-2026-000123-")
    assert services.is_valid_reference(reference)
    body, check = reference[:-1], int(reference[-1])
    for wrong in range(10):
        if wrong != check:
            assert not services.is_valid_reference(f"{body}{wrong}")
    # a swapped pair of digits is caught
    assert not services.is_valid_reference("JC-2026-000213-" + reference[-1])
    assert not services.is_valid_reference("JC-26-000123-1")
    assert not services.is_valid_reference("")


@pytest.mark.django_db
def test_new_references_are_unique_and_sequential():
    first, second = services.new_reference(), services.new_reference()
    assert first != second
    assert int(second.split("-")[2]) == int(first.split("-")[2]) + 1
    assert services.is_valid_reference(first) and services.is_valid_reference(second)


def test_conditional_and_repeated_steps():
    definition = registry.get("erstantrag", 2)
    data = {"household": {"adults_count": 0, "children_count": 2}, "income": {"has_income": "no"}}
    names = [s.name for s in definition.applicable_steps(data)]
    assert "children" in names and "persons" not in names and "income_details" not in names
    assert definition.step("children").item_count(data) == 2
    data["income"]["has_income"] = "yes"
    assert "income_details" in [s.name for s in definition.applicable_steps(data)]
    data["housing"] = {"housing_kind": "rent"}
    assert "owner_costs" not in [s.name for s in definition.applicable_steps(data)]
    data["housing"] = {"housing_kind": "owner"}
    assert "owner_costs" in [s.name for s in definition.applicable_steps(data)]


def test_repeated_step_form_has_one_group_per_child():
    definition = registry.get("erstantrag", 2)
    data = {"household": {"adults_count": 0, "children_count": 2}}
    form = engine.build_form(definition.step("children"), data)
    assert len(form.groups) == 2
    assert "p1-first_name" in form.fields


def test_every_schema_is_valid_and_every_version_registered():
    for definition in registry.all_definitions():
        schema = engine.json_schema(
            definition, f"https://example.org/{definition.slug}/{definition.version}.json"
        )
        jsonschema.Draft202012Validator.check_schema(schema)
    assert [d.version for d in registry.versions("wba")] == [1, 2]


def test_the_reform_date_selects_the_version():
    assert registry.current("wba", on=dt.date(2026, 6, 30)).version == 1
    assert registry.current("wba", on=dt.date(2026, 7, 1)).version == 2
    v1 = {s.name: s for s in registry.get("wba", 1).steps}
    v2 = {s.name: s for s in registry.get("wba", 2).steps}
    assert "considerable" in [f.name for f in v1["assets"].fields]
    assert "considerable" not in [f.name for f in v2["assets"].fields]
    assert "cost_reduction_request" in [f.name for f in v2["housing"].fields]


def test_schema_rejects_wrong_data():
    definition = registry.get("krankmeldung", 1)
    schema = engine.json_schema(definition)
    document = {
        "form": "krankmeldung",
        "version": 1,
        "reference": "JC-2026-000001-8",
        "submitted_at": "2026-11-23T10:00:00+00:00",
        "data": {
            "sickness": {"certificate_kind": "third", "sick_from": "2026-11-23"},
            "certificate": {"au_certificate": []},
            "declaration": {"truthful": True, "privacy": True},
        },
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_the_developer_docs_list_every_field():
    from pathlib import Path

    from django.conf import settings

    from jcportal.eforms.management.commands.eforms_field_list import field_list_markdown

    docs = (Path(settings.PROJECT_DIR) / "docs" / "developers" / "forms.md").read_text()
    assert field_list_markdown().strip() in docs, "run manage.py eforms_field_list and update forms.md"


def test_a_changed_count_reopens_the_repeated_step():
    definition = registry.get("erstantrag", 2)
    data = {step.name: {} for step in definition.steps if step.repeat is None}
    data["household"] = {"adults_count": 0, "children_count": 1}
    data["income"] = {"has_income": "no"}
    data["children"] = [{"first_name": "Mia"}]
    assert definition.first_incomplete(data) is None
    data["household"]["children_count"] = 2
    assert definition.first_incomplete(data).name == "children"
