"""A real Celery worker is killed (SIGKILL) in the middle of the pipeline; after a restart the
document is delivered exactly once: one inbox item, one PDF.

The worker runs in its own process against its own SQLite file and filesystem broker (the test
database of pytest-django may live in memory), with the real clamd of the ``clamd`` fixture.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jcportal.core.testing.processes import ROOT, process_env

PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))

CREATE = """
import io, django
django.setup()
from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.documents import services
from jcportal.documents.tests import samples
household = HouseholdFactory()
citizen = CitizenFactory(person__household=household)
household.responsible_caseworker = StaffFactory(team=household.responsible_team)
household.save()
document = services.accept_upload(household=household, uploaded_by=citizen, doc_type="mietvertrag",
    title="Mietvertrag", files=[("1.jpg", io.BytesIO(samples.jpeg())), ("2.jpg", io.BytesIO(samples.jpeg("blue")))])
print(document.pk.hex)
"""


LOGS: list[Path] = []


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in LOGS if log.exists())
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


@pytest.mark.services
def test_killed_worker_finishes_the_document_exactly_once_after_restart(tmp_path, clamd_socket):
    var = tmp_path / "var"
    (var / "broker" / "queue").mkdir(parents=True)
    (var / "broker" / "processed").mkdir(parents=True)
    marker = tmp_path / "blocked"
    database = var / "worker.sqlite3"
    env = process_env(
        var,
        database,
        clamd_socket,
        CELERY_BROKER_URL="filesystem://",
        CELERY_TASK_ALWAYS_EAGER="false",
        PIPELINE_LEASE_SECONDS="3",
    )
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    created = subprocess.run(
        [PYTHON, "-c", CREATE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    document_id = created.stdout.strip().splitlines()[-1]

    def row() -> tuple:
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute(
                "SELECT status, pipeline_step, pipeline_lease_until, page_count FROM documents_document WHERE id=?",
                (document_id,),
            ).fetchone()

    def inbox_items() -> int:
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute(
                "SELECT count(*) FROM inbox_inboxitem WHERE document_id=?", (document_id,)
            ).fetchone()[0]

    def worker(**extra: str) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(LOGS) + 1}.log"
        LOGS.append(log)
        return subprocess.Popen(
            [
                CELERY,
                "-A",
                "jcportal",
                "worker",
                "--pool=solo",
                "-l",
                "warning",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env={**env, **extra},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    LOGS.clear()
    first = worker(JCPORTAL_PIPELINE_BLOCK_STEP="normalise", JCPORTAL_PIPELINE_BLOCK_MARKER=str(marker))
    try:
        wait_for(marker.exists, 120, "the worker to reach the normalise step")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    status, step, lease, _pages = row()
    assert (status, step) == ("received", "normalise")
    assert inbox_items() == 0

    second = worker()
    try:
        # the dead worker's lease runs out; then the periodic resumer (as beat would) re-queues the document
        lease_end = datetime.fromisoformat(lease).replace(tzinfo=UTC)
        wait_for(lambda: datetime.now(UTC) > lease_end, 10, "the lease to expire")
        subprocess.run(
            [CELERY, "-A", "jcportal", "call", "jcportal.core.tasks.resume_stalled_work"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        wait_for(lambda: row()[0] == "delivered" and row()[1] == "done", 180, "delivery after the restart")
        # a second resumer run (beat every 60 s) must not deliver it again
        subprocess.run(
            [CELERY, "-A", "jcportal", "call", "jcportal.core.tasks.resume_stalled_work"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        wait_for(lambda: not any((var / "broker" / "queue").iterdir()), 30, "the worker to take the message")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)

    status, step, _lease, pages = row()
    assert (status, step, pages) == ("delivered", "done", 2)
    assert inbox_items() == 1
    pdfs = list((var / "media" / "documents").rglob("*.pdf"))
    assert len(pdfs) == 1
    assert not [p for p in (var / "media" / "work").rglob("*") if p.is_file()]  # work files cleaned up
