import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from jcportal.accounts import policy
from jcportal.accounts.models import User
from jcportal.demo.services import ALL_LOGINS, seed_demo
from jcportal.households.models import Household, ServiceOffice, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_logins_work():
    first = seed_demo()
    second = seed_demo()
    assert first["households_created"] == 20
    assert second["households_created"] == 0
    assert Household.objects.count() == 20
    assert ServiceOffice.objects.count() == 2
    assert Team.objects.filter(is_clearing=False).count() >= 3
    for login in ALL_LOGINS:
        request = RequestFactory().post("/konto/anmelden/")
        user = authenticate(request, username=login.username, password=login.password)
        assert user is not None, login.username


def test_demo_citizens_live_in_different_offices_and_caseworker_is_responsible():
    seed_demo()
    kunde = User.objects.get(username="demo-kunde")
    kunde2 = User.objects.get(username="demo-kunde2")
    assert kunde.household.service_office != kunde2.household.service_office
    caseworker = User.objects.get(username="demo-sachbearbeitung")
    assert kunde.household.responsible_caseworker == caseworker
    assert policy.can_view_household(caseworker, kunde.household)
    assert not policy.can_view_household(caseworker, kunde2.household)
