"""The two topologies of the soak (bench/soak.py), each started so that one worker can be killed.

- ``Embedded``: what ``make run`` (``scripts/run-embedded.sh``) starts, started process by process so
  that the worker can be killed and started again without the script stopping everything: SQLite and
  local files in a temporary ``JCPORTAL_VAR_DIR``, the filesystem broker, clamd with local signatures,
  one Celery worker with beat (``-B``, every queue, concurrency 2) and gunicorn (2 workers × 4 threads).
- ``Production``: ``scripts/run-cluster.sh`` through ``jcportal.core.testing.cluster.Cluster``
  (PostgreSQL, Redis as cache and broker, moto as S3, clamd, two gunicorn web processes, beat, an
  io + housekeeping worker) plus two pipeline workers (queues ``intake,ocr``) started from outside, as
  ``bench/throughput.py`` does: the script stops the whole cluster when one of its own processes ends.

Both create the soak's users with ``SETUP`` (citizens in their own households, caseworkers of one team).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT

sys.path.insert(0, str(ROOT / "src"))

BIN = Path(sys.executable).parent
PASSWORD = "Soak-Test-Passwort-2026"  # noqa: S105 - throwaway accounts of a throwaway database
BG_PREFIX = "12345BG99"  # the soak's households: Musterstadt (routed by postcode 12345)

# Runs inside the topology (its database): N citizens, each the head of an own household whose
# responsible caseworker is one of C new caseworkers of the team Leistung Musterstadt (demo data).
SETUP = """
import datetime as dt, json, os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")
django.setup()
from jcportal.accounts.models import Role, User
from jcportal.accounts.otp import create_device_with_secret
from jcportal.demo.services import DEMO_TOTP_SECRET
from jcportal.households.models import Household, Person, ServiceOffice, Team
citizens, caseworkers, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
office = ServiceOffice.objects.get(name="Standort Musterstadt")
team = Team.objects.get(name="Leistung Musterstadt")
staff = []
for n in range(caseworkers):
    user = User(username=f"soak-sb-{n:02d}", role=Role.CASEWORKER, team=team, first_name="Soak",
                last_name=f"Sachbearbeitung {n}")
    user.set_password(password)
    user.save()
    create_device_with_secret(user, DEMO_TOTP_SECRET)
    staff.append(user.username)
people = []
for n in range(citizens):
    household = Household.objects.create(
        bg_number=f"{sys.argv[4]}{n:05d}", service_office=office, responsible_team=team,
        responsible_caseworker=User.objects.get(username=staff[n % caseworkers]),
        street=f"Soakweg {n + 1}", postcode="12345", city="Musterstadt")
    head = Person.objects.create(household=household, first_name="Soak", last_name=f"Kunde {n}",
        date_of_birth=dt.date(1980, 1 + n % 12, 1 + n % 28), relation=Person.Relation.HEAD, is_head=True)
    user = User(username=f"soak-kunde-{n:03d}", role=Role.CITIZEN, person=head, first_name="Soak",
                last_name=f"Kunde {n}")
    user.set_password(password)
    user.save()
    people.append(user.username)
print(json.dumps({"citizens": people, "caseworkers": staff, "totp_secret": DEMO_TOTP_SECRET}))
"""

# What arrived: every document of the soak's households, delivered (also when since processed) or its
# status, and its inbox items.
ARRIVED = (
    "SELECT d.receipt_number, CASE WHEN d.delivered_at IS NULL THEN d.status ELSE 'delivered' END, "
    "count(i.id) FROM documents_document d "
    "JOIN households_household h ON h.id = d.household_id "
    "LEFT JOIN inbox_inboxitem i ON i.document_id = d.id "
    "WHERE substr(h.bg_number, 1, 9) = '12345BG99' GROUP BY d.id, d.receipt_number, d.status, d.delivered_at"  # BG_PREFIX
)


# Documents of the soak in the middle of the pipeline right now (a worker holds their lease).
IN_FLIGHT = (
    "SELECT count(*) FROM documents_document d JOIN households_household h ON h.id = d.household_id "
    "WHERE substr(h.bg_number, 1, 9) = '12345BG99' AND d.delivered_at IS NULL "
    "AND d.pipeline_lease_until IS NOT NULL"
)


def _wait_for_log(
    log: Path, text: str, process: subprocess.Popen[bytes], timeout: float, offset: int = 0
) -> None:
    """Until ``text`` is in ``log`` after its first ``offset`` bytes (a restarted process appends)."""
    deadline = time.monotonic() + timeout
    while text not in log.read_bytes()[offset:].decode(errors="replace"):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{log.name}: no {text!r}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)


def _wait_for_url(url: str, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/livez", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Topology:
    """What the soak needs of a topology."""

    name = ""
    urls: list[str]
    var: Path
    log_dir: Path

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def arrived(self) -> list[tuple[Any, ...]]:
        """(receipt number, status, inbox items) of every document of the soak's households."""
        return self.query(ARRIVED)

    def in_flight(self) -> int:
        """How many of the soak's documents a worker is working on (leased, not yet delivered)."""
        return int(self.query(IN_FLIGHT)[0][0])

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def processes(self) -> dict[str, int]:
        """Process label (``web-…``, ``worker-…``) → pid of the process whose tree is measured."""
        raise NotImplementedError

    def kill_worker(self) -> None:
        """SIGKILL to the pipeline worker that is killed (its whole process group)."""
        raise NotImplementedError

    def restart_worker(self) -> None:
        """Start it again and wait until it takes work."""
        raise NotImplementedError

    def create_users(self, citizens: int, caseworkers: int) -> dict[str, Any]:
        created = subprocess.run(
            [sys.executable, "-c", SETUP, str(citizens), str(caseworkers), PASSWORD, BG_PREFIX],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if created.returncode:
            raise RuntimeError(f"creating the soak's users failed:\n{created.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(created.stdout.strip().splitlines()[-1])
        return result

    def _worker(self, log: Path, queues: str, node: str, *extra: str) -> subprocess.Popen[bytes]:
        offset = log.stat().st_size if log.exists() else 0
        process = subprocess.Popen(
            [str(BIN / "celery"), "-A", "jcportal", "worker", "-Q", queues, "-n", node, *extra],
            cwd=ROOT,
            env=self.env(),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_log(log, "ready.", process, 180, offset)
        return process


class Embedded(Topology):
    name = "embedded"

    def __init__(self, var: Path, port: int, lease_seconds: int, ocr: bool) -> None:
        self.var = var
        self.log_dir = var / "log"
        self.port = port
        self.urls = [f"http://127.0.0.1:{port}"]
        self.lease_seconds = lease_seconds
        self.ocr = ocr
        self.clamd: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.web: subprocess.Popen[bytes] | None = None
        self.worker_starts = 0

    def env(self) -> dict[str, str]:
        # nothing of the caller's database, broker, cache or storage: the embedded defaults
        own = ("DATABASE_URL", "CELERY_", "CACHE_URL", "S3_", "MEDIA_ROOT", "PYTEST_", "DJANGO_")
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(own)},
            "PYTHONPATH": str(ROOT / "src"),
            "JCPORTAL_VAR_DIR": str(self.var),
            "DEBUG": "false",
            "OCR_ENABLED": "true" if self.ocr else "false",
            "PIPELINE_LEASE_SECONDS": str(self.lease_seconds),
            "CLAMD_SOCKET": str(self.var / "clamd" / "clamd.sock"),
            "MALWARE_SCAN_REQUIRED": "true",
        }

    def _manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")

    def start(self) -> None:
        from jcportal.core import localclamd

        for folder in ("clamd", "broker/queue", "broker/processed", "log"):
            (self.var / folder).mkdir(parents=True, exist_ok=True)
        self._manage("migrate", "--noinput", "-v0")
        self._manage("collectstatic", "--noinput", "-v0")  # DEBUG off: the hashed names of the manifest
        self._manage("seed_demo")
        localclamd.prepare(self.var / "clamd")
        self.clamd = subprocess.Popen(
            [
                localclamd.clamd_binary() or "/usr/sbin/clamd",
                "--config-file",
                str(self.var / "clamd/clamd.conf"),
            ],
            stdout=(self.log_dir / "clamd.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.restart_worker()
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:jcportal.core.gunicorn_config",
                "jcportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=(self.log_dir / "web.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_url(self.urls[0])

    def restart_worker(self) -> None:
        self.worker_starts += 1
        self.worker = self._worker(
            self.log_dir / "worker.log",
            "intake,ocr,io,housekeeping",
            "worker@%h",
            "-B",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--schedule",
            str(self.var / "celerybeat-schedule"),
        )

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def processes(self) -> dict[str, int]:
        found = {}
        if self.web is not None and self.web.poll() is None:
            found["web"] = self.web.pid
        if self.worker is not None and self.worker.poll() is None:
            found["worker"] = self.worker.pid
        return found

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.var / "jcportal.sqlite3", timeout=60) as db:
            return db.execute(sql).fetchall()

    def stop(self) -> None:
        for process in (self.web, self.worker, self.clamd):
            _stop(process)


class Production(Topology):
    name = "production"

    def __init__(self, var: Path, lease_seconds: int, ocr: bool) -> None:
        from jcportal.core.testing import cluster as clusters

        self.clusters = clusters
        self.var = var
        self.log_dir = var / "log"
        # the script's own worker takes io + housekeeping; beat runs the resumer of stalled documents
        self.cluster = clusters.Cluster(
            var,
            name="soak",
            workers="io,housekeeping",
            concurrency=1,
            redis_db=10,
            PIPELINE_LEASE_SECONDS=str(lease_seconds),
            OCR_ENABLED="true" if ocr else "false",
        )
        self.urls = self.cluster.urls
        self.pipeline: dict[int, subprocess.Popen[bytes]] = {}
        self.worker_starts = 0

    def env(self) -> dict[str, str]:
        return self.cluster.process_env()

    def start(self) -> None:
        problem = self.clusters.reachable()
        if problem:
            raise RuntimeError(f"the production topology needs PostgreSQL and Redis: {problem}")
        self.cluster.start()
        for number in (1, 2):
            self._start_pipeline(number)

    def _start_pipeline(self, number: int) -> None:
        self.pipeline[number] = self._worker(
            self.log_dir / f"soak-pipeline-{number}.log",
            "intake,ocr",
            f"soak-pipeline-{number}@%h",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
        )

    def restart_worker(self) -> None:
        self.worker_starts += 1
        self._start_pipeline(1)

    def kill_worker(self) -> None:
        os.killpg(self.pipeline[1].pid, signal.SIGKILL)
        self.pipeline[1].wait(timeout=10)

    def processes(self) -> dict[str, int]:
        import psutil

        found = {}
        script = self.cluster.process
        if script is not None and script.poll() is None:
            try:
                children = psutil.Process(script.pid).children()
            except psutil.Error:
                children = []
            for child in children:
                try:
                    command = child.cmdline()
                except psutil.Error:
                    continue
                if any(part.endswith("gunicorn") for part in command[:2]):
                    found[f"web-{command[command.index('--bind') + 1].rsplit(':', 1)[1]}"] = child.pid
                elif any(part.endswith("celery") for part in command[:2]) and "worker" in command:
                    found[f"worker-{command[command.index('-Q') + 1]}"] = child.pid
        for number, process in self.pipeline.items():
            if process.poll() is None:
                found[f"worker-intake,ocr-{number}"] = process.pid
        return found

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.cluster.sql(sql)

    def stop(self) -> None:
        for process in self.pipeline.values():
            _stop(process)
        self.cluster.stop()
