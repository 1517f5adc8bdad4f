"""The mass import of a 200-page scan is killed (SIGKILL) in the middle; running it again finishes the
work and imports nothing twice.

The import runs as a real ``manage.py import_scans`` process against its own SQLite file (the test
database of pytest-django may live in memory), with the real clamd of the ``clamd`` fixture and the
intake pipeline inline, as an operator would run it from a shell.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from jcportal.core.testing.processes import ROOT, process_env

from .pdfs import build_scan, pages, sep

PYTHON = sys.executable
BG = ["12345BG0000201", "12345BG0000202", "12345BG0000203"]
CREATE = f"""
import django
django.setup()
from jcportal.households.tests.factories import HouseholdFactory
for bg in {BG!r}:
    HouseholdFactory(bg_number=bg)
"""
RESUME = """
import django
django.setup()
from jcportal.core.tasks import resume_stalled_work
resume_stalled_work()
"""
# (household, type, pages) of every document the scan holds
EXPECTED = sorted(
    [
        (BG[0], "mietvertrag", 30),
        (BG[1], "kontoauszug", 50),  # 60 pages: over the intake limit of 50, split in two
        (BG[1], "kontoauszug", 10),
        (BG[0], "lohnabrechnung", 20),
        (BG[2], "au_bescheinigung", 40),
        (BG[1], "nebenkosten", 39),
        (BG[2], "kuendigung", 5),
    ]
)


def scan_of_200_pages() -> bytes:
    layout = []
    for bg, doc_type, count in [
        (BG[0], "mietvertrag", 30),
        (BG[1], "kontoauszug", 60),
        (BG[0], "lohnabrechnung", 20),
        (BG[2], "au_bescheinigung", 40),
        (BG[1], "nebenkosten", 39),
        (BG[2], "kuendigung", 5),
    ]:
        layout += [sep(bg, doc_type), pages(count)]
    assert sum(part[1] if part[0] == "pages" else 1 for part in layout) == 200
    return build_scan(layout)


@pytest.mark.services
def test_killed_mass_import_resumes_and_imports_nothing_twice(tmp_path, clamd_socket):
    var = tmp_path / "var"
    var.mkdir()
    database = var / "import.sqlite3"
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "akte-0001.pdf").write_bytes(scan_of_200_pages())
    env = process_env(
        var, database, clamd_socket, CELERY_TASK_ALWAYS_EAGER="true", PIPELINE_LEASE_SECONDS="2"
    )
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], **run)  # type: ignore[call-overload]
    subprocess.run([PYTHON, "-c", CREATE], **run)  # type: ignore[call-overload]

    def documents() -> list[tuple[str, str, int]]:
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute(
                "SELECT h.bg_number, d.doc_type, d.page_count, d.status FROM documents_document d "
                "JOIN households_household h ON h.id = d.household_id"
            ).fetchall()

    log = (tmp_path / "import-1.log").open("wb")
    first = subprocess.Popen(
        [PYTHON, "manage.py", "import_scans", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    try:
        while not documents():
            assert first.poll() is None, (tmp_path / "import-1.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the import created no document in time"
            time.sleep(0.05)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    at_kill = len(documents())
    assert 0 < at_kill < len(EXPECTED), f"killed after {at_kill} documents: not in the middle"

    second = subprocess.run([PYTHON, "manage.py", "import_scans", str(folder)], **run)  # type: ignore[call-overload]
    assert "1 imported" in second.stdout, second.stdout + second.stderr
    # The document whose pipeline died with the process is finished by the periodic resumer (beat runs
    # it every few minutes) once the dead process's lease has run out.
    time.sleep(2.5)
    subprocess.run([PYTHON, "-c", RESUME], **run)  # type: ignore[call-overload]
    rows = documents()
    assert sorted((bg, doc_type, count) for bg, doc_type, count, _status in rows) == EXPECTED
    assert {status for *_rest, status in rows} == {"delivered"}
    with sqlite3.connect(database, timeout=30) as db:
        assert db.execute("SELECT status FROM scanning_importedfile").fetchall() == [("done",)]
        items = db.execute("SELECT count(*), count(DISTINCT document_id) FROM inbox_inboxitem").fetchone()
    assert items[0] == items[1] >= len(EXPECTED)  # every document routed, none twice

    third = subprocess.run([PYTHON, "manage.py", "import_scans", str(folder)], **run)  # type: ignore[call-overload]
    assert "0 imported, 1 already imported" in third.stdout, third.stdout
    assert len(documents()) == len(EXPECTED)
