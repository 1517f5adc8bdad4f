"""The web under load (issue 13): 50 users against gunicorn on PostgreSQL with 100,000 households and
10,000, then 1,000,000 documents, each page's p50/p95/p99 against a static file of the same stack.

One fresh database ``jcportal_bench_web`` on the server of ``BENCH_POSTGRES_URL`` (default the local
one; dropped at the end unless ``BENCH_WEB_KEEP=1``) is migrated and given the demo data, then
``bench/seed_bulk.py`` copies in the households (two persons each; the first 200 with a citizen
account), ten caseworkers of the demo team and the documents (each inbound one with an inbox item, a
full-text index row; one audit entry per ten documents). gunicorn (``core.gunicorn_config``, 4
workers × 4 threads, DEBUG off, Redis as cache and broker, files on local disk, encrypted at rest)
serves it; locust (``bench/locustfile.py``, headless, ``-u 50 -r 10``) runs ``BENCH_WEB_SECONDS``
(default 300) at the small size; then the documents are added up to the large size, gunicorn is
restarted and the same load runs again. Nothing works the queued pipeline jobs of the uploads (the web
side is measured).

Targets, per page (locust's name): p95 < 150 ms, p95 < 3 × the static file's p95 in the same run, and
p95(large) / p95(small) < 1.5.

Knobs: ``BENCH_WEB_SECONDS``, ``BENCH_WEB_USERS`` (50), ``BENCH_WEB_HOUSEHOLDS`` (100,000),
``BENCH_WEB_SMALL`` (10,000), ``BENCH_WEB_LARGE`` (1,000,000), ``BENCH_WEB_WAIT`` (think time "1,4"
seconds), ``BENCH_WEB_WORKERS`` (gunicorn workers, 4).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, report, start_gunicorn, stop_process

SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "300"))
USERS = int(os.environ.get("BENCH_WEB_USERS", "50"))
HOUSEHOLDS = int(os.environ.get("BENCH_WEB_HOUSEHOLDS", "100000"))
SMALL = int(os.environ.get("BENCH_WEB_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_WEB_LARGE", "1000000"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
CITIZENS = 200
STAFF = 10
DATABASE = "jcportal_bench_web"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DBS = (6, 7)  # cache, broker (other benchmarks and tests use 2/3, 8–13)
TARGET_MS = 150.0
TARGET_VS_STATIC = 3.0
TARGET_GROWTH = 1.5
STATIC = "static file (CSS)"
BASELINES = {STATIC, "/livez"}
# actions, not pages: reported, not judged (a password hash each; bench/argon2_params.py measures it)
LOGIN = {"login page", "login (POST)", "second factor page", "second factor (POST)"}
MASTER_KEY = base64.b64encode(b"jcportal-bench-web-load-master-k").decode()


def environment(tmp: Path) -> dict[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = urlunsplit(urlsplit(server)._replace(path=f"/{DATABASE}"))
    return {
        "DJANGO_SETTINGS_MODULE": "jcportal.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "JCPORTAL_MODE": "development",
        "DEBUG": "false",
        "DEMO_DATA": "true",
        "DATABASE_URL": database_url,
        "JCPORTAL_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "S3_BUCKET": "",
        "MASTER_KEY": MASTER_KEY,
        "CACHE_URL": f"{REDIS}/{REDIS_DBS[0]}",
        "CELERY_BROKER_URL": f"{REDIS}/{REDIS_DBS[1]}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OCR_ENABLED": "false",
        "MALWARE_SCAN_REQUIRED": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
    }


def fresh_database(env: dict[str, str]) -> None:
    import psycopg
    import redis

    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    for db in REDIS_DBS:
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def drop_database(env: dict[str, str]) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def visit_data(path: Path, seeded: dict[str, Any], staff: list[Any], documents: int) -> None:
    """What the locust users visit, for the current number of documents (``BENCH_WEB_DATA``)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from seed_bulk import CITIZEN_PASSWORD, LAST_NAMES, STAFF_PASSWORD, _uuid, small_pdf

    from jcportal.demo.services import DEMO_TOTP_SECRET
    from jcportal.documents.models import Document
    from jcportal.inbox.models import InboxItem

    households = seeded["household_ids"]
    citizens = []
    for n, username in enumerate(seeded["citizens"]):
        # their own inbound documents (every 20th document is a letter: shown under "letters")
        own = [str(_uuid(k)) for k in range(n, documents, len(households)) if k % 20 != 19]
        if own:
            pdf = str(_uuid(n)) if n % 20 != 19 else None  # the first document has a real PDF
            citizens.append({"username": username, "documents": own[-20:], "pdf": pdf})
    team = staff[0].team_id
    items = list(
        InboxItem.objects.filter(
            team_id=team, state__in=["new", "open"], document__receipt_number__startswith="E-LOAD-"
        )
        .order_by("?")
        .values_list("pk", flat=True)[:2000]
    )
    with_pdf = [str(_uuid(n)) for n in range(len(seeded["citizens"]))]
    pdf_items = list(InboxItem.objects.filter(document_id__in=with_pdf).values_list("pk", flat=True))
    sample = Document.objects.filter(receipt_number__startswith="E-LOAD-").order_by("?")[:50]
    rng = random.Random(13)
    search = [("receipt number", d.receipt_number) for d in sample[:20]]
    search += [("BG number", f"77777BG{rng.randrange(len(households)):07d}") for _ in range(20)]
    names = [rng.randrange(len(households)) for _ in range(10)]
    search += [("name", f"{LAST_NAMES[n % 10]}-{n}") for n in names]
    search += [("rare word", f"stichwort{rng.randrange(1000)}") for _ in range(10)]
    search += [("common word", "kindergeld"), ("two words", "stadtwerke nebenkosten")]
    data = {
        "citizens": citizens,
        "citizen_password": CITIZEN_PASSWORD,
        "staff": [{"username": user.username} for user in staff],
        "staff_password": STAFF_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "items": items,
        "pdf_items": pdf_items,
        "households": rng.sample(households, min(2000, len(households))),
        "search": search,
        "static": staticfiles_storage.url("css/site.css"),
        "upload_pdf": base64.b64encode(small_pdf("Kontoauszug Bench")).decode(),
    }
    path.write_text(json.dumps(data))


def run_locust(env: dict[str, str], port: int, data: Path, prefix: Path) -> dict[str, dict[str, float]]:
    """Headless locust for SECONDS; per page: requests, failures, p50/p95/p99 in ms, requests/s."""
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(USERS),
        "-r",
        "10",
        "-t",
        f"{SECONDS}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--reset-stats",  # the statistics count from the moment every user is spawned
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    log = prefix.with_suffix(".log")
    subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, **env, "BENCH_WEB_DATA": str(data)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        check=True,
        timeout=SECONDS + 300,
    )
    pages: dict[str, dict[str, float]] = {}
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        print(failures.read_text()[:3000], file=sys.stderr)
    return pages


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> int:
    from jcportal.core.testing.processes import free_port

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    env = environment(tmp)
    os.environ.update(env)
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    fresh_database(env)
    try:
        import django

        django.setup()
        import seed_bulk
        from django.core.management import call_command

        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        staff = seed_bulk.bench_staff(STAFF)
        seeded = seed_bulk.seed_households(HOUSEHOLDS, CITIZENS, staff)
        results: dict[str, dict[str, dict[str, float]]] = {}
        loads: dict[str, list[str]] = {}
        seeded_docs = 0
        from jcportal.documents.models import Document

        for size in (SMALL, LARGE):
            seed_bulk.seed_documents(size - seeded_docs, seeded_docs, seeded["household_ids"], staff)
            if seeded_docs == 0:  # the citizens' first documents: a real PDF (citizen and staff open them)
                first = [seed_bulk._uuid(n) for n in range(CITIZENS)]
                seed_bulk.with_pdf(Document.objects.filter(pk__in=first))
            seeded_docs = size
            seed_bulk.analyze()
            print(
                f"web_load: {size:,} documents seeded ({time.monotonic() - started:.0f} s so far); "
                f"{USERS} users for {SECONDS} s, load average {load_average()}",
                file=sys.stderr,
            )
            data = tmp / f"visit-{size}.json"
            visit_data(data, seeded, staff, size)
            from django.db import connections

            connections.close_all()
            port = free_port()
            server = start_gunicorn(
                env, port, tmp / f"gunicorn-{size}.log", workers=WORKERS, threads=4, warm_up=4 * WORKERS
            )
            loads[str(size)] = [load_average()]
            try:
                results[str(size)] = run_locust(env, port, data, tmp / f"locust-{size}")
            finally:
                stop_process(server)
            loads[str(size)].append(load_average())
            print(f"web_load: load average after the run {loads[str(size)][1]}", file=sys.stderr)
    finally:
        if os.environ.get("BENCH_WEB_KEEP") != "1":
            drop_database(env)
    return verdict(results, loads, tmp)


def verdict(results: dict[str, dict[str, dict[str, float]]], loads: dict[str, list[str]], tmp: Path) -> int:
    small, large = results[str(SMALL)], results[str(LARGE)]
    static_small, static_large = small[STATIC]["p95"], large[STATIC]["p95"]
    pages = sorted(name for name in large if name not in BASELINES)
    judged = [name for name in pages if name not in LOGIN]
    rows: dict[str, dict[str, Any]] = {}
    missed = []
    for name in pages:
        figures = large[name]
        growth = figures["p95"] / small[name]["p95"] if small.get(name, {}).get("p95") else None
        vs_static = figures["p95"] / static_large if static_large else None
        ok = (
            figures["p95"] < TARGET_MS
            and vs_static is not None
            and vs_static < TARGET_VS_STATIC
            and growth is not None
            and growth < TARGET_GROWTH
            and figures["failures"] == 0
        )
        if not ok and name in judged:
            missed.append(name)
        rows[name] = {
            **figures,
            "p95_small": small.get(name, {}).get("p95"),
            "vs_static": round(vs_static, 2) if vs_static else None,
            "growth": round(growth, 2) if growth else None,
            "ok": ok,
            "judged": name in judged,
        }
    total_rps = sum(p["rps"] for p in large.values())
    result = {
        "users": USERS,
        "seconds": SECONDS,
        "households": HOUSEHOLDS,
        "documents": [SMALL, LARGE],
        "static_p95_ms": {str(SMALL): static_small, str(LARGE): static_large},
        "livez_p95_ms": {str(SMALL): small["/livez"]["p95"], str(LARGE): large["/livez"]["p95"]},
        "requests_per_second": round(total_rps, 1),
        "pages": rows,
        "target": f"p95 < {TARGET_MS:.0f} ms, < {TARGET_VS_STATIC} × static, p95({LARGE:,})/p95({SMALL:,}) < {TARGET_GROWTH}",
        "table": table(rows, small, large),
        "notes": [
            f"{USERS} users (70 % citizens, 30 % caseworkers), think time {os.environ.get('BENCH_WEB_WAIT', '1,4')} s, "
            f"{SECONDS} s per size (statistics from the moment all users are spawned), gunicorn {WORKERS} workers × 4 "
            f"threads on {os.cpu_count()} cores, PostgreSQL and locust on the same machine",
            "load average before → after the run: "
            + ", ".join(f"{int(size):,} documents {a} → {b}" for size, (a, b) in loads.items())
            + " (the machine is shared with other engineers' test runs)",
            "login and second factor are actions, reported but not judged (bench/argon2_params.py measures the hash)",
        ],
        "raw": str(tmp),
    }
    message = (
        f"{USERS} users × {SECONDS} s, {HOUSEHOLDS:,} households, {SMALL:,} → {LARGE:,} documents, "
        f"{total_rps:.1f} requests/s; static file p95 {static_small:.0f} → {static_large:.0f} ms, /livez p95 "
        f"{small['/livez']['p95']:.0f} → {large['/livez']['p95']:.0f} ms; "
        + "; ".join(
            f"{name} p50/p95/p99 {r['p50']:.0f}/{r['p95']:.0f}/{r['p99']:.0f} ms (×{r['vs_static'] or 0:.1f} static, "
            f"×{r['growth'] or 0:.2f} from {SMALL:,}{', ' + str(int(r['failures'])) + ' failed' if r['failures'] else ''})"
            for name, r in rows.items()
        )
    )
    if missed:
        message += f"; target missed by {len(missed)} of {len(judged)} pages"
    return report("web_load", result, not missed, message)


def table(rows: dict[str, dict[str, Any]], small: dict[str, Any], large: dict[str, Any]) -> str:
    """Markdown table of the pages (written into RESULTS.md by bench/run.py)."""
    lines = [
        f"| page | requests | p50 / p95 / p99 at {LARGE:,} (ms) | p95 at {SMALL:,} | × static p95 | growth p95 | |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in (STATIC, "/livez"):
        s, big = small[name], large[name]
        lines.append(
            f"| {name} (baseline) | {int(big['requests'])} | {big['p50']:.0f} / {big['p95']:.0f} / {big['p99']:.0f} "
            f"| {s['p95']:.0f} | – | {big['p95'] / s['p95']:.2f} | |"
        )
    for name, r in rows.items():
        lines.append(
            f"| {name} | {int(r['requests'])}{' (' + str(int(r['failures'])) + ' failed)' if r['failures'] else ''} "
            f"| {r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f} | {r['p95_small'] or 0:.0f} | {r['vs_static'] or 0:.2f} "
            f"| {r['growth'] or 0:.2f} | {('met' if r['ok'] else 'MISSED') if r['judged'] else 'reported'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
