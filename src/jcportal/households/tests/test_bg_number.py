"""BG numbers are kept in one spelling, so that every lookup is an exact match on the unique index."""

import pytest

from jcportal.households.models import Household, normalise_bg_number
from jcportal.scanning.services import _household_by_bg

pytestmark = pytest.mark.django_db


def test_bg_numbers_are_stored_in_capitals_without_spaces():
    household = Household.objects.create(bg_number=" 12345bg 0000077 ")
    household.refresh_from_db()
    assert household.bg_number == "12345BG0000077"
    assert normalise_bg_number("12345bg0000077") == household.bg_number


def test_a_separator_sheet_or_form_in_lower_case_finds_the_household():
    household = Household.objects.create(bg_number="12345BG0000078")
    assert _household_by_bg("12345bg0000078") == household
    assert _household_by_bg("12345BG0000079") is None
    assert _household_by_bg("") is None
