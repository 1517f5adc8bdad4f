"""Issue 14 point 4: the citizen's dashboard is small on a bad connection.

Real Chromium, a cold cache, the static files collected as in production (hashed names, gzip/Brotli,
served by WhiteNoise, not by the test server's finder handler). Transferred bytes are what the network
delivered (headers included), counted from the DevTools protocol. Budgets: German-script pages
≤ 120 KB on the first visit, Arabic-script and Ethiopic pages ≤ 250 KB, every repeat visit ≤ 20 KB with
no request for a static file (no revalidation round trip).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.testcases import LiveServerThread
from django.utils import timezone

KB = 1024
BUDGET_FIRST = {"ar": 250 * KB, "fa": 250 * KB, "ti": 250 * KB}
BUDGET_FIRST_LATIN = 120 * KB
BUDGET_REPEAT = 20 * KB
LANGUAGES = ["de", "de-ls", "ar", "ti", "tr", "en", "fa"]
FULL_FONTS = (".ttf",)

# figures of the last run, printed at the end (pytest -s) and quoted in the report
FIGURES: dict[str, tuple[int, int]] = {}


class _Recorder:
    """Counts bytes and network requests of one page through the DevTools protocol."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.responses: list[dict] = []
        self.bytes = 0
        self.cached: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.urls[event["requestId"]] = event["request"]["url"]

    def _response(self, event) -> None:  # type: ignore[no-untyped-def]
        self.responses.append(event["response"] | {"requestId": event["requestId"]})

    def _finished(self, event) -> None:  # type: ignore[no-untyped-def]
        self.bytes += int(event["encodedDataLength"])

    def reset(self) -> None:
        self.urls.clear()
        self.responses.clear()
        self.cached.clear()
        self.bytes = 0

    def from_network(self) -> list[dict]:
        """Responses that came over the wire (not from the memory or disk cache)."""
        return [
            r
            for r in self.responses
            if r["requestId"] not in self.cached
            and not r.get("fromDiskCache")
            and not r.get("fromPrefetchCache")
        ]


@pytest.fixture
def production_static(settings, tmp_path):  # type: ignore[no-untyped-def]
    """collectstatic into a fresh folder with the manifest storage, as a deployment does."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    # The API docs' and the admin's files are never on a citizen's page; compressing their 12 MB with
    # Brotli took most of this fixture's 50 s.
    call_command(
        "collectstatic",
        "--noinput",
        verbosity=0,
        ignore_patterns=["drf_spectacular_sidecar", "rest_framework", "admin"],
    )
    return settings.STATIC_ROOT


@pytest.fixture
def whitenoise_server(production_static, transactional_db):  # type: ignore[no-untyped-def]
    """A live server whose static files go through WhiteNoise (no finder shortcut of the test server)."""
    thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def _household_with_request():  # type: ignore[no-untyped-def]
    from jcportal.accounts.tests.factories import CitizenFactory
    from jcportal.docrequests.tests.factories import DocumentRequestFactory, DocumentRequestItemFactory

    citizen = CitizenFactory()
    doc_request = DocumentRequestFactory(
        household=citizen.person.household, deadline=timezone.localdate() + dt.timedelta(days=10)
    )
    DocumentRequestItemFactory(request=doc_request, doc_type="kontoauszug")
    DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    return citizen


@pytest.mark.browser
def test_dashboard_first_and_repeat_visit_stay_within_the_byte_budgets(browser, whitenoise_server):
    citizen = _household_with_request()
    client = Client()
    client.force_login(citizen)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    problems = []
    for language in LANGUAGES:
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=whitenoise_server)
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": whitenoise_server},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": whitenoise_server},
            ]
        )
        page = context.new_page()
        recorder = _Recorder(page)
        page.goto("/", wait_until="networkidle")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        assert page.locator("h1").count() == 1, page.content()[:500]
        first = recorder.bytes
        first_urls = [r["url"] for r in recorder.responses]
        static = [r for r in recorder.responses if "/static/" in r["url"]]
        # hashed names, a year of immutable caching, compressed text
        for response in static:
            headers = {k.lower(): v for k, v in response["headers"].items()}
            assert "immutable" in headers.get("cache-control", ""), response["url"]
            assert "max-age=31536000" in headers["cache-control"], response["url"]
            if response["mimeType"] in ("text/css", "text/javascript", "application/javascript"):
                assert headers.get("content-encoding") in ("gzip", "br"), response["url"]
        assert not [u for u in first_urls if u.endswith(FULL_FONTS)], first_urls
        fonts = [u for u in first_urls if u.endswith(".woff2")]
        if language in ("ar", "fa"):
            assert any("NotoSansArabic" in u for u in fonts), fonts
        elif language == "ti":
            assert any("NotoSansEthiopic" in u for u in fonts), fonts
        else:  # only the switcher's few-KB name subsets
            assert all("LanguageNames" in u for u in fonts), fonts

        recorder.reset()
        page.goto("/", wait_until="networkidle")
        repeat = recorder.bytes
        network = recorder.from_network()
        revalidated = [r["url"] for r in network if "/static/" in r["url"] or r["status"] == 304]
        FIGURES[language] = (first, repeat)
        budget = BUDGET_FIRST.get(language, BUDGET_FIRST_LATIN)
        if first > budget:
            problems.append(f"{language}: first visit {first / KB:.1f} KB > {budget / KB:.0f} KB")
        if repeat > BUDGET_REPEAT:
            problems.append(f"{language}: repeat visit {repeat / KB:.1f} KB > 20 KB")
        if revalidated:
            problems.append(f"{language}: repeat visit asked the network again for {revalidated}")
        context.close()
    print(
        "\nbytes per dashboard visit (first / repeat): "
        + ", ".join(f"{lang} {a / KB:.1f} / {b / KB:.1f} KB" for lang, (a, b) in FIGURES.items())
    )
    assert not problems, problems
