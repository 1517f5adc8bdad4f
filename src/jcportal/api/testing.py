"""Pytest fixtures for API tests in any app: a test client with a bearer token, API clients."""

from __future__ import annotations

import pytest
from django.test import Client

from jcportal.api import scopes
from jcportal.api.services import create_client


class ApiTestClient(Client):
    """A test client that sends a bearer token."""

    def __init__(self, token: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.token = token

    def request(self, **request):  # type: ignore[no-untyped-def]
        if self.token is not None:
            request.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return super().request(**request)


@pytest.fixture
def make_api_client(db):  # type: ignore[no-untyped-def]
    def _make(name: str = "dms", scope_list=None, **kwargs):  # type: ignore[no-untyped-def]
        client, token = create_client(
            name, scopes=scopes.all_scopes() if scope_list is None else scope_list, **kwargs
        )
        return client, ApiTestClient(token)

    return _make


@pytest.fixture
def dms(make_api_client):  # type: ignore[no-untyped-def]
    """An API client with every scope that sees every household."""
    return make_api_client("dms", all_households=True)[1]
