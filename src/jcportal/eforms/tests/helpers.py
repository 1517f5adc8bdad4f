"""Helpers for filling online services through the HTTP layer."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse


def png(name: str = "au.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 220, 240)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def start(client: Client, slug: str) -> str:
    """Start a draft; returns the URL of the first step."""
    url = reverse("eforms:erstantrag-start") if slug == "erstantrag" else reverse("eforms:start", args=[slug])
    response = client.post(url)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def submit_step(client: Client, url: str, data: dict[str, Any]) -> str:
    """Post one step; asserts it was accepted and returns the next URL."""
    response = client.post(url, data)
    if response.status_code != 302:
        errors = re.findall(r'class="error-message"[^>]*>(.*?)</p>', response.content.decode(), re.S)
        raise AssertionError(f"step {url} not accepted: {errors}")
    return response["Location"]


def fill(client: Client, first_url: str, steps: dict[str, dict[str, Any]]) -> str:
    """Fill steps in the order the server asks for them; returns the review URL."""
    url = first_url
    for _round in range(40):
        if "/pruefen/" in url:
            return url
        if "/gespeichert/" in url:
            response = client.get(url)
            url = re.search(r'href="([^"]+/schritt/[^"]+)"', response.content.decode()).group(1)
            continue
        step = url.rstrip("/").split("/")[-1]
        assert step in steps, f"unexpected step {step}"
        url = submit_step(client, url, steps[step])
    raise AssertionError("too many steps")


def submission_id_from(url: str) -> str:
    return re.search(r"/vorgang/([0-9a-f-]{36})/", url).group(1)
