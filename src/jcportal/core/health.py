"""Component checks behind GET /healthz (public), GET /readyz and GET /livez (probes).

Each check returns (ok, detail). The details are for the public: states in words, never host names,
versions or paths. No check writes: a probe every few seconds must not fill the object store.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from . import clamav
from .models import WorkerHeartbeat
from .registry import health_checks, register_health_check

TEST_SIGNATURE_ONLY = "clamd answers; test signature only (EICAR demo), not a malware scanner"


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
    """Reads only: asks the store whether a name exists (a HEAD request on S3)."""
    try:
        default_storage.exists(f"healthz/{uuid.uuid4().hex}")
    except Exception as exc:
        return False, type(exc).__name__
    backend = str(settings.STORAGES["default"]["BACKEND"])  # type: ignore[index]
    kind = "object storage" if "S3" in backend else "local files"
    return True, kind


@register_health_check("cache", required=lambda: settings.SHARED_CACHE)
def check_cache() -> tuple[bool, str]:
    if not settings.SHARED_CACHE:
        return True, "local to this process"
    try:
        key = "healthz:probe"
        cache.set(key, "1", timeout=30)
        ok = cache.get(key) == "1"
    except Exception as exc:
        return False, type(exc).__name__
    return ok, "shared"


@register_health_check("worker")
def check_worker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run in the web process)"
    limit = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        return False, "no heartbeat yet"
    age = int((timezone.now() - latest.seen_at).total_seconds())
    return latest.seen_at >= limit, f"last heartbeat {age}s ago"


def scanner_state() -> tuple[bool, str, str]:
    """(answers, signature problem or "", detail)."""
    if not clamav.configured():
        return False, "", "not configured"
    try:
        problem = clamav.signature_problem(settings.CLAMAV_SIGNATURE_MAX_AGE_HOURS)
    except clamav.ScannerUnavailable:
        return False, "", "clamd does not answer"
    if not problem:
        return True, "", "clamd answers"
    if problem.startswith("no signature database"):
        return True, problem, TEST_SIGNATURE_ONLY
    return True, problem, f"clamd answers; {problem}"


@register_health_check("malware_scanner", required=lambda: settings.MALWARE_SCAN_REQUIRED)
def check_malware_scanner() -> tuple[bool, str]:
    answers, problem, detail = scanner_state()
    # outside production the embedded test signature is enough for a demo (and says so)
    return answers and not (problem and settings.PRODUCTION), detail


@register_health_check("ocr", required=lambda: False)
def check_ocr() -> tuple[bool, str]:
    if not settings.OCR_ENABLED:
        return False, "disabled"
    found = shutil.which("tesseract") is not None
    return found, "tesseract installed" if found else "tesseract not installed"


_PATH = re.compile(r"(?<![\w])/[^\s,;:()\"']+")
_DOTTED = re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b")  # host names, IP addresses, versions


def public_detail(detail: str) -> str:
    """What any check says, without paths, host names, addresses or versions (/healthz is public)."""
    return _DOTTED.sub("[…]", _PATH.sub("[…]", detail))


def run_all() -> tuple[bool, dict[str, dict[str, object]]]:
    components: dict[str, dict[str, object]] = {}
    healthy = True
    for name, (check, required) in health_checks.items():
        ok, detail = check()
        detail = public_detail(detail)
        is_required = required()
        components[name] = {"ok": ok, "required": is_required, "detail": detail}
        if is_required and not ok:
            healthy = False
    return healthy, components


def check_scanner_ready() -> tuple[bool, str]:
    """Not ready when clamd answers without current signatures (in production): a scanner that would
    let malware through. clamd not answering is an outage the pipeline waits out (uploads are accepted
    and scanned later), so it does not take every web process out of the load balancer."""
    if not settings.MALWARE_SCAN_REQUIRED:
        return True, "not required"
    answers, problem, detail = scanner_state()
    return not (answers and problem and settings.PRODUCTION), detail


# /readyz: what this web process needs to serve requests. Not the workers: a web process with busy or
# missing workers still serves pages (uploads wait in the queue), so the load balancer keeps it.
READINESS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "malware_scanner": check_scanner_ready,
}


def readiness() -> tuple[bool, dict[str, bool]]:
    states = {name: check()[0] for name, check in READINESS.items()}
    return all(states.values()), states
