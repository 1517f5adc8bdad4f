"""Pytest fixtures: logged-in clients per role, a real clamd, and Playwright on Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


def login_staff(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    """Log a staff member in with a verified second factor (as after entering the TOTP code)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from jcportal.accounts.otp import create_device_with_secret

    device = create_device_with_secret(user, "JBSWY3DPEHPK3PXP")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def staff_browser_context(browser, live_server, user, language: str = "en", viewport=PHONE):  # type: ignore[no-untyped-def]
    """A browser context logged in as ``user`` with a verified second factor (the session of
    ``login_staff``), in ``language``; the caller opens pages in it and closes it."""
    from django.conf import settings

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(20_000)
    session = login_staff(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        ]
    )
    return context


@pytest.fixture
def english(settings):  # type: ignore[no-untyped-def]
    """Pages and mails in English (the message ids) where no cookie or account says otherwise; the
    default language, German, is translated. Use ``pytestmark = pytest.mark.usefixtures("english")``."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def household(db):  # type: ignore[no-untyped-def]
    from jcportal.households.tests.factories import HouseholdFactory

    return HouseholdFactory()


@pytest.fixture
def citizen(household):  # type: ignore[no-untyped-def]
    from jcportal.accounts.tests.factories import CitizenFactory

    return CitizenFactory(person__household=household)


@pytest.fixture
def citizen_client(citizen) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def caseworker(household):  # type: ignore[no-untyped-def]
    from jcportal.accounts.tests.factories import StaffFactory

    user = StaffFactory(team=household.responsible_team)
    household.responsible_caseworker = user
    household.save(update_fields=["responsible_caseworker"])
    return user


@pytest.fixture
def caseworker_client(caseworker) -> Client:  # type: ignore[no-untyped-def]
    return login_staff(Client(), caseworker)


@pytest.fixture
def demo_data(db):  # type: ignore[no-untyped-def]
    from jcportal.demo.services import seed_demo

    seed_demo()


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real clamd with a local EICAR signature (no download possible offline)."""
    from jcportal.core import localclamd

    if localclamd.clamd_binary() is None:
        pytest.fail("clamd is not installed: run scripts/install-system-deps.sh")
    directory: Path = tmp_path_factory.mktemp("clamd")
    process = localclamd.start(directory)
    try:
        yield str(localclamd.socket_path(directory))
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def clamd(settings, clamd_socket):  # type: ignore[no-untyped-def]
    settings.CLAMD_SOCKET = clamd_socket
    settings.MALWARE_SCAN_REQUIRED = True
    return clamd_socket


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install-system-deps.sh")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser context with a phone-sized viewport, pointed at the live server."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="de-DE", has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="de-DE"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def submit(page, target) -> None:  # type: ignore[no-untyped-def]
    """Click a submit button (a selector or a locator) and wait until the page it leads to has loaded.

    ``click()`` returns before the browser has the server's answer; asserting right after it reads the old
    page, which passes or fails by timing alone.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def browser_login(page, username: str, password: str, totp_secret: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real login form (and the second-factor form for staff)."""
    page.goto("/konto/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page, "button[type=submit]:not(.link-button)")
    if totp_secret:
        import base64
        import hmac
        import struct
        import time

        key = base64.b32decode(totp_secret)
        counter = struct.pack(">Q", int(time.time()) // 30)
        digest = hmac.new(key, counter, "sha1").digest()
        offset = digest[-1] & 0x0F
        code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
        page.fill("#id_token", f"{code:06d}")
        submit(page, "button[type=submit]:not(.link-button)")
