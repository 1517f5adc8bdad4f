"""Every GET page of the portal and the back office, in all seven languages, logged out and logged in,
has zero axe-core violations (WCAG 2.1 A/AA) in real Chromium and reflows at 320 px.

Pages are found by walking the URL resolver (pages added later are covered automatically); ids in URLs
are the demo household's own objects. A list of swept and uncovered routes is written to
``artifacts/a11y/sweep-<language>.txt`` (one test per language). Run alone: ``.venv/bin/pytest -p no:cacheprovider src/jcportal/core/tests/test_a11y_sweep.py``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from jcportal.core import i18n
from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import login_staff

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# (label, demo user) in order of preference: a page is swept as the first of these that may open it.
ROLES = [
    ("anonymous", None),
    ("citizen", "demo-kunde"),
    ("caseworker", "demo-sachbearbeitung"),
    ("team lead", "demo-teamleitung"),
    ("scan station", "demo-scan"),
    ("administrator", "demo-admin"),
    ("data-protection officer", "demo-datenschutz"),
]
ALSO_LOGGED_IN = ["citizen", "caseworker"]
# Pages that must be in the sweep whenever their route exists (guards against a sweep that sees nothing).
MUST_COVER = [
    "core:home",
    "core:page",
    "core:accessibility-feedback",
    "accounts:login",
    "portal:dashboard",
    "portal:upload",
    "portal:documents",
    "backoffice:home",
]
# Tabs working at the same time. SQLite in memory (the test database) locks under concurrent writes
# (every request saves the session), so there one page at a time; PostgreSQL takes two.
PARALLEL = int(os.environ.get("A11Y_PARALLEL", "0")) or None
ARTIFACTS = Path(settings.PROJECT_DIR) / "artifacts" / "a11y"


@dataclass
class Target:
    role: str
    route: str
    url: str


def _clients() -> dict[str, Client]:
    from jcportal.accounts.models import User

    clients: dict[str, Client] = {}
    for label, username in ROLES:
        client = Client(raise_request_exception=False)
        if username:
            user = User.objects.get(username=username)
            if user.is_staff_member:
                login_staff(client, user)
            else:
                client.force_login(user)
        clients[label] = client
    return clients


def _jpeg() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (500, 700), "white")
    ImageDraw.Draw(image).text((30, 30), "Kontoauszug", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def add_own_objects(citizen: Client) -> list[str]:
    """Give the demo household objects the seed does not create, through the real pages (as a person
    would): a sent document and a started online service. Returns notes on what did not work."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    notes: list[str] = []
    upload = citizen.get("/portal/hochladen/")
    doc_type = re.search(
        r'name="doc_type"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="doc_type"', upload.content.decode()
    )
    if upload.status_code == 200 and doc_type:
        response = citizen.post(
            "/portal/hochladen/",
            {
                "doc_type": doc_type.group(1) or doc_type.group(2),
                "title": "Kontoauszug",
                "more_files": SimpleUploadedFile("kontoauszug.jpg", _jpeg(), content_type="image/jpeg"),
                "complete": "1",
            },
        )
        if response.status_code != 302:
            notes.append(f"upload answered {response.status_code}")
    else:
        notes.append("no upload form")
    for slug in ("krankmeldung", "kontakt"):
        response = citizen.post(f"/antrag/{slug}/", {}, follow=True)
        found = re.search(
            r"/vorgang/([0-9a-f-]{36})/", response.redirect_chain[-1][0] if response.redirect_chain else ""
        )
        if not found:
            notes.append(f"starting {slug} answered {response.status_code}")
            continue
        if slug == "kontakt":  # send one all the way, for the confirmation and the back-office view
            base = f"/antrag/vorgang/{found.group(1)}"
            citizen.post(
                f"{base}/schritt/contact/",
                {"kind": "message", "topic": "other", "message": "Bitte um Rückruf.", "continue": "1"},
            )
            citizen.post(f"{base}/schritt/attachment/", {"continue": "1"})
            sent = citizen.post(f"{base}/pruefen/", {})
            if "/gesendet/" not in sent.get("Location", ""):
                notes.append(f"sending kontakt answered {sent.status_code} {sent.get('Location', '')}")
    return notes


def sweep_plan(clients: dict[str, Client]) -> tuple[list[Target], list[str], list[str], list[str]]:
    """(pages to sweep, uncovered routes, non-HTML routes missing from the skip list, server errors)."""
    from jcportal.accounts.models import User

    household = User.objects.get(username="demo-kunde").household
    targets: list[Target] = []
    uncovered: list[str] = []
    unlisted: list[str] = []
    errors: list[str] = []
    for route in a11y.routes():
        if a11y.is_skipped(route):
            continue
        urls = a11y.candidate_urls(route, household)
        if route.name == "core:page":
            urls = [
                f"/seite/{slug}/"
                for slug in (
                    "barrierefreiheit",
                    "leichte-sprache",
                    "gebaerdensprache",
                    "impressum",
                    "datenschutz",
                )
            ]
        found = set()
        statuses: set[int] = set()
        for url in urls:
            for label, _ in ROLES:
                if url in found:
                    break
                response = clients[label].get(url)
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    errors.append(f"{route.name} ({url}, {label}): HTTP {response.status_code}")
                if response.status_code != 200:
                    continue
                if "text/html" not in response.get("Content-Type", ""):
                    unlisted.append(f"{route.name} ({url}): {response.get('Content-Type')}")
                    break
                targets.append(Target(label, route.name, url))
                found.add(url)
            if found and route.name != "core:page":
                break
        if route.namespace == "core":
            # The information pages are also checked logged in (other header and navigation).
            for url in sorted(found):
                for label in ALSO_LOGGED_IN:
                    swept = any(t.url == url and t.role == label for t in targets)
                    if not swept and clients[label].get(url).status_code == 200:
                        targets.append(Target(label, route.name, url))
        if not found:
            if 405 in statuses:
                kind = "POST only, not a page"
            elif not urls:
                kind = "no demo object for " + ", ".join(route.kwargs)
            elif 404 in statuses:
                kind = "no suitable demo object (404)"
            elif all(300 <= code < 400 for code in statuses):
                kind = "redirects"
            else:
                kind = "HTTP " + ", ".join(str(code) for code in sorted(statuses))
            uncovered.append(f"{route.name}: {kind}")
    return targets, uncovered, unlisted, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", a11y.LANGUAGES)  # one test per language: the workers share them
def test_every_page_in_every_language_has_no_axe_violations_and_reflows_at_320px(
    browser, live_server, settings, language
):
    from jcportal.demo.services import seed_demo

    # A11Y_LANGUAGES=de,ar narrows the sweep while working on a page; make test always runs all seven.
    wanted = os.environ.get("A11Y_LANGUAGES")
    if wanted and language not in wanted.split(","):
        pytest.skip(f"A11Y_LANGUAGES={wanted}")

    settings.PASSWORD_HASHERS = FAST_HASHER
    started = time.monotonic()
    seed_demo()
    clients = _clients()
    setup_notes = add_own_objects(clients["citizen"])
    targets, uncovered, unlisted, errors = sweep_plan(clients)
    planned = time.monotonic()
    covered_routes = {t.route for t in targets}
    known_routes = {r.name for r in a11y.routes()}

    violations: list[str] = []
    overflow: list[str] = []
    wrong_language: list[str] = []
    headings: list[str] = []  # pages without exactly one <h1>
    from django.db import connection

    parallel = PARALLEL or (2 if connection.vendor == "postgresql" else 1)
    # `parallel` browser contexts per role (separate renderer processes): axe runs in several tabs at once.
    pages: dict[str, list] = {}
    contexts = []
    for label, _ in ROLES:
        pages[label] = []
        for _slot in range(parallel):
            context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(30_000)
            session = clients[label].cookies.get(settings.SESSION_COOKIE_NAME)
            if session is not None and session.value:
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": live_server.url}]
                )
            contexts.append(context)
            pages[label].append(context.new_page())
    timings: dict[str, float] = {}
    languages = [language]
    try:
        for language in languages:
            for context in contexts:
                context.add_cookies(
                    [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
                )
            for first in range(0, len(targets), parallel):
                batch = []
                for slot, target in enumerate(targets[first : first + parallel]):
                    page = pages[target.role][slot]
                    where = f"{target.url} [{language}, {target.role}]"
                    began = time.monotonic()
                    page.set_viewport_size({"width": 1280, "height": 900})
                    response = page.goto(target.url, wait_until="load")
                    if response is None or response.status != 200:
                        violations.append(
                            f"{where}: HTTP {response.status if response else '?'} in the browser"
                        )
                        continue
                    if page.evaluate("document.documentElement.lang") != i18n.language_tag(language):
                        wrong_language.append(where)
                    if page.evaluate("document.querySelectorAll('h1').length") != 1:
                        headings.append(where)
                    timings[where + " (load)"] = time.monotonic() - began
                    a11y.start_axe(page)
                    batch.append((page, where, began))
                for page, where, began in batch:
                    found = a11y.axe_result(page)
                    if found:
                        violations.append(a11y.format_violations(where, found))
                    page.set_viewport_size({"width": 320, "height": 740})
                    extra = a11y.horizontal_overflow(page)
                    if extra > 0:
                        overflow.append(f"{where}: {extra}px wider than 320px")
                    timings[where] = time.monotonic() - began
    finally:
        for context in contexts:
            context.close()

    duration = time.monotonic() - started
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"sweep-{language}.txt").write_text(
        "\n".join(
            [
                f"{len(targets)} pages x {len(languages)} languages in {duration:.0f}s "
                f"(setup and plan {planned - started:.0f}s, browser {duration - (planned - started):.0f}s)",
                "",
                "swept:",
            ]
            + [f"  {t.url}  ({t.route}, {t.role})" for t in targets]
            + ["", "slowest:"]
            + [f"  {v:.2f}s {k}" for k, v in sorted(timings.items(), key=lambda kv: -kv[1])[:25]]
            + ["", "setup notes:", *setup_notes]
            + ["", "not swept (POST-only actions, redirects, no demo object, or no role may open it):"]
            + [f"  {u}" for u in uncovered]
            + ["", "server errors:"]
            + errors
            + ["", "violations:"]
            + violations
            + ["", "overflow at 320px:"]
            + overflow
        ),
        encoding="utf-8",
    )
    print(
        f"a11y sweep: {len(targets)} pages x {len(languages)} languages in {duration:.0f}s; uncovered: {uncovered}"
    )

    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not unlisted, "non-HTML routes missing from a11y.SKIP_NAMES:\n" + "\n".join(unlisted)
    missing = [name for name in MUST_COVER if name in known_routes and name not in covered_routes]
    assert not missing, f"the sweep did not reach {missing}; uncovered: {uncovered}"
    assert not wrong_language, "language cookie not honoured:\n" + "\n".join(wrong_language)
    assert not headings, "pages without exactly one <h1>:\n" + "\n".join(headings[:40])
    assert not violations, f"{len(violations)} pages with axe violations:\n" + "\n\n".join(violations[:30])
    assert not overflow, "horizontal scrolling at 320px:\n" + "\n".join(overflow[:40])
