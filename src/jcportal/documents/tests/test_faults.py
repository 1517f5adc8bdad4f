"""Faults lose nothing and nothing loops: ten uploads in flight, a fault, and in the end every accepted
upload is delivered exactly once (one PDF, one inbox item, one "delivered" audit event) and none
unscanned.

Real Celery workers in their own processes against their own database (SQLite file, or PostgreSQL for
the connection test) and filesystem broker, with a real clamd – the harness of ``test_worker_crash``.
Retry budgets are small (settings by environment) so that each test stays well under a minute.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jcportal.core.testing.processes import ROOT, process_env

PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
UPLOADS = 10
PG = "postgres://postgres@127.0.0.1:5432"

CREATE = """
import io, sys, django
django.setup()
from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.households.tests.factories import HouseholdFactory, TeamFactory
from jcportal.documents import services
from jcportal.documents.tests import samples
household = HouseholdFactory()
TeamFactory(is_clearing=True, service_office=household.service_office)
citizen = CitizenFactory(person__household=household)
household.responsible_caseworker = StaffFactory(team=household.responsible_team)
household.save()
names = sys.argv[1].split(",")
for number, name in enumerate(names):
    document = services.accept_upload(household=household, uploaded_by=citizen, doc_type="mietvertrag",
        title=f"Upload {number}", files=[(name, io.BytesIO(samples.jpeg(("red", "blue", "green")[number % 3])))])
    print(document.pk.hex)
"""

BEAT = """
import sys, time, django
django.setup()
from jcportal.core.tasks import resume_stalled_work
while True:  # what beat does every minute, here every few seconds
    try:
        resume_stalled_work.delay()
    except Exception as exc:  # the broker is down (the Redis restart test): beat tries again later
        print("broker down:", type(exc).__name__, flush=True)
    time.sleep(float(sys.argv[1]))
"""

Row = tuple[str, str, str, int]  # status, pipeline_step, pipeline_state, pipeline_attempts


class Harness:
    """One jcportal deployment in subprocesses: database, broker folder, media folder, clamd."""

    def __init__(self, tmp_path: Path, clamd_socket: str, database_url: str = "", **settings: str) -> None:
        self.tmp = tmp_path
        self.var = tmp_path / "var"
        for folder in ("queue", "processed", "control"):
            (self.var / "broker" / folder).mkdir(parents=True, exist_ok=True)
        self.sqlite = self.var / "worker.sqlite3"
        self.database_url = database_url
        self.env = process_env(
            self.var,
            self.sqlite,
            clamd_socket,
            CELERY_BROKER_URL="redis://",  # replaced by the private Redis below
            PIPELINE_RESUME_AFTER_SECONDS="3",
            CELERY_TASK_ALWAYS_EAGER="false",
            PIPELINE_LEASE_SECONDS="4",
            PIPELINE_WAIT_RETRY_SECONDS="1",
            PIPELINE_MAX_ATTEMPTS="3",
            **settings,
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.redis, self.env["CELERY_BROKER_URL"] = private_redis(tmp_path / "redis")
        self.logs: list[Path] = []
        self.workers: list[subprocess.Popen] = []
        self.ids: list[str] = []

    # --- setting up ---------------------------------------------------------------------------
    def upload(self, names: list[str]) -> list[str]:
        if self.database_url:
            subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        else:  # a copy of the database migrated once for this module
            shutil.copyfile(migrated_template(self.tmp.parent), self.sqlite)
        created = subprocess.run(
            [PYTHON, "-c", CREATE, ",".join(names)],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.ids = created.stdout.split()[-len(names) :]
        assert len(self.ids) == len(names)
        return self.ids

    def worker(self, *, pool: str = "solo", **extra: str) -> subprocess.Popen:
        log = self.tmp / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        process = subprocess.Popen(
            [CELERY, "-A", "jcportal", "worker", f"--pool={pool}", "--concurrency=1", "-l", "warning"]
            + ["-Q", "intake,ocr,io,housekeeping", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.redis.terminate()
        self.redis.wait(timeout=10)

    def beat(self, every: float = 1.5) -> None:
        """Beat's resumer in a loop: re-queues documents whose worker is gone (lease expired)."""
        log = self.tmp / "beat.log"
        self.logs.append(log)
        self.workers.append(
            subprocess.Popen(
                [PYTHON, "-c", BEAT, str(every)],
                cwd=ROOT,
                env=self.env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    # --- reading the outcome ------------------------------------------------------------------
    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as db:
                return list(db.execute(sql.replace("?", "%s"), params).fetchall())
        with sqlite3.connect(self.sqlite, timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def _id(self, document_id: str) -> str:
        return str(uuid.UUID(document_id)) if self.database_url else document_id

    def rows(self) -> dict[str, Row]:
        result = {}
        for document_id in self.ids:
            (row,) = self.query(
                "SELECT status, pipeline_step, pipeline_state, pipeline_attempts FROM documents_document"
                " WHERE id=?",
                (self._id(document_id),),
            )
            result[document_id] = row
        return result

    def count(self, table_where: str, document_id: str) -> int:
        return self.query(f"SELECT count(*) FROM {table_where}", (self._id(document_id),))[0][0]  # noqa: S608

    def wait_for(self, condition: Callable[[], Any], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.3)
        logs = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.logs if log.exists())
        raise AssertionError(f"timed out waiting for {what}: {self.rows()}\n{logs}")

    def delivered(self, ids: list[str] | None = None) -> bool:
        rows = self.rows()
        return all(rows[i][:2] == ("delivered", "done") for i in ids or self.ids)

    def assert_each_delivered_exactly_once(self, ids: list[str] | None = None) -> None:
        for document_id in ids or self.ids:
            status, step, state, _attempts = self.rows()[document_id]
            assert (status, step, state) == ("delivered", "done", ""), document_id
            assert self.count("inbox_inboxitem WHERE document_id=?", document_id) == 1
            delivered = self.query(
                "SELECT count(*) FROM audit_auditevent WHERE action='document.delivered' AND object_id=?",
                (str(uuid.UUID(document_id)),),
            )
            assert delivered[0][0] == 1, f"{document_id}: delivered once"
            folder = self.var / "media" / "documents" / str(uuid.UUID(document_id))
            assert len(list(folder.iterdir())) == 1, f"{document_id}: one PDF"


_TEMPLATE: dict[str, Path] = {}


def migrated_template(scratch: Path) -> Path:
    """An empty, migrated SQLite database, made once per test session (migrating takes a while)."""
    if "path" not in _TEMPLATE:
        var = scratch / f"template-{uuid.uuid4().hex[:8]}"
        var.mkdir()
        database = var / "template.sqlite3"
        env = process_env(var, database, "")
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        _TEMPLATE["path"] = database
    return _TEMPLATE["path"]


def private_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    """A Redis server of this test alone (on a Unix socket): the broker of its workers. Started again
    in the same directory it keeps its data (append-only file), as a production Redis would."""
    import redis

    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "redis.sock"
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "yes"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis+socket://{sock}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if redis.Redis(unix_socket_path=str(sock)).ping():
                return process, url
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("redis-server did not start")


def _names() -> list[str]:
    return [f"seite-{number}.jpg" for number in range(UPLOADS)]


@pytest.fixture
def harness(tmp_path, clamd_socket):  # type: ignore[no-untyped-def]
    made: list[Harness] = []

    def make(**kwargs: str) -> Harness:
        made.append(Harness(tmp_path, clamd_socket, **kwargs))
        return made[-1]

    yield make
    for harness in made:
        harness.stop_all()


@pytest.mark.services
def test_kill_9_of_the_worker_in_pipeline_steps_loses_nothing_and_delivers_once(harness):
    """The whole worker is killed in every step of the pipeline in turn (one document blocked in
    "quarantine", the next in "scan", … "cleanup"); a fresh worker and the resumer finish all ten, each
    exactly once."""
    from jcportal.documents.pipeline import STEP_NAMES

    h = harness()
    h.upload(_names())
    assert len(STEP_NAMES) < len(h.ids), "one document in flight per step, and one more"
    marker = h.tmp / "blocked"
    for step in STEP_NAMES:
        marker.unlink(missing_ok=True)
        worker = h.worker(JCPORTAL_PIPELINE_BLOCK_STEP=step, JCPORTAL_PIPELINE_BLOCK_MARKER=str(marker))
        h.wait_for(marker.exists, 60, f"a worker blocked in {step}")
        h.kill(worker)
        assert step in {row[1] for row in h.rows().values()}
    h.worker()
    h.beat()  # re-queues the killed workers' documents once their leases (4 s) ran out
    h.wait_for(h.delivered, 60, "delivery of every upload")
    time.sleep(3)  # more beats: nothing is delivered twice
    h.assert_each_delivered_exactly_once()


@pytest.mark.services
def test_clamav_down_longer_than_the_retry_budget_waits_and_resumes_unscanned_never(harness, tmp_path):
    from jcportal.core import localclamd

    clamd_dir = tmp_path / "clamd"
    clamd = localclamd.start(clamd_dir)
    h = harness()
    h.env["CLAMD_SOCKET"] = str(localclamd.socket_path(clamd_dir))
    h.upload(_names())
    clamd.terminate()  # the scanner goes down before the first upload is scanned
    clamd.wait(timeout=20)
    h.worker()
    try:
        # three attempts with 1 s between them would have been the whole budget; wait well beyond it
        h.wait_for(lambda: all(row[2] == "waiting" for row in h.rows().values()), 40, "every upload waiting")
        time.sleep(6)
        for status, step, state, attempts in h.rows().values():
            assert (status, step, state) == ("received", "scan", "waiting")  # nothing went on unscanned
            assert attempts <= 1  # waiting is no attempt (the one in flight may be counted)
        assert not h.query("SELECT count(*) FROM inbox_inboxitem")[0][0]
        clamd = localclamd.start(clamd_dir)  # the scanner is back
        h.wait_for(h.delivered, 45, "delivery after the scanner came back")
    finally:
        clamd.terminate()
        clamd.wait(timeout=20)
    h.assert_each_delivered_exactly_once()


@pytest.mark.services
def test_a_poison_file_that_kills_its_worker_is_parked_after_three_attempts_and_the_queue_moves(harness):
    names = _names()
    names[2] = "poison.jpg"
    h = harness()
    h.upload(names)
    poison, healthy = h.ids[2], [i for n, i in enumerate(h.ids) if n != 2]
    # prefork: the pool process dies on the poison file and the worker starts a new one (as after an OOM kill)
    h.worker(pool="prefork", JCPORTAL_PIPELINE_POISON="poison.jpg")
    h.beat()  # after each death the lease runs out (4 s) and the resumer re-queues the poison file
    h.wait_for(lambda: h.delivered(healthy) and h.rows()[poison][2] == "failed", 60, "the poison file parked")
    status, step, state, attempts = h.rows()[poison]
    assert (status, step, state, attempts) == ("received", "normalise", "failed", 3)
    assert h.count("documents_document WHERE id=? AND pipeline_error LIKE '%3 times%'", poison) == 1
    clearing = h.query(
        "SELECT count(*) FROM inbox_inboxitem i JOIN households_team t ON t.id = i.team_id"
        " WHERE i.document_id=? AND t.is_clearing",
        (h._id(poison),),
    )
    assert clearing[0][0] == 1  # shown to the clearing team
    h.assert_each_delivered_exactly_once(healthy)
    time.sleep(3)  # parked: the resumer leaves it alone
    assert h.rows()[poison][3] == 3


@pytest.mark.services
def test_redis_restarted_while_uploads_are_in_flight_loses_nothing(harness):
    h = harness()
    h.upload(_names())
    h.worker()
    h.beat()
    h.wait_for(lambda: sum(row[0] == "delivered" for row in h.rows().values()) >= 2, 60, "two deliveries")
    h.redis.terminate()  # the broker goes away with messages queued and one task in flight
    h.redis.wait(timeout=10)
    assert any(row[0] != "delivered" for row in h.rows().values())  # uploads still in flight
    time.sleep(3)
    h.redis, _url = private_redis(h.tmp / "redis")
    h.wait_for(h.delivered, 60, "delivery after the broker came back")
    time.sleep(2)
    h.assert_each_delivered_exactly_once()


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.mark.services
@pytest.mark.skipif(not _postgres_available(), reason="needs PostgreSQL on 127.0.0.1")
def test_terminated_database_connections_mid_step_make_the_document_wait_not_fail(harness):
    import psycopg

    name = f"jc_faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        h = harness(database_url=f"{PG}/{name}")
        h.upload(_names())
        marker = h.tmp / "paused"
        h.worker(JCPORTAL_PIPELINE_PAUSE_STEP="store", JCPORTAL_PIPELINE_BLOCK_MARKER=str(marker))
        h.beat()
        h.wait_for(marker.exists, 60, "the worker paused in the store step")
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            terminated = admin.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()) AS t",
                [name],
            ).fetchone()[0]
        assert terminated >= 1
        marker.unlink()  # the step goes on and meets its dead connection
        h.wait_for(h.delivered, 50, "delivery after the connections were terminated")
        h.assert_each_delivered_exactly_once()
        assert not h.query("SELECT count(*) FROM documents_document WHERE pipeline_state = 'failed'")[0][0]
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
