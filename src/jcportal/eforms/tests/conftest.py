import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """The demo data hashes ten passwords; Argon2 makes that take ~9 s per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_citizen_client(demo_data, client):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import User

    client.force_login(User.objects.get(username="demo-kunde"))
    return client


@pytest.fixture
def demo_staff_client(demo_data):  # type: ignore[no-untyped-def]
    from django.test import Client

    from jcportal.accounts.models import User
    from jcportal.core.testing.fixtures import login_staff

    def make(username: str) -> Client:
        return login_staff(Client(), User.objects.get(username=username))

    return make
