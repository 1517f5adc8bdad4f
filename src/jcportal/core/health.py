"""Component checks behind GET /healthz. Each returns (ok, detail)."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from . import clamav
from .models import WorkerHeartbeat
from .registry import health_checks, register_health_check


@register_health_check("database")
def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return False, type(exc).__name__
    return True, connection.vendor


@register_health_check("storage")
def check_storage() -> tuple[bool, str]:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved) as fh:
            ok = fh.read() == b"ok"
        default_storage.delete(saved)
    except Exception as exc:
        return False, type(exc).__name__
    return ok, type(default_storage).__name__


@register_health_check("worker")
def check_worker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run in the web process)"
    limit = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        return False, "no heartbeat yet"
    age = int((timezone.now() - latest.seen_at).total_seconds())
    return latest.seen_at >= limit, f"last heartbeat {age}s ago from {latest.hostname}"


@register_health_check("malware_scanner", required=lambda: settings.MALWARE_SCAN_REQUIRED)
def check_malware_scanner() -> tuple[bool, str]:
    if not clamav.configured():
        return False, "not configured"
    if not clamav.ping():
        return False, "clamd does not answer"
    return True, "clamd answers"


@register_health_check("ocr", required=lambda: False)
def check_ocr() -> tuple[bool, str]:
    if not settings.OCR_ENABLED:
        return False, "disabled"
    path = shutil.which("tesseract")
    return (path is not None), (path or "tesseract not installed")


def run_all() -> tuple[bool, dict[str, dict[str, object]]]:
    components: dict[str, dict[str, object]] = {}
    healthy = True
    for name, (check, required) in health_checks.items():
        ok, detail = check()
        is_required = required()
        components[name] = {"ok": ok, "required": is_required, "detail": detail}
        if is_required and not ok:
            healthy = False
    return healthy, components
