"""The users of ``bench/web_load.py`` (locust): citizens and caseworkers on the running portal.

Reads what to visit from the JSON file named by ``BENCH_WEB_DATA`` (written by ``web_load.py`` after
seeding: the seeded citizens and caseworkers, their documents, inbox items, case files and search
terms, the static file). Every request is named after its page, so locust's statistics are per page.

- Citizens (``BENCH_WEB_CITIZEN_SHARE`` of the users, default 70 %) log in with their password, then
  read their dashboard, their documents, one document and its PDF, the letters from the Jobcenter, the
  upload page, and send a small PDF now and then (the receipt page follows).
- Caseworkers log in with password and TOTP (each its own seeded account), then work their inbox (own
  and team tab by deadline), open items and their PDF, case files and the global search.
- Both fetch the site's CSS (served by WhiteNoise in the same gunicorn) and ``/livez``: the baseline.

Think time: ``BENCH_WEB_WAIT`` seconds ("min,max", default "1,4") between two tasks of a user.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

DATA: dict[str, Any] = json.loads(Path(os.environ["BENCH_WEB_DATA"]).read_text())
_low, _high = (float(x) for x in os.environ.get("BENCH_WEB_WAIT", "1,4").split(","))
CITIZEN_SHARE = float(os.environ.get("BENCH_WEB_CITIZEN_SHARE", "0.7"))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_lock = threading.Lock()
_citizens = itertools.cycle(DATA["citizens"])
_staff = itertools.cycle(DATA["staff"])


def totp(secret_b32: str) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(_low, _high)

    def csrf(self, path: str, name: str) -> str:
        response = self.client.get(path, name=name)
        found = _CSRF.search(response.text)
        if not found:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {response.status_code})")
        return found.group(1)

    def post(self, path: str, data: dict[str, str], name: str, token: str, **kwargs: Any) -> Any:
        return self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + path},
            name=name,
            allow_redirects=False,
            **kwargs,
        )

    def login(self, username: str, password: str) -> None:
        token = self.csrf("/konto/anmelden/", "login page")
        response = self.post(
            "/konto/anmelden/", {"username": username, "password": password}, "login (POST)", token
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} refused: HTTP {response.status_code}")

    @task(1)
    def static_file(self) -> None:
        self.client.get(DATA["static"], name="static file (CSS)")

    @task(1)
    def livez(self) -> None:
        self.client.get("/livez", name="/livez")


class Citizen(PortalUser):
    weight = round(CITIZEN_SHARE * 100)

    def on_start(self) -> None:
        with _lock:
            self.account = next(_citizens)
        self.login(self.account["username"], DATA["citizen_password"])

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/portal/", name="citizen: dashboard")

    @task(2)
    def documents(self) -> None:
        self.client.get("/portal/dokumente/", name="citizen: my documents")

    @task(2)
    def document(self) -> None:
        document = random.choice(self.account["documents"])  # noqa: S311
        self.client.get(f"/portal/dokumente/{document}/", name="citizen: document (status)")

    @task(1)
    def document_pdf(self) -> None:
        if self.account["pdf"]:
            self.client.get(f"/portal/dokumente/{self.account['pdf']}/pdf/", name="citizen: document PDF")

    @task(1)
    def letters(self) -> None:
        self.client.get("/portal/vom-jobcenter/", name="citizen: letters from the Jobcenter")

    @task(2)
    def upload_page(self) -> None:
        self.client.get("/portal/hochladen/", name="citizen: upload page")

    @task(1)
    def upload(self) -> None:
        token = self.csrf("/portal/hochladen/", "citizen: upload page")
        pdf = base64.b64decode(DATA["upload_pdf"])
        response = self.client.post(
            "/portal/hochladen/",
            data={
                "doc_type": "kontoauszug",
                "title": "",
                "note": "",
                "complete": "1",
                "csrfmiddlewaretoken": token,
            },
            files=[("more_files", ("kontoauszug.pdf", pdf, "application/pdf"))],
            headers={"Referer": self.host + "/portal/hochladen/"},
            name="citizen: upload (POST)",
            allow_redirects=False,
        )
        if response.status_code == 302:
            self.client.get(response.headers["Location"], name="citizen: upload receipt")


class Caseworker(PortalUser):
    weight = 100 - round(CITIZEN_SHARE * 100)

    def on_start(self) -> None:
        with _lock:
            self.account = next(_staff)
        self.login(self.account["username"], DATA["staff_password"])
        token = self.csrf("/konto/zweiter-faktor/", "second factor page")
        response = self.post(
            "/konto/zweiter-faktor/", {"token": totp(DATA["totp_secret"])}, "second factor (POST)", token
        )
        if response.status_code != 302:
            raise RuntimeError(f"second factor of {self.account['username']} refused")

    @task(3)
    def inbox(self) -> None:
        self.client.get("/verwaltung/postfach/", name="staff: inbox")

    @task(1)
    def inbox_team(self) -> None:
        self.client.get("/verwaltung/postfach/?tab=team&sort=deadline", name="staff: inbox, team by deadline")

    @task(3)
    def item(self) -> None:
        item = random.choice(DATA["items"])  # noqa: S311
        self.client.get(f"/verwaltung/postfach/{item}/", name="staff: inbox item")

    @task(1)
    def item_pdf(self) -> None:
        item = random.choice(DATA["pdf_items"])  # noqa: S311
        self.client.get(f"/verwaltung/postfach/{item}/pdf/", name="staff: inbox item PDF")

    @task(2)
    def case_file(self) -> None:
        household = random.choice(DATA["households"])  # noqa: S311
        self.client.get(f"/verwaltung/akten/{household}/", name="staff: case file")

    @task(2)
    def search(self) -> None:
        _kind, query = random.choice(DATA["search"])  # noqa: S311
        self.client.get("/verwaltung/suche/", params={"q": query}, name="staff: search")
