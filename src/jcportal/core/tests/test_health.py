from datetime import timedelta

import pytest
from django.utils import timezone

from jcportal.core import health
from jcportal.core.models import WorkerHeartbeat

from .fakeclamd import FakeClamd

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_component_and_503_without_worker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert set(body["components"]) == {
        "keys",
        "database",
        "storage",
        "cache",
        "worker",
        "malware_scanner",
        "ocr",
    }
    assert body["components"]["worker"]["ok"] is False
    assert body["components"]["database"]["ok"] is True


def test_healthz_ok_with_fresh_heartbeat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(hostname="w1.internal.example", seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_names_no_host_version_or_path(client, settings, clamd):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.OCR_ENABLED = True
    WorkerHeartbeat.objects.create(hostname="w1.internal.example", seen_at=timezone.now())
    text = client.get("/healthz").content.decode()
    for secret in ("w1.internal.example", "/usr/", "/tmp", clamd, "ClamAV 1.", str(settings.MEDIA_ROOT)):
        assert secret not in text


def test_healthz_does_not_write_to_storage(client, settings):
    client.get("/healthz")
    client.get("/readyz")
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_stale_heartbeat_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(hostname="w1", seen_at=timezone.now() - timezone.timedelta(minutes=10))
    assert client.get("/healthz").status_code == 503


def test_required_scanner_down_makes_503(client, settings):
    settings.MALWARE_SCAN_REQUIRED = True
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["components"]["malware_scanner"]["ok"] is False
    # an outage: uploads are accepted and wait for the scan, so the web processes stay in the balancer
    assert client.get("/readyz").status_code == 200


def test_embedded_test_signature_says_so(client, clamd):
    body = client.get("/healthz").json()
    assert body["components"]["malware_scanner"] == {
        "ok": True,
        "required": True,
        "detail": health.TEST_SIGNATURE_ONLY,
    }


@pytest.mark.parametrize("age", [None, timedelta(days=4)])
def test_readyz_fails_in_production_without_current_signatures(client, settings, tmp_path, age):
    fake = FakeClamd(tmp_path / "clamd.sock", age=age)
    settings.CLAMD_SOCKET = str(fake.path)
    settings.MALWARE_SCAN_REQUIRED = True
    try:
        assert client.get("/readyz").status_code == 200  # development: the demo's signature is enough
        settings.PRODUCTION = True
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["components"]["malware_scanner"] is False
        assert client.get("/healthz").json()["components"]["malware_scanner"]["ok"] is False
        fake.age = timedelta(hours=2)
        assert client.get("/readyz").status_code == 200
    finally:
        fake.close()


def test_livez_and_readyz_ignore_the_workers(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # no heartbeat at all
    assert client.get("/livez").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["components"] == {
        "database": True,
        "cache": True,
        "storage": True,
        "malware_scanner": True,
    }


def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_show_uploads_backlog_failures_and_task_durations(client, settings, household, citizen):
    import io

    from django.core.cache import cache

    from jcportal.core import metrics
    from jcportal.documents import services
    from jcportal.documents.models import Document
    from jcportal.documents.tests import samples

    cache.clear()  # task durations of earlier tests in this process live in the same cache
    settings.METRICS_TOKEN = "s3cret-token"
    first, second = (
        services.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="mietvertrag",
            title="Mietvertrag",
            files=[("a.jpg", io.BytesIO(samples.jpeg()))],
        )
        for _ in range(2)
    )
    Document.objects.filter(pk=first.pk).update(status="delivered", pipeline_step="done")
    Document.objects.filter(pk=second.pk).update(pipeline_step="ocr", pipeline_state="failed")
    metrics.observe("jcportal.documents.tasks.run_pipeline", 1.7)
    metrics.observe("jcportal.documents.tasks.run_pipeline", 40.0, failed=True)
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert 'jcportal_documents{channel="portal",status="delivered"} 1.0' in text
    assert "jcportal_pipeline_failed_documents 1.0" in text
    assert 'jcportal_pipeline_documents{state="failed",step="ocr"} 1.0' in text
    assert "jcportal_inbox_backlog" in text
    assert (
        'jcportal_task_duration_seconds_bucket{le="2.5",task="jcportal.documents.tasks.run_pipeline"} 1.0'
        in text
    )
    assert 'jcportal_task_duration_seconds_count{task="jcportal.documents.tasks.run_pipeline"} 2.0' in text
    assert 'jcportal_task_failures{task="jcportal.documents.tasks.run_pipeline"} 1.0' in text


def test_any_check_detail_is_stripped_of_hosts_paths_and_versions():
    assert (
        health.public_detail("cannot reach db.internal:5432 (/var/run/clamd.sock), clamd 1.4.6 at 10.0.0.7")
        == "cannot reach […]:5432 ([…]), clamd […] at […]"
    )
    assert health.public_detail("clamd answers; signature database 80 hours old") == (
        "clamd answers; signature database 80 hours old"
    )
