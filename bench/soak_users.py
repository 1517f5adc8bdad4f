"""The simulated users of the soak (bench/soak.py): citizens who upload photos and caseworkers who
work through their inbox, each a thread with its own HTTP session, through the real forms (login, CSRF
token from the page, second factor for staff), as a browser without JavaScript would.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from common import ROOT

sys.path.insert(0, str(ROOT / "src"))

from jcportal.core.testing.cluster import Browser  # noqa: E402

RECEIPT = re.compile(r"E-\d{8}-[A-Z0-9]{6}")
DONE_PAGE = re.compile(r"/portal/hochladen/([0-9a-f-]{36})/bestaetigung/")
ITEM_LINK = re.compile(r'href="/verwaltung/postfach/(\d+)/"')


def photos(count: int = 6) -> list[bytes]:
    """Small real JPEG photos of a letter (a few variants: size, colour, text)."""
    from PIL import Image, ImageDraw

    result = []
    for number in range(count):
        width, height = (640, 480) if number % 2 else (480, 640)
        image = Image.new("RGB", (width, height), (250 - number * 6, 248, 240 + number))
        draw = ImageDraw.Draw(image)
        for line in range(12):
            draw.text((30, 30 + line * 34), f"Mietbescheinigung Variante {number} Zeile {line}", fill="black")
        draw.rectangle((20, 20, width - 20, height - 20), outline=(40, 40, 40), width=3)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        result.append(out.getvalue())
    return result


@dataclass
class Accepted:
    receipt: str
    document_id: str
    sha256: str
    at: float  # seconds since the soak's start


@dataclass
class Stats:
    """What every user thread records (under one lock)."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # 5xx, failed requests, refused uploads
    accepted: list[Accepted] = field(default_factory=list)
    processed: int = 0  # inbox items marked as done by the caseworkers
    retried: int = 0  # GETs sent again after the server closed a kept-alive connection
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def now(self) -> float:
        return time.monotonic() - self.started

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(f"{self.now():7.1f} s {text}")

    def request(self, browser: Browser, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """One request, counted; None when it failed (connection, timeout) or answered 5xx."""
        import requests

        kwargs.setdefault("timeout", 120)
        kwargs.setdefault("allow_redirects", False)
        began = time.monotonic()
        try:
            try:
                response = browser.session.request(method, browser.base_url + path, **kwargs)
            except requests.ConnectionError:
                # After a pause the server may close the kept-alive connection just as the next request
                # goes out on it (gunicorn's keepalive is 2 s); a browser then sends an idempotent request
                # again on a new connection. Counted, and only for GET: every POST here follows its page.
                if method != "GET":
                    raise
                with self.lock:
                    self.retried += 1
                response = browser.session.request(method, browser.base_url + path, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.requests += 1
            self.error(f"{what}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        with self.lock:
            self.requests += 1
            self.statuses[response.status_code] += 1
            self.latencies.setdefault(what, []).append(time.monotonic() - began)
        if response.status_code >= 500:
            self.error(f"{what}: HTTP {response.status_code}")
            return None
        return response

    def token(self, browser: Browser, path: str, what: str) -> str | None:
        page = self.request(browser, "GET", path, what)
        if page is None:
            return None
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or not found:
            self.error(f"{what}: HTTP {page.status_code} without a form (logged out?)")
            return None
        return found.group(1)


def citizen(
    stats: Stats, url: str, username: str, password: str, pause: float, stop: threading.Event, seed: int
) -> None:
    """Logs in, then uploads one photo every ``pause`` seconds (±50 %) and reads the receipt page."""
    rng = random.Random(seed)
    images = photos()
    browser = Browser(url)
    if not _login(stats, browser, username, password, None):
        return
    stop.wait(rng.uniform(0, pause))  # the citizens do not all come at once
    while not stop.is_set():
        image = images[rng.randrange(len(images))]
        token = stats.token(browser, "/portal/hochladen/", "upload form")
        if token is not None:
            response = stats.request(
                browser,
                "POST",
                "/portal/hochladen/",
                "upload",
                data={
                    "doc_type": "mietvertrag",
                    "title": "",
                    "note": "",
                    "complete": "1",
                    "csrfmiddlewaretoken": token,
                },
                files=[("more_files", (f"foto-{rng.randrange(10**6)}.jpg", image, "image/jpeg"))],
                headers={"Referer": url + "/portal/hochladen/"},
            )
            found = DONE_PAGE.search(response.headers.get("Location", "")) if response is not None else None
            if response is not None and not found:
                stats.error(f"upload refused: HTTP {response.status_code} {response.text[:200]!r}")
            if found:
                receipt_page = stats.request(browser, "GET", found.group(0), "receipt page")
                receipt = RECEIPT.search(receipt_page.text) if receipt_page is not None else None
                if receipt is None:
                    stats.error(f"upload {found.group(1)} accepted, but no receipt number on its page")
                with stats.lock:  # accepted (302 to the receipt page) even if that page then failed
                    stats.accepted.append(
                        Accepted(
                            receipt.group(0) if receipt else "",
                            found.group(1),
                            hashlib.sha256(image).hexdigest(),
                            stats.now(),
                        )
                    )
        stop.wait(rng.uniform(0.5 * pause, 1.5 * pause))


def caseworker(
    stats: Stats,
    url: str,
    username: str,
    password: str,
    totp_secret: str,
    pause: float,
    stop: threading.Event,
    seed: int,
) -> None:
    """Logs in with the second factor, then lists the inbox, opens the oldest item and marks it done."""
    rng = random.Random(seed)
    browser = Browser(url)
    if not _login(stats, browser, username, password, totp_secret):
        return
    while not stop.is_set():
        inbox = stats.request(browser, "GET", "/verwaltung/postfach/", "inbox")
        if inbox is not None and inbox.status_code != 200:
            stats.error(f"inbox: HTTP {inbox.status_code} (logged out?)")
        elif inbox is not None:
            items = ITEM_LINK.findall(inbox.text)
            if items:
                item = f"/verwaltung/postfach/{items[-1]}/"
                token = stats.token(browser, item, "inbox item")
                if token is not None:
                    done = stats.request(
                        browser,
                        "POST",
                        item + "erledigt/",
                        "mark done",
                        data={"csrfmiddlewaretoken": token},
                        headers={"Referer": url + item},
                    )
                    if done is not None and done.status_code != 302:
                        stats.error(f"mark done: HTTP {done.status_code}")
                    elif done is not None:
                        with stats.lock:
                            stats.processed += 1
        stop.wait(rng.uniform(0.5 * pause, 1.5 * pause))


def _login(stats: Stats, browser: Browser, username: str, password: str, totp_secret: str | None) -> bool:
    for attempt in range(3):  # a second factor typed at the turn of its 30 s window: the next one
        try:
            browser.login(username, password, totp_secret)
            return True
        except Exception as exc:  # noqa: BLE001 - recorded as the soak's error
            if attempt == 2:
                stats.error(f"login of {username} failed: {exc}")
            browser.session.cookies.clear()
            time.sleep(31 if totp_secret else 1)
    return False
