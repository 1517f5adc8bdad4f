"""The integration API stays flat as the installation grows: the events feed (the newest page a DMS
polls, and a page in the middle) and the PDF download, median time with 10,000 vs 1,000,000 documents.

PostgreSQL (``BENCH_POSTGRES_URL``, default the local server): one real delivered document (uploaded,
intake run, encrypted PDF stored) is cloned in SQL into 1,000,000 document rows with one event each, in
10 households … 100,000 households. Requests go through Django's full stack (token authentication,
scope check, audit write) with the in-process test client. Target: t(1M) / t(10k) < 1.5 for every call.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import report, setup_django

SMALL = 10_000
LARGE = int(os.environ.get("API_FLAT_LARGE", "1000000"))
TARGET = 1.5
WARMUP = 5
REQUESTS = 31
TOKEN = "jcp_bench_" + "b" * 40  # noqa: S105 - a benchmark token


def clone_rows(model: Any, template_pk: Any, start: int, count: int, overrides: dict[str, str]) -> None:
    """Insert ``count`` copies of one row in one statement; ``g`` runs from ``start`` + 1."""
    from django.db import connection

    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if f.column in overrides or not f.primary_key]
    select = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '  # noqa: S608
            f'SELECT {select} FROM generate_series(%s, %s) AS g, "{table}" t WHERE t.id = %s',
            [start + 1, start + count, template_pk],
        )


def grow(document: Any, event: Any, base: int, have: int, want: int) -> None:
    from django.db import connection

    from jcportal.documents.models import Document
    from jcportal.events.models import Event, EventSequence

    step = 200_000
    while have < want:
        count = min(step, want - have)
        clone_rows(
            Document,
            document.pk,
            have,
            count,
            {
                "id": "md5('bench' || g)::uuid",
                "receipt_number": "'E-FLAT-' || lpad(g::text, 9, '0')",
                "received_at": "t.received_at - g * interval '1 second'",
            },
        )
        clone_rows(
            Event,
            event.pk,
            have,
            count,
            {
                "event_id": "md5('event' || g)::uuid",
                "subject": "md5('bench' || g)::uuid::text",
                "position": f"{base} + g",
            },
        )
        have += count
        print(f"  {have:,} documents", file=sys.stderr)
    EventSequence.objects.update(last=base + want)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE documents_document")
        cursor.execute("VACUUM ANALYZE events_event")


def median_ms(client: Any, url: str, streaming: bool = False) -> float:
    times = []
    for n in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        if streaming:
            body = b"".join(response.streaming_content)
            assert body.startswith(b"%PDF"), url
        else:
            assert response.json()["events"], url
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
        if n >= WARMUP:
            times.append(elapsed)
    return statistics.median(times) * 1000


def main() -> int:
    os.environ.setdefault("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory(prefix="jcportal-bench-") as name:
        setup_django(Path(name))
        from django.conf import settings

        settings.CELERY_TASK_ALWAYS_EAGER = True
        from django.db import transaction

        from jcportal.api import scopes
        from jcportal.api.services import create_client
        from jcportal.api.testing import ApiTestClient
        from jcportal.documents import services
        from jcportal.documents.models import Document
        from jcportal.documents.tests import samples
        from jcportal.events.models import Event
        from jcportal.events.services import sequence_pending
        from jcportal.households.tests.factories import HouseholdFactory

        create_client(
            "bench",
            scopes=[scopes.DOCUMENTS_READ, scopes.EVENTS_READ],
            all_households=True,
            token=TOKEN,
            rate_limit_per_minute=10**6,
        )
        household = HouseholdFactory()
        with transaction.atomic():
            document = services.accept_upload(
                household=household,
                uploaded_by=None,
                doc_type="kontoauszug",
                title="Kontoauszug",
                files=[("seite.jpg", io.BytesIO(samples.jpeg(size=(1600, 1200))))],
            )
        document.refresh_from_db()
        if not document.delivered_at:
            from jcportal.documents import pipeline

            pipeline.run(document.pk)
            document.refresh_from_db()
        assert document.delivered_at and document.pdf, "the template document was not delivered"
        sequence_pending()
        template_event = Event.objects.filter(subject=str(document.pk)).order_by("position").last()
        assert template_event is not None and template_event.position
        client = ApiTestClient(TOKEN)
        base = max(Event.objects.order_by("-position").values_list("position", flat=True)[:1])

        results: dict[str, dict[str, float]] = {}
        have = 1
        for size in (SMALL, LARGE):
            grow(document, template_event, base, have, size)
            have = size
            top = base + size
            urls = {
                "feed_newest": f"/api/v1/events/?after={top - 100}&limit=100",
                "feed_middle": f"/api/v1/events/?after={base + size // 2}&limit=100",
            }
            for call, url in urls.items():
                results.setdefault(call, {})[str(size)] = median_ms(client, url)
            pdf_url = f"/api/v1/documents/{document.pk}/pdf/"
            results.setdefault("pdf_download", {})[str(size)] = median_ms(client, pdf_url, streaming=True)
            assert Document.objects.count() >= size
        pdf_bytes = document.pdf.size

    ratios = {call: t[str(LARGE)] / t[str(SMALL)] for call, t in results.items()}
    ok = all(ratio < TARGET for ratio in ratios.values())
    message = (
        ", ".join(
            f"{call} {t[str(SMALL)]:.1f} → {t[str(LARGE)]:.1f} ms (×{ratios[call]:.2f})"
            for call, t in results.items()
        )
        + f" [{SMALL:,} → {LARGE:,} documents, PDF {pdf_bytes // 1024} KB, median of {REQUESTS}]"
    )
    if not ok:
        message += f"; target t(1M)/t(10k) < {TARGET} missed"
    result = {
        "median_ms": {c: {k: round(v, 2) for k, v in t.items()} for c, t in results.items()},
        "ratio": {c: round(r, 3) for c, r in ratios.items()},
        "target": f"< {TARGET}",
    }
    return report("api_flat", result, ok, message)


if __name__ == "__main__":
    sys.exit(main())
