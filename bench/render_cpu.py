"""Page renders under 30 ms of CPU (issue 13): CPU time of one request of each main page, in process.

Django's test client through the whole stack (middleware, session, policy, audit, templates) on a
throwaway PostgreSQL database (``BENCH_POSTGRES_URL``, default the local server; empty for SQLite, which
would count the database's own work as well), DEBUG off, the cached template loader, static files
collected (manifest storage). Seeded with the demo data and ``bench/seed_bulk.py``: 2,000 households of
the demo caseworker's team, 100,000 documents (each inbound one with an inbox item), and the inbox items
of one caseworker opened, so the inbox holds ~95,000 new or open items.

Each page: 3 warm-up requests, then the median of ``RENDER_REQUESTS`` (default 15) of
``time.process_time()`` around ``client.get`` (this process's CPU: Python, Django, templates, the
database driver; not the database server's). Wall-clock and the number of queries are reported too.
The slowest page is profiled (cProfile over 5 requests); the top functions by own time go to stderr
and into the result.

Target: every page's median CPU < 30 ms.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import report, setup_django

TARGET_MS = 30.0
WARMUP = 3
REQUESTS = int(os.environ.get("RENDER_REQUESTS", "15"))
HOUSEHOLDS = 2_000
DOCUMENTS = int(os.environ.get("RENDER_DOCUMENTS", "100000"))


def measure(client: Any, url: str, params: dict[str, str] | None = None) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, wall = [], []
    queries = 0
    for n in range(WARMUP + REQUESTS):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(url, params or {})
        elapsed_cpu, elapsed = time.process_time() - started_cpu, time.perf_counter() - started
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
        if n >= WARMUP:
            cpu.append(elapsed_cpu)
            wall.append(elapsed)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params or {})
    queries = len(captured.captured_queries)
    return {
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "wall_ms": round(statistics.median(wall) * 1000, 1),
        "queries": queries,
    }


def profile(client: Any, url: str, params: dict[str, str] | None = None, top: int = 25) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url, params or {})
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    print(text, file=sys.stderr)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue(), file=sys.stderr)
    return [line.strip() for line in text.splitlines() if line.strip()][-top:]


def seed_database() -> None:
    """Demo data, collected static files, 2,000 households and DOCUMENTS documents (bench/seed_bulk.py),
    every inbox item of one caseworker new or open."""
    import seed_bulk
    from django.core.management import call_command
    from django.db import connection

    call_command("seed_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    staff = seed_bulk.bench_staff(1)
    seeded = seed_bulk.seed_households(HOUSEHOLDS, 5, staff)
    seed_bulk.seed_documents(DOCUMENTS, 0, seeded["household_ids"], staff)
    with connection.cursor() as cursor:  # every item of the caseworker new or open
        cursor.execute(
            "UPDATE inbox_inboxitem SET state = CASE WHEN id %% 3 = 0 THEN 'open' ELSE 'new' END, "
            "done_at = NULL WHERE assignee_id = %s",
            [staff[0].pk],
        )
    seed_bulk.analyze()


def pages() -> tuple[dict[str, tuple[Any, str, dict[str, str] | None]], int]:
    """The pages to measure, each with a logged-in client (and the number of items in the inbox)."""
    from django.test import Client

    from jcportal.accounts.models import User
    from jcportal.core.testing.fixtures import login_staff
    from jcportal.documents.models import Document
    from jcportal.inbox.models import InboxItem

    caseworker = User.objects.get(username="bench-sb-01")
    active = InboxItem.objects.filter(assignee=caseworker, state__in=["new", "open"]).count()
    citizen = User.objects.get(username="bench-kunde-00000")
    household_id = citizen.person.household_id
    document = Document.objects.filter(household_id=household_id, direction="inbound").first()
    item = InboxItem.objects.filter(document=document).first()
    name = citizen.person.household.members.filter(is_head=False).first().last_name
    citizen_client = Client()
    citizen_client.force_login(citizen)
    staff_client = login_staff(Client(), caseworker)
    return {
        "citizen: dashboard": (citizen_client, "/portal/", None),
        "citizen: upload page": (citizen_client, "/portal/hochladen/", None),
        "citizen: my documents": (citizen_client, "/portal/dokumente/", None),
        "citizen: document (status)": (citizen_client, f"/portal/dokumente/{document.pk}/", None),
        "citizen: letters": (citizen_client, "/portal/vom-jobcenter/", None),
        f"staff: inbox ({active:,} items)": (staff_client, "/verwaltung/postfach/", None),
        "staff: inbox, team by deadline": (
            staff_client,
            "/verwaltung/postfach/",
            {"tab": "team", "sort": "deadline"},
        ),
        "staff: inbox item": (staff_client, f"/verwaltung/postfach/{item.pk}/", None),
        "staff: case file": (staff_client, f"/verwaltung/akten/{household_id}/", None),
        "staff: search (name)": (staff_client, "/verwaltung/suche/", {"q": name}),
        "staff: search (word)": (staff_client, "/verwaltung/suche/", {"q": "stichwort123"}),
    }, active


def main() -> int:
    os.environ.setdefault("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory(prefix="jcportal-bench-") as name:
        setup_django(Path(name))
        from django.db import connection

        seed_database()
        measured, active = pages()
        figures = {}
        for page, (client, url, params) in measured.items():
            figures[page] = measure(client, url, params)
            print(f"  {page}: {figures[page]}", file=sys.stderr)
        slowest = max(figures, key=lambda p: figures[p]["cpu_ms"])
        client, url, params = measured[slowest]
        print(f"render_cpu: profile of {slowest} ({url})", file=sys.stderr)
        top = profile(client, url, params)
        vendor = connection.vendor

    missed = [page for page, f in figures.items() if f["cpu_ms"] >= TARGET_MS]
    result = {
        "database": vendor,
        "documents": DOCUMENTS,
        "inbox_items": active,
        "pages": figures,
        "slowest": slowest,
        "profile_top_tottime": top,
        "target": f"median CPU per request < {TARGET_MS:.0f} ms",
        "requests_per_median": REQUESTS,
    }
    message = f"{vendor}, {DOCUMENTS:,} documents, inbox {active:,} items; " + ", ".join(
        f"{page} {f['cpu_ms']:.1f} ms CPU ({f['wall_ms']:.0f} ms wall, {f['queries']} queries)"
        for page, f in figures.items()
    )
    if missed:
        message += f"; over {TARGET_MS:.0f} ms: {', '.join(missed)}"
    return report("render_cpu", result, not missed, message)


if __name__ == "__main__":
    sys.exit(main())
