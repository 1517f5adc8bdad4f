"""Production mode refuses to start with insecure settings, and says which one is wrong."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import clamav


@register(Tags.security, deploy=False)
def production_settings(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    if not settings.PRODUCTION:
        return []
    problems = []
    if settings.DEBUG:
        problems.append(Error("DEBUG is on in production mode.", hint="Set DEBUG=false.", id="jcportal.E001"))
    if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        problems.append(
            Error(
                "SECRET_KEY is the development default or shorter than 40 characters.",
                hint="Set SECRET_KEY to a long random value.",
                id="jcportal.E002",
            )
        )
    if settings.DEMO_DATA:
        problems.append(
            Error("DEMO_DATA is on in production mode.", hint="Set DEMO_DATA=false.", id="jcportal.E003")
        )
    if not clamav.configured():
        problems.append(
            Error(
                "No malware scanner is configured in production mode.",
                hint="Set CLAMD_SOCKET or CLAMD_HOST to a running clamd.",
                id="jcportal.E004",
            )
        )
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(
            Error(
                "Cookies are not marked secure in production mode.",
                hint="Set SECURE_COOKIES=true.",
                id="jcportal.E005",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Error(
                "Production mode needs PostgreSQL, not SQLite.",
                hint="Set DATABASE_URL=postgres://…",
                id="jcportal.E006",
            )
        )
    problems.extend(process_local_state())
    problems.extend(scanner_signatures())
    return problems


def process_local_state() -> list[Error]:
    """State that lives in one process or on one disk breaks as soon as a second process runs."""
    problems = []
    if not settings.SHARED_CACHE:
        problems.append(
            Error(
                "The cache is local to each process (locks, rate limits and throttles would not be shared).",
                hint="Set CACHE_URL=redis://… to a cache every web process and worker shares.",
                id="jcportal.E007",
            )
        )
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    if broker in ("filesystem", "memory") or settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            Error(
                f"The Celery broker '{broker}://' is local to this machine (or tasks run eagerly).",
                hint="Set CELERY_BROKER_URL=redis://… or amqp://… and CELERY_TASK_ALWAYS_EAGER=false.",
                id="jcportal.E008",
            )
        )
    backend: str = settings.STORAGES["default"]["BACKEND"]  # type: ignore[index]
    if backend.endswith("FileSystemStorage"):
        problems.append(
            Error(
                "Files are stored on the local disk of this machine.",
                hint="Set S3_BUCKET (and S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY).",
                id="jcportal.E009",
            )
        )
    if settings.CELERY_BEAT_SCHEDULER.endswith("PersistentScheduler"):
        problems.append(
            Error(
                "Celery beat keeps its schedule in a local file.",
                hint="Set CACHE_URL=redis://…: beat then keeps its schedule in the shared cache (core.beat).",
                id="jcportal.E010",
            )
        )
    return problems


def scanner_signatures() -> list[Error | Warning]:
    """clamd without current signatures is no scanner (freshclam keeps them current)."""
    if not clamav.configured():
        return []  # E004 already says so
    try:
        problem = clamav.signature_problem(settings.CLAMAV_SIGNATURE_MAX_AGE_HOURS)
    except clamav.ScannerUnavailable:
        return [
            Warning(
                "clamd does not answer, so the age of its signature database is unknown.",
                hint="Start clamd; uploads wait (never delivered unscanned) until it answers.",
                id="jcportal.W001",
            )
        ]
    if problem:
        return [
            Error(
                f"The malware scanner has {problem}.",
                hint=(
                    "Run freshclam (or its sidecar) so clamd loads current signatures, "
                    "or raise CLAMAV_SIGNATURE_MAX_AGE_HOURS."
                ),
                id="jcportal.E011",
            )
        ]
    return []
