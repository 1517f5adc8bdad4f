"""Shared set-up of the benchmarks: Django on a throwaway SQLite file, pipeline only queued, no OCR."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _postgres_database(server_url: str, tmp: Path) -> str:
    """A fresh database on the server of ``BENCH_POSTGRES_URL``, dropped when the process ends."""
    import atexit
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"jcportal_bench_{os.getpid()}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(tmp: Path) -> None:
    """Point every setting that touches disk, database or broker into ``tmp``, then migrate.

    SQLite by default; with ``BENCH_POSTGRES_URL=postgres://user@host:5432/x`` a throwaway database on
    that PostgreSQL server.
    """
    sys.path.insert(0, str(ROOT / "src"))
    server = os.environ.get("BENCH_POSTGRES_URL", "")
    database_url = _postgres_database(server, tmp) if server else f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "jcportal.settings",
            "JCPORTAL_MODE": "development",
            "S3_BUCKET": "",  # files into MEDIA_ROOT
            "DATABASE_URL": database_url,
            "JCPORTAL_VAR_DIR": str(tmp / "var"),
            "MEDIA_ROOT": str(tmp / "media"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_BROKER_URL": "memory://localhost/",  # in-process broker: the pipeline is only queued
            "OCR_ENABLED": "false",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def proc_status(field: str) -> int | None:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in bytes; None where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Linux: set the peak RSS (``VmHWM``) to the current RSS, so it measures what comes next."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def report(name: str, result: dict[str, Any], ok: bool, message: str) -> int:
    """Human-readable verdict on stderr, one JSON line on stdout (read by bench/run.py)."""
    print(f"{name}: {'OK' if ok else 'FAILED'}: {message}", file=sys.stderr)
    print(json.dumps({"name": name, "ok": ok, "message": message, **result}))
    return 0 if ok else 1


def start_gunicorn(
    env: dict[str, str],
    port: int,
    log: Path,
    *,
    workers: int,
    threads: int = 1,
    access_log: bool = True,
    warm_up: int = 0,
) -> subprocess.Popen[bytes]:
    """gunicorn with the deployment's config (``core.gunicorn_config``) on 127.0.0.1:``port``, once it
    answers ``/livez``; ``warm_up`` requests of the login page let every worker import the application."""
    import requests

    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "python:jcportal.core.gunicorn_config",
        "jcportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    if not access_log:
        command += ["--access-logfile", "/dev/null"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200:
                for _ in range(warm_up):
                    requests.get(f"http://127.0.0.1:{port}/konto/anmelden/", timeout=30)
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.5)
    stop_process(process)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after a minute."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
