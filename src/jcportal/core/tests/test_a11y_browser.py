"""Keyboard use, visible focus, error summaries, announcements, right-to-left layout and phone
screenshots, in real Chromium. Screenshots go to ``artifacts/screenshots/`` (kept by CI as artefacts)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import PHONE, login_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.PROJECT_DIR) / "artifacts" / "screenshots"
TABBABLE = """() => Array.from(document.querySelectorAll(
  'a[href], details > summary:first-of-type, button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'
)).filter(el => {
  const s = getComputedStyle(el); const r = el.getBoundingClientRect();
  return s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[hidden]') && (r.width > 0 || r.height > 0 || el.classList.contains('skip-link'));
}).filter(el => !(el.type === 'radio' && !el.checked && document.querySelector(`input[type=radio][name="${el.name}"]:checked`)))
  .filter((el, i, all) => !(el.type === 'radio' && all.findIndex(o => o.type === 'radio' && o.name === el.name) !== i))
  .map(el => Array.prototype.indexOf.call(document.querySelectorAll('*'), el) + ' ' + (el.id || el.getAttribute('href') || el.name || el.textContent.trim().slice(0, 30)))"""
CURRENT = """() => { const el = document.activeElement; return el && el !== document.body
  ? Array.prototype.indexOf.call(document.querySelectorAll('*'), el) + ' ' + (el.id || el.getAttribute('href') || el.name || el.textContent.trim().slice(0, 30))
  : null }"""


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    from jcportal.demo.services import seed_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo()


def _context(browser, live_server, username: str | None = None, language: str = "de", viewport=None):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import User

    context = browser.new_context(
        base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if username:
        client = Client()
        user = User.objects.get(username=username)
        login_staff(client, user) if user.is_staff_member else client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


def _assert_focus_visible(page, where: str) -> dict:  # type: ignore[no-untyped-def]
    state = page.evaluate(a11y.FOCUS_STYLE)
    assert state is not None, f"{where}: focus went to the page body"
    assert state["visible"], f"{where}: no visible focus indicator on {state}"
    return state


def _tab_through(page, where: str, limit: int = 120) -> list[str]:  # type: ignore[no-untyped-def]
    """Tab from the top to the end of the page; every stop has a visible focus; no trap."""
    page.evaluate(
        "() => { document.body.insertAdjacentHTML('afterbegin', '<span tabindex=\"-1\" id=\"tab-start\"></span>');"
        " document.getElementById('tab-start').focus(); }"
    )
    expected = page.evaluate(TABBABLE)
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate(CURRENT)
        if current is None or (seen and current == seen[0]):
            break  # left the page (back to the browser) or wrapped around: not trapped
        _assert_focus_visible(page, f"{where} after {len(seen)} tabs")
        if seen and current == seen[-1]:
            # Date and time inputs take one Tab per part (day, month, year): not a trap.
            assert page.evaluate(
                "['date', 'time', 'datetime-local', 'month'].includes(document.activeElement.type)"
            ), f"{where}: focus stuck on {current}"
            continue
        seen.append(current)
    else:
        pytest.fail(f"{where}: focus trapped, {limit} tabs without reaching the end: {seen[-10:]}")
    assert seen == expected, f"{where}: tab order differs from the reading order\n{seen}\n{expected}"
    return seen


def _tab_to(page, condition: str, limit: int = 80) -> None:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => Boolean({condition})"):
            _assert_focus_visible(page, condition)
            return
    pytest.fail(f"never reached with the Tab key: {condition}")


def test_axe_finds_a_real_violation(browser, live_server, demo):
    """The sweep's checker is alive: an image without text alternative is reported."""
    context = _context(browser, live_server)
    page = context.new_page()
    page.goto("/")
    assert a11y.axe_violations(page) == []
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/img/favicon.svg\">')"
    )
    assert "image-alt" in {v["id"] for v in a11y.axe_violations(page)}
    context.close()


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((40, 40), "Mietvertrag Seite 1", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def test_upload_flow_with_the_keyboard_only(browser, live_server, demo):
    context = _context(browser, live_server, "demo-kunde", "en")
    page = context.new_page()
    page.goto("/portal/hochladen/")
    _tab_through(page, "upload page")

    # Now use it: skip link, then through the form to the end, acting only with keys.
    page.goto("/portal/hochladen/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    _assert_focus_visible(page, "skip link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    chose_type = sent_file = False
    for step in range(80):
        page.keyboard.press("Tab")
        element = page.evaluate(
            "() => ({tag: document.activeElement.tagName, type: document.activeElement.type, "
            "name: document.activeElement.name, input: document.activeElement.dataset.uploadInput || '', "
            "submit: 'uploadSubmit' in document.activeElement.dataset})"
        )
        _assert_focus_visible(page, f"upload form, tab {step}")
        if element["type"] == "radio" and not chose_type:
            page.keyboard.press("ArrowDown")  # moves to and selects the next type
            page.keyboard.press("ArrowUp")  # back to the first type: selected
            chose_type = True
        elif element["input"] == "files" and not sent_file:
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files([{"name": "seite1.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
            sent_file = True
        elif element["submit"]:
            assert chose_type and sent_file, "reached the send button before the form fields"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    else:
        pytest.fail("the send button was never reached with the Tab key")
    assert "/bestaetigung/" in page.url, page.url
    assert page.locator("h1").count() == 1
    assert page.locator("[role=status], [aria-live], .panel").count() >= 1, "the result is not announced"
    assert a11y.axe_violations(page) == []
    context.close()


def test_a_form_with_the_keyboard_only_and_error_summary_links_move_focus(browser, live_server, demo):
    """One of the online services (sick note) by keyboard; then the error summary of a form."""
    context = _context(browser, live_server, "demo-kunde", "en")
    page = context.new_page()
    page.goto("/antrag/krankmeldung/")
    _tab_through(page, "sick note form start")
    _tab_to(page, "document.activeElement.matches('main button[type=submit], main input[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_through(page, f"sick note first step {page.url}")
    _tab_to(page, "document.activeElement.matches('main form button[type=submit]:not(.link-button)')")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # nothing filled in: the step answers with an error summary
    links = page.locator("[data-error-summary] a[href^='#']")
    assert links.count() >= 1, "no error summary with links on the empty step"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    target = links.first.get_attribute("href")[1:]
    links.first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target, "the summary link did not move the focus"
    _assert_focus_visible(page, "field reached from the error summary")
    # Error summary: submit the feedback form empty with the keyboard.
    page.goto("/seite/barrierefreiheit/rueckmeldung/")
    page.locator("#id_email").focus()
    page.keyboard.type("not-an-address")
    page.keyboard.press("Tab")  # the send button
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), "summary not focused"
    assert summary.get_attribute("role") == "alert"
    for field in ("id_message", "id_email"):
        page.locator(f"[data-error-summary] a[href='#{field}']").click()
        assert page.evaluate("document.activeElement.id") == field, f"focus did not move to {field}"
        described = page.locator(f"#{field}").get_attribute("aria-describedby") or ""
        assert f"{field}_error" in described
    _tab_through(page, "feedback form with errors")
    # Send it right: the confirmation is announced.
    page.locator("#id_message").fill("The contrast of the grey hint text is too weak.")
    page.locator("#id_email").fill("")
    with page.expect_navigation():
        page.locator("#id_email").press("Enter")
    status = page.locator("[role=status]")
    assert status.count() == 1 and "Thank you" in status.inner_text()
    context.close()


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_layout(browser, live_server, demo, language):
    for width in (1280, PHONE["width"]):
        context = _context(browser, live_server, "demo-kunde", language, {"width": width, "height": 900})
        page = context.new_page()
        for url in ("/portal/", "/portal/hochladen/", "/portal/dokumente/"):
            page.goto(url)
            assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
            items = page.evaluate(
                "() => Array.from(document.querySelectorAll('.main-nav li')).map(li => li.getBoundingClientRect())"
                ".map(r => ({left: r.left, right: r.right, top: r.top}))"
            )
            assert len(items) >= 2
            first, second = items[0], items[1]
            assert (
                abs(
                    first["right"]
                    - page.evaluate("document.querySelector('.main-nav ul').getBoundingClientRect().right")
                )
                < 40
            ), f"{url} [{language}, {width}px]: the navigation does not start on the right"
            if abs(first["top"] - second["top"]) < 5:  # same row: the second item is left of the first
                assert second["right"] <= first["left"] + 1
            assert a11y.horizontal_overflow(page) <= 0, f"{url} [{language}, {width}px] overflows"
            off_screen = page.evaluate(
                "() => Array.from(document.querySelectorAll('main *')).filter(el => { const r = el.getBoundingClientRect();"
                " return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1) && !el.closest('.table-wrap, .visually-hidden'); })"
                ".map(el => el.tagName + '.' + el.className).slice(0, 5)"
            )
            assert not off_screen, f"{url} [{language}, {width}px]: outside the viewport: {off_screen}"
        context.close()


def test_numbers_and_ibans_stay_left_to_right_in_arabic(browser, live_server, demo):
    context = _context(browser, live_server, None, "ar")
    page = context.new_page()
    page.goto("/seite/barrierefreiheit/")
    direction = page.evaluate("getComputedStyle(document.querySelector('bdi.ltr')).direction")
    assert direction == "ltr"
    page.goto("/seite/barrierefreiheit/rueckmeldung/")
    assert page.evaluate("getComputedStyle(document.querySelector('#id_email')).direction") == "ltr"
    assert page.evaluate("getComputedStyle(document.querySelector('#id_message')).direction") == "rtl"
    context.close()


def test_phone_screenshots_de_ar_ti(browser, live_server, demo):
    """360×740 screenshots of the start page, the upload page and "My documents" for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("de", "ar", "ti"):
        anonymous = _context(browser, live_server, None, language, PHONE)
        citizen = _context(browser, live_server, "demo-kunde", language, PHONE)
        for name, context, url in (
            ("start", anonymous, "/"),
            ("upload", citizen, "/portal/hochladen/"),
            ("my-documents", citizen, "/portal/dokumente/"),
        ):
            page = context.new_page()
            page.goto(url)
            assert page.evaluate("document.documentElement.lang") == language
            assert a11y.horizontal_overflow(page) <= 0
            path = SCREENSHOTS / f"{name}-{language}.png"
            page.screenshot(path=str(path), full_page=False)
            assert path.stat().st_size > 5_000
            page.close()
        anonymous.close()
        citizen.close()


def test_sign_language_page_with_a_video_is_accessible(browser, live_server, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jcportal.core.models import SignLanguageVideo

    SignLanguageVideo.objects.create(
        title="Das Portal in Gebärdensprache",
        file=SimpleUploadedFile(
            "portal-dgs.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 4000, content_type="video/webm"
        ),
        duration_seconds=95,
    )
    for language in ("de", "ar"):
        context = _context(browser, live_server, None, language, PHONE)
        page = context.new_page()
        page.goto("/seite/gebaerdensprache/")
        assert page.locator("video[controls]").count() == 1
        assert "1:35" in page.locator("a[download]").inner_text()
        assert a11y.axe_violations(page) == []
        assert a11y.horizontal_overflow(page) <= 0
        context.close()
