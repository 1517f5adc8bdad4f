import pytest
from django.utils import timezone

from jcportal.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_component_and_503_without_worker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert set(body["components"]) == {"database", "storage", "worker", "malware_scanner", "ocr"}
    assert body["components"]["worker"]["ok"] is False
    assert body["components"]["database"]["ok"] is True


def test_healthz_ok_with_fresh_heartbeat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(hostname="w1", seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


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


def test_scanner_up_with_real_clamd(client, clamd):
    body = client.get("/healthz").json()
    assert body["components"]["malware_scanner"] == {"ok": True, "required": True, "detail": "clamd answers"}
