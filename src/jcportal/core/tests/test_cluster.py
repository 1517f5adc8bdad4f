"""The production topology (``scripts/run-cluster.sh``) against real servers: PostgreSQL, Redis, moto as
S3, clamd, two gunicorn web processes, two Celery workers and beat.

A citizen uploads through one web process and the caseworker opens the document through the other;
the file is in the bucket and nowhere on local disk; 40 concurrent uploads over both processes are each
delivered exactly once; with 20 jobs queued for the OCR workers /readyz answers within a second and a
password-reset mail leaves within ten; the logs of all of it carry no social data.
Skipped only when PostgreSQL or Redis do not answer.
"""

from __future__ import annotations

import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jcportal.core.testing import cluster as clusters
from jcportal.demo.services import DEMO_TOTP_SECRET

pytestmark = pytest.mark.services

CITIZEN = ("demo-kunde", "Demo-Kunde-2026")
CASEWORKER = ("demo-sachbearbeitung", "Demo-Sachbearbeitung-2026")
IBAN = "DE89370400440532013000"
SECRET_FILE_NAME = "Kontoauszug-Privat-Wohngeldbescheid"


def jpeg(colour: str = "white") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="JPEG", quality=70)
    return out.getvalue()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):  # type: ignore[no-untyped-def]
    problem = clusters.reachable()
    if problem:
        pytest.skip(f"no cluster without its servers: {problem}")
    instance = clusters.Cluster(tmp_path_factory.mktemp("cluster") / "var", name="test", redis_db=12)
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def wait_for(condition, timeout: float, what: str, cluster: clusters.Cluster) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}\n{cluster.logs(tail=2500)}")


def delivered(cluster: clusters.Cluster, ids: list[str]) -> int:
    rows = cluster.sql(
        "SELECT count(*) FROM documents_document WHERE id::text = ANY(%s) AND status = 'delivered'", [ids]
    )
    return int(rows[0][0])


def test_upload_on_one_web_process_opened_on_the_other_from_the_bucket_only(cluster):
    for url in cluster.urls:
        health = json.loads(clusters.Browser(url).session.get(url + "/healthz", timeout=10).text)
        assert health["components"]["storage"]["detail"] == "object storage"
        assert health["components"]["cache"]["detail"] == "shared"
    citizen = clusters.Browser(cluster.urls[0])
    citizen.login(*CITIZEN)
    document_id = citizen.upload(
        "mietvertrag", [(f"{SECRET_FILE_NAME}-{IBAN}.jpg", jpeg(), "image/jpeg")], token=None
    )
    wait_for(lambda: delivered(cluster, [document_id]) == 1, 45, "delivery", cluster)

    caseworker = clusters.Browser(cluster.urls[1])
    caseworker.login(*CASEWORKER, totp_secret=DEMO_TOTP_SECRET)
    pdf = caseworker.session.get(
        f"{cluster.urls[1]}/verwaltung/dokumente/{document_id}/herunterladen/", timeout=30
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    # the object is in the bucket, under a name that says nothing about its content …
    (pdf_key,) = cluster.sql("SELECT pdf FROM documents_document WHERE id = %s", [document_id])[0]
    keys = [o["Key"] for o in cluster.s3().list_objects_v2(Bucket="jcportal-cluster").get("Contents", [])]
    assert pdf_key in keys
    assert not [key for key in keys if SECRET_FILE_NAME in key or IBAN in key]
    # … and nowhere on local disk
    local = [p for p in cluster.var.rglob("*") if p.is_file() and p.suffix in (".pdf", ".jpg")]
    assert not local
    assert not (cluster.var / "no-local-media").exists()


def test_forty_concurrent_uploads_over_both_web_processes_each_delivered_once(cluster):
    browsers = []
    for url in cluster.urls:
        browser = clusters.Browser(url)
        browser.login(*CITIZEN)
        browsers.append((browser, browser.csrf("/portal/hochladen/")))

    def send(number: int) -> str:
        browser, token = browsers[number % 2]
        return browser.clone().upload("mietvertrag", [(f"{number}.jpg", jpeg(), "image/jpeg")], token)

    with ThreadPoolExecutor(max_workers=40) as pool:
        ids = list(pool.map(send, range(40)))
    assert len(set(ids)) == 40
    wait_for(lambda: delivered(cluster, ids) == 40, 90, "40 deliveries", cluster)
    rows = cluster.sql(
        "SELECT d.id::text, d.receipt_number, count(i.id) FROM documents_document d "
        "LEFT JOIN inbox_inboxitem i ON i.document_id = d.id WHERE d.id::text = ANY(%s) "
        "GROUP BY d.id, d.receipt_number",
        [ids],
    )
    assert len(rows) == 40
    assert {count for _id, _receipt, count in rows} == {1}  # each delivered exactly once
    assert len({receipt for _id, receipt, _count in rows}) == 40
    # a resumer run of beat later must not deliver any of them again
    time.sleep(2)
    again = cluster.sql("SELECT count(*) FROM inbox_inboxitem WHERE document_id::text = ANY(%s)", [ids])
    assert again[0][0] == 40


def test_readyz_and_mail_are_not_behind_queued_ocr_work(cluster):
    import redis

    cluster.sql(
        "UPDATE accounts_user SET email = 'kunde@example.org' WHERE username = %s RETURNING id", [CITIZEN[0]]
    )
    documents = [
        row[0] for row in cluster.sql("SELECT id::text FROM documents_document WHERE pdf <> '' LIMIT 20")
    ]
    # Their page previews, rendered by the earlier tests, are removed so that each job below has real
    # rendering to do: a job that finds its previews stored ends in milliseconds, and the queue was empty
    # before it could be measured (a CI run saw 0 of 20 left).
    s3 = cluster.s3()
    for document_id in documents:
        listed = s3.list_objects_v2(Bucket="jcportal-cluster", Prefix=f"previews/{document_id}/")
        for stored in listed.get("Contents", []):
            s3.delete_object(Bucket="jcportal-cluster", Key=stored["Key"])
    # 20 jobs for the OCR workers (page previews: the ocr queue), queued at once
    from celery import Celery

    broker = f"{cluster.env['CLUSTER_REDIS_URL']}/13"
    client = Celery("cluster-test", broker=broker)
    for document_id in (documents * 20)[:20]:
        client.send_task("jcportal.casework.tasks.render_previews", args=[document_id], queue="ocr")
    client.close()
    queued = redis.Redis.from_url(broker).llen("ocr")
    assert queued >= 15  # the workers may have taken a few already

    for url in cluster.urls:
        started = time.monotonic()
        response = clusters.Browser(url).session.get(url + "/readyz", timeout=5)
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0

    visitor = clusters.Browser(cluster.urls[0])
    sent_at = time.monotonic()
    response = visitor.post("/konto/passwort-vergessen/", {"username": CITIZEN[0]})
    assert response.status_code == 302
    mail = cluster.var / "mail"
    wait_for(
        lambda: (
            mail.exists()
            and any("kunde@example.org" in p.read_text(errors="replace") for p in mail.iterdir())
        ),
        10,
        "the password-reset mail",
        cluster,
    )
    assert time.monotonic() - sent_at < 10


def test_logs_of_the_whole_cluster_carry_no_social_data(cluster):
    """Runs last: the logs of every process after all uploads above (file names with an IBAN in them)."""
    names = cluster.sql(
        "SELECT p.first_name, p.last_name FROM accounts_user u JOIN households_person p ON p.id = u.person_id "
        "WHERE u.username = %s",
        [CITIZEN[0]],
    )
    first, last = names[0]
    logs = cluster.logs()
    assert "request_id" in logs  # JSON lines with the request id
    for secret in (IBAN, SECRET_FILE_NAME, f"{first} {last}", "kunde@example.org"):
        assert secret not in logs
    for line in Path(cluster.var / "log" / "worker-1.log").read_text().splitlines():
        if line.startswith("{"):
            assert "args" not in json.loads(line).get("data", {})
