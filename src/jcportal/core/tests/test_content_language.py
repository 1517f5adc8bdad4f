"""The Content-Language header names Leichte Sprache with a valid tag, like the markup's lang."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("code", "tag"), [("de-ls", "de-x-ls"), ("de", "de"), ("ar", "ar"), ("ti", "ti")])
def test_content_language_is_a_valid_tag(client, code, tag):
    client.cookies["jcportal_language"] = code
    response = client.get("/")
    assert response["Content-Language"] == tag
    assert f'lang="{tag}"' in response.content.decode()
