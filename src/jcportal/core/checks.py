"""Production mode refuses to start with insecure settings, and says which one is wrong."""

from django.conf import settings
from django.core.checks import Error, Tags, register

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
    return problems
