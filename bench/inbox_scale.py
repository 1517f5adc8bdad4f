"""The inbox page stays fast when the inbox grows: median time with 100,000 vs 1,000 items.

Seeds one caseworker's inbox like src/jcportal/inbox/tests/test_inbox_scale.py (its ``seed`` and
``seed_fast``), logs the caseworker in with a verified second factor and times the page.
Target for every view below: t(100k) / t(1k) < 3.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import report, setup_django

SMALL = 1_000
LARGE = 100_000
TARGET = 3.0
WARMUP = 3
REQUESTS = 15  # per view and size; the median counts
VIEWS: dict[str, dict[str, str]] = {
    "default": {},
    "team_by_deadline": {"tab": "team", "sort": "deadline"},
    "filtered_by_type": {"doc_type": "kontoauszug"},
}


def refresh_statistics() -> None:
    """What autovacuum / a nightly ANALYZE does on a live database after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE inbox_inboxitem")
            cursor.execute("VACUUM ANALYZE documents_document")
        else:
            cursor.execute("ANALYZE")


def median_seconds(client: Any, params: dict[str, str]) -> float:
    from django.urls import reverse

    url = reverse("backoffice:inbox")
    times = []
    for n in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, f"inbox {params}: HTTP {response.status_code}"
        if n == 0:
            body = response.content.decode()
            assert "Massentest" in body and "Dokument" in body, f"inbox {params} lists no items"
        if n >= WARMUP:
            times.append(elapsed)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jcportal-bench-") as name:
        setup_django(Path(name))

        from django.test import Client

        from jcportal.accounts.tests.factories import StaffFactory
        from jcportal.core.testing.fixtures import login_staff
        from jcportal.households.tests.factories import HouseholdFactory, PersonFactory
        from jcportal.inbox.models import InboxItem
        from jcportal.inbox.tests.test_inbox_scale import seed, seed_fast

        household = HouseholdFactory()
        PersonFactory(household=household, last_name="Massentest")
        caseworker = StaffFactory(team=household.responsible_team)
        household.responsible_caseworker = caseworker
        household.save(update_fields=["responsible_caseworker"])
        client = login_staff(Client(), caseworker)

        seconds: dict[str, dict[str, float]] = {}
        for count in (SMALL, LARGE):
            if count == SMALL:
                seed(household, caseworker, SMALL, start=200_000)
            else:
                seed_fast(household, caseworker, LARGE - SMALL)
            assert InboxItem.objects.filter(assignee=caseworker).count() == count
            refresh_statistics()
            for view, params in VIEWS.items():
                seconds.setdefault(view, {})[str(count)] = median_seconds(client, params)

    ratios = {view: t[str(LARGE)] / t[str(SMALL)] for view, t in seconds.items()}
    result: dict[str, Any] = {
        "median_ms": {view: {k: round(v * 1000, 1) for k, v in t.items()} for view, t in seconds.items()},
        "ratio": {view: round(r, 2) for view, r in ratios.items()},
        "target": f"< {TARGET}",
        "requests_per_median": REQUESTS,
    }
    message = ", ".join(
        f"{view} {seconds[view][str(SMALL)] * 1000:.0f} → {seconds[view][str(LARGE)] * 1000:.0f} ms (×{r:.2f})"
        for view, r in ratios.items()
    )
    ok = all(r < TARGET for r in ratios.values())
    if not ok:
        message += f"; target t({LARGE:,})/t({SMALL:,}) < {TARGET} missed"
    return report("inbox_scale", result, ok, message)


if __name__ == "__main__":
    sys.exit(main())
